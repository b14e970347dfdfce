"""``reconciler drift``: read-only drift detection against the real emulator.

Out-of-band changes are made the way a console user would: through Tencent's
API (the emulator's), with the product implementations and a plain client.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.api.client import AppTarget, TencentClient
from reconciler.configs import CallbackConfig, Config, TokenConfig
from reconciler.emulator.embedded import RunningEmulator
from reconciler.products.registry import product
from reconciler.secret import Secret
from tests.integration.conftest import EXAMPLES, SEED, assert_no_secrets, read_log

PROD_SG = (1400000001, "singapore", "demo-key-not-secret-1")
PROD_CN = (1400000002, "china", "demo-key-not-secret-2")
OOB_URL = "https://console-edit.example.com/cb"
OOB_TOKEN = "out-of-band-token-value"
UNMANAGED = [{"sdkappid": 1400000002, "app": "prod-cn", "product": "call_legacy"}]


def change_live(
    emulator: RunningEmulator, app: tuple[int, str, str], key: str, config: Config
) -> None:
    """Change one live config through the emulator's API, as someone in the console would."""
    sdkappid, region, secret_key = app

    async def go() -> None:
        async with TencentClient(endpoint=emulator.base_url) as client:
            target = AppTarget(sdkappid, region, "administrator", Secret(secret_key))
            await product(key).update(client, target, config)

    asyncio.run(go())


def oob_call_change(emulator: RunningEmulator) -> None:
    change_live(
        emulator,
        PROD_SG,
        "call",
        CallbackConfig(url=OOB_URL, events=frozenset({"Call.CallbackAfterEndCall"})),
    )


def new_requests(log: Path, since: int) -> list[dict[str, Any]]:
    return read_log(log)[since:]


@pytest.fixture
def applied(cli: Any, env: dict[str, str], request_log: Path) -> Path:
    """The example desired state, applied: live equals desired except prod-cn call_legacy."""
    result = cli("apply", EXAMPLES, "--auto-approve")
    assert result.code == 0, result.err
    return EXAMPLES


def test_no_drift_right_after_apply_but_unmanaged_is_listed(
    cli: Any, applied: Path, request_log: Path
) -> None:
    since = len(read_log(request_log))
    text = cli("drift", applied)
    assert text.code == 0, text.err
    assert text.out.startswith("No drift: the managed configurations match the desired state.")
    assert "  ? prod-cn (1400000002) call_legacy: unmanaged" in text.out
    assert (
        "Drift: 0 deleted live, 0 changed live, 0 present live but declared absent, "
        "1 unmanaged (drift only with --strict); 9 in sync." in text.out
    )

    as_json = cli("drift", applied, "--format", "json")
    assert as_json.code == 0, as_json.err
    doc = as_json.json()
    assert doc["summary"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 9}
    assert doc["changes"] == []
    assert doc["unmanaged"] == UNMANAGED

    markdown = cli("drift", applied, "--format", "markdown")
    assert markdown.code == 0, markdown.err
    assert markdown.out.startswith("### trtc-callback-reconciler: Drift report")
    assert "| 0 | 0 | 0 | 1 | 9 |" in markdown.out
    assert "Unmanaged live configs (left alone): `prod-cn/call_legacy`" in markdown.out
    assert "No drift" in markdown.out

    requests = new_requests(request_log, since)
    assert len(requests) == 3 * 15  # 3 runs x 3 apps x 5 products, reads only
    assert not [r for r in requests if r["write"]]

    # --strict: the unmanaged config is drift, in every format.
    for fmt in ("text", "json", "markdown"):
        strict = cli("drift", applied, "--strict", "--format", fmt)
        assert strict.code == 2, (fmt, strict.err)
        assert "call_legacy" in strict.out
        assert "No drift" not in strict.out  # the message agrees with the exit code
        if fmt != "json":
            assert "Drift: 1 unmanaged live config(s)" in strict.out
    assert cli("drift", applied, "--strict", "--format", "json").json()["unmanaged"] == UNMANAGED


