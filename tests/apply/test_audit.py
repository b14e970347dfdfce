"""Audit records: one JSON line per change, appended, no secret."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from reconciler import __version__
from reconciler.apply.audit import AuditLog, AuditWriteError, audit_record, ci_context
from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.plan.change import Action, Change
from reconciler.secret import Secret
from tests.plan.factories import SG, TOKEN, cb, res, tok

NOW = datetime(2026, 4, 1, 12, 30, 15, 999, tzinfo=timezone.utc)
CFG = cb("https://a.example/cb", "Call.CallbackAfterStartCall")

FAILED = ChangeResult(
    Change(res("call"), Action.CREATE, None, CFG),
    Outcome.FAILED,
    "set failed: ErrorCode 100002: bad",
    error_code=100002,
    error_info="bad",
    request_id="rid-1",
)
TOKEN_APPLIED = ChangeResult(
    Change(res("live_token"), Action.UPDATE, tok("old-secret-token"), tok(TOKEN, False)),
    Outcome.APPLIED,
)


def test_record_fields_of_a_failure() -> None:
    assert audit_record(FAILED, now=NOW) == {
        "time": "2026-04-01T12:30:15+00:00",
        "app": "prod-sg",
        "sdkappid": SG,
        "product": "call",
        "action": "create",
        "before": None,
        "after": {"url": "https://a.example/cb", "events": ["Call.CallbackAfterStartCall"]},
        "result": "failed",
        "message": "set failed: ErrorCode 100002: bad",
        "error_code": 100002,
        "error_info": "bad",
        "request_id": "rid-1",
    }


def test_record_of_a_token_success_has_no_secret() -> None:
    record = audit_record(TOKEN_APPLIED, now=NOW)
    assert record["before"] == {"token": "(sensitive)", "enabled": True}
    assert record["after"] == {"token": "(sensitive value changed)", "enabled": False}
    assert record["result"] == "applied"
    assert record["message"] is None
    assert record["error_code"] is None and record["request_id"] is None
    text = json.dumps(record)
    assert TOKEN not in text and "old-secret-token" not in text


def test_time_defaults_to_now_in_utc() -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    stamp = datetime.fromisoformat(audit_record(FAILED)["time"])
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= before + timedelta(minutes=5)


def test_append_writes_one_sorted_json_line_per_result_at_once(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    first = AuditLog(path, env={})
    first.append(FAILED)
    assert len(path.read_text(encoding="utf-8").splitlines()) == 1  # on disk before the next
    second = AuditLog(path, env={})
    second.append(TOKEN_APPLIED)
    second.append(FAILED)
    first.close()
    second.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert [r["result"] for r in records] == ["failed", "applied", "failed"]
    assert list(records[0]) == sorted(records[0])
    assert records[0]["run_id"] == first.run_id != records[1]["run_id"] == second.run_id
    assert {r["tool_version"] for r in records} == {__version__}
    assert all("ci" not in r for r in records)  # not in CI: no context
    assert TOKEN not in path.read_text(encoding="utf-8")
    assert (first.written, second.written, second.problem) == (1, 2, None)


def test_intent_is_on_disk_and_fsynced_before_it_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "audit.jsonl"
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        real_fsync(fd)
        synced.append(path.read_text(encoding="utf-8"))

    monkeypatch.setattr(os, "fsync", spy)
    log = AuditLog(path, env={})
    log.intent(TOKEN_APPLIED.change)
    assert len(synced) == 1
    (line,) = synced[0].splitlines()
    intent = json.loads(line)
    assert intent["result"] == "intent" and intent["seq"] == 1
    assert intent["after"] == {"token": "(sensitive value changed)", "enabled": False}
    assert TOKEN not in synced[0] and "old-secret-token" not in synced[0]
    assert log.open_intents == 1
    log.append(TOKEN_APPLIED)
    assert log.open_intents == 0
    outcome = json.loads(path.read_text(encoding="utf-8").splitlines()[1])
    assert (outcome["result"], outcome["seq"]) == ("applied", 1)  # pairs with its intent


def test_close_gives_every_open_intent_the_outcome_unknown(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, env={})
    log.intent(FAILED.change)
    log.intent(TOKEN_APPLIED.change)
    log.append(TOKEN_APPLIED)
    log.close()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["result"], r["product"], r["seq"]) for r in rows] == [
        ("intent", "call", 1),
        ("intent", "live_token", 2),
        ("applied", "live_token", 2),
        ("unknown", "call", 1),
    ]
    assert log.open_intents == 0


def test_lines_carry_the_ci_context_when_set(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    env = {
        "GITHUB_ACTOR": "octocat",
        "GITHUB_SHA": "0123abc",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/callbacks",
        "GITHUB_RUN_ID": "42",
    }
    log = AuditLog(path, env=env)
    log.intent(FAILED.change)
    log.append(FAILED)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        assert row["ci"] == {
            "actor": "octocat",
            "sha": "0123abc",
            "run_url": "https://github.com/acme/callbacks/actions/runs/42",
        }


def test_ci_context_keeps_only_what_is_set() -> None:
    assert ci_context({"GITHUB_SHA": "abc", "GITHUB_RUN_ID": "1"}) == {"sha": "abc"}
    assert ci_context({}) == {}


def test_an_intent_that_cannot_be_written_refuses_the_write(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "no-such-dir" / "audit.jsonl", env={})
    with pytest.raises(AuditWriteError, match=r"^not written: cannot append to the audit log"):
        log.intent(FAILED.change)
    assert log.problem is not None and log.open_intents == 0
    with pytest.raises(AuditWriteError):  # and every later one
        log.intent(TOKEN_APPLIED.change)


def test_a_failing_append_is_remembered_not_raised(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "no-such-dir" / "audit.jsonl", env={})
    log.append(FAILED)
    log.append(TOKEN_APPLIED)
    assert log.written == 0
    assert log.problem is not None
    assert log.problem.startswith(
        f"cannot append to the audit log {tmp_path / 'no-such-dir' / 'audit.jsonl'}: "
        "No such file or directory; 0 record(s) were written"
    )


def test_a_known_secret_in_a_live_url_or_error_never_reaches_the_file(tmp_path: Path) -> None:
    Secret("k3y-of-another-app")  # every secret the run creates is known from then on
    leaky = ChangeResult(
        Change(res("call"), Action.UPDATE, cb("https://x.example/?k=k3y-of-another-app"), CFG),
        Outcome.FAILED,
        "set failed: ErrorCode 100002: bad key k3y-of-another-app",
        error_code=100002,
        error_info="bad key k3y-of-another-app",
    )
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, env={})
    log.append(leaky)
    log.close()
    text = path.read_text(encoding="utf-8")
    assert "k3y-of-another-app" not in text
    assert json.loads(text)["before"]["url"] == "https://x.example/?k=(sensitive)"
