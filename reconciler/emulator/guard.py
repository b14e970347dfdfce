"""uvicorn's httptools protocol, with a bound on each request head: size and time.

uvicorn has neither for httptools (h11 has a size limit only): a 40 MB header was
read whole, and 1,100 connections that each dribble a header byte now and then
held their sockets until a legitimate client could not get one. Here a request
head (request line and headers) larger than :data:`MAX_HEAD_BYTES` is answered
``431`` and the connection closed; one not complete within
:data:`HEAD_TIMEOUT_SECONDS` of the connection (or of its first byte, for the
next request on a kept-alive connection) is answered ``408`` and closed.

Only the protocol's public hooks are used: asyncio's ``connection_made``,
``data_received`` and ``connection_lost``, and the parser callbacks httptools
documents (``on_message_begin``, ``on_headers_complete``); uvicorn takes the class
as its ``http`` setting.
"""

from __future__ import annotations

import asyncio
from typing import Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES: Final = 64 * 1024
"""Bytes of one request head: the emulator's clients send a few hundred."""

HEAD_TIMEOUT_SECONDS: Final = 10.0
"""Seconds a client has to send a whole request head."""


def _answer(status: str, text: str) -> bytes:
    body = text.encode("ascii")
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: text/plain\r\nconnection: close\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode("ascii") + body


_TOO_LARGE: Final = _answer(
    "431 Request Header Fields Too Large", f"request head over {MAX_HEAD_BYTES:,} bytes\n"
)
_TIMED_OUT: Final = _answer("408 Request Timeout", "request head not sent in time; retry\n")


def guarded_protocol(head_timeout: float = HEAD_TIMEOUT_SECONDS) -> type[HttpToolsProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)``, with this head timeout."""
    return type("GuardedHttpTools", (GuardedHttpTools,), {"head_timeout": head_timeout})


class GuardedHttpTools(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` that bounds the size and the time of each request head."""

    head_timeout: float = HEAD_TIMEOUT_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.guard_transport = transport
        self.head_bytes = 0
        self.in_head = True  # until the first request's headers are complete
        self.head_timer: asyncio.TimerHandle | None = None
        self.guard_closed = False
        self._arm()
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.guard_closed:
            return
        if self.in_head:
            self.head_bytes += len(data)
            if self.head_bytes > MAX_HEAD_BYTES:
                self._refuse(_TOO_LARGE)
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self.in_head:  # the next request on a kept-alive connection
            self.in_head, self.head_bytes = True, 0
            self._arm()

    def on_headers_complete(self) -> None:
        self.in_head = False
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        loop = asyncio.get_running_loop()
        self.head_timer = loop.call_later(self.head_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _timed_out(self) -> None:
        self.head_timer = None
        if self.in_head and not self.guard_closed:
            self._refuse(_TIMED_OUT)

    def _refuse(self, answer: bytes) -> None:
        self.guard_closed = True
        self._disarm()
        transport = self.guard_transport
        if not transport.is_closing():
            transport.write(answer)
            transport.close()
