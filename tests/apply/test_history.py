"""``reconciler.apply.history``: audit logs read back, and which drift is recurring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply.history import AuditLogError, read_audit_logs, recurring_drift
from reconciler.plan.change import Action, Change
from tests.plan.factories import SG, cb, res, switch

DESIRED = cb("https://hooks.example.com/cb", "Call.CallbackAfterEndCall")
LIVE = cb("https://other-writer.example.com/cb", "Call.CallbackAfterEndCall")


def line(**fields: Any) -> str:
    base = {
        "time": "2026-01-01T00:00:00+00:00",
        "app": "prod-sg",
        "sdkappid": SG,
        "product": "call",
        "action": "update",
        "before": None,
        "after": DESIRED.to_public(),
        "result": "applied",
        "request_id": "req-1",
        "run_id": "run-1",
        "seq": 1,
    }
    return json.dumps({**base, **fields}) + "\n"


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(lines))
    return path


def drift_change() -> Change:
    # a drift run's change goes live -> desired
    return Change(res("call"), Action.UPDATE, LIVE, DESIRED)


def test_only_writes_of_the_value_desired_now_count_and_intents_do_not(tmp_path: Path) -> None:
    log = write(
        tmp_path / "a.jsonl",
        line(result="intent", request_id=None),
        line(),
        # an edit: the desired state asked for another URL then; not a set-back now
        line(after=cb("https://older.example.com/cb").to_public(), seq=2, request_id="req-2"),
        line(time="2026-02-01T00:00:00+00:00", run_id="run-2", request_id="req-3"),
        line(result="failed", run_id="run-3", request_id="req-4"),
    )
    (found,) = recurring_drift([drift_change()], read_audit_logs([log]))
    assert found.times == 2
    assert found.request_ids == ("req-1", "req-3")
    assert found.last == "2026-02-01T00:00:00+00:00"


def test_a_line_in_two_logs_counts_once_and_an_unrelated_resource_is_not_recurring(
    tmp_path: Path,
) -> None:
    a = write(tmp_path / "a.jsonl", line())
    b = write(tmp_path / "b.jsonl", line(), "\n")
    history = read_audit_logs([a, b, a])
    (found,) = recurring_drift([drift_change()], history)
    assert found.times == 1
    other = Change(res("live"), Action.UPDATE, LIVE, DESIRED)
    assert recurring_drift([other], history) == ()


def test_a_token_is_matched_on_its_switch(tmp_path: Path) -> None:
    change = Change(res("live_token"), Action.UPDATE, switch(False), switch(True))
    on = {"token": "(sensitive)", "enabled": True}
    off = {"token": "(sensitive)", "enabled": False}
    log = write(
        tmp_path / "a.jsonl",
        line(product="live_token", after=off),
        line(product="live_token", after=on, seq=2, request_id=None),
    )
    (found,) = recurring_drift([change], read_audit_logs([log]))
    assert found.times == 1 and found.request_ids == ()


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("\n\n[\n", ":3", "not a JSON line"),
        ('{"no": "result"}\n', ":1", "not an audit-log line"),
        (line(sdkappid=True), ":1", "integer `sdkappid`"),
        (line(product="whiteboard"), ":1", "a `product`"),
        (line(time="yesterday"), ":1", "ISO 8601"),
        (line(time="2026-01-01T00:00:00"), ":1", "time zone"),
        (line(after="x"), ":1", "`after` must be an object"),
        (line(request_id="a" * 129), ":1", "`request_id`"),
        (line(request_id="<script>"), ":1", "`request_id`"),
        (line(run_id=[1]), ":1", "`run_id`"),  # no key of a set: was a TypeError
        (line(seq="1"), ":1", "`seq`"),
        (line(product=["call"]), ":1", "`product`"),  # no key of the registry either
    ],
)
def test_a_malformed_log_is_a_located_error(
    tmp_path: Path, text: str, where: str, what: str
) -> None:
    log = write(tmp_path / "bad.jsonl", text)
    with pytest.raises(AuditLogError) as caught:
        read_audit_logs([log])
    message = str(caught.value)
    assert message.startswith(f"{log}{where}: ")
    assert what in message


def test_binary_and_unreadable_logs_are_clear_errors(tmp_path: Path) -> None:
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(AuditLogError, match="not UTF-8"):
        read_audit_logs([binary])
    with pytest.raises(AuditLogError, match="cannot read the audit log"):
        read_audit_logs([tmp_path])  # a folder
