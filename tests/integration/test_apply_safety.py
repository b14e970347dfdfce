"""``apply`` safety rails: confirmation (TTY / no TTY), ``protect: true``, thresholds.

Whenever apply refuses, nothing may be written: checked in the emulator's request log
and in its store.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.embedded import RunningEmulator
from reconciler.emulator.store import CallbackRecord
from tests.integration.conftest import EXAMPLES, assert_no_secrets, read_log

PROD_SG, PROD_CN = 1400000001, 1400000002
CONSOLE_SCRIPT = str(Path(sys.executable).with_name("reconciler"))


class FakeTerminal(io.StringIO):
    """Standard input that claims to be a terminal, with the user's answer queued."""

    def isatty(self) -> bool:
        return True


def snapshot(emulator: RunningEmulator) -> dict[tuple[int, str], Any]:
    state: dict[tuple[int, str], Any] = {}
    for app in emulator.store.list_apps():
        for key in ("call", "call_legacy", "live", "conference"):
            record = emulator.store.get_callback(app.sdkappid, key)
            state[(app.sdkappid, key)] = None if record is None else (record.url, record.events)
        token = emulator.store.get_token(app.sdkappid)
        state[(app.sdkappid, "live_token")] = (
            None if token is None else (token.token, token.enabled)
        )
    return state


def writes(request_log: Path) -> list[dict[str, Any]]:
    return [r for r in read_log(request_log) if r["write"]]


def run_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The installed console script, with standard input that is not a terminal."""
    return subprocess.run(
        [CONSOLE_SCRIPT, *map(str, args)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
        timeout=60,
    )


# -- 5. confirmation ------------------------------------------------------------------


def test_no_tty_without_auto_approve_refuses_and_writes_nothing(
    env: dict[str, str], request_log: Path, emulator: RunningEmulator
) -> None:
    state = snapshot(emulator)
    proc = run_script("apply", EXAMPLES)
    assert proc.returncode == 1, proc.stderr
    assert "--auto-approve" in proc.stderr
    assert "error: refusing to apply without confirmation" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Plan: 3 to create, 3 to update, 1 to delete" in proc.stderr  # it showed the plan
    assert writes(request_log) == []
    assert read_log(request_log), "it did read the live state to make the plan"
    assert snapshot(emulator) == state
    assert_no_secrets(proc.stdout, proc.stderr)


def test_no_tty_saved_plan_without_auto_approve_applies_it(
    cli: Any,
    env: dict[str, str],
    tmp_path: Path,
    request_log: Path,
    emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 12: a saved plan was reviewed when it was made; applying it never asks."""
    plan_file = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", plan_file).code == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal, no input at all
    result = cli("apply", plan_file)
    assert result.code == 0, result.err
    assert "Apply these changes?" not in result.err and "refusing" not in result.err
    assert "Apply: 7 applied, 0 failed, 0 stale, 0 unverified." in result.out
    # --plan FILE takes the same path: no question; the plan is now stale change by change
    again = cli("apply", "--plan", plan_file)
    assert again.code == 1, again.err
    assert "Apply these changes?" not in again.err and "refusing" not in again.err
    assert "Apply: 0 applied, 0 failed, 7 stale, 0 unverified." in again.out
    assert emulator.store.get_callback(PROD_SG, "live") is not None
    assert len({(r["sdkappid"], r["path"]) for r in writes(request_log)}) >= 7


