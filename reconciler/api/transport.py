"""An httpx transport that sends through aiohttp.

httpx stays the client's API (requests, responses, timeouts, ``MockTransport`` in
tests); only the wire under it changes. httpcore's pool spends milliseconds of CPU
per request at 32+ connections (it rescans every connection on each request),
aiohttp's C parser and pool a fraction of that: see ``benchmarks/fleet.py``.

The response body is streamed, not read here, so ``client.send(request,
stream=True)`` + ``aiter_bytes()`` works as with httpx's own transport, and
``auto_decompress`` is off: httpx decodes ``Content-Encoding`` as it iterates,
so a size cap on ``aiter_bytes()`` counts decompressed bytes.

Every aiohttp error is mapped to the matching httpx exception, so callers only
ever see ``httpx.HTTPError`` (the ``httpx-aiohttp`` package was read and not used:
it maps a reset connection to ``ConnectTimeout`` and lets a malformed answer's
``ClientResponseError`` through unmapped).
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx
import yarl
from aiohttp.connector import Connection

from reconciler.api.bounded import received_counter

CHUNK_BYTES = 64 * 1024


@contextmanager
def _mapped(request: httpx.Request, *, reading: bool = False) -> Iterator[None]:
    """Re-raise aiohttp's (and asyncio's) errors as httpx's, with the same meaning."""
    try:
        yield
    except httpx.HTTPError:
        raise
    except (aiohttp.ServerTimeoutError, asyncio.TimeoutError) as exc:
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            raise httpx.ConnectTimeout(_text(exc), request=request) from exc
        raise httpx.ReadTimeout(_text(exc), request=request) from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as exc:
        # a body cut short, or an answer that is not HTTP (bad status line, headers)
        raise httpx.RemoteProtocolError(_text(exc), request=request) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(_text(exc), request=request) from exc
    except (aiohttp.ClientError, OSError) as exc:
        # disconnected, reset, refused mid-way: the connection failed
        if reading:
            raise httpx.ReadError(_text(exc), request=request) from exc
        raise httpx.NetworkError(_text(exc), request=request) from exc


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class _Body(httpx.AsyncByteStream):
    """The answer's raw (still encoded) bytes, read as the caller iterates."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped(self._request, reading=True):
            async for chunk in self._response.content.iter_chunked(CHUNK_BYTES):
                yield chunk

    async def aclose(self) -> None:
        # an unread rest of the body cannot be reused: release() closes such a connection
        self._response.release()


class _CountingConnector(aiohttp.TCPConnector):
    """aiohttp's connector that also counts, per request, the bytes its connection receives.

    :func:`reconciler.api.bounded.send_bounded` tells a server that dripped an answer
    (bytes came, too slowly: not retried) from one that sent nothing (retried). With
    httpcore it counts through the ``trace`` extension; here the connection's protocol
    counts into the counter of the request that took the connection.
    """

    async def connect(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        counter = received_counter()  # this runs in the request's task
        protocol = connection.protocol
        if counter is not None and protocol is not None:
            _counters[protocol] = counter
            if protocol not in _counting:
                _counting.add(protocol)
                receive = protocol.data_received

                def data_received(data: bytes) -> None:
                    box = _counters.get(protocol)
                    if box is not None:
                        box[0] += len(data)
                    receive(data)

                protocol.data_received = data_received  # type: ignore[method-assign]
        return connection


_counters: weakref.WeakKeyDictionary[Any, list[int]] = weakref.WeakKeyDictionary()
_counting: weakref.WeakSet[Any] = weakref.WeakSet()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (made on first use, inside the running loop) for a client."""

    def __init__(self, *, max_connections: int, verify: ssl.SSLContext | bool = True) -> None:
        self._max_connections = max_connections
        self._verify = verify
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        verify = self._verify
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
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            auto_decompress=False,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session
        if session is None:
            session = self._session = self._open()
        timeout = request.extensions.get("timeout", {})
        with _mapped(request):
            response = await session.request(
                request.method,
                # httpx has encoded the URL: send it as it is (yarl would re-normalise it)
                yarl.URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=request.content or None,
                allow_redirects=False,
                compress=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            )
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