def test_out_of_band_change_is_drift_in_every_format(
    cli: Any, applied: Path, emulator: RunningEmulator, request_log: Path
) -> None:
    oob_call_change(emulator)
    since = len(read_log(request_log))

    text = cli("drift", applied)
    assert text.code == 2, text.err
    assert text.out.startswith("Drift: the live configuration differs from the desired state.")
    assert "# prod-sg (1400000001) call: changed live (was → now)" in text.out
    assert f'~ url    = "https://hooks.example.com/trtc/call" → "{OOB_URL}"' in text.out
    assert '- "Call.CallbackAfterStartCall",   # removed live' in text.out
    assert "will be" not in text.out  # drift, not plan wording
    assert "Drift: 0 deleted live, 1 changed live, 0 present live but declared absent" in text.out
    assert "; 8 in sync." in text.out

    as_json = cli("drift", applied, "--format", "json")
    assert as_json.code == 2, as_json.err
    doc = as_json.json()
    assert doc["summary"] == {"create": 0, "update": 1, "delete": 0, "unchanged": 8}
    assert doc["changes"] == [
        {
            "app": "prod-sg",
            "sdkappid": 1400000001,
            "product": "call",
            "action": "update",
            "cause": None,
            "before": {"url": OOB_URL, "events": ["Call.CallbackAfterEndCall"]},
            "after": {
                "url": "https://hooks.example.com/trtc/call",
                "events": ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
            },
        }
    ]
    assert doc["unmanaged"] == UNMANAGED

    markdown = cli("drift", applied, "--format", "markdown")
    assert markdown.code == 2, markdown.err
    assert "### trtc-callback-reconciler: Drift report" in markdown.out
    assert "| 0 | 1 | 0 | 1 | 8 |" in markdown.out
    assert "<details><summary><b>prod-sg</b> (1400000001): changed live: call</summary>" in (
        markdown.out
    )
    assert OOB_URL in markdown.out

    # Drift only ever reads, and reading does not repair the drift.
    requests = new_requests(request_log, since)
    assert len(requests) >= 3 * 9
    assert all(r["write"] is False for r in requests), [r for r in requests if r["write"]]
    assert cli("drift", applied).code == 2

    # A token changed in the console is drift too, shown without any token value.
    change_live(emulator, PROD_SG, "live_token", TokenConfig(Secret(OOB_TOKEN), True))
    results = [cli("drift", applied, "--format", fmt) for fmt in ("text", "json", "markdown")]
    for result in results:
        assert result.code == 2, result.err
        assert OOB_TOKEN not in result.out + result.err
        assert_no_secrets(result.out, result.err)
    assert "~ token = (sensitive) → (sensitive value changed)" in results[0].out
    token_changes = [c for c in results[1].json()["changes"] if c["product"] == "live_token"]
    assert token_changes == [
        {
            "app": "prod-sg",
            "sdkappid": 1400000001,
            "product": "live_token",
            "action": "update",
            "cause": None,
            "before": {"token": "(sensitive)", "enabled": True},
            "after": {"token": "(sensitive value changed)", "enabled": True},
        }
    ]


def test_drift_before_any_apply_reports_everything_and_writes_nothing(
    cli: Any, env: dict[str, str], request_log: Path
) -> None:
    result = cli("drift", EXAMPLES, "--format", "json")
    assert result.code == 2, result.err
    assert result.json()["summary"] == {"create": 3, "update": 3, "delete": 1, "unchanged": 2}
    log = read_log(request_log)
    assert log and not [r for r in log if r["write"]]


