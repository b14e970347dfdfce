"""Audit records: one JSON line per change, appended, no secret."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from reconciler.apply.audit import AuditLog, audit_record
from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.plan.change import Action, Change
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
    first = AuditLog(path)
    first.append(FAILED)
    assert len(path.read_text(encoding="utf-8").splitlines()) == 1  # on disk before the next
    second = AuditLog(path)
    second.append(TOKEN_APPLIED)
    second.append(FAILED)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert [r["result"] for r in records] == ["failed", "applied", "failed"]
    assert list(records[0]) == sorted(records[0])
    assert TOKEN not in path.read_text(encoding="utf-8")
    assert (first.written, second.written, second.problem) == (1, 2, None)


def test_a_failing_append_is_remembered_not_raised(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "no-such-dir" / "audit.jsonl")
    log.append(FAILED)
    log.append(TOKEN_APPLIED)
    assert log.written == 0
    assert log.problem is not None
    assert log.problem.startswith(
        f"cannot append to the audit log {tmp_path / 'no-such-dir' / 'audit.jsonl'}: "
        "No such file or directory; 0 record(s) were written"
    )
