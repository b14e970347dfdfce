"""A scripted httpx transport: answers from a list, records every request."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

Reply = Callable[[httpx.Request], httpx.Response] | dict[str, Any] | httpx.Response | Exception


def v4(code: int = 0, info: str = "", response: Any = None, rid: str = "rid-1") -> dict[str, Any]:
    body: dict[str, Any] = {
        "ActionStatus": "OK" if code == 0 else "FAIL",
        "ErrorCode": code,
        "ErrorInfo": info,
        "RequestId": rid,
    }
    if response is not None:
        body["Response"] = response
    return body


def v1(
    code: int = 0, message: str = "Success", data: Any = "", rid: str = "rid-1"
) -> dict[str, Any]:
    return {"errorCode": code, "errorMessage": message, "requestId": rid, "data": data}


class Scripted:
    """Replies in order (the last one repeats); ``requests`` keeps what was sent."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        if callable(reply):
            return reply(request)
        return httpx.Response(200, json=reply)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]
