"""An httpx transport that sends through aiohttp.

httpx stays the client's API (requests, responses, timeouts, ``MockTransport`` in
tests); only the wire under it changes. httpcore's pool spends milliseconds of CPU
per request at 32+ connections (it rescans every connection on each request),
aiohttp's C parser and pool a fraction of that: see ``benchmarks/fleet.py``.

Two ways in:

- :meth:`AiohttpTransport.handle_async_request`, the httpx transport interface: the
  body is streamed, not read here (``auto_decompress`` is off), so a size cap counts
  decompressed bytes, as with httpx's own transport;
- :meth:`AiohttpTransport.post_bounded` (:class:`reconciler.api.bounded.BoundedPoster`),
  the client's lane for every request: the same deadline and size cap, with no httpx
  ``Request``/``Response`` objects built around aiohttp's (a third of the client's
  CPU per request was spent building, copying and reading those).

Every aiohttp error is mapped to the matching httpx exception, so callers only
ever see ``httpx.HTTPError`` (the ``httpx-aiohttp`` package was read and not used:
it maps a reset connection to ``ConnectTimeout`` and lets a malformed answer's
``ClientResponseError`` through unmapped).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx
import yarl

from reconciler.api.bounded import BoundedAnswer, read_answer, received_counter, within

CHUNK_BYTES = 64 * 1024


def _as_httpx(
    exc: Exception, request: httpx.Request | None, *, reading: bool = False
) -> Exception | None:
    """The httpx error with the meaning of aiohttp's (or asyncio's) ``exc``; None for
    an error that is not the wire's (an httpx error already, or one of ours)."""
    if isinstance(exc, httpx.HTTPError):
        return None
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return httpx.ConnectTimeout(_text(exc), request=request)
        return httpx.ReadTimeout(_text(exc), request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc), request=request)
    if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        # a body cut short, or an answer that is not HTTP (bad status line, headers)
        return httpx.RemoteProtocolError(_text(exc), request=request)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(_text(exc), request=request)
    if isinstance(exc, (aiohttp.ClientError, OSError)):
        # disconnected, reset, refused mid-way: the connection failed
        if reading:
            return httpx.ReadError(_text(exc), request=request)
        return httpx.NetworkError(_text(exc), request=request)
    return None


@contextmanager
def _mapped(request: httpx.Request | None, *, reading: bool = False) -> Iterator[None]:
    """Re-raise aiohttp's (and asyncio's) errors as httpx's, with the same meaning."""
    try:
        yield
    except Exception as exc:
        mapped = _as_httpx(exc, request, reading=reading)
        if mapped is None:
            raise
        raise mapped from exc


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


async def _chunks(
    response: aiohttp.ClientResponse, request: httpx.Request | None
) -> AsyncIterator[bytes]:
    """The answer's raw (still encoded) bytes, as they arrive."""
    with _mapped(request, reading=True):
        async for chunk in response.content.iter_chunked(CHUNK_BYTES):
            yield chunk


