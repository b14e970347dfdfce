"""A resource its app cannot have (v1 50001, no Group Call package): fetched as
"cannot have", never planned as a create; the app's other products plan as usual."""

from __future__ import annotations

import httpx

from reconciler.errors import Location
from reconciler.fetch import CannotHave, LiveSnapshot, Read, fetch_live
from reconciler.plan.build import build_plan
from reconciler.plan.change import Action
from tests.api.scripted import Scripted, v1, v4
from tests.plan.factories import (
    SG,
    US,
    absent,
    app,
    cb,
    fast_client,
    present,
    res,
    resolved,
    target,
)

LEGACY = cb("https://hooks.example.com/v1", "normal_end")
CALL = cb("https://hooks.example.com/call", "Call.CallbackAfterEndCall")
WHY = "call_legacy cannot be managed for sdkappid 1400000001 (…): no Group Call package"
FIX = "remove `call_legacy:`"


def cannot(sdkappid: int = SG) -> CannotHave:
    return CannotHave(res("call_legacy", sdkappid), WHY, FIX)


def no_group_call(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v1/callback/get":
        return httpx.Response(200, json=v1(50001, "buy the Group Call package", data=None))
    return httpx.Response(200, json=v4(100301, "config not exist"))


async def test_fetch_reads_50001_as_cannot_have_not_as_a_failure() -> None:
    reads = [
        Read(target(SG), "prod-sg", "call_legacy"),
        Read(target(SG), "prod-sg", "call"),
        Read(target(US), "staging-us", "call_legacy", required=False),  # a probe
    ]
    async with fast_client(Scripted(no_group_call)) as client:
        live = await fetch_live(client, reads)  # not partial: still no FetchError
    assert live.failures == () and live.warnings == ()
    assert [u.resource for u in live.unavailable] == [res("call_legacy"), res("call_legacy", US)]
    first = live.unavailable[0]
    assert "answered 50001" in first.reason and "Group Call package" in first.reason
    assert "remove `call_legacy:` from this app" in first.remedy
    assert live.get(SG, "call_legacy") is None
    assert live.why_unavailable(SG, "call_legacy") == first
    assert live.why_unavailable(SG, "call") is None
    assert live.unreadable_apps == frozenset()


def test_a_declared_resource_the_app_cannot_have_is_a_located_skip_not_a_create() -> None:
    apps = resolved(app("prod-sg", SG, present("call_legacy", LEGACY), present("call", CALL)))
    live = LiveSnapshot({(SG, "call_legacy"): None, (SG, "call"): None}, unavailable=(cannot(),))
    plan = build_plan(apps, live)
    assert [(c.resource.product, c.action) for c in plan.changes] == [("call", Action.CREATE)]
    (skipped,) = plan.skipped
    assert skipped.resource == res("call_legacy")
    location = Location("call_legacy.yaml")  # where the factory declares it
    assert skipped.error == f"{location}: {WHY}; {FIX}"
    assert plan.errors == ()  # the app is not left out
    assert plan.unmanaged == ()


def test_declared_absent_and_cannot_have_is_unchanged() -> None:
    apps = resolved(app("prod-sg", SG, absent("call_legacy")))
    live = LiveSnapshot({(SG, "call_legacy"): None}, unavailable=(cannot(),))
    plan = build_plan(apps, live)
    assert plan.changes == () and plan.skipped == ()
    assert plan.unchanged == (res("call_legacy"),)


def test_undeclared_and_cannot_have_is_not_unmanaged() -> None:
    apps = resolved(app("prod-sg", SG, present("call", CALL)))
    live = LiveSnapshot({(SG, "call_legacy"): None, (SG, "call"): CALL}, unavailable=(cannot(),))
    plan = build_plan(apps, live)
    assert plan.changes == () and plan.skipped == () and plan.unmanaged == ()
    assert plan.unchanged == (res("call"),)
