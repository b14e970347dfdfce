from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

import httpx
import pytest

from reconciler.api.client import AppTarget, TencentClient
from reconciler.api.retry import RetryPolicy
from reconciler.api.usersig import UserSigCache
from reconciler.errors import ApiError, MalformedResponseError, TransportError
from reconciler.facts.families import Family
from reconciler.secret import Secret
from tests.api.scripted import Scripted, v1, v4

KEY = "test-secret-key-do-not-leak"
TARGET = AppTarget(1400000001, "singapore", "administrator", Secret(KEY))


def client_for(script: Scripted, **kwargs: object) -> TencentClient:
    return TencentClient(transport=script.transport, **kwargs)  # type: ignore[arg-type]


async def test_request_shape_and_answer() -> None:
    script = Scripted(v4(response={"Url": "https://a.example", "CallbackCommandList": []}))
    async with client_for(script) as client:
        answer = await client.call(TARGET, Family.V4, "v4/call_config/get_callback", {})
    assert answer.data == {"Url": "https://a.example", "CallbackCommandList": []}
    assert answer.request_id == "rid-1"
    (request,) = script.requests
    assert request.method == "POST"
    assert request.url.host == "adminapisgp.im.qcloud.com"
    assert request.url.scheme == "https"
    assert request.url.path == "/v4/call_config/get_callback"
    params = request.url.params
    assert params["sdkappid"] == "1400000001"
    assert params["identifier"] == "administrator"
    assert params["contenttype"] == "json"
    assert 0 <= int(params["random"]) < 2**32
    assert params["usersig"]
    assert request.content == b"{}"  # never an empty body


@pytest.mark.parametrize(
    ("region", "family", "host"),
    [
        ("china", Family.V4, "console.tim.qq.com"),
        ("usa", Family.V4, "adminapiusa.im.qcloud.com"),
        ("china", Family.V1, "callkit.trtc.tencent-cloud.com"),
        ("singapore", Family.V1, "callkit-intl.trtc.tencent-cloud.com"),
    ],
)
async def test_region_hosts(region: str, family: Family, host: str) -> None:
    script = Scripted(v4() if family is Family.V4 else v1())
    target = AppTarget(1, region, "administrator", Secret(KEY))
    async with client_for(script) as client:
        await client.call(target, family, "x/y", {})
    assert script.requests[0].url.host == host


async def test_endpoint_override_keeps_paths() -> None:
    script = Scripted(v1())
    async with client_for(script, endpoint="http://127.0.0.1:9999/base/") as client:
        await client.call(TARGET, Family.V1, "v1/callback/get", {})
    url = script.requests[0].url
    assert (url.scheme, url.host, url.port, url.path) == (
        "http",
        "127.0.0.1",
        9999,
        "/base/v1/callback/get",
    )


@pytest.mark.looptime
async def test_transient_code_retried_with_backoff() -> None:
    script = Scripted(v4(100001, "internal"), v4(60011, "rate"), v4())
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with client_for(script) as client:
        await client.call(TARGET, Family.V4, "v4/live_config/get_callback", {})
    assert len(script.requests) == 3
    waited = loop.time() - start
    # waits: 0.5 s then 1 s, each plus up to 0.5 s of jitter
    assert 1.5 <= waited <= 2.5


@pytest.mark.looptime
async def test_retries_are_bounded_and_error_carries_details() -> None:
    script = Scripted(v4(100001, "server busy", rid="req-77"))
    async with client_for(script, retry=RetryPolicy(attempts=4)) as client:
        with pytest.raises(ApiError) as caught:
            await client.call(TARGET, Family.V4, "v4/live_config/get_callback", {})
    assert len(script.requests) == 4
    err = caught.value
    assert (err.code, err.info, err.request_id) == (100001, "server busy", "req-77")
    assert "req-77" in str(err) and "retry later" in str(err)


@pytest.mark.parametrize("code", [100002, 60010, 70009, 100300, 100301, 60026])
async def test_final_codes_not_retried(code: int) -> None:
    script = Scripted(v4(code, "nope"), v4())
    async with client_for(script) as client:
        with pytest.raises(ApiError) as caught:
            await client.call(TARGET, Family.V4, "v4/live_config/set_callback", {"Url": "x"})
    assert len(script.requests) == 1
    assert caught.value.code == code


@pytest.mark.looptime
async def test_http_5xx_and_network_errors_retried() -> None:
    script = Scripted(
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.ConnectError("connection refused"),
        v4(),
    )
    async with client_for(script) as client:
        await client.call(TARGET, Family.V4, "v4/call_config/get_callback", {})
    assert len(script.requests) == 3


