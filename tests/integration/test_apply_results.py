"""``apply`` results (applied / failed with Tencent's ErrorCode, ErrorInfo and RequestId),
the audit log, and secrets: none in any output, even at ``-vv`` (docs/credentials.md and docs/formats.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from TLSSigAPIv2 import TLSSigAPIv2

from reconciler.emulator.embedded import RunningEmulator
from tests.integration.conftest import EXAMPLES, SECRET_VALUES, assert_no_secrets, read_log

PROD_SG, STAGING_US = 1400000001, 1400000003
UNKNOWN_WORD = "Live.CallbackAfterFutureThing"


@pytest.fixture
def future_event(desired: Path) -> Path:
    """staging-us (lenient: true) asks for a live config with an event Tencent rejects."""
    path = desired / "apps" / "staging-us.yaml"
    path.write_text(
        path.read_text()
        + "  live:\n"
        + "    url: https://staging-hooks.example.com/trtc/live\n"
        + f"    events: [{UNKNOWN_WORD}, Live.CallbackAfterCreateRoom]\n"
    )
    return desired


def test_a_failed_change_reports_error_code_info_and_request_id_and_others_apply(
    cli: Any,
    env: dict[str, str],
    future_event: Path,
    request_log: Path,
    emulator: RunningEmulator,
    tmp_path: Path,
) -> None:
    audit = tmp_path / "audit.jsonl"
    result = cli("apply", future_event, "--auto-approve", "--audit-log", audit)
    assert result.code == 1
    assert "Traceback" not in result.err
    # lenient lets the word through the loader, with a located warning
    assert re.search(
        rf"staging-us\.yaml:\d+:\d+: warning: unknown event '{UNKNOWN_WORD}' for product live",
        result.err,
    )
    lines = result.out.splitlines()
    assert lines[-1] == "Apply: 7 applied, 1 failed, 0 stale, 0 unverified."
    failed = [line for line in lines if line.startswith("failed: ")]
    assert len(failed) == 1
    line = failed[0]
    assert line.startswith("failed: staging-us (1400000003) live create: ")
    match = re.search(r"\[ErrorCode 100002, ErrorInfo (['\"])(.+)\1, RequestId (\S+)\]$", line)
    assert match, line
    assert UNKNOWN_WORD in match.group(2)
    request_id = match.group(3)
    assert request_id
    applied = [line for line in lines if line.startswith("applied: ")]
    assert len(applied) == 7
    assert "applied: staging-us (1400000003) call create" in applied
    # results are listed in plan order
    order = [re.match(r"\w+: (\S+) \((\d+)\) (\S+)", x).groups()[1:] for x in lines[:-1]]  # type: ignore[union-attr]
    assert order == sorted(order, key=lambda k: k[0]) and len(order) == 8

    # the emulator really refused it, and applied the rest
    log = read_log(request_log)
    refused = [
        r
        for r in log
        if r["write"] and r["sdkappid"] == STAGING_US and r["path"].startswith("/v4/live_config/")
    ]
    assert [r["code"] for r in refused] == [100002]
    assert emulator.store.get_callback(STAGING_US, "live") is None
    assert emulator.store.get_callback(STAGING_US, "call") is not None
    assert emulator.store.get_callback(STAGING_US, "conference") is None

    # the audit log has one line per change, with the same details
    lines = [json.loads(x) for x in audit.read_text().splitlines()]
    records = [r for r in lines if r["result"] != "intent"]
    assert len(records) == 8
    assert len(lines) == 16  # each outcome after its write-ahead intent
    bad = [r for r in records if r["result"] == "failed"]
    assert len(bad) == 1
    assert bad[0]["app"] == "staging-us" and bad[0]["product"] == "live"
    assert bad[0]["error_code"] == 100002
    assert bad[0]["request_id"] == request_id
    assert UNKNOWN_WORD in bad[0]["error_info"]
    assert {r["result"] for r in records} == {"applied", "failed"}
    assert_no_secrets(result.out, result.err, audit.read_text())

    # running again converges on everything else; only the rejected change remains
    again = cli("plan", future_event, "--format", "json")
    assert again.code == 0
    assert [(c["app"], c["product"], c["action"]) for c in again.json()["changes"]] == [
        ("staging-us", "live", "create")
    ]


def test_after_fixing_the_failed_change_apply_converges(
    cli: Any, env: dict[str, str], future_event: Path
) -> None:
    assert cli("apply", future_event, "--auto-approve").code == 1
    path = future_event / "apps" / "staging-us.yaml"
    path.write_text(path.read_text().replace(f"{UNKNOWN_WORD}, ", ""))
    fixed = cli("apply", future_event, "--auto-approve")
    assert fixed.code == 0, fixed.out + fixed.err
    assert fixed.out.strip().splitlines() == [
        "applied: staging-us (1400000003) live create",
        "Apply: 1 applied, 0 failed, 0 stale, 0 unverified.",
    ]
    assert cli("plan", future_event, "--detailed-exitcode").code == 0


def test_lenient_flag_alone_does_not_bypass_the_check_for_strict_apps(
    cli: Any, env: dict[str, str], desired: Path, request_log: Path
) -> None:
    path = desired / "apps" / "prod-sg.yaml"
    path.write_text(
        path.read_text().replace("- Mic.CallbackAfterSeatInfoChanged", f"- {UNKNOWN_WORD}")
    )
    strict = cli("apply", desired, "--auto-approve")
    assert strict.code == 1
    assert f"unknown event '{UNKNOWN_WORD}'" in strict.err
    assert read_log(request_log) == []  # refused at load time
    lenient = cli("apply", desired, "--auto-approve", "--lenient")
    assert lenient.code == 1  # the emulator rejects the word, as Tencent would
    assert "ErrorCode 100002" in lenient.out


# -- 9. secrets, with -vv, through the console script ------------------------------------


def _usersig_prefix() -> str:
    sig = str(TLSSigAPIv2(1, "k").gen_sig("administrator", 60))
    return sig[:12]  # the signer's compressed JSON header, the same in every UserSig


def _script(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("reconciler")), *map(str, args)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=60,
    )


def _assert_clean(*texts: str, extra: tuple[str, ...] = ()) -> None:
    prefix = _usersig_prefix()
    for text in texts:
        assert_no_secrets(text)
        for secret in extra:
            assert secret not in text
        assert prefix not in text, "a UserSig leaked"
        for value in re.findall(r"usersig=([^&\s\"']*)", text, flags=re.IGNORECASE):
            assert value == "(sensitive)", "a UserSig leaked in a URL"


def test_no_secret_in_any_output_with_debug_logging(
    cli: Any,
    env: dict[str, str],
    tmp_path: Path,
    emulator: RunningEmulator,
) -> None:
    plan_file = tmp_path / "plan.json"
    child_env = dict(os.environ)

    planned = _script(
        "-vv", "plan", EXAMPLES, "--out", plan_file, "--format", "markdown", env=child_env
    )
    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.startswith("### trtc-callback-reconciler: Plan")
    # -vv really logs request URLs (so this test can see a leak), redacted
    assert "usersig=(sensitive)" in planned.stderr
    assert "DEBUG" in planned.stderr

    applied = _script("-vv", "apply", "--plan", plan_file, "--auto-approve", env=child_env)
    assert applied.returncode == 0, applied.stderr
    assert "Apply: 7 applied" in applied.stdout
    assert "usersig=(sensitive)" in applied.stderr

    rotated = "second-rotation-token-xyz"
    child_env["LIVE_WEBHOOK_TOKEN_PROD_SG"] = rotated
    rotation = _script("-vv", "apply", EXAMPLES, "--auto-approve", env=child_env)
    assert rotation.returncode == 0, rotation.stderr
    assert rotation.stdout.strip().splitlines() == [
        "applied: prod-sg (1400000001) live_token update",
        "Apply: 1 applied, 0 failed, 0 stale, 0 unverified.",
    ]
    assert "(sensitive value changed)" in rotation.stderr  # the plan it showed
    token = emulator.store.get_token(PROD_SG)
    assert token is not None and token.token == rotated  # the secret did reach the API

    _assert_clean(
        planned.stdout,
        planned.stderr,
        plan_file.read_text(),
        applied.stdout,
        applied.stderr,
        rotation.stdout,
        rotation.stderr,
        extra=(rotated,),
    )


def test_no_secret_in_plan_output_in_process(cli: Any, env: dict[str, str], tmp_path: Path) -> None:
    assert SECRET_VALUES  # the list the fixture checks is not empty
    for fmt in ("text", "json", "markdown"):
        plan_file = tmp_path / f"plan-{fmt}.json"
        result = cli("-vv", "plan", EXAMPLES, "--format", fmt, "--out", plan_file)
        assert result.code == 0, result.err
        assert "(sensitive" in result.out
        _assert_clean(result.out, result.err, plan_file.read_text())


# -- re-running after a partial failure converges -----------------------------------------


def test_rerun_after_a_partial_apply_converges_and_redoes_only_what_failed(
    cli: Any, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Injected faults make some changes fail; a re-run without faults on the same
    database converges and applies nothing that had already been applied.

    --parallelism 1 makes the request order, hence the faults, the same every run; the
    loop finds a fault seed that gives a partial apply (not every seed does)."""
    import reconciler.api.client as client_module
    from reconciler.api.retry import RetryPolicy
    from reconciler.emulator.embedded import start_emulator
    from tests.integration.conftest import SEED

    monkeypatch.setattr(
        client_module,
        "RetryPolicy",
        lambda: RetryPolicy(attempts=2, initial_wait=0.0, max_wait=0.0, jitter=0.0),
    )
    result_re = re.compile(r"^(applied|failed): \S+ \((\d+)\) (\S+) \w+", re.M)
    for fault_seed in range(40):
        db = str(tmp_path / f"emulator-{fault_seed}.db")
        with start_emulator(
            SEED,
            db=db,
            fault_rate=0.2,
            fault_seed=fault_seed,
            fault_kinds=["100001", "502"],
            rate_limit=False,
        ) as faulty:
            monkeypatch.setenv("TRTC_ENDPOINT", faulty.base_url)
            first = cli("apply", EXAMPLES, "--auto-approve", "--parallelism", "1")
        outcomes = {(int(i), k): what for what, i, k in result_re.findall(first.out)}
        if "applied" in outcomes.values() and "failed" in outcomes.values():
            break
    else:
        pytest.fail("no fault seed in 0..39 gave a partial apply")
    assert first.code == 1
    assert "Traceback" not in first.err
    assert re.search(r"^Apply: \d+ applied, \d+ failed, 0 stale, 0 unverified\.$", first.out, re.M)
    for line in first.out.splitlines():
        if line.startswith("failed: "):
            assert re.search(r"ErrorCode 100001.*RequestId \S+|HTTP 502", line), line
    failed = {key for key, what in outcomes.items() if what == "failed"}

    with start_emulator(SEED, db=db) as healthy:  # same database, no faults
        monkeypatch.setenv("TRTC_ENDPOINT", healthy.base_url)
        second = cli("apply", EXAMPLES, "--auto-approve")
        assert second.code == 0, second.out + second.err
        redone = {(int(i), k) for _, i, k in result_re.findall(second.out)}
        # only changes that failed are redone (one that failed after its write, e.g. on the
        # read-back, is already live and needs nothing)
        assert redone <= failed
        final = cli("plan", EXAMPLES, "--detailed-exitcode")
        assert final.code == 0, final.out
        assert "Plan: 0 to create, 0 to update, 0 to delete, 9 unchanged." in final.out


def test_an_unusable_audit_log_is_refused_before_anything_is_written(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path, emulator: RunningEmulator
) -> None:
    """Found while writing these tests (apply wrote everything, then failed on the audit
    log, with no report on stdout); fixed since: the path is checked first."""
    audit = tmp_path / "missing-folder" / "audit.jsonl"
    result = cli("apply", EXAMPLES, "--auto-approve", "--audit-log", audit)
    assert result.code == 1
    assert result.err.startswith("error: ") or "\nerror: " in result.err
    assert "audit log" in result.err
    assert "Traceback" not in result.err
    assert not [r for r in read_log(request_log) if r["write"]]
    assert emulator.store.get_callback(STAGING_US, "conference") is not None
