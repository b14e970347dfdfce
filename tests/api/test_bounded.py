"""The hard deadline and the size cap of one request (reconciler/api/bounded.py), against
the hostile servers of tests/hostile.py on loopback."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from reconciler.api.bounded import AnswerTimeout, AnswerTooLarge, send_bounded
from reconciler.api.client import TencentClient
from reconciler.api.retry import RetryPolicy
from reconciler.errors import MalformedResponseError, TransportError
from reconciler.products.catalog import Family
from tests.hostile import hostile_server
from tests.plan.factories import target

NO_WAIT = RetryPolicy(attempts=2, initial_wait=0, max_wait=0, jitter=0)


async def read_once(url: str, timeout: float = 0.5) -> None:
    async with TencentClient(endpoint=url, timeout=timeout, retry=NO_WAIT) as client:
        await client.call(target(), Family.V4, "v4/live_config/get_callback", {})


@pytest.mark.parametrize("case", ["drip-headers", "drip-body"])
async def test_a_drip_meets_the_deadline_and_is_not_retried(case: str) -> None:
    served: list[str] = []
    with hostile_server(case, served) as url, pytest.raises(AnswerTimeout) as caught:
        await read_once(url)
    assert caught.value.retryable is False
    assert "no complete answer within 0.5 s" in str(caught.value)
    assert len(served) == 1


async def test_silence_is_retried_like_any_timeout() -> None:
    served: list[str] = []
    with hostile_server("silent", served) as url, pytest.raises(TransportError) as caught:
        await read_once(url)
    assert "no answer within the timeout" in str(caught.value)
    assert len(served) == 2  # both attempts of NO_WAIT


@pytest.mark.parametrize("case", ["gzip-bomb", "huge-body", "huge-error-info", "many-events"])
async def test_answers_past_the_cap_stop_there(case: str) -> None:
    served: list[str] = []
    with hostile_server(case, served) as url, pytest.raises(AnswerTooLarge) as caught:
        await read_once(url, timeout=30)
    assert "larger than 1,048,576 bytes (after decompression)" in str(caught.value)
    assert len(served) == 1  # too large is not retried


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), 7):  # small raw chunks
            yield self.body[start : start + 7]


class answering(httpx.AsyncBaseTransport):
    """A transport streaming ``body`` raw, as a network transport does (MockTransport
    would read and decode it first)."""

    def __init__(self, body: bytes, encoding: str) -> None:
        self.body, self.encoding = body, encoding

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-encoding": self.encoding}, stream=_Chunks(self.body)
        )


async def send(transport: httpx.AsyncBaseTransport, max_bytes: int = 100) -> bytes:
    request = httpx.Request("POST", "http://127.0.0.1:1/x")
    answer = await send_bounded(transport, request, deadline=5, max_bytes=max_bytes)
    await transport.aclose()
    return answer.content


async def test_gzip_is_inflated_up_to_the_cap() -> None:
    assert await send(answering(gzip.compress(b"x" * 100), "gzip")) == b"x" * 100
    with pytest.raises(AnswerTooLarge):
        await send(answering(gzip.compress(b"x" * 101), "gzip"))


async def test_deflate_zlib_and_raw_are_inflated() -> None:
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_body = raw.compress(b"y" * 50) + raw.flush()
    assert await send(answering(zlib.compress(b"y" * 50), "deflate")) == b"y" * 50
    assert await send(answering(raw_body, "deflate")) == b"y" * 50


async def test_an_unknown_or_broken_encoding_is_malformed() -> None:
    with pytest.raises(MalformedResponseError, match="Content-Encoding 'br'"):
        await send(answering(b"xx", "br"))
    with pytest.raises(MalformedResponseError, match="not valid gzip data"):
        await send(answering(b"not gzip at all", "gzip"))


async def test_a_large_compressible_answer_is_read_whole_up_to_the_cap() -> None:
    # past the small size (16 KiB) the read takes a large-answer slot, and the
    # decompressor is drained at the end: nothing it still held is lost
    big = b"z" * 200_000
    assert await send(answering(gzip.compress(big), "gzip"), max_bytes=200_000) == big
    with pytest.raises(AnswerTooLarge):
        await send(answering(gzip.compress(big + b"z"), "gzip"), max_bytes=200_000)
