"""``apply --audit-log FILE``: one JSON line per change, appended, never a secret."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from reconciler.api.client import AppTarget, TencentClient
from reconciler.configs import CallbackConfig, TokenConfig
from reconciler.emulator.embedded import RunningEmulator
from reconciler.products.registry import product
from reconciler.secret import Secret
from tests.integration.conftest import DEMO_TOKEN, EXAMPLES, assert_no_secrets, read_log

FIELDS = {
    "time",
    "app",
    "product",
    "action",
    "before",
    "after",
    "result",
    "error_code",
    "request_id",
}
EXPECTED = {
    ("prod-sg", 1400000001, "call", "update"),
    ("prod-sg", 1400000001, "live", "create"),
    ("prod-sg", 1400000001, "live_token", "update"),
    ("prod-cn", 1400000002, "live", "update"),
    ("prod-cn", 1400000002, "conference", "create"),
    ("staging-us", 1400000003, "call", "create"),
    ("staging-us", 1400000003, "conference", "delete"),
}


def all_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def records(path: Path) -> list[dict[str, Any]]:
    """The outcome lines (every line but the intents)."""
    return [r for r in all_records(path) if r.get("result") != "intent"]


def by_key(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["app"], r["product"]): r for r in rows}


def console_edit(emulator: RunningEmulator, key: str, config: Any) -> None:
    async def go() -> None:
        async with TencentClient(endpoint=emulator.base_url) as client:
            target = AppTarget(
                1400000001, "singapore", "administrator", Secret("demo-key-not-secret-1")
            )
            await product(key).update(client, target, config)

    asyncio.run(go())


def test_one_line_per_change_without_secrets(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    result = cli("apply", EXAMPLES, "--auto-approve", "--audit-log", audit)
    assert result.code == 0, result.err
    text = audit.read_text()
    assert_no_secrets(text)
    rows = records(audit)
    assert len(rows) == 7 == len([r for r in read_log(request_log) if r["write"]])
    assert {(r["app"], r["sdkappid"], r["product"], r["action"]) for r in rows} == EXPECTED
    for row in rows:
        assert set(row) >= FIELDS, FIELDS - set(row)
        assert row["result"] == "applied"
        assert row["error_code"] is None
        stamp = datetime.fromisoformat(row["time"])
        assert stamp.tzinfo is not None and stamp.utcoffset() is not None
    # write-ahead: each outcome follows its intent (same seq), and carries the RequestId
    lines = all_records(audit)
    intents = {r["seq"]: i for i, r in enumerate(lines) if r["result"] == "intent"}
    assert len(intents) == 7
    for i, row in enumerate(lines):
        if row["result"] != "intent":
            assert intents[row["seq"]] < i
            assert (lines[intents[row["seq"]]]["app"], lines[intents[row["seq"]]]["product"]) == (
                row["app"],
                row["product"],
            )
            assert isinstance(row["request_id"], str) and row["request_id"].startswith("Id-")
    assert len({r["run_id"] for r in lines}) == 1
    rows_by = by_key(rows)
    assert rows_by[("prod-sg", "call")]["before"] == {
        "url": "https://old.example.com/cb",
        "events": ["Call.CallbackAfterEndCall"],
    }
    assert rows_by[("prod-sg", "call")]["after"] == {
        "url": "https://hooks.example.com/trtc/call",
        "events": ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
    }
    assert rows_by[("prod-sg", "live")]["before"] is None
    assert rows_by[("staging-us", "conference")]["after"] is None
    token = rows_by[("prod-sg", "live_token")]
    assert token["before"] == {"token": "(sensitive)", "enabled": True}
    assert token["after"] == {"token": "(sensitive value changed)", "enabled": True}
    # the audit log is a file: nothing of it on stdout
    assert '"request_id"' not in result.out


def test_a_second_apply_appends(
    cli: Any, env: dict[str, str], tmp_path: Path, emulator: RunningEmulator
) -> None:
    audit = tmp_path / "audit.jsonl"
    assert cli("apply", EXAMPLES, "--auto-approve", "--audit-log", audit).code == 0
    first = audit.read_text()

    # nothing to do: nothing logged
    assert cli("apply", EXAMPLES, "--auto-approve", "--audit-log", audit).code == 0
    assert audit.read_text() == first

    # someone edits two configs in the console; apply puts them back, and logs it
    console_edit(
        emulator,
        "call",
        CallbackConfig("https://console.example.com/cb", frozenset({"Call.CallbackAfterEndCall"})),
    )
    console_edit(emulator, "live_token", TokenConfig(Secret("console-token-value"), False))
    again = cli("apply", EXAMPLES, "--auto-approve", "--audit-log", audit)
    assert again.code == 0, again.err
    text = audit.read_text()
    assert text.startswith(first)  # appended, not truncated
    added = [r for r in all_records(audit)[len(first.splitlines()) :] if r["result"] != "intent"]
    assert sorted((r["product"], r["action"], r["result"]) for r in added) == [
        ("call", "update", "applied"),
        ("live_token", "update", "applied"),
    ]
    token = by_key(added)[("prod-sg", "live_token")]
    assert token["before"] == {"token": "(sensitive)", "enabled": False}
    assert token["after"] == {"token": "(sensitive value changed)", "enabled": True}
    assert by_key(added)[("prod-sg", "call")]["before"]["url"] == "https://console.example.com/cb"
    assert "console-token-value" not in text
    assert_no_secrets(text)


def test_a_saved_plan_apply_is_audited_too(cli: Any, env: dict[str, str], tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    audit.write_text('{"earlier": "line"}\n')
    saved = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", saved).code == 0
    result = cli("apply", "--plan", saved, "--auto-approve", "--audit-log", audit)
    assert result.code == 0, result.err
    rows = records(audit)
    assert rows[0] == {"earlier": "line"}
    assert {(r["app"], r["sdkappid"], r["product"], r["action"]) for r in rows[1:]} == EXPECTED
    assert_no_secrets(audit.read_text())
    assert DEMO_TOKEN not in audit.read_text()


def test_a_stale_change_is_recorded_as_stale(
    cli: Any, env: dict[str, str], tmp_path: Path, emulator: RunningEmulator
) -> None:
    saved = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", saved).code == 0
    moved = CallbackConfig(
        "https://console.example.com/cb", frozenset({"Call.CallbackAfterEndCall"})
    )
    console_edit(emulator, "call", moved)  # live moves after the plan was saved
    audit = tmp_path / "audit.jsonl"
    result = cli("apply", "--plan", saved, "--auto-approve", "--audit-log", audit)
    assert result.code == 1
    rows = by_key(records(audit))
    assert len(rows) == 7
    stale = rows[("prod-sg", "call")]
    assert stale["result"] == "stale"
    planned = next(
        c
        for c in json.loads(saved.read_text())["changes"]
        if c["product"] == "call" and c["app"] == "prod-sg"
    )
    assert stale["before"] == planned["before"] is not None  # what the plan saw, not null
    assert stale["error_code"] is None and stale["request_id"] is None
    assert [k for k, r in rows.items() if r["result"] != "applied"] == [("prod-sg", "call")]


def test_a_failed_change_records_the_error_code_and_request_id(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    # staging-us is lenient: a word Tencent does not know passes validation with a
    # warning, and the emulator (like Tencent) rejects the write with 100002.
    path = desired / "apps" / "staging-us.yaml"
    path.write_text(
        path.read_text()
        + "  call_legacy:\n    url: https://staging-hooks.example.com/v1\n"
        + "    events: [brand_new_word]\n"
    )
    audit = tmp_path / "audit.jsonl"
    result = cli("apply", desired, "--auto-approve", "--audit-log", audit)
    assert result.code == 1
    rows = records(audit)
    assert len(rows) == 8
    failed = [r for r in rows if r["result"] != "applied"]
    assert len(failed) == 1
    (row,) = failed
    assert (row["app"], row["product"], row["action"], row["result"]) == (
        "staging-us",
        "call_legacy",
        "create",
        "failed",
    )
    assert row["error_code"] == 100002
    assert isinstance(row["request_id"], str) and row["request_id"].startswith("Id-")
    assert row["request_id"] in result.err  # the same RequestId the user saw
    assert_no_secrets(audit.read_text())


def test_a_refused_apply_logs_nothing(
    cli: Any, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = tmp_path / "audit.jsonl"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal, no --auto-approve
    result = cli("apply", EXAMPLES, "--audit-log", audit)
    assert result.code == 1
    assert "refusing to apply without confirmation" in result.err
    assert not audit.exists()


def test_an_unwritable_audit_log_is_refused_before_any_write(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    audit = tmp_path / "no-such-folder" / "audit.jsonl"
    result = cli("apply", EXAMPLES, "--auto-approve", "--audit-log", audit)
    assert result.code == 1
    assert "audit log" in result.err
    assert [r for r in read_log(request_log) if r["write"]] == []


def test_ctrl_c_during_apply_keeps_the_finished_records_and_says_so(
    cli: Any, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user presses Ctrl-C after the first change finished: its audit line is on
    disk, the message says changes may have been written, and the exit code is 130."""
    from reconciler.apply import run as apply_module

    real_apply_all = apply_module.apply_all

    async def interrupted_after_one(client: Any, items: Any, **kwargs: Any) -> Any:
        await real_apply_all(client, items[:1], **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(apply_module, "apply_all", interrupted_after_one)
    audit = tmp_path / "audit.jsonl"
    result = cli("apply", EXAMPLES, "--auto-approve", "--audit-log", audit)
    assert result.code == 130
    intent, row = all_records(audit)
    assert (intent["result"], intent["seq"]) == ("intent", row["seq"])
    assert row["result"] == "applied"
    assert f"applied: {row['app']} ({row['sdkappid']}) {row['product']}" in result.out
    assert (
        f"error: interrupted: 1 of 7 change(s) finished, recorded in {audit}; the others may "
        "or may not have been written. Run `reconciler plan` to see where things stand"
    ) in result.err
    assert "nothing was changed" not in result.err
    # and it converges: the next apply does the rest
    monkeypatch.setattr(apply_module, "apply_all", real_apply_all)
    assert cli("apply", EXAMPLES, "--auto-approve").code == 0
    assert "No changes." in cli("plan", EXAMPLES).out


def test_ctrl_c_after_the_audit_log_failed_says_so(
    cli: Any, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up (the append fails), then the user presses Ctrl-C: the message
    must not claim the changes were recorded."""
    from reconciler.apply import run as apply_module
    from reconciler.apply.audit import AuditLog
    from reconciler.cli.commands import apply as command_module

    class FullDisk(AuditLog):
        def append(self, result: Any) -> None:
            self.problem = f"cannot append to the audit log {self.path}: No space left on device"

    real_apply_all = apply_module.apply_all

    async def interrupted_after_one(client: Any, items: Any, **kwargs: Any) -> Any:
        await real_apply_all(client, items[:1], **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(command_module, "AuditLog", FullDisk)
    monkeypatch.setattr(apply_module, "apply_all", interrupted_after_one)
    audit = tmp_path / "audit.jsonl"
    result = cli("apply", EXAMPLES, "--auto-approve", "--audit-log", audit)
    assert result.code == 130
    assert (
        f"error: interrupted: 1 of 7 change(s) finished (cannot append to the audit log "
        f"{audit}: No space left on device); the others may or may not have been written"
    ) in result.err
    assert "recorded in" not in result.err
