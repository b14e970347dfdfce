"""``drift --audit-log``: drift that an earlier apply already set back is recurring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply import history
from reconciler.configs import CallbackConfig
from reconciler.emulator.embedded import RunningEmulator
from tests.integration.conftest import EXAMPLES, read_log
from tests.integration.test_check_urls import plan_schema
from tests.integration.test_drift import PROD_CN, PROD_SG, change_live

WRITER_URL = "https://second-writer.example.com/cb"
CN_CALL = "https://console-once.example.cn/cb"


def second_writer(emulator: RunningEmulator) -> None:
    """A service that sets its own call callback on every start (valid UserSig)."""
    config = CallbackConfig(WRITER_URL, frozenset({"Call.CallbackAfterEndCall"}))
    change_live(emulator, PROD_SG, "call", config)


def applied_ids(*logs: Path, product: str = "call", sdkappid: int = 1400000001) -> list[str]:
    return [
        r["request_id"]
        for log in logs
        for r in read_log(log)
        if r["result"] == "applied" and r["product"] == product and r["sdkappid"] == sdkappid
    ]


@pytest.fixture
def logs(cli: Any, env: dict[str, str], emulator: RunningEmulator, tmp_path: Path) -> list[Path]:
    """apply (prod-sg call set from the seed's URL), the writer, apply (set back), the
    writer again; and prod-cn call, never written by the tool, changed once."""
    first, second = tmp_path / "apply-1.jsonl", tmp_path / "apply-2.jsonl"
    assert cli("apply", EXAMPLES, "--auto-approve", "--audit-log", first).code == 0
    second_writer(emulator)
    assert cli("apply", EXAMPLES, "--auto-approve", "--audit-log", second).code == 0
    second_writer(emulator)
    change_live(
        emulator, PROD_CN, "call", CallbackConfig(CN_CALL, frozenset({"Call.CallbackAfterEndCall"}))
    )
    return [first, second]


def test_the_second_writer_is_recurring_drift_counted_twice_and_new_drift_is_not(
    cli: Any, logs: list[Path]
) -> None:
    ids = applied_ids(*logs)
    assert len(ids) == 2 and all(ids)
    args = [a for log in logs for a in ("--audit-log", log)]

    text = cli("drift", EXAMPLES, *args)
    assert text.code == 2, text.err
    sg_block = text.out.split("# prod-sg (1400000001) call:", 1)[1].split("\n\n", 1)[0]
    assert "recurring drift: this tool already set it to the desired value 2 time(s)" in sg_block
    assert all(i in sg_block for i in ids)
    cn_block = text.out.split("# prod-cn (1400000002) call:", 1)[1].split("\n\n", 1)[0]
    assert "changed live" in cn_block and "recurring" not in cn_block
    assert "Recurring drift: 1 of 2 drifted resource(s)" in text.out

    doc = cli("drift", EXAMPLES, "--format", "json", *args).json()
    assert doc["format_version"] == "1.4"
    assert {(c["app"], c["product"]) for c in doc["changes"]} == {
        ("prod-sg", "call"),
        ("prod-cn", "call"),
    }
    plan_schema(doc)
    (recurring,) = doc["recurring"]
    assert recurring["app"] == "prod-sg" and recurring["product"] == "call"
    assert recurring["times_set_back"] == 2
    assert recurring["request_ids"] == ids
    last = [r["time"] for r in read_log(logs[1]) if r["result"] == "applied"][-1]
    assert recurring["last_set_back"] == last

    markdown = cli("drift", EXAMPLES, "--format", "markdown", *args).out
    assert "**Recurring drift**" in markdown and ids[-1] in markdown
    assert "changed live (recurring): call" in markdown
    html = cli("drift", EXAMPLES, "--format", "html", *args).out
    assert "Recurring drift" in html and ids[-1] in html


def test_one_log_counts_once_even_when_given_twice_and_without_logs_nothing_is_said(
    cli: Any, logs: list[Path]
) -> None:
    doc = cli(
        "drift", EXAMPLES, "--format", "json", "--audit-log", logs[1], "--audit-log", logs[1]
    ).json()
    assert doc["recurring"][0]["times_set_back"] == 1
    plain = cli("drift", EXAMPLES, "--format", "json").json()
    assert "recurring" not in plain
    plain = cli("drift", EXAMPLES)
    assert plain.code == 2 and "changed live" in plain.out, plain.err
    assert "recurring" not in plain.out.lower()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"result": "intent"}\n{not json\n', ":2: not a JSON line"),
        ("[1, 2]\n", ":1: not an audit-log line"),
        (
            '{"result": "applied", "sdkappid": "x", "product": "call"}\n',
            ":1: an applied line needs an integer",
        ),
        (
            '{"result": "applied", "sdkappid": 1, "product": "call", "time": "2026-01-01T00:00:00+00:00", "request_id": "\\u001b[31mred"}\n',
            ":1: `request_id` must be null or a RequestId",
        ),
    ],
)
def test_a_malformed_audit_log_is_a_located_error_and_nothing_is_sent(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path, content: str, message: str
) -> None:
    log = tmp_path / "bad.jsonl"
    log.write_text(content)
    result = cli("drift", EXAMPLES, "--audit-log", log)
    assert result.code == 1
    assert f"{log}{message}" in result.err
    assert "Traceback" not in result.err
    assert read_log(request_log) == []


def test_an_oversized_or_missing_audit_log_is_refused(
    cli: Any,
    env: dict[str, str],
    tmp_path: Path,
    request_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = tmp_path / "big.jsonl"
    log.write_text(json.dumps({"result": "intent"}) + "\n" * 200)
    monkeypatch.setattr(history, "MAX_LOG_BYTES", 100)
    big = cli("drift", EXAMPLES, "--audit-log", log)
    assert big.code == 1 and "larger than" in big.err
    missing = cli("drift", EXAMPLES, "--audit-log", tmp_path / "nope.jsonl")
    assert missing.code == 1 and "cannot read the audit log" in missing.err
    assert read_log(request_log) == []
