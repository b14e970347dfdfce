"""Diff of desired resources against a live snapshot, and which reads a plan needs."""

from __future__ import annotations

import pytest

from reconciler.configs import CallbackConfig, Config
from reconciler.fetch import LiveSnapshot
from reconciler.plan.build import build_plan, diff_resource, reads_for
from reconciler.plan.change import Action, Change
from reconciler.resolve import DesiredResource, ResolvedApp
from tests.plan.factories import (
    SG,
    US,
    absent,
    app,
    cb,
    present,
    res,
    resolved,
    switch,
    tok,
    token_present,
)

URL = "https://hooks.example.com/trtc/call"
CALL = cb(URL, "Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall")


def snapshot(configs: dict[tuple[int, str], Config | None]) -> LiveSnapshot:
    return LiveSnapshot(dict(configs))


def item(product: str, desired: Config | None) -> DesiredResource:
    return DesiredResource(res(product), desired)


def test_create_when_absent_live() -> None:
    change = diff_resource(item("call", CALL), snapshot({(SG, "call"): None}))
    assert change == Change(res("call"), Action.CREATE, None, CALL)


def test_create_when_never_read() -> None:
    assert diff_resource(item("call", CALL), snapshot({})) == Change(
        res("call"), Action.CREATE, None, CALL
    )


def test_update_when_url_differs() -> None:
    live = cb("https://old.example.com/cb", *CALL.events)
    change = diff_resource(item("call", CALL), snapshot({(SG, "call"): live}))
    assert change == Change(res("call"), Action.UPDATE, live, CALL)


def test_update_when_events_differ() -> None:
    live = cb(URL, "Call.CallbackAfterStartCall")
    change = diff_resource(item("call", CALL), snapshot({(SG, "call"): live}))
    assert change is not None and change.action is Action.UPDATE


@pytest.mark.parametrize(
    "events",
    [
        ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
        ["Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"],
        ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"],
    ],
)
def test_event_order_and_duplicates_carry_no_meaning(events: list[str]) -> None:
    live = CallbackConfig(URL, frozenset(events))
    assert diff_resource(item("call", CALL), snapshot({(SG, "call"): live})) is None


def test_delete_when_absent_desired_and_present_live() -> None:
    live = cb("https://x.example/cb", "Room.CallbackAfterCreateRoom")
    change = diff_resource(item("conference", None), snapshot({(SG, "conference"): live}))
    assert change == Change(res("conference"), Action.DELETE, live, None)


def test_ensure_absent_when_already_absent_is_no_change() -> None:
    assert diff_resource(item("conference", None), snapshot({(SG, "conference"): None})) is None


def test_token_compares_by_value_and_enabled() -> None:
    same = snapshot({(SG, "live_token"): tok("abc", True)})
    assert diff_resource(item("live_token", tok("abc", True)), same) is None
    rotated = diff_resource(item("live_token", tok("xyz", True)), same)
    assert rotated is not None and rotated.action is Action.UPDATE
    toggled = diff_resource(item("live_token", tok("abc", False)), same)
    assert toggled is not None and toggled.action is Action.UPDATE


def _fleet() -> list[ResolvedApp]:
    return resolved(
        app(
            "prod-sg",
            SG,
            present("call", CALL),
            present("live", cb("https://h.example/live", "Live.CallbackAfterCreateRoom")),
            token_present(),
            absent("conference"),
        ),
        app("staging-us", US, present("call_legacy", cb("https://h.example/v1", "normal_end"))),
    )


def test_build_plan_create_update_delete_unchanged_and_unmanaged() -> None:
    apps = _fleet()
    live = snapshot(
        {
            (SG, "call"): CALL,  # unchanged
            (SG, "call_legacy"): cb("https://someone.example/v1", "cancel"),  # unmanaged
            (SG, "live"): cb("https://h.example/live", "Live.CallbackAfterDestroyRoom"),  # update
            (SG, "live_token"): None,  # create
            (SG, "conference"): cb("https://x.example/room", "Room.CallbackAfterCreateRoom"),
            (US, "call_legacy"): None,  # create
            (US, "live"): cb("https://y.example/live", "Live.CallbackAfterCreateRoom"),  # unmanaged
        }
    )
    plan = build_plan(apps, live)
    assert [(c.resource.sdkappid, c.resource.product, c.action) for c in plan.changes] == [
        (SG, "live", Action.UPDATE),
        (SG, "live_token", Action.CREATE),
        (SG, "conference", Action.DELETE),
        (US, "call_legacy", Action.CREATE),
    ]
    assert plan.unchanged == (res("call"),)
    assert plan.unmanaged == (res("call_legacy"), res("live", US))
    assert plan.summary() == {"create": 2, "update": 1, "delete": 1, "unchanged": 1}
    # existing counts managed resources configured live: SG call, live, conference
    assert plan.existing == 3


