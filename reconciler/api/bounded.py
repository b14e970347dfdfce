"""Send one request with a hard deadline and read at most a fixed number of bytes back.

httpx's timeouts are per network operation: a server that sends one byte every
few seconds never trips them, and ``response.content`` inflates a gzip answer of
any size into memory. Here one deadline covers connect, headers and body, the
body is read as a stream, decompressed here in bounded steps, and reading stops
as soon as the answer (counted after decompression) passes :data:`MAX_ANSWER_BYTES`.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import weakref
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

import httpx

from reconciler.errors import MalformedResponseError, TransportError

T = TypeVar("T")

if sys.version_info >= (3, 11):
    # asyncio's own deadline (a timer on the task): half the CPU of anyio's cancel
    # scope, which had become a tenth of the client's CPU per request
    from asyncio import timeout as _deadline
else:  # pragma: no cover - Python 3.10
    from anyio import fail_after as _fail_after

    @asynccontextmanager
    async def _deadline(delay: float | None) -> AsyncIterator[None]:
        with _fail_after(delay):
            yield


MAX_ANSWER_BYTES = 1024 * 1024
"""These APIs answer a few hundred bytes; 1 MiB is generous, and bounds memory per request."""

SMALL_ANSWER_BYTES = 16 * 1024
"""What any number of answers read at once may each hold. Past this, an answer reads
on only while holding one of :data:`LARGE_ANSWER_SLOTS`: so however many requests
are in flight (``--parallelism`` up to 1024) and whatever the server sends, the
answers held at once stay within a few MiB."""

LARGE_ANSWER_SLOTS = 1
"""An answer over the small size is already abnormal for these APIs (a few hundred
bytes): reading such answers one at a time costs nothing in normal use, and keeps
the peak memory of a hostile fleet lowest (400 gzip bombs at --parallelism 256:
181 MB with 1 slot, 212 MB with 4)."""

ACCEPTED_ENCODINGS = "gzip, deflate"
"""Only encodings decompressed here, in bounded steps (see :class:`_Inflater`)."""


class AnswerTimeout(TransportError):
    """No complete answer within the deadline (connect, headers and body together).

    A server that sent part of an answer and then too little (a drip) is not
    retried: it would drip again, and a run would wait ``attempts`` times
    ``--timeout``; so a run waits at most ``--timeout`` for it. A server that sent
    nothing at all is retried like any network timeout (the request or its answer
    may have been lost).
    """

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


_received: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "bounded_received", default=None
)
"""Bytes read off the network for the request of the current task (see :func:`_count`)."""


def received_counter() -> list[int] | None:
    """The byte counter of the request being sent in this task, for a transport that
    counts by itself (``reconciler.api.transport``); None outside :func:`send_bounded`."""
    return _received.get()


async def _count(event: str, info: dict[str, Any]) -> None:
    """httpcore ``trace`` hook: count what each new connection reads, per request.

    The count tells a drip (bytes came, too slowly) from silence (nothing came).
    A transport without httpcore's trace leaves the count at 0: then a missed
    deadline is treated as silence and retried, as any timeout was before.
    """
    if event != "connection.connect_tcp.complete":
        return
    stream = info.get("return_value")
    read = getattr(stream, "read", None)
    if read is None or getattr(read, "_counted", False):
        return

    async def counted_read(max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        data: bytes = await read(max_bytes, timeout)
        box = _received.get()
        if box is not None:
            box[0] += len(data)
        return data

    counted_read._counted = True  # type: ignore[attr-defined]
    stream.read = counted_read  # type: ignore[union-attr]


class AnswerTooLarge(MalformedResponseError):
    """The answer (decompressed) is larger than :data:`MAX_ANSWER_BYTES`."""


@dataclass(frozen=True)
class BoundedAnswer:
    status_code: int
    content: bytes


class _Decompressor(Protocol):
    """What ``zlib.decompressobj()`` returns (its class is not public)."""

    @property
    def unconsumed_tail(self) -> bytes: ...

    def decompress(self, data: bytes, max_length: int = 0, /) -> bytes: ...


class _Inflater:
    """Decompress one Content-Encoding without ever producing more than asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        if encoding in ("gzip", "x-gzip"):
            self._z: _Decompressor | None = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()  # zlib-wrapped; raw deflate is retried below
        elif encoding in ("", "identity"):
            self._z = None
        else:
            raise ValueError(encoding)
        self._first = True

    def take(self, data: bytes, limit: int) -> tuple[bytes, bytes]:
        """At most ``limit`` (>= 1) bytes of output for ``data``, and the input left over."""
        if self._z is None:
            return data[:limit], data[limit:]
        try:
            out = self._z.decompress(data, limit)
        except zlib.error:
            if not (self._first and self.encoding == "deflate"):
                raise
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # servers that send raw deflate
            out = self._z.decompress(data, limit)
        self._first = False
        return out, self._z.unconsumed_tail


@runtime_checkable
class BoundedPoster(Protocol):
    """A transport that also POSTs and reads an answer within the bounds by itself,
    without building httpx ``Request``/``Response`` objects (``AiohttpTransport``).

    :class:`~reconciler.api.client.TencentClient` uses this lane when its transport
    offers it, and :func:`send_bounded` (any httpx transport: ``MockTransport`` in
    tests) otherwise. Both keep the same bounds with the same code: :func:`within` for
    the deadline and :func:`read_answer` for the size cap.
    """

    async def post_bounded(
        self,
        url: str,
        content: bytes,
        headers: Sequence[tuple[str, str]],
        *,
        timeouts: Mapping[str, float | None],
        deadline: float | None,
        max_bytes: int,
        what: str,
    ) -> BoundedAnswer: ...


