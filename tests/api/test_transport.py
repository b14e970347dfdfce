"""The aiohttp transport under httpx, against small servers of our own on 127.0.0.1.

Each server answers every connection with canned bytes (or nothing), so the
transport meets what a real network does: normal and gzip answers, streamed
bodies, refusals, resets, garbage, bodies cut short and silence. Whatever
happens, the caller sees only httpx's exceptions.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
import trustme

from reconciler.api.client import AppTarget, TencentClient
from reconciler.api.retry import RetryPolicy
from reconciler.api.transport import AiohttpTransport
from reconciler.errors import TransportError
from reconciler.facts.families import Family
from reconciler.secret import Secret
from tests.https_servers import https_receiver

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
JSON_ANSWER = b'{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":"r1","Response":{}}'


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """A TCP server on a free loopback port running ``handler`` per connection."""

    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return head + body


def answer(body: bytes, *headers: bytes, status: bytes = b"200 OK") -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:  # keep-alive: answer every request on the connection
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            head = [b"HTTP/1.1 " + status, b"Content-Length: %d" % len(body), *headers]
            writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
            await writer.drain()

    return handler


def raw(reply: bytes, *, then_wait: float = 0.0) -> Handler:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(reply)
        await writer.drain()
        if then_wait:
            await asyncio.sleep(then_wait)

    return handler


def client(**timeouts: float) -> httpx.AsyncClient:
    timeout = httpx.Timeout(timeouts.get("read", 5.0), connect=timeouts.get("connect", 5.0))
    return httpx.AsyncClient(transport=AiohttpTransport(max_connections=4), timeout=timeout)


async def test_a_request_goes_out_whole_and_its_answer_comes_back() -> None:
    received: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await read_request(reader))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Seen: yes\r\n\r\nok")
        await writer.drain()

    async with serving(handler) as url, client() as http:
        response = await http.post(
            f"{url}/v4/x/get?usersig=a%2Ab&random=7", json={"k": "v"}, headers={"X-Test": "1"}
        )
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response.headers["x-seen"] == "yes"
    (request,) = received
    head, _, body = request.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /v4/x/get?usersig=a%2Ab&random=7 HTTP/1.1\r\n")
    assert b"\r\nx-test: 1" in head.lower()
    assert b"\r\ncontent-type: application/json" in head.lower()
    assert body == b'{"k":"v"}'


async def test_connections_are_reused() -> None:
    connections = 0
    inner = answer(b"{}")

    async def counting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await inner(reader, writer)

    async with serving(counting) as url, client() as http:
        for _ in range(5):
            assert (await http.post(f"{url}/a", content=b"{}")).content == b"{}"
    assert connections == 1


async def test_a_gzip_answer_is_decoded_by_httpx_and_streams() -> None:
    body = gzip.compress(JSON_ANSWER)
    async with serving(answer(body, b"Content-Encoding: gzip")) as url, client() as http:
        request = http.build_request("POST", f"{url}/a", content=b"{}")
        response = await http.send(request, stream=True)
        try:
            raw_bytes = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        assert raw_bytes == body  # still encoded: a size cap can count what it inflates
        decoded = await http.post(f"{url}/a", content=b"{}")
    assert decoded.content == JSON_ANSWER


async def test_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        async with client() as http:
            with pytest.raises(httpx.ConnectError):
                await http.post(f"http://127.0.0.1:{port}/a", content=b"{}")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (b"", httpx.TransportError),  # closed without a word
        (b"NOT HTTP AT ALL\r\n\r\n", httpx.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", httpx.TransportError),
    ],
    ids=["closed", "garbage", "cut-short"],
)
async def test_broken_answers_are_httpx_errors(
    reply: bytes, expected: type[httpx.TransportError]
) -> None:
    async with serving(raw(reply)) as url, client() as http:
        with pytest.raises(expected):
            await http.post(f"{url}/a", content=b"{}")


async def test_silence_is_a_read_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(30)

    async with serving(silent) as url, client(read=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post(f"{url}/a", content=b"{}")


async def test_the_client_turns_every_network_fault_into_a_transport_error() -> None:
    target = AppTarget(1400000001, "singapore", "administrator", Secret("k" * 20))
    policy = RetryPolicy(attempts=2, initial_wait=0.0, jitter=0.0)
    async with (
        serving(raw(b"NOT HTTP\r\n\r\n")) as url,
        TencentClient(endpoint=url, retry=policy) as tencent,
    ):
        with pytest.raises(TransportError) as caught:
            await tencent.call(target, Family.V4, "v4/call_config/get_callback", {})
    assert "network error" in str(caught.value)
    assert "usersig=" not in str(caught.value).replace("usersig=(sensitive)", "")


async def test_the_client_reads_answers_through_aiohttp() -> None:
    target = AppTarget(1400000001, "singapore", "administrator", Secret("k" * 20))
    async with serving(answer(JSON_ANSWER)) as url, TencentClient(endpoint=url) as tencent:
        assert isinstance(tencent._transport, AiohttpTransport)
        result = await tencent.call(target, Family.V4, "v4/call_config/get_callback", {})
    assert result.request_id == "r1"


@pytest.mark.parametrize("scheme", ["https", "HTTPS"])
async def test_an_https_url_is_verified_whatever_went_plain_before(scheme: str) -> None:
    """Only ``http://`` gets the session without a TLS context (no CA bundle loaded for
    the emulator); an https URL on the same transport is still verified: a certificate
    from an unknown CA is refused and nothing is sent."""
    transport = AiohttpTransport(max_connections=4)
    try:
        async with serving(answer(JSON_ANSWER)) as plain:
            answered = await transport.post_bounded(
                plain + "/v4/x", b"{}", [], timeouts={}, deadline=5, max_bytes=1024, what="x"
            )
            assert answered.status_code == 200
        with https_receiver(trustme.CA(), status=200) as receiver:
            secure = receiver.url.replace("https", scheme, 1)
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await transport.post_bounded(
                    secure, b"{}", [], timeouts={}, deadline=5, max_bytes=1024, what="x"
                )
    finally:
        await transport.aclose()
    assert receiver.requests == []