@pytest.mark.looptime
async def test_timeouts_end_in_transport_error_without_usersig() -> None:
    script = Scripted(httpx.ReadTimeout("timed out"))
    async with client_for(script, retry=RetryPolicy(attempts=2)) as client:
        with pytest.raises(TransportError) as caught:
            await client.call(TARGET, Family.V4, "v4/call_config/get_callback", {})
    assert len(script.requests) == 2
    assert "usersig" not in str(caught.value).lower()
    assert "timeout" in str(caught.value)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json=["a", "list"]),
        httpx.Response(200, json={"ActionStatus": "OK"}),
        httpx.Response(200, json={"ErrorCode": "0"}),
        httpx.Response(404, text="not found"),
    ],
)
async def test_malformed_answers_are_clear_errors(response: httpx.Response) -> None:
    script = Scripted(response)
    async with client_for(script) as client:
        with pytest.raises(MalformedResponseError) as caught:
            await client.call(TARGET, Family.V4, "v4/call_config/get_callback", {})
    assert "v4/call_config/get_callback" in str(caught.value)
    assert len(script.requests) == 1


def counting_signer() -> tuple[list[int], Callable[[int, str, Secret, int], Secret]]:
    calls: list[int] = []

    def signer(sdkappid: int, identifier: str, key: Secret, lifetime: int) -> Secret:
        calls.append(sdkappid)
        return Secret(f"sig-{len(calls)}")

    return calls, signer


async def test_expired_usersig_renewed_and_retried_once() -> None:
    calls, signer = counting_signer()
    script = Scripted(v4(70001, "UserSig expired"), v4())
    async with client_for(script, usersigs=UserSigCache(signer=signer)) as client:
        await client.call(TARGET, Family.V4, "v4/call_config/get_callback", {})
    assert [r.url.params["usersig"] for r in script.requests] == ["sig-1", "sig-2"]
    assert len(calls) == 2


async def test_expired_twice_is_an_error() -> None:
    _, signer = counting_signer()
    script = Scripted(v4(70001, "UserSig expired"))
    async with client_for(script, usersigs=UserSigCache(signer=signer)) as client:
        with pytest.raises(ApiError) as caught:
            await client.call(TARGET, Family.V4, "v4/call_config/get_callback", {})
    assert len(script.requests) == 2
    assert "clock" in str(caught.value)


def test_usersig_cache_reuses_then_renews_before_expiry() -> None:
    now = [1000.0]
    calls, signer = counting_signer()
    cache = UserSigCache(lifetime=100, renew_before=20, clock=lambda: now[0], signer=signer)
    first = cache.get(1, "admin", Secret(KEY))
    now[0] += 79
    assert cache.get(1, "admin", Secret(KEY)) == first
    assert cache.get(2, "admin", Secret(KEY)) != first  # per app
    now[0] += 1  # 80 s old: within 20 s of expiry
    assert cache.get(1, "admin", Secret(KEY)) != first
    assert calls == [1, 2, 1]


def test_real_signer_makes_a_verifiable_looking_sig() -> None:
    sig = UserSigCache().get(1400000001, "administrator", Secret(KEY))
    assert sig.reveal() and "sensitive" in repr(sig) and sig.reveal() not in str(sig)


@pytest.mark.looptime
async def test_rate_limit_keeps_each_app_under_tencents_limit() -> None:
    loop = asyncio.get_running_loop()
    times: dict[str, list[float]] = {}

    def record(request: httpx.Request) -> httpx.Response:
        times.setdefault(request.url.params["sdkappid"], []).append(loop.time())
        return httpx.Response(200, json=v1())

    script = Scripted(record)
    targets = [AppTarget(i, "singapore", "administrator", Secret(KEY)) for i in (1, 2)]
    async with client_for(script) as client:
        await asyncio.gather(
            *(client.call(t, Family.V1, "v1/callback/get", {}) for t in targets for _ in range(40))
        )
    for stamps in times.values():
        assert len(stamps) == 40
        # never more than Tencent's 10 requests in any 1 s window
        for i, start in enumerate(stamps):
            assert sum(1 for s in stamps[i:] if s < start + 1.0) <= 10
    # apps do not wait for each other: both finish within the same few seconds
    assert abs(times["1"][-1] - times["2"][-1]) < 0.5


