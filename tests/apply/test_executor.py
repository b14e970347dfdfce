"""The apply executor on a scripted wire: applied, stale, failed, unverified."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reconciler.api.client import TencentClient
from reconciler.api.limits import RateLimits
from reconciler.api.retry import RetryPolicy
from reconciler.apply.executor import (
    ApplyItem,
    ChangeResult,
    Outcome,
    apply_all,
    apply_one,
    recheck_written,
)
from reconciler.configs import CallbackConfig, Config
from reconciler.errors import ReconcilerError
from reconciler.facts.families import Family
from reconciler.plan.change import Action, Change
from tests.api.scripted import Scripted, v1, v4
from tests.plan.factories import SG, US, cb, fast_client, res, target, tok

CALL = cb(
    "https://hooks.example.com/trtc/call",
    "Call.CallbackAfterStartCall",
    "Call.CallbackAfterEndCall",
)
OLD = cb("https://old.example.com/cb", "Call.CallbackAfterEndCall")


def get_answer(config: CallbackConfig) -> dict[str, Any]:
    return v4(response={"Url": config.url, "CallbackCommandList": sorted(config.events)})


def always(_: Config | None) -> bool:
    return True


def item(change: Change, is_current: Callable[[Config | None], bool] = always) -> ApplyItem:
    return ApplyItem(change, target(change.resource.sdkappid), is_current)


async def run_one(script: Scripted, it: ApplyItem) -> ChangeResult:
    async with fast_client(script) as client:
        return await apply_one(client, it)


async def test_create_applied_and_verified() -> None:
    script = Scripted(v4(100301, "config not exist"), v4(rid="set-rid"), get_answer(CALL))
    result = await run_one(script, item(Change(res("call"), Action.CREATE, None, CALL)))
    assert result.outcome is Outcome.APPLIED and result.ok
    # the RequestId of the write itself, not of the reads around it
    assert (result.message, result.error_code, result.request_id) == ("", None, "set-rid")
    assert script.paths() == [
        "/v4/call_config/get_callback",
        "/v4/call_config/set_callback",
        "/v4/call_config/get_callback",
    ]
    assert script.bodies()[1] == {
        "Url": "https://hooks.example.com/trtc/call",
        "CallbackCommandList": ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
    }


async def test_update_uses_live_before_and_update_path() -> None:
    live = cb("https://console-edit.example/cb", "Live.CallbackAfterCreateRoom")
    after = cb("https://h.example/live", "Live.CallbackAfterDestroyRoom")
    script = Scripted(get_answer(live), v4(), get_answer(after))
    result = await run_one(script, item(Change(res("live"), Action.UPDATE, None, after)))
    assert result.outcome is Outcome.APPLIED
    assert result.change.before == live  # what was really there
    assert script.paths()[1] == "/v4/live_config/update_callback"


async def test_delete_applied_when_read_back_absent() -> None:
    script = Scripted(get_answer(OLD), v4(), v4(100301, "config not exist"))
    result = await run_one(script, item(Change(res("conference"), Action.DELETE, OLD, None)))
    assert result.outcome is Outcome.APPLIED
    assert script.paths() == [
        "/v4/room_config/get_callback",
        "/v4/room_config/delete_callback",
        "/v4/room_config/get_callback",
    ]


async def test_token_update_applied() -> None:
    live = v4(response={"Token": "old-token", "IsTokenEnable": True})
    new = v4(response={"Token": "new-token", "IsTokenEnable": False})
    script = Scripted(live, v4(), new)
    change = Change(res("live_token"), Action.UPDATE, None, tok("new-token", enabled=False))
    result = await run_one(script, item(change))
    assert result.outcome is Outcome.APPLIED
    assert script.bodies()[1] == {"Token": "new-token", "IsTokenEnable": False}
    assert result.change.public_after() == {
        "token": "(sensitive value changed)",
        "enabled": False,
    }


async def test_stale_sends_no_write() -> None:
    seen: list[Config | None] = []

    def is_current(live: Config | None) -> bool:
        seen.append(live)
        return False

    script = Scripted(get_answer(OLD))
    result = await run_one(script, item(Change(res("call"), Action.UPDATE, OLD, CALL), is_current))
    assert result.outcome is Outcome.STALE and not result.ok
    assert "Plan again" in result.message
    assert script.paths() == ["/v4/call_config/get_callback"]
    assert seen == [OLD]


async def test_failed_write_captures_error_code_info_and_request_id() -> None:
    script = Scripted(
        v4(100301, "config not exist"),
        v4(100002, "invalid parameter: CallbackCommandList", rid="req-4711"),
    )
    result = await run_one(script, item(Change(res("call"), Action.CREATE, None, CALL)))
    assert result.outcome is Outcome.FAILED
    assert result.error_code == 100002
    assert result.error_info == "invalid parameter: CallbackCommandList"
    assert result.request_id == "req-4711"
    assert "ErrorCode 100002" in result.message
    assert "unknown event word, or a bad URL" in result.message  # the hint
    assert len(script.requests) == 2  # no read-back after a failed write


async def test_failed_v1_write_gets_v1_meaning_of_70001() -> None:
    legacy = cb("ftp-ish://x", "normal_end")
    script = Scripted(
        v1(data={}),
        v1(70001, "callback address must start with http or https", data="", rid="v1-rid"),
    )
    result = await run_one(script, item(Change(res("call_legacy"), Action.CREATE, None, legacy)))
    assert result.outcome is Outcome.FAILED
    assert (result.error_code, result.request_id) == (70001, "v1-rid")
    assert result.error_info == "callback address must start with http or https"
    assert "the callback address must start with http:// or https://" in result.message
    assert script.paths()[0] == "/v1/callback/get"


async def test_failed_read_is_failed_without_write() -> None:
    script = Scripted(v4(70009, "sig check failed", rid="r9"))
    result = await run_one(script, item(Change(res("call"), Action.CREATE, None, CALL)))
    assert result.outcome is Outcome.FAILED
    assert (result.error_code, result.request_id) == (70009, "r9")
    assert script.paths() == ["/v4/call_config/get_callback"]


async def test_no_answer_to_a_write_is_unknown_not_failed() -> None:
    script = Scripted(v4(100301, "none"), httpx.Response(502, text="bad gateway"))
    result = await run_one(script, item(Change(res("call"), Action.CREATE, None, CALL)))
    assert result.outcome is Outcome.UNKNOWN
    assert result.error_code is None and result.request_id is None
    assert "HTTP 502" in result.message and "may or may not have been applied" in result.message


async def test_no_answer_to_the_first_read_is_failed_nothing_written() -> None:
    script = Scripted(httpx.Response(502, text="bad gateway"))
    result = await run_one(script, item(Change(res("call"), Action.CREATE, None, CALL)))
    assert result.outcome is Outcome.FAILED
    assert script.paths() == ["/v4/call_config/get_callback"]


async def test_read_back_failure_after_a_write_is_unverified_with_its_request_id() -> None:
    script = Scripted(v4(100301, "none"), v4(rid="set-rid"), v4(70398, "busy", rid="get-rid"))
    result = await run_one(script, item(Change(res("call"), Action.CREATE, None, CALL)))
    assert result.outcome is Outcome.UNVERIFIED and not result.ok
    assert result.message.startswith("written, but reading it back failed: ")
    assert (result.error_code, result.request_id) == (70398, "set-rid")


async def test_before_write_runs_after_the_stale_check_and_before_the_write() -> None:
    script = Scripted(get_answer(OLD), v4(rid="set-rid"), get_answer(CALL))
    seen: list[tuple[int, Config | None]] = []

    async def before_write(change: Change) -> None:
        seen.append((len(script.requests), change.before))

    async with fast_client(script) as client:
        result = await apply_one(
            client, item(Change(res("call"), Action.UPDATE, None, CALL)), before_write=before_write
        )
    assert result.outcome is Outcome.APPLIED
    assert seen == [(1, OLD)]  # one read done, nothing written yet; before = live


async def test_a_refusing_before_write_sends_nothing() -> None:
    script = Scripted(get_answer(OLD), v4())

    async def before_write(change: Change) -> None:
        raise ReconcilerError("not written: audit log full")

    async with fast_client(script) as client:
        result = await apply_one(
            client, item(Change(res("call"), Action.UPDATE, OLD, CALL)), before_write=before_write
        )
    assert result.outcome is Outcome.FAILED and "audit log full" in result.message
    assert script.paths() == ["/v4/call_config/get_callback"]


async def test_cancelled_during_the_write_reports_unknown_then_propagates() -> None:
    started = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("set_callback"):
            started.set()
            await asyncio.sleep(3600)
        return httpx.Response(200, json=v4(100301, "none"))

    reported: list[ChangeResult] = []
    async with TencentClient(
        transport=httpx.MockTransport(hang),
        rate_limits=RateLimits({Family.V1: 1e9, Family.V4: 1e9}),
        retry=RetryPolicy(attempts=1),
    ) as client:
        task = asyncio.create_task(
            apply_all(
                client,
                [item(Change(res("call"), Action.CREATE, None, CALL))],
                on_result=reported.append,
            )
        )
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [(r.outcome, r.change.resource) for r in reported] == [(Outcome.UNKNOWN, res("call"))]
    assert "may or may not have been applied" in reported[0].message


async def test_recheck_finds_what_another_writer_changed() -> None:
    other = cb("https://other-writer.example/cb", "Call.CallbackAfterEndCall")
    mine = item(Change(res("call"), Action.UPDATE, OLD, CALL))
    theirs = item(Change(res("call", US), Action.UPDATE, OLD, CALL))
    gone = item(Change(res("live"), Action.DELETE, OLD, None))
    results = [
        ChangeResult(mine.change, Outcome.APPLIED, request_id="r1"),
        ChangeResult(theirs.change, Outcome.APPLIED, request_id="r2"),
        ChangeResult(gone.change, Outcome.APPLIED, request_id="r3"),
    ]

    def route(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("get_callback")  # the recheck only reads
        if request.url.path.startswith("/v4/live_config"):
            return httpx.Response(200, json=v4(100301, "none"))
        if int(request.url.params["sdkappid"]) == US:
            return httpx.Response(200, json=get_answer(other))
        return httpx.Response(200, json=get_answer(CALL))

    script = Scripted(route)
    async with fast_client(script) as client:
        checked = await recheck_written(client, [mine, theirs, gone], results)
    assert [r.outcome for r in checked] == [Outcome.APPLIED, Outcome.OVERWRITTEN, Outcome.APPLIED]
    assert checked[1].message.startswith("changed by another writer during the apply")
    assert checked[1].request_id == "r2"
    assert len(script.requests) == 3


async def test_recheck_leaves_failures_alone_and_survives_a_failed_read() -> None:
    mine = item(Change(res("call"), Action.UPDATE, OLD, CALL))
    results = [ChangeResult(mine.change, Outcome.APPLIED)]
    script = Scripted(httpx.Response(502, text="bad gateway"))
    async with fast_client(script) as client:
        assert await recheck_written(client, [mine], results) == results
        failed = [ChangeResult(mine.change, Outcome.FAILED, "x")]
        assert await recheck_written(client, [mine], failed) == failed
    assert len(script.requests) == 1


async def test_read_back_differs_is_unverified() -> None:
    normalised = cb(CALL.url, "Call.CallbackAfterStartCall")
    script = Scripted(v4(100301, "none"), v4(), get_answer(normalised))
    result = await run_one(script, item(Change(res("call"), Action.CREATE, None, CALL)))
    assert result.outcome is Outcome.UNVERIFIED and not result.ok
    assert "reading it back does not match" in result.message
    assert len(script.requests) == 3


async def test_delete_still_present_after_is_unverified() -> None:
    script = Scripted(get_answer(OLD), v4(), get_answer(OLD))
    result = await run_one(script, item(Change(res("call"), Action.DELETE, OLD, None)))
    assert result.outcome is Outcome.UNVERIFIED


async def test_one_failure_does_not_stop_the_others() -> None:
    """Two apps: SG's write fails, US's applies; both results come back."""

    stored: dict[int, Any] = {}

    def route(request: httpx.Request) -> httpx.Response:
        sdkappid = int(request.url.params["sdkappid"])
        if request.url.path.endswith("/get_callback"):
            if sdkappid in stored:
                return httpx.Response(200, json=v4(response=stored[sdkappid]))
            return httpx.Response(200, json=v4(100301, "none"))
        if sdkappid == SG:
            return httpx.Response(200, json=v4(100002, "bad", rid="sg-fail"))
        stored[sdkappid] = json.loads(request.content)
        return httpx.Response(200, json=v4())

    script = Scripted(route)
    items = [
        item(Change(res("call"), Action.CREATE, None, CALL)),
        item(Change(res("call", US), Action.CREATE, None, CALL)),
    ]
    reported: list[ChangeResult] = []
    async with fast_client(script) as client:
        results = await apply_all(client, items, on_result=reported.append)
    assert [(r.change.resource.sdkappid, r.outcome) for r in results] == [
        (SG, Outcome.FAILED),
        (US, Outcome.APPLIED),
    ]
    assert results[0].request_id == "sg-fail"
    assert sorted(r.change.resource.sdkappid for r in reported) == [SG, US]
    set_calls = [int(r.url.params["sdkappid"]) for r in script.requests if "set" in r.url.path]
    assert sorted(set_calls) == [SG, US]


async def test_apply_all_of_nothing() -> None:
    script = Scripted(v4())
    async with fast_client(script) as client:
        assert await apply_all(client, []) == []
    assert script.requests == []