async def within(deadline: float | None, what: str, step: Callable[[], Awaitable[T]]) -> T:
    """``await step()`` within ``deadline`` seconds (None: no limit), counting the bytes
    it receives (see :func:`received_counter`) to tell a drip from silence.

    Raises :class:`AnswerTimeout` when the deadline passes, whatever the server was doing.
    """
    received = [0]
    _received.set(received)
    try:
        async with _deadline(deadline):
            return await step()
    except TimeoutError:
        if received[0]:
            raise AnswerTimeout(
                f"{what}: no complete answer within {deadline:g} s (the --timeout): the "
                "server answers far too slowly; check --endpoint, or raise --timeout",
                retryable=False,
            ) from None
        raise AnswerTimeout(
            f"{what}: no answer within the timeout ({deadline:g} s)", retryable=True
        ) from None


async def send_bounded(
    transport: httpx.AsyncBaseTransport,
    request: httpx.Request,
    *,
    deadline: float | None,
    max_bytes: int = MAX_ANSWER_BYTES,
    what: str = "the request",
) -> BoundedAnswer:
    """Send ``request`` through ``transport`` and read its answer, all within ``deadline``
    seconds (None: no limit).

    The transport is called directly: the client sends no cookies, follows no
    redirect and has no auth flow, so ``httpx.AsyncClient.send`` would only add its
    cost. Raises :class:`AnswerTimeout` when the deadline passes (whatever the server
    was doing), :class:`AnswerTooLarge` when the decompressed body passes
    ``max_bytes``, :class:`MalformedResponseError` for an encoding that cannot be
    decoded; httpx's own errors (connection refused, reset) pass through.
    """
    request.headers["Accept-Encoding"] = ACCEPTED_ENCODINGS
    request.extensions = {**request.extensions, "trace": _count}

    async def step() -> BoundedAnswer:
        response = await transport.handle_async_request(request)
        try:
            if response.is_stream_consumed:  # a transport that handed over a decoded body
                if len(response.content) > max_bytes:
                    raise _too_large(what, max_bytes)
                body = response.content
            else:
                encoding = response.headers.get("content-encoding", "")
                body = await read_answer(response.aiter_raw(), encoding, max_bytes, what)
        finally:
            await response.aclose()
        return BoundedAnswer(response.status_code, body)

    return await within(deadline, what, step)


async def read_answer(
    chunks: AsyncIterable[bytes], encoding: str, max_bytes: int, what: str
) -> bytes:
    """The raw (still encoded) ``chunks`` of an answer, decompressed in bounded steps.

    Raises :class:`AnswerTooLarge` as soon as the decompressed body passes
    ``max_bytes``, :class:`MalformedResponseError` for an encoding not asked for or
    not valid.
    """
    encoding = encoding.strip().lower()
    try:
        inflater = _Inflater(encoding)
    except ValueError:
        raise MalformedResponseError(
            f"{what}: the answer uses Content-Encoding {encoding[:40]!r}, which this tool "
            "did not ask for; check --endpoint"
        ) from None
    reader = _BodyReader(inflater, max_bytes, what, encoding)
    try:
        async for chunk in chunks:
            await reader.feed(chunk)
        await reader.feed(b"", final=True)  # what the decompressor still holds
        return reader.body()
    finally:
        reader.close()


class _BodyReader:
    """Collects one answer's decompressed body, within the size cap and the slots."""

    def __init__(self, inflater: _Inflater, max_bytes: int, what: str, encoding: str) -> None:
        self.inflater, self.max_bytes, self.what, self.encoding = (
            inflater,
            max_bytes,
            what,
            encoding,
        )
        self.parts: list[bytes] = []
        self.size = 0
        self.slot: asyncio.Semaphore | None = None

    async def feed(self, pending: bytes, *, final: bool = False) -> None:
        while pending or final:
            if self.slot is None and self.size >= SMALL_ANSWER_BYTES:
                self.slot = _large_answer_slots()
                await self.slot.acquire()
            # without a slot, inflate only up to the small size; with one, one byte
            # past the cap, to tell "exactly the cap" from "too large"
            top = self.max_bytes + 1 if self.slot is not None else SMALL_ANSWER_BYTES
            try:
                data, pending = self.inflater.take(pending, top - self.size)
            except zlib.error:
                raise MalformedResponseError(
                    f"{self.what}: the answer is not valid {self.encoding} data; check --endpoint"
                ) from None
            self.size += len(data)
            if self.size > self.max_bytes:
                raise _too_large(self.what, self.max_bytes)
            self.parts.append(data)
            if final and not data:
                return

    def body(self) -> bytes:
        return b"".join(self.parts)

    def close(self) -> None:
        self.parts.clear()
        if self.slot is not None:
            self.slot.release()
            self.slot = None


_slots_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _large_answer_slots() -> asyncio.Semaphore:
    """The :data:`LARGE_ANSWER_SLOTS` of the running event loop (each run has its own)."""
    loop = asyncio.get_running_loop()
    slots = _slots_by_loop.get(loop)
    if slots is None:
        slots = _slots_by_loop[loop] = asyncio.Semaphore(LARGE_ANSWER_SLOTS)
    return slots


def _too_large(what: str, max_bytes: int) -> AnswerTooLarge:
    return AnswerTooLarge(
        f"{what}: the answer is larger than {max_bytes:,} bytes (after decompression); "
        "these APIs answer a few hundred bytes: check --endpoint"
    )