async def test_in_flight_bound() -> None:
    active = 0
    peak = 0
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await release.wait()
        active -= 1
        return httpx.Response(200, json=v4())

    class SlowTransport(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return await slow(request)

    targets = [AppTarget(i, "singapore", "administrator", Secret(KEY)) for i in range(20)]
    async with TencentClient(transport=SlowTransport(), max_in_flight=3) as client:
        tasks = [
            asyncio.create_task(client.call(t, Family.V4, "v4/call_config/get_callback", {}))
            for t in targets
        ]
        for _ in range(50):
            await asyncio.sleep(0)
        assert peak == 3
        release.set()
        await asyncio.gather(*tasks)
    assert peak == 3


async def test_usersig_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    script = Scripted(v4(100002, "bad"))
    caplog.set_level(logging.DEBUG)
    async with client_for(script) as client:
        with pytest.raises(ApiError) as caught:
            await client.call(TARGET, Family.V4, "v4/call_config/set_callback", {})
    sig = script.requests[0].url.params["usersig"]
    assert "v4/call_config/set_callback?" in caplog.text  # the request line was logged...
    assert "usersig=(sensitive)" in caplog.text
    assert sig not in caplog.text  # ...without the UserSig
    assert sig not in str(caught.value) and sig not in repr(caught.value)
    assert KEY not in caplog.text and KEY not in repr(TARGET)


def test_documented_v1_sample_parsed() -> None:
    from reconciler.api.envelope import parse_answer

    body = (
        b'{"errorCode":0,"errorMessage":"Success","requestId":"e6a5b3c0",'
        b'"data":{"actions":["normal_end","call_busy"],"address":"https://example.com/cb"}}'
    )
    answer = parse_answer(Family.V1, 200, body, command="v1/callback/get", sdkappid=1)
    assert answer.data["address"] == "https://example.com/cb"
    assert answer.request_id == "e6a5b3c0"


@pytest.mark.parametrize(
    "path", ["v4/live_config/set_callback", "v1/callback/delete", "v4/live_config/update_callback"]
)
async def test_read_only_client_refuses_writes_before_sending(path: str) -> None:
    from reconciler.api.client import ReadOnlyViolation

    script = Scripted(v4())
    async with client_for(script, read_only=True) as client:
        with pytest.raises(ReadOnlyViolation):
            await client.call(TARGET, Family.V4, path, {})
        await client.call(TARGET, Family.V4, "v4/live_config/get_callback_token", {})
    assert script.paths() == ["/v4/live_config/get_callback_token"]


def echo_everything(request: httpx.Request) -> httpx.Response:
    """A server that puts the whole request (URL with UserSig, body with token) in ErrorInfo."""
    echoed = f"bad request {request.url} {request.content.decode()} key={KEY}"
    return httpx.Response(200, json=v4(90001, echoed))


def echo_bare_in_every_field(request: httpx.Request) -> httpx.Response:
    """The UserSig quoted bare (no ``usersig=``) in ErrorInfo and in RequestId."""
    sig = request.url.params["usersig"]
    token = json.loads(request.content)["Token"]
    return httpx.Response(200, json=v4(90001, f"sig {sig} token {token} {KEY}", rid=sig))


def echo_as_html(request: httpx.Request) -> httpx.Response:
    """A proxy that answers a page quoting the request, not JSON."""
    return httpx.Response(200, text=f"<p>{request.content.decode()} {request.url.params}</p>")


def echo_bare_sig_as_html(request: httpx.Request) -> httpx.Response:
    """A page quoting the UserSig bare, after enough text that a cut would split it."""
    sig = request.url.params["usersig"]
    return httpx.Response(200, text=f"<p>{'x' * 40} {sig}</p>")


def echo_percent_encoded(request: httpx.Request) -> httpx.Response:
    """ErrorInfo quoting the query string as sent: the UserSig percent-encoded."""
    return httpx.Response(
        200, json=v4(90001, f"query {request.url.query.decode()}".replace("usersig=", "sig:"))
    )


@pytest.mark.parametrize(
    "reply",
    [
        echo_everything,
        echo_bare_in_every_field,
        echo_as_html,
        echo_bare_sig_as_html,
        echo_percent_encoded,
    ],
)
async def test_secrets_echoed_by_the_server_never_reach_the_error(
    reply: Callable[[httpx.Request], httpx.Response],
) -> None:
    token = "live-token-abcdef-0123456789"
    script = Scripted(reply)
    body = {"Token": Secret(token), "IsTokenEnable": True}
    async with client_for(script) as client:
        with pytest.raises((ApiError, MalformedResponseError)) as caught:
            await client.call(TARGET, Family.V4, "v4/live_config/set_callback_token", body)
    (request,) = script.requests
    assert json.loads(request.content) == {"Token": token, "IsTokenEnable": True}  # sent as is
    sig = request.url.params["usersig"]
    shown = f"{caught.value} {caught.value!r} {getattr(caught.value, 'info', '')}"
    for secret in (token, sig, KEY):
        assert secret not in shown
        assert secret[:20] not in shown  # not even a part of it
    assert "(sensitive)" in shown


async def test_a_short_token_quoted_back_withholds_the_whole_message() -> None:
    """Replacing a 1-character token inside words would show it: withhold the text."""
    script = Scripted(v4(90001, "Token a is invalid"))
    body = {"Token": Secret("a"), "IsTokenEnable": True}
    async with client_for(script) as client:
        with pytest.raises(ApiError) as caught:
            await client.call(TARGET, Family.V4, "v4/live_config/set_callback_token", body)
    assert caught.value.info == "(withheld: it quoted a secret value of the request)"


async def test_cookies_set_by_an_answer_are_never_sent_back() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=v4(), headers={"Set-Cookie": "session=abc; Path=/"})

    async with TencentClient(transport=httpx.MockTransport(handler)) as client:
        for _ in range(2):
            await client.call(TARGET, Family.V4, "v4/call_config/get_callback", {})
    assert [r.headers.get("cookie") for r in seen] == [None, None]