def test_tty_answer_no_cancels_and_writes_nothing(
    cli: Any,
    env: dict[str, str],
    request_log: Path,
    emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = snapshot(emulator)
    for answer in ("n\n", "\n", "no\n"):  # "N" is the default
        monkeypatch.setattr(sys, "stdin", FakeTerminal(answer))
        result = cli("apply", EXAMPLES)
        assert result.code == 1, answer
        assert "Apply these changes? [y/N]" in result.err  # the prompt is on stderr
        assert "Apply cancelled; nothing was changed." in result.err
        assert "applied" not in result.out
    assert writes(request_log) == []
    assert snapshot(emulator) == state


def test_tty_end_of_input_at_the_prompt_aborts(
    cli: Any,
    env: dict[str, str],
    request_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTerminal(""))
    result = cli("apply", EXAMPLES)
    assert result.code == 1
    assert "error: aborted" in result.err
    assert writes(request_log) == []


class InterruptedTerminal(FakeTerminal):
    """The user presses Ctrl-C at the prompt."""

    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        raise KeyboardInterrupt


def test_ctrl_c_at_the_prompt_changes_nothing_and_exits_130(
    cli: Any,
    env: dict[str, str],
    request_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", InterruptedTerminal(""))
    result = cli("apply", EXAMPLES)
    assert result.code == 130
    assert result.err.endswith("error: interrupted; nothing was changed\n")
    assert writes(request_log) == []


def test_ctrl_c_while_planning_changes_nothing_and_exits_130(
    cli: Any,
    env: dict[str, str],
    request_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reconciler.engine import core as session

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(session, "fetch_live", interrupted)
    result = cli("apply", EXAMPLES, "--auto-approve")
    assert result.code == 130
    assert result.err.endswith("error: interrupted; nothing was changed\n")
    assert writes(request_log) == []


def test_quiet_still_shows_the_plan_before_asking(
    cli: Any, env: dict[str, str], request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTerminal("n\n"))
    result = cli("-q", "apply", EXAMPLES)
    assert result.code == 1
    shown, prompt = result.err.index("will be created"), result.err.index("Apply these changes?")
    assert shown < prompt
    assert "Plan: 3 to create, 3 to update, 1 to delete" in result.err
    assert writes(request_log) == []


def test_a_saved_plan_is_shown_and_applied_without_asking(
    cli: Any, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_file = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", plan_file).code == 0
    monkeypatch.setattr(sys, "stdin", FakeTerminal("n\n"))  # a terminal: still no question
    result = cli("apply", plan_file)
    assert result.code == 0, result.err
    err = result.err
    assert f"Changes saved in {plan_file}:" in err
    assert "# prod-sg (1400000001) call will be updated in place" in err
    assert "Saved plan: 3 to create, 3 to update, 1 to delete." in err
    assert "Apply these changes?" not in err
    assert "Apply: 7 applied" in result.out


def test_tty_answer_yes_applies(
    cli: Any,
    env: dict[str, str],
    request_log: Path,
    emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTerminal("y\n"))
    result = cli("apply", EXAMPLES)
    assert result.code == 0, result.err
    assert "Apply these changes? [y/N]" in result.err
    assert "Apply: 7 applied, 0 failed, 0 stale, 0 unverified." in result.out
    assert len({(r["sdkappid"], r["path"]) for r in writes(request_log)}) >= 7
    assert emulator.store.get_callback(PROD_SG, "live") is not None


def test_auto_approve_is_harmless_for_a_saved_plan(
    cli: Any,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan_file = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", plan_file).code == 0
    monkeypatch.setattr(sys, "stdin", FakeTerminal("n\n"))
    result = cli("apply", plan_file, "--auto-approve")
    assert result.code == 0, result.err
    assert "Apply these changes?" not in result.err
    assert "Apply: 7 applied" in result.out


def test_no_changes_needs_no_confirmation(
    cli: Any, env: dict[str, str], request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("apply", EXAMPLES, "--auto-approve").code == 0
    before = len(writes(request_log))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    result = cli("apply", EXAMPLES)  # no TTY, no --auto-approve: nothing to approve
    assert result.code == 0, result.err
    assert "No changes. Nothing to do." in result.out
    assert len(writes(request_log)) == before


class EditingTerminal(FakeTerminal):
    """A terminal whose user edits the live state in the console while reviewing the plan."""

    def __init__(self, answer: str, on_read: Any) -> None:
        super().__init__(answer)
        self.on_read = on_read

    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        self.on_read()
        return super().readline(size)


def test_live_change_during_the_prompt_is_stale_in_directory_mode(
    cli: Any,
    env: dict[str, str],
    request_log: Path,
    emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    edited = CallbackRecord("https://console.example.cn/live", ("Live.CallbackAfterCreateRoom",))

    def console_edit() -> None:
        emulator.store.put_callback(PROD_CN, "live", edited)

    monkeypatch.setattr(sys, "stdin", EditingTerminal("y\n", console_edit))
    result = cli("apply", EXAMPLES)
    assert result.code == 1
    assert "Apply: 6 applied, 0 failed, 1 stale, 0 unverified." in result.out
    assert any(
        line.startswith("stale: prod-cn (1400000002) live update")
        for line in result.out.splitlines()
    )
    assert emulator.store.get_callback(PROD_CN, "live") == edited  # not overwritten
    live_writes = [
        r
        for r in writes(request_log)
        if r["sdkappid"] == PROD_CN and r["path"].startswith("/v4/live_config/")
    ]
    assert live_writes == []
    assert emulator.store.get_callback(PROD_CN, "conference") is not None  # others applied


# -- 4. protect -----------------------------------------------------------------------


@pytest.fixture
def protected_delete(desired: Path) -> Path:
    """prod-sg (protect: true) now says `ensure: absent` for call_legacy, configured live."""
    path = desired / "apps" / "prod-sg.yaml"
    text = path.read_text()
    old = "  call_legacy:\n    url: https://hooks.example.com/trtc/call-v1\n    events: [normal_end, call_busy, reject]\n"
    assert old in text
    path.write_text(text.replace(old, "  call_legacy:\n    ensure: absent\n"))
    return desired


def test_plan_refuses_a_delete_in_a_protected_app(
    cli: Any, env: dict[str, str], protected_delete: Path, tmp_path: Path, request_log: Path
) -> None:
    out_file = tmp_path / "plan.json"
    for extra in ((), ("--detailed-exitcode",), ("--format", "json", "--out", str(out_file))):
        result = cli("plan", protected_delete, *extra)
        assert result.code == 1, result.err
        assert result.err.startswith("error: ")
        assert "protect" in result.err
        assert "prod-sg/call_legacy" in result.err
        assert "Traceback" not in result.err
    assert not out_file.exists(), "a refused plan must not be saved"
    assert writes(request_log) == []


@pytest.mark.parametrize("force", [False, True])
def test_apply_refuses_a_delete_in_a_protected_app(
    cli: Any,
    env: dict[str, str],
    protected_delete: Path,
    request_log: Path,
    emulator: RunningEmulator,
    force: bool,
) -> None:
    state = snapshot(emulator)
    result = cli("apply", protected_delete, "--auto-approve", *(("--force",) if force else ()))
    assert result.code == 1
    assert "protect" in result.err and "prod-sg/call_legacy" in result.err
    assert "applied" not in result.out
    assert writes(request_log) == []
    assert snapshot(emulator) == state


def test_protected_app_may_declare_absent_what_is_already_absent(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    path = desired / "apps" / "prod-sg.yaml"
    path.write_text(path.read_text() + "  conference:\n    ensure: absent\n")
    result = cli("plan", desired, "--format", "json")
    assert result.code == 0, result.err
    deletes = [
        (c["app"], c["product"]) for c in result.json()["changes"] if c["action"] == "delete"
    ]
    assert deletes == [("staging-us", "conference")]  # nothing to delete in prod-sg


# -- thresholds -----------------------------------------------------------------------

STRICT = ("--min-existing", "1", "--max-update-pct", "10")


def test_thresholds_refuse_too_many_updates_unless_forced(
    cli: Any, env: dict[str, str], request_log: Path, emulator: RunningEmulator
) -> None:
    state = snapshot(emulator)
    refused = cli("apply", EXAMPLES, "--auto-approve", *STRICT)
    assert refused.code == 1
    assert re.search(
        r"unsafe plan, nothing applied: 3 updates are 50(\.0)?% of 6 existing managed configs",
        refused.err,
    ), refused.err
    assert "--force" in refused.err
    assert writes(request_log) == []
    assert snapshot(emulator) == state
    forced = cli("apply", EXAMPLES, "--auto-approve", "--force", *STRICT)
    assert forced.code == 0, forced.err
    assert "Apply: 7 applied" in forced.out


def test_thresholds_apply_to_saved_plans(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", plan_file).code == 0
    refused = cli("apply", "--plan", plan_file, "--auto-approve", *STRICT)
    assert refused.code == 1
    assert "unsafe plan" in refused.err
    assert writes(request_log) == []


def _forge_plan(plan_file: Path, **fields: Any) -> None:
    """Edit top-level fields of a saved plan and recompute its (unkeyed) checksum."""
    doc = json.loads(plan_file.read_text())
    for name, value in fields.items():
        if isinstance(value, dict):
            doc[name].update(value)
        else:
            doc[name] = value
    body = {k: v for k, v in doc.items() if k != "checksum"}
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    doc["checksum"] = "sha256:" + hashlib.sha256(blob.encode()).hexdigest()
    plan_file.write_text(json.dumps(doc, indent=2))


def test_saved_plan_thresholds_count_the_changes_not_the_summary_field(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    """Found as a bug (apply --plan trusted the file's `summary` field); fixed since."""
    plan_file = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", plan_file).code == 0
    _forge_plan(plan_file, summary={"update": 0})  # the three updates stay, each HMAC-valid
    result = cli("apply", "--plan", plan_file, "--auto-approve", *STRICT)
    assert result.code == 1, result.out
    assert "unsafe plan" in result.err
    assert writes(request_log) == []


def test_saved_plan_with_a_forged_existing_count_is_still_refused(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", plan_file).code == 0
    _forge_plan(plan_file, existing=0)
    result = cli("apply", "--plan", plan_file, "--auto-approve", *STRICT)
    assert result.code == 1, result.out
    assert writes(request_log) == []
