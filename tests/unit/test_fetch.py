"""Fetching live state: every failed required read is listed; probes only warn."""

from __future__ import annotations

import httpx
import pytest

from reconciler.fetch import FetchError, LiveSnapshot, Read, fetch_live
from tests.api.scripted import Scripted, v1, v4
from tests.plan.factories import SG, US, cb, fast_client, target, tok

LIVE = cb("https://h.example/live", "Live.CallbackAfterCreateRoom")


def route(failing: dict[tuple[int, str], dict[str, object]]) -> Scripted:
    """Answers by (sdkappid, path): a failure from ``failing``, else a fixed live state."""

    def answer(request: httpx.Request) -> httpx.Response:
        key = (int(request.url.params["sdkappid"]), request.url.path)
        if key in failing:
            return httpx.Response(200, json=failing[key])
        path = request.url.path
        if path == "/v4/live_config/get_callback":
            body = v4(response={"Url": LIVE.url, "CallbackCommandList": sorted(LIVE.events)})
        elif path == "/v4/live_config/get_callback_token":
            body = v4(response={"Token": "t0k", "IsTokenEnable": True})
        elif path == "/v1/callback/get":
            body = v1(data={})
        else:
            body = v4(100301, "config not exist")
        return httpx.Response(200, json=body)

    return Scripted(answer)


def read(sdkappid: int, product: str, required: bool = True) -> Read:
    name = {SG: "prod-sg", US: "staging-us"}[sdkappid]
    return Read(target(sdkappid), name, product, required)


async def test_snapshot_of_present_and_absent() -> None:
    script = route({})
    reads = [read(SG, "live"), read(SG, "live_token"), read(SG, "call"), read(US, "call_legacy")]
    calls = 0

    def done() -> None:
        nonlocal calls
        calls += 1

    async with fast_client(script) as client:
        snap = await fetch_live(client, reads, on_done=done)
    assert snap.configs == {
        (SG, "live"): LIVE,
        (SG, "live_token"): tok("t0k", True),
        (SG, "call"): None,
        (US, "call_legacy"): None,
    }
    assert snap.warnings == ()
    assert calls == 4
    assert snap.get(SG, "live") == LIVE
    assert snap.get(US, "live") is None
    assert (SG, "call") in snap.configs and (US, "live") not in snap.configs


async def test_every_failed_required_read_is_listed() -> None:
    script = route(
        {
            (SG, "/v4/call_config/get_callback"): v4(70009, "sig check failed", rid="r1"),
            (US, "/v1/callback/get"): v1(60006, "invalid sdkappid", rid="r2"),
            (US, "/v4/room_config/get_callback"): v4(60006, "bad app"),
        }
    )
    reads = [
        read(SG, "call"),
        read(SG, "live"),
        read(US, "call_legacy"),
        read(US, "conference", required=False),
    ]
    calls = 0

    def done() -> None:
        nonlocal calls
        calls += 1

    async with fast_client(script) as client:
        with pytest.raises(FetchError) as caught:
            await fetch_live(client, reads, on_done=done)
    message = str(caught.value)
    lines = message.splitlines()
    assert lines[0] == "could not read the live state of 2 resource(s); nothing was changed:"
    assert lines[1].startswith("  prod-sg (1400000001) call: v4/call_config/get_callback")
    assert "ErrorCode 70009" in lines[1] and "RequestId r1" in lines[1]
    assert lines[2].startswith("  staging-us (1400000002) call_legacy: v1/callback/get")
    assert "ErrorCode 60006" in lines[2] and "RequestId r2" in lines[2]
    assert len(lines) == 3  # the probe failure is not an error
    assert calls == 4  # every read ran, failures included


async def test_probe_failures_become_warnings() -> None:
    script = route({(US, "/v4/room_config/get_callback"): v4(60006, "bad app", rid="r3")})
    async with fast_client(script) as client:
        snap = await fetch_live(client, [read(SG, "live"), read(US, "conference", False)])
    assert snap.configs == {(SG, "live"): LIVE}
    (warning,) = snap.warnings
    assert warning.startswith(
        "could not check staging-us (1400000002) conference for unmanaged configuration: "
    )
    assert "ErrorCode 60006" in warning


async def test_an_unreadable_apps_probe_failures_are_not_repeated_as_warnings() -> None:
    """A wrong key fails every read of its app: the required one is reported (the app
    is left out), and its probes add no warning that says the same again."""
    failing = {
        (SG, "/v4/call_config/get_callback"): v4(70009, "sig check failed", rid="r1"),
        (SG, "/v4/room_config/get_callback"): v4(70009, "sig check failed", rid="r2"),
        (US, "/v4/room_config/get_callback"): v4(60006, "bad app", rid="r3"),
    }
    reads = [read(SG, "call"), read(SG, "conference", False), read(US, "conference", False)]
    async with fast_client(route(failing)) as client:
        snap = await fetch_live(client, reads, partial=True)
    assert [f.resource.sdkappid for f in snap.failures] == [SG]
    (warning,) = snap.warnings  # the readable app's probe still warns
    assert warning.startswith("could not check staging-us (1400000002) conference")


async def test_malformed_answer_is_a_failure_too() -> None:
    script = Scripted(httpx.Response(200, text="<html>proxy</html>"))
    async with fast_client(script) as client:
        with pytest.raises(FetchError, match="not JSON"):
            await fetch_live(client, [read(SG, "call")])


async def test_no_reads() -> None:
    script = route({})
    async with fast_client(script) as client:
        assert await fetch_live(client, []) == LiveSnapshot({})
    assert script.requests == []


async def test_reads_go_out_in_rounds_and_results_keep_their_order() -> None:
    """Each app's first read, then each app's second: the reads in flight are of
    different apps, so no app's rate limit makes them wait. Failures are still
    listed in the order of the reads."""
    apps = [1400000101, 1400000102, 1400000103]
    products = ["call", "live", "conference"]
    failing = {(a, "/v4/room_config/get_callback"): v4(60006, "bad app") for a in apps}
    script = route(failing)
    reads = [Read(target(a), f"app-{a}", p) for a in apps for p in products]
    async with fast_client(script) as client:
        snap = await fetch_live(client, reads, partial=True)
    sent = [(int(r.url.params["sdkappid"]), r.url.path.split("/")[2]) for r in script.requests]
    assert sent == [
        (a, service) for service in ("call_config", "live_config", "room_config") for a in apps
    ]
    assert [f.resource.sdkappid for f in snap.failures] == apps
    assert set(snap.configs) == {(a, p) for a in apps for p in ("call", "live")}
