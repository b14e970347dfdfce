"""Issue 9, item 1: a read that fails fails only its app.

prod-cn (1400000002) is made unreadable (its secret key is wrong, so every read of
it is refused by the emulator); prod-sg and staging-us are still planned, shown
and applied, and nothing is ever sent to prod-cn but reads.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.embedded import RunningEmulator
from tests.integration.conftest import EXAMPLES, assert_no_secrets, read_log

PROD_CN = 1400000002
WRONG = "not-the-key-of-prod-cn"


@pytest.fixture
def cn_unreadable(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRTC_SECRET_KEY_1400000002", WRONG)


def cn_state(emulator: RunningEmulator) -> Any:
    records = [emulator.store.get_callback(PROD_CN, k) for k in ("call", "live", "conference")]
    return [None if r is None else (r.url, r.events) for r in records]


def test_plan_shows_the_others_and_lists_the_unreadable_app(cli: Any, cn_unreadable: None) -> None:
    result = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert result.code == 1, result.err  # an error wins over "changes present" (2)
    assert "# prod-sg (1400000001) call will be updated in place" in result.out
    assert "# staging-us (1400000003) conference will be deleted" in result.out
    assert "prod-cn (1400000002) live" not in result.out.split("Could not be read")[0]
    assert "Could not be read, left out (nothing is changed in these apps):" in result.out
    assert "  ! prod-cn (1400000002) live: " in result.out
    assert "error: could not read the live state of" in result.err
    assert "in 1 app(s); nothing was changed in that app" in result.err
    assert "prod-cn (1400000002)" in result.err
    assert WRONG not in result.out + result.err
    assert_no_secrets(result.out, result.err)


def test_json_plan_has_the_errors_list(cli: Any, cn_unreadable: None) -> None:
    result = cli("plan", EXAMPLES, "--format", "json")
    assert result.code == 1, result.err
    doc = json.loads(result.out)
    assert doc["format_version"] == "1.4"  # 1.1 added errors; 1.2 keeps them
    assert {c["app"] for c in doc["changes"]} == {"prod-sg", "staging-us"}
    assert doc["errors"] and {(e["app"], e["sdkappid"]) for e in doc["errors"]} == {
        ("prod-cn", PROD_CN)
    }
    assert {e["product"] for e in doc["errors"]} >= {"live", "conference"}


def test_markdown_lists_the_unreadable_app(cli: Any, cn_unreadable: None) -> None:
    result = cli("plan", EXAMPLES, "--format", "markdown")
    assert result.code == 1
    assert "**Could not be read**" in result.out and "**prod-cn** (1400000002)" in result.out


def test_apply_applies_the_others_and_never_writes_to_the_unreadable_app(
    cli: Any, cn_unreadable: None, emulator: RunningEmulator, request_log: Path
) -> None:
    before = cn_state(emulator)
    result = cli("apply", EXAMPLES, "--auto-approve")
    assert result.code == 1, result.err
    assert "Apply: 5 applied, 0 failed, 0 stale, 0 unverified." in result.out
    assert "prod-cn (1400000002)" in result.err
    log = read_log(request_log)
    assert any(r["sdkappid"] == PROD_CN for r in log)  # it was read (and refused) ...
    assert not [r for r in log if r["write"] and r["sdkappid"] == PROD_CN]  # ... never written
    assert {r["sdkappid"] for r in log if r["write"]} == {1400000001, 1400000003}
    assert cn_state(emulator) == before
    assert emulator.store.get_callback(1400000001, "live") is not None
    assert emulator.store.get_callback(1400000003, "conference") is None


def test_drift_reports_what_it_could_read(cli: Any, cn_unreadable: None) -> None:
    result = cli("drift", EXAMPLES)
    assert result.code == 3, result.err  # drift, and an unreadable app
    assert "Drift: the live configuration differs from the desired state." in result.out
    assert "  ! prod-cn (1400000002) " in result.out
    assert "could not read the live state" in result.err


def test_a_saved_plan_with_errors_applies_the_readable_apps(
    cli: Any,
    cn_unreadable: None,
    tmp_path: Path,
    emulator: RunningEmulator,
    request_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan_file = tmp_path / "plan.json"
    made = cli("plan", EXAMPLES, "--out", plan_file)
    assert made.code == 1  # the plan is saved all the same
    doc = json.loads(plan_file.read_text())
    assert {a["app"] for a in doc["apps"]} == {"prod-sg", "staging-us"}
    assert doc["errors"] and all(e["app"] == "prod-cn" for e in doc["errors"])
    before = cn_state(emulator)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    result = cli("apply", plan_file)
    assert result.code == 0, result.err
    assert "warning: the saved plan left out an app it could not read: prod-cn" in result.err
    assert "Apply: 5 applied, 0 failed" in result.out
    assert not [r for r in read_log(request_log) if r["write"] and r["sdkappid"] == PROD_CN]
    assert cn_state(emulator) == before


def test_when_no_app_can_be_read_nothing_is_shown(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, request_log: Path
) -> None:
    for name in ("TRTC_SECRET_KEY_PROD_SG", "TRTC_SECRET_KEY_STAGING_US"):
        monkeypatch.setenv(name, "wrong")
    monkeypatch.setenv("TRTC_SECRET_KEY_1400000002", WRONG)
    result = cli("apply", EXAMPLES, "--auto-approve")
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("error: could not read the live state")
    assert not [r for r in read_log(request_log) if r["write"]]
