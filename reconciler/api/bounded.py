"""Send one request with a hard deadline and read at most a fixed number of bytes back.

httpx's timeouts are per network operation: a server that sends one byte every
few seconds never trips them, and ``response.content`` inflates a gzip answer of
any size into memory. Here one deadline covers connect, headers and body, the
body is read as a stream, decompressed here in bounded steps, and reading stops
as soon as the answer (counted after decompression) passes :data:`MAX_ANSWER_BYTES`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import anyio
import httpx

from reconciler.errors import MalformedResponseError, TransportError

MAX_ANSWER_BYTES = 1024 * 1024
"""These APIs answer a few hundred bytes; 1 MiB is generous, and bounds memory per request."""

ACCEPTED_ENCODINGS = "gzip, deflate"
"""Only encodings decompressed here, in bounded steps (see :class:`_Inflater`)."""


class AnswerTimeout(TransportError):
    """No complete answer within the deadline (connect, headers and body together).

    Not retried: a server that slow would make a run wait ``attempts`` times
    ``--timeout``; this way a run waits at most ``--timeout`` for it.
    """

    retryable = False


class AnswerTooLarge(MalformedResponseError):
    """The answer (decompressed) is larger than :data:`MAX_ANSWER_BYTES`."""


@dataclass(frozen=True)
class BoundedAnswer:
    status_code: int
    content: bytes


class _Inflater:
    """Decompress one Content-Encoding without ever producing more than asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        if encoding in ("gzip", "x-gzip"):
            self._z: zlib._Decompress | None = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()  # zlib-wrapped; raw deflate is retried below
        elif encoding in ("", "identity"):
            self._z = None
        else:
            raise ValueError(encoding)
        self._first = True

    def feed(self, chunk: bytes, room: int) -> bytes:
        """Up to ``room`` bytes of output for ``chunk``; more than ``room`` means too large."""
        if self._z is None:
            return chunk
        try:
            out = self._z.decompress(chunk, room + 1)
        except zlib.error:
            if not (self._first and self.encoding == "deflate"):
                raise
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # servers that send raw deflate
            out = self._z.decompress(chunk, room + 1)
        self._first = False
        return out


async def send_bounded(
    http: httpx.AsyncClient,
    request: httpx.Request,
    *,
    deadline: float | None,
    max_bytes: int = MAX_ANSWER_BYTES,
    what: str = "the request",
) -> BoundedAnswer:
    """Send ``request`` and read its answer, all within ``deadline`` seconds (None: no limit).

    Raises :class:`AnswerTimeout` when the deadline passes (whatever the server
    was doing), :class:`AnswerTooLarge` when the decompressed body passes
    ``max_bytes``, :class:`MalformedResponseError` for an encoding that cannot be
    decoded; httpx's own errors (connection refused, reset) pass through.
    """
    request.headers["Accept-Encoding"] = ACCEPTED_ENCODINGS
    try:
        with anyio.fail_after(deadline):
            response = await http.send(request, stream=True)
            try:
                body = await _read_body(response, max_bytes, what)
            finally:
                await response.aclose()
    except TimeoutError:
        raise AnswerTimeout(
            f"{what}: no complete answer within {deadline:g} s (the --timeout); "
            "the server is too slow or not a Tencent API: check --endpoint, or raise --timeout"
        ) from None
    return BoundedAnswer(response.status_code, body)


async def _read_body(response: httpx.Response, max_bytes: int, what: str) -> bytes:
    if response.is_stream_consumed:  # a transport that handed over a decoded body (tests)
        if len(response.content) > max_bytes:
            raise _too_large(what, max_bytes)
        return response.content
    encoding = response.headers.get("content-encoding", "").strip().lower()
    try:
        inflater = _Inflater(encoding)
    except ValueError:
        raise MalformedResponseError(
            f"{what}: the answer uses Content-Encoding {encoding[:40]!r}, which this tool "
            "did not ask for; check --endpoint"
        ) from None
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        try:
            data = inflater.feed(chunk, max_bytes - size)
        except zlib.error:
            raise MalformedResponseError(
                f"{what}: the answer is not valid {encoding} data; check --endpoint"
            ) from None
        size += len(data)
        if size > max_bytes:
            raise _too_large(what, max_bytes)
        parts.append(data)
    return b"".join(parts)


def _too_large(what: str, max_bytes: int) -> AnswerTooLarge:
    return AnswerTooLarge(
        f"{what}: the answer is larger than {max_bytes:,} bytes (after decompression); "
        "these APIs answer a few hundred bytes: check --endpoint"
    )