def test_ignore_flag_accepts_only_the_matching_differences(
    cli: Any, applied: Path, emulator: RunningEmulator
) -> None:
    oob_call_change(emulator)
    for pattern in ("1400000001/call", "*/call", "prod-*/c?ll"):
        result = cli("drift", applied, "--ignore", pattern, "--format", "json")
        assert result.code == 0, (pattern, result.err)
        assert result.json()["changes"] == []
        assert "ignored" in result.err and "accepted difference(s)" in result.err
    for pattern in (
        "prod-sg/live",
        "prod-cn/call",
        "1400000002/*",
        "staging-*/call",
        "prod-sg/call_legacy",
    ):
        result = cli("drift", applied, "--ignore", pattern, "--format", "json")
        assert result.code == 2, (pattern, result.err)
        assert [c["product"] for c in result.json()["changes"]] == ["call"]
    # repeatable
    both = cli("drift", applied, "--ignore", "prod-sg/live", "--ignore", "prod-sg/call")
    assert both.code == 0, both.err
    assert "ignored 1 accepted difference(s)" in both.err
    # an ignored unmanaged config does not count under --strict either
    strict = cli(
        "drift",
        applied,
        "--strict",
        "--ignore",
        "*/call",
        "--ignore",
        "prod-cn/call_legacy",
        "--format",
        "json",
    )
    assert strict.code == 0, strict.err
    assert strict.json()["unmanaged"] == []


