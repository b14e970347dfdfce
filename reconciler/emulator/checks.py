"""The checks every request passes before its operation: URL query and body.

Each check raises :class:`~reconciler.emulator.envelope.Rejected` with the Chat
common code the real service uses. Messages never contain the UserSig.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from starlette.requests import ClientDisconnect, Request

from reconciler.emulator import codes
from reconciler.emulator.envelope import Rejected

MAX_BODY_BYTES: Final = 1 << 20
MAX_UINT32: Final = 2**32 - 1
_DIGITS: Final = re.compile(r"[0-9]{1,20}")


@dataclass(frozen=True)
class QueryParams:
    """The validated URL query of an API request."""

    sdkappid: int
    identifier: str
    usersig: str = field(repr=False)


def loose_sdkappid(query: Mapping[str, str]) -> int | None:
    """The ``sdkappid`` query value if it is an integer (for the request log), else None."""
    text = query.get("sdkappid", "")
    return int(text) if _DIGITS.fullmatch(text) else None


def check_query(query: Mapping[str, str]) -> QueryParams:
    """Check the query in the documented order: 60012, then 60025, then 60006."""
    sdkappid_text = query.get("sdkappid")
    if not sdkappid_text:
        raise Rejected(
            codes.SDKAPPID_MISSING, "SDKAppID is missing from the URL; add sdkappid=<SDKAppID>"
        )
    for name in ("identifier", "usersig", "random", "contenttype"):
        if not query.get(name):
            raise Rejected(codes.BAD_URL_PARAMS, f"URL parameter error: {name} is missing or empty")
    random_text = query["random"]
    if not _DIGITS.fullmatch(random_text) or int(random_text) > MAX_UINT32:
        raise Rejected(
            codes.BAD_URL_PARAMS,
            "URL parameter error: random must be an unsigned 32-bit integer (0-4294967295)",
        )
    if query["contenttype"] != "json":
        raise Rejected(codes.BAD_URL_PARAMS, "URL parameter error: contenttype must be json")
    if not _DIGITS.fullmatch(sdkappid_text):
        raise Rejected(codes.BAD_SDKAPPID, "SDKAppID invalid: sdkappid must be an integer")
    return QueryParams(
        sdkappid=int(sdkappid_text), identifier=query["identifier"], usersig=query["usersig"]
    )


async def read_json_object(request: Request) -> dict[str, object]:
    """The request body as a JSON object; 60003 when empty, not JSON or not an object."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise Rejected(codes.BAD_JSON, "request body is too large (limit 1 MiB)")
            chunks.append(chunk)
    except ClientDisconnect:
        raise Rejected(codes.BAD_JSON, "the client went away before sending the body") from None
    raw = b"".join(chunks)
    if not raw.strip():
        raise Rejected(
            codes.BAD_JSON, "request body is empty; send {} when the API needs no fields"
        )
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Rejected(codes.BAD_JSON, "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise Rejected(codes.BAD_JSON, "request body must be a JSON object, e.g. {}")
    return body
