"""The v1 (camelCase) and v4 (PascalCase) envelopes."""

from __future__ import annotations

import re

from reconciler.emulator.envelope import Outcome, envelope, new_request_id, success
from reconciler.facts.families import Family


def test_v4_success_with_response() -> None:
    body = envelope(Family.V4, success(Family.V4, {"Url": "u"}), "rid")
    assert body == {
        "ActionStatus": "OK",
        "ErrorCode": 0,
        "ErrorInfo": "",
        "RequestId": "rid",
        "Response": {"Url": "u"},
    }


def test_v4_error_has_no_response() -> None:
    body = envelope(Family.V4, Outcome(100301, "missing", {"Url": "u"}), "rid")
    assert body == {
        "ActionStatus": "FAIL",
        "ErrorCode": 100301,
        "ErrorInfo": "missing",
        "RequestId": "rid",
    }


def test_v1_envelope() -> None:
    assert envelope(Family.V1, success(Family.V1, ""), "rid") == {
        "errorCode": 0,
        "errorMessage": "Success",
        "requestId": "rid",
        "data": "",
    }
    assert envelope(Family.V1, Outcome(999, "no config"), "rid")["data"] is None


def test_request_ids_are_unique_and_chat_shaped() -> None:
    ids = [new_request_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert all(re.fullmatch(r"Id-[0-9a-f]{32}-O-Seq-\d+", rid) for rid in ids)
