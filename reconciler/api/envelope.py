"""Parse both answer envelopes into one :class:`Answer` or one typed error.

v1 (callkit hosts): ``{"errorCode", "errorMessage", "requestId", "data"}``
v4 (Chat domains):  ``{"ActionStatus", "ErrorCode", "ErrorInfo", "RequestId", "Response"}``
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from reconciler.api.redact import scrub
from reconciler.errors import ApiError, MalformedResponseError, TransportError
from reconciler.escape import cut
from reconciler.facts.codes import hint_for
from reconciler.facts.families import Family
from reconciler.secret import mask_known


class ServerFault(TransportError):
    """HTTP 5xx: a gateway or server fault; transient."""


@dataclass(frozen=True)
class Answer:
    """A successful (ErrorCode 0) answer. ``data`` is v4 ``Response`` or v1 ``data``."""

    request_id: str
    data: Any
    code: int = 0
    """0, or the error code the caller accepted as "nothing there" (``absent``)."""


_FIELDS = {
    Family.V1: ("errorCode", "errorMessage", "requestId", "data"),
    Family.V4: ("ErrorCode", "ErrorInfo", "RequestId", "Response"),
}


def parse_answer(
    family: Family,
    status: int,
    body: bytes,
    *,
    command: str,
    sdkappid: int,
    secrets: Iterable[str] = (),
    absent: Collection[int] = (),
) -> Answer:
    """Turn one HTTP answer into an :class:`Answer`, or raise a typed error.

    Text taken from the answer into an error (ErrorInfo, a non-JSON snippet) has
    every one of ``secrets`` (what the request carried) and any UserSig scrubbed out,
    and is then escaped and cut short (:func:`reconciler.escape.cut`).
    A non-zero code in ``absent`` (a read's "nothing configured") is no error: it
    comes back as the answer's ``code``, with no data.
    """
    secrets = tuple(secrets)
    where = f"{command} for sdkappid {sdkappid}"
    if status >= 500:
        raise ServerFault(f"{where}: HTTP {status} from the server")
    if status != 200:
        raise MalformedResponseError(
            f"{where}: unexpected HTTP {status} (Tencent answers 200 with an error code); "
            "check --endpoint"
        )
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # scrub the whole answer, then cut: a secret cut in two would no longer match
        snippet = cut(scrub(mask_known(body.decode("utf-8", "replace")), secrets), 80)
        raise MalformedResponseError(
            f"{where}: the answer is not JSON ('{snippet}'); check --endpoint"
        ) from None
    if not isinstance(payload, dict):
        raise MalformedResponseError(f"{where}: the answer is not a JSON object")
    code_field, info_field, rid_field, data_field = _FIELDS[family]
    code = payload.get(code_field)
    if isinstance(code, bool) or not isinstance(code, int):
        raise MalformedResponseError(
            f"{where}: the answer has no integer {code_field!r}; is --endpoint a Tencent API?"
        )
    request_id = payload.get(rid_field)
    rid_text = cut(scrub(request_id, secrets), 100) if isinstance(request_id, str) else ""
    if code != 0:
        if code in absent:
            return Answer(request_id=rid_text, data=None, code=code)
        info = payload.get(info_field)
        raise ApiError(
            code=code,
            info=cut(scrub(mask_known(info), secrets)) if isinstance(info, str) else "",
            request_id=rid_text,
            command=command,
            sdkappid=sdkappid,
            hint=hint_for(family, code),
        )
    return Answer(request_id=rid_text, data=payload.get(data_field))
