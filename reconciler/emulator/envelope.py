"""The two response envelopes: camelCase for v1, PascalCase for v4.

Both answer HTTP 200 whatever the error code; the result is in the body.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from starlette.responses import JSONResponse

from reconciler.emulator import codes
from reconciler.facts.families import Family

_sequence = itertools.count(1)


@dataclass(frozen=True)
class Outcome:
    """The result of one request before it is put into its family's envelope.

    ``data`` is v1's ``data`` member or v4's ``Response`` member (``None``: v4
    leaves ``Response`` out, v1 sends ``null``).
    """

    code: int
    message: str = ""
    data: object = None


class Rejected(Exception):
    """Raised anywhere in request handling to answer with an error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def outcome(self) -> Outcome:
        return Outcome(self.code, self.message)


def new_request_id() -> str:
    """A fresh id for every answer, in the shape Chat uses (``Id-…-O-Seq-N``)."""
    return f"Id-{uuid.uuid4().hex}-O-Seq-{next(_sequence)}"


def success(family: Family, data: object = None) -> Outcome:
    message = codes.V1_SUCCESS_MESSAGE if family is Family.V1 else codes.V4_SUCCESS_INFO
    return Outcome(codes.OK, message, data)


def envelope(family: Family, outcome: Outcome, request_id: str) -> dict[str, object]:
    """The JSON body of an answer."""
    if family is Family.V1:
        return {
            "errorCode": outcome.code,
            "errorMessage": outcome.message,
            "requestId": request_id,
            "data": outcome.data,
        }
    body: dict[str, object] = {
        "ActionStatus": "OK" if outcome.code == codes.OK else "FAIL",
        "ErrorCode": outcome.code,
        "ErrorInfo": outcome.message,
        "RequestId": request_id,
    }
    if outcome.data is not None and outcome.code == codes.OK:
        body["Response"] = outcome.data
    return body


def render(family: Family, outcome: Outcome, request_id: str) -> JSONResponse:
    """An HTTP 200 JSON response carrying ``outcome`` in ``family``'s envelope."""
    return JSONResponse(envelope(family, outcome, request_id), status_code=200)