def test_driftignore_file(
    cli: Any, env: dict[str, str], desired: Path, emulator: RunningEmulator
) -> None:
    assert cli("apply", desired, "--auto-approve").code == 0
    oob_call_change(emulator)
    change_live(
        emulator,
        PROD_CN,
        "live",
        CallbackConfig(url=OOB_URL, events=frozenset({"Live.CallbackAfterCreateRoom"})),
    )
    before = cli("drift", desired, "--strict", "--format", "json")
    assert before.code == 2
    assert [(c["app"], c["product"]) for c in before.json()["changes"]] == [
        ("prod-sg", "call"),
        ("prod-cn", "live"),
    ]

    (desired / ".driftignore").write_text(
        "# Accepted differences, reviewed by the platform team.\n"
        "\n"
        "*/call            # calls are edited in the console on purpose\n"
        "   1400000002/live\n"
        "prod-cn/call_legacy  # the legacy hook stays unmanaged\n"
    )
    result = cli("drift", desired, "--strict", "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["changes"] == [] and doc["unmanaged"] == []
    assert "ignored 3 accepted difference(s)" in result.err

    # Only the listed differences are accepted: drop one line and drift is back.
    (desired / ".driftignore").write_text("*/call\nprod-cn/call_legacy\n")
    partial = cli("drift", desired, "--strict", "--format", "json")
    assert partial.code == 2
    assert [(c["app"], c["product"]) for c in partial.json()["changes"]] == [("prod-cn", "live")]


MALFORMED = [
    ("# ok\n*/call\n  prod-sg\n", 3, 3, "'prod-sg' is not APP/PRODUCT"),
    ("prod-sg/calls  # typo\n", 1, 1, "unknown product 'calls'"),
    ("\n\nprod-sg/call/extra\n", 3, 1, "is not APP/PRODUCT"),
    ("*/call\n\t/call\n", 2, 2, "is not APP/PRODUCT"),
]


def test_malformed_driftignore_is_a_located_error(
    cli: Any, env: dict[str, str], desired: Path, request_log: Path, emulator: RunningEmulator
) -> None:
    oob_call_change(emulator)  # drift is present: the error must still win (1, never 2)
    since = len(read_log(request_log))
    path = desired / ".driftignore"
    for content, line, column, message in MALFORMED:
        path.write_text(content)
        result = cli("drift", desired)
        assert result.code == 1, (content, result.err)
        assert f"error: {path}:{line}:{column}: " in result.err, result.err
        assert message in result.err
        assert result.out == ""
    assert new_requests(request_log, since) == []  # refused before any request


def test_driftignore_that_is_not_utf8_is_a_user_error(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    # (found by this suite as a traceback: UnicodeDecodeError out of cli.main.run)
    path = desired / ".driftignore"
    path.write_bytes(b"\xff\xfeprod-sg/call\n")
    result = cli("drift", desired)
    assert result.code == 1
    assert result.err.startswith(f"error: {path}"), result.err
    assert "UTF-8" in result.err and "Traceback" not in result.err
    assert result.out == ""


def test_driftignore_with_a_byte_order_mark(cli: Any, env: dict[str, str], desired: Path) -> None:
    (desired / ".driftignore").write_bytes("*/*\n".encode("utf-8-sig"))
    result = cli("drift", desired)
    assert result.code == 0, result.out


def test_an_error_and_drift_in_other_apps_exit_3(
    cli: Any, applied: Path, emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    oob_call_change(emulator)  # prod-sg drifted ...
    monkeypatch.setenv("TRTC_SECRET_KEY_1400000002", "not-the-key")  # ... prod-cn unreadable
    result = cli("drift", applied, "--format", "json")
    assert result.code == 3, result.err  # drift and errors: a cron job sees both
    # issue 9: what could be read is still reported, and the unreadable app is listed
    doc = json.loads(result.out)
    assert [(c["app"], c["product"]) for c in doc["changes"]] == [("prod-sg", "call")]
    assert doc["errors"] and {e["app"] for e in doc["errors"]} == {"prod-cn"}
    assert all(e["sdkappid"] == 1400000002 and e["error"] for e in doc["errors"])
    assert "could not read the live state" in result.err
    assert "prod-cn (1400000002)" in result.err
    assert "not-the-key" not in result.err + result.out


def test_bad_ignore_flag_exits_1(cli: Any, env: dict[str, str]) -> None:
    for flag, message in (
        ("prod-sg", "--ignore: 'prod-sg' is not APP/PRODUCT"),
        ("prod-sg/lives", "--ignore: unknown product 'lives'"),
    ):
        result = cli("drift", EXAMPLES, "--ignore", flag)  # drift is present, yet 1
        assert result.code == 1, result.err
        assert message in result.err


def test_missing_credentials_exit_1(
    cli: Any, applied: Path, monkeypatch: pytest.MonkeyPatch, request_log: Path
) -> None:
    monkeypatch.delenv("TRTC_SECRET_KEY_PROD_SG")
    since = len(read_log(request_log))
    result = cli("drift", applied)
    assert result.code == 1  # errors, and no drift in the apps that could be read
    assert "secret_key_env names TRTC_SECRET_KEY_PROD_SG, but" in result.err
    assert "apps/prod-sg.yaml:10:1: " in result.err  # at its `secret_key_env:` line
    assert "No drift in the apps that could be read" in result.out
    sent = new_requests(request_log, since)
    assert sent and all(r["sdkappid"] != 1400000001 for r in sent)  # nothing for prod-sg


def test_drift_against_an_embedded_emulator(
    cli: Any, env: dict[str, str], request_log: Path
) -> None:
    # TRTC_ENDPOINT (set by `env`) gives way to an explicit --emulator.
    result = cli("drift", EXAMPLES, "--emulator", SEED, "--format", "json")
    assert result.code == 2, result.err
    doc = result.json()
    assert doc["summary"] == {"create": 3, "update": 3, "delete": 1, "unchanged": 2}
    assert doc["unmanaged"] == UNMANAGED
    assert "embedded emulator from" in result.err
    assert_no_secrets(result.out, result.err)
    assert read_log(request_log) == []  # the TRTC_ENDPOINT emulator saw nothing

    ignored = cli("drift", EXAMPLES, "--emulator", SEED, "--ignore", "*/*")
    assert ignored.code == 0, ignored.err
    assert "ignored 8 accepted difference(s)" in ignored.err


def test_explicit_endpoint_and_emulator_exclude_each_other(cli: Any, env: dict[str, str]) -> None:
    both = cli("drift", EXAMPLES, "--emulator", SEED, "--endpoint", "http://127.0.0.1:9")
    assert both.code == 1
    assert "--emulator and --endpoint exclude each other" in both.err


def test_explicit_endpoint_equal_to_environment_still_excludes_emulator(
    cli: Any, env: dict[str, str]
) -> None:
    both = cli("drift", EXAMPLES, "--emulator", SEED, "--endpoint", env["TRTC_ENDPOINT"])
    assert both.code == 1
    assert "--emulator and --endpoint exclude each other" in both.err