def test_build_plan_carries_snapshot_warnings() -> None:
    live = LiveSnapshot({(US, "call_legacy"): None}, warnings=("could not check x",))
    plan = build_plan(_fleet()[1:], live)
    assert plan.warnings == ("could not check x",)


def test_build_plan_product_filter() -> None:
    live = snapshot(
        {
            (SG, "call"): None,
            (SG, "live"): None,
            (SG, "call_legacy"): cb("https://someone.example/v1", "cancel"),
            (US, "call_legacy"): None,
            (US, "live"): cb("https://y.example/live", "Live.CallbackAfterCreateRoom"),
        }
    )
    plan = build_plan(_fleet(), live, products=["call"])
    assert [c.resource for c in plan.changes] == [res("call")]
    assert plan.unmanaged == ()
    assert plan.existing == 0


def test_existing_counts_only_present_managed_configs() -> None:
    live = snapshot({(SG, "call"): CALL, (SG, "conference"): None, (US, "call_legacy"): None})
    plan = build_plan(_fleet(), live)
    assert plan.existing == 1


def test_reads_for_managed_only_are_required() -> None:
    reads = reads_for(_fleet(), None, probe_unmanaged=False)
    assert [(r.target.sdkappid, r.app, r.product, r.required) for r in reads] == [
        (SG, "prod-sg", "call", True),
        (SG, "prod-sg", "live", True),
        (SG, "prod-sg", "live_token", True),
        (SG, "prod-sg", "conference", True),
        (US, "staging-us", "call_legacy", True),
    ]


def test_reads_for_with_probes_reads_every_product_of_managed_apps() -> None:
    reads = reads_for(_fleet(), None, probe_unmanaged=True)
    got = {(r.target.sdkappid, r.product): r.required for r in reads}
    assert got == {
        (SG, "call"): True,
        (SG, "call_legacy"): False,
        (SG, "live"): True,
        (SG, "live_token"): True,
        (SG, "conference"): True,
        (US, "call"): False,
        (US, "call_legacy"): True,
        (US, "live"): False,
        (US, "live_token"): False,
        (US, "conference"): False,
    }
    assert len(reads) == 10


def test_reads_for_product_filter_applies_to_probes_too() -> None:
    reads = reads_for(_fleet(), ["call_legacy", "conference"], probe_unmanaged=True)
    assert [(r.target.sdkappid, r.product, r.required) for r in reads] == [
        (SG, "call_legacy", False),
        (SG, "conference", True),
        (US, "call_legacy", True),
        (US, "conference", False),
    ]


def test_reads_carry_the_apps_target() -> None:
    apps = _fleet()
    reads = reads_for(apps, ["call"], probe_unmanaged=False)
    assert [r.target for r in reads] == [apps[0].target]


# -- a switch-only live token (no token_env): only `enabled` is compared ---------------


def test_switch_only_token_ignores_the_live_token_value() -> None:
    live = snapshot({(SG, "live_token"): tok("someone-elses-token", True)})
    assert diff_resource(item("live_token", switch(True)), live) is None


def test_switch_only_token_updates_the_switch_alone() -> None:
    live = snapshot({(SG, "live_token"): tok("someone-elses-token", True)})
    change = diff_resource(item("live_token", switch(False)), live)
    # `before` is live as far as the desired state manages it: no token value in it
    assert change == Change(res("live_token"), Action.UPDATE, switch(True), switch(False))
    assert change.public_before() == {"token": "(not managed)", "enabled": True}
    assert change.public_after() == {"token": "(not managed)", "enabled": False}
    assert [(d.name, d.before, d.after) for d in change.field_diffs()] == [("enabled", True, False)]


def test_switch_only_off_is_satisfied_by_no_token_config() -> None:
    apps = resolved(app("prod-sg", SG, token_present(None, enabled=False)))
    plan = build_plan(apps, snapshot({(SG, "live_token"): None}))
    assert plan.changes == () and plan.skipped == ()
    assert plan.unchanged == (res("live_token"),)


def test_switch_only_on_without_a_token_config_is_a_located_skip() -> None:
    apps = resolved(app("prod-sg", SG, present("call", CALL), token_present(None, enabled=True)))
    plan = build_plan(apps, snapshot({(SG, "call"): None, (SG, "live_token"): None}))
    assert [c.resource.product for c in plan.changes] == ["call"]  # the rest is planned
    assert [s.resource for s in plan.skipped] == [res("live_token")]
    error = plan.skipped[0].error
    assert error.startswith("live_token.yaml: `enabled: true` without `token_env` cannot")
    assert "add `token_env: NAME`" in error
    assert plan.summary()["create"] == 1


def test_a_managed_token_is_still_created_when_absent() -> None:
    apps = resolved(app("prod-sg", SG, token_present("LIVE_TOKEN")))
    plan = build_plan(apps, snapshot({(SG, "live_token"): None}))
    assert [c.action for c in plan.changes] == [Action.CREATE]
    assert plan.skipped == ()