class _Body(httpx.AsyncByteStream):
    """The answer's raw (still encoded) bytes, read as the caller iterates."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in _chunks(self._response, self._request):
            yield chunk

    async def aclose(self) -> None:
        # an unread rest of the body cannot be reused: release() closes such a connection
        self._response.release()


class _Counting(asyncio.Protocol):
    """Stands between a connection's transport and aiohttp's protocol, counting what
    arrives into the counter of the request that holds the connection, and passing
    everything on unchanged.

    Put in place with asyncio's public ``transport.set_protocol`` (uvloop's transports
    honour it too), so that no aiohttp internal is touched: aiohttp keeps its own
    reference to its protocol and never learns of this one.
    """

    __slots__ = ("counter", "inner")

    def __init__(self, inner: asyncio.BaseProtocol) -> None:
        self.inner: Any = inner  # aiohttp's protocol: a plain asyncio.Protocol
        self.counter: list[int] | None = None

    def data_received(self, data: bytes) -> None:
        counter = self.counter
        if counter is not None:
            counter[0] += len(data)
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        result: bool | None = self.inner.eof_received()
        return result

    def connection_lost(self, exc: Exception | None) -> None:
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class _CountingConnector(aiohttp.TCPConnector):
    """aiohttp's connector that also counts, per request, the bytes its connection receives.

    :func:`reconciler.api.bounded.within` tells a server that dripped an answer
    (bytes came, too slowly: not retried) from one that sent nothing (retried). With
    httpcore it counts through the ``trace`` extension; here a :class:`_Counting`
    protocol, set on each new connection's transport, counts into the counter of the
    request that took the connection (``connect`` runs in the request's task).
    Only public names are used: the connector's ``connect``, the connection's
    ``transport``, asyncio's ``set_protocol``.
    """

    async def connect(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> Any:
        connection = await super().connect(req, traces, timeout)
        transport = connection.transport
        if transport is not None:
            counting = transport.get_protocol()
            if not isinstance(counting, _Counting):
                counting = _Counting(counting)
                transport.set_protocol(counting)
            counting.counter = received_counter()
        return connection


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (made on first use, inside the running loop) for a client."""

    def __init__(self, *, max_connections: int, verify: ssl.SSLContext | bool = True) -> None:
        self._max_connections = max_connections
        self._verify = verify
        self._sessions: dict[bool, aiohttp.ClientSession] = {}  # by "is the URL https"
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    def _session(self, url: str) -> aiohttp.ClientSession:
        """The session for ``url``'s scheme, made on first use.

        Plain ``http://`` (the emulator on loopback) gets a session whose connector has
        no TLS context: building the verifying one (loading the CA bundle) costs about
        70 ms of CPU, a tenth of a small fleet's plan. Every other URL gets the
        verifying one, so nothing but ``http://`` ever goes without verification.
        """
        secure = url[:5].lower() != "http:"
        session = self._sessions.get(secure)
        if session is None:
            session = self._sessions[secure] = self._open(secure)
        return session

    def _open(self, secure: bool) -> aiohttp.ClientSession:
        verify = self._verify
        context: ssl.SSLContext | bool = False  # never used: no https URL comes here
        if secure:
            context = (
                verify
                if isinstance(verify, ssl.SSLContext)
                else httpx.create_ssl_context(verify=verify)
            )
        connector = _CountingConnector(limit=self._max_connections, ssl=context)
        # no cookies, no proxies from the environment, no default headers of its own:
        # httpx has set every header the request carries
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            auto_decompress=False,
        )

    def _client_timeout(self, timeouts: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
        """httpx's timeouts (``pool``, ``connect``, ``read``) as aiohttp's, made once."""
        key = (timeouts.get("pool"), timeouts.get("connect"), timeouts.get("read"))
        made = self._timeouts.get(key)
        if made is None:
            made = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None, connect=key[0], sock_connect=key[1], sock_read=key[2]
            )
        return made

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session(str(request.url))
        with _mapped(request):
            response = await session.request(
                request.method,
                # httpx has encoded the URL: send it as it is (yarl would re-normalise it)
                yarl.URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=request.content or None,
                allow_redirects=False,
                compress=False,
                timeout=self._client_timeout(request.extensions.get("timeout", {})),
            )
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

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
    ) -> BoundedAnswer:
        """POST ``content`` to ``url`` (already percent-encoded) and read the answer within
        the bounds (:class:`reconciler.api.bounded.BoundedPoster`), with no httpx
        ``Request``/``Response`` in between: the client's lane for every request.
        Errors are httpx's, as from :meth:`handle_async_request`."""
        session = self._session(url)
        timeout = self._client_timeout(timeouts)

        async def step() -> BoundedAnswer:
            # errors mapped by hand, not by _mapped(): no generator per request
            reading = False
            try:
                response = await session.request(
                    "POST",
                    yarl.URL(url, encoded=True),
                    headers=headers,
                    data=content,
                    allow_redirects=False,
                    compress=False,
                    timeout=timeout,
                )
                reading = True
                try:
                    encoding = response.headers.get("Content-Encoding", "")
                    chunks = response.content.iter_chunked(CHUNK_BYTES)
                    body = await read_answer(chunks, encoding, max_bytes, what)
                finally:
                    response.release()  # an unread rest cannot be reused: this closes it
            except Exception as exc:
                mapped = _as_httpx(exc, None, reading=reading)
                if mapped is None:
                    raise
                raise mapped from exc
            return BoundedAnswer(response.status, body)

        return await within(deadline, what, step)

    async def aclose(self) -> None:
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()
