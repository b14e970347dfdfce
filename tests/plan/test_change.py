"""Plan and Change value objects: ordering, summary, public views and field diffs."""

from __future__ import annotations

import dataclasses

import pytest

from reconciler.configs import SENSITIVE_CHANGED
from reconciler.plan.change import SYMBOLS, Action, Change, FieldDiff, Plan, Resource, field_diffs
from tests.plan.factories import SG, TOKEN, US, cb, res, tok

OLD = cb(
    "https://old.example.com/cb", "Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged"
)
NEW = cb("https://hooks.example.com/cb", "Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall")


def create(r: Resource) -> Change:
    return Change(r, Action.CREATE, None, cb("https://a.example/x", "e"))


def update(r: Resource) -> Change:
    return Change(r, Action.UPDATE, cb("https://a.example/x", "e"), cb("https://b.example/x", "e"))


def delete(r: Resource) -> Change:
    return Change(r, Action.DELETE, cb("https://a.example/x", "e"), None)


def test_symbols_are_terraform_like() -> None:
    assert SYMBOLS == {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}


def test_changes_sorted_by_sdkappid_then_catalog_product_order() -> None:
    given = [
        create(res("conference", US)),
        create(res("call", US)),
        delete(res("conference", SG)),
        update(res("live_token", SG)),
        create(res("live", SG)),
        update(res("call_legacy", SG)),
        create(res("call", SG)),
    ]
    plan = Plan(tuple(given))
    assert [(c.resource.sdkappid, c.resource.product) for c in plan.changes] == [
        (SG, "call"),
        (SG, "call_legacy"),
        (SG, "live"),
        (SG, "live_token"),
        (SG, "conference"),
        (US, "call"),
        (US, "conference"),
    ]


def test_sdkappid_sorts_numerically_not_by_app_name() -> None:
    plan = Plan((create(Resource("aaa", 20, "call")), create(Resource("zzz", 3, "call"))))
    assert [c.resource.app for c in plan.changes] == ["zzz", "aaa"]


def test_unchanged_and_unmanaged_are_sorted_too() -> None:
    plan = Plan(
        (),
        unchanged=(res("conference", US), res("live", SG), res("call", SG)),
        unmanaged=(res("live_token", US), res("call_legacy", SG)),
    )
    assert plan.unchanged == (res("call", SG), res("live", SG), res("conference", US))
    assert plan.unmanaged == (res("call_legacy", SG), res("live_token", US))


def test_summary_counts_each_action_and_unchanged() -> None:
    plan = Plan(
        (
            create(res("call")),
            update(res("live")),
            update(res("conference")),
            delete(res("call", US)),
        ),
        unchanged=(res("call_legacy"), res("live", US), res("live_token"), res("conference", US)),
        unmanaged=(res("call_legacy", US),),
    )
    assert plan.summary() == {"create": 1, "update": 2, "delete": 1, "unchanged": 4}
    assert plan.summary_line() == "Plan: 1 to create, 2 to update, 1 to delete, 4 unchanged."
    assert plan.has_changes


def test_empty_plan_summary() -> None:
    plan = Plan(())
    assert plan.summary() == {"create": 0, "update": 0, "delete": 0, "unchanged": 0}
    assert plan.summary_line() == "Plan: 0 to create, 0 to update, 0 to delete, 0 unchanged."
    assert not plan.has_changes


def test_without_drops_changes_and_unmanaged_of_given_resources_only() -> None:
    keep, drop = res("call"), res("live")
    plan = Plan(
        (create(keep), update(drop)),
        unchanged=(res("conference"),),
        unmanaged=(res("call_legacy"), res("live_token")),
        warnings=("w1",),
        existing=7,
    )
    smaller = plan.without({drop, res("live_token")})
    assert [c.resource for c in smaller.changes] == [keep]
    assert smaller.unmanaged == (res("call_legacy"),)
    assert smaller.unchanged == (res("conference"),)
    assert smaller.warnings == ("w1",)
    assert smaller.existing == 7
    assert len(plan.changes) == 2  # the original is untouched (immutable)


def test_plan_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Plan(()).existing = 3  # type: ignore[misc]


def test_public_views_of_a_callback_change() -> None:
    change = Change(res("call"), Action.UPDATE, OLD, NEW)
    assert change.public_before() == {
        "url": "https://old.example.com/cb",
        "events": ["Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged"],
    }
    assert change.public_after() == {
        "url": "https://hooks.example.com/cb",
        "events": ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
    }
    assert Change(res("call"), Action.CREATE, None, NEW).public_before() is None
    assert Change(res("call"), Action.DELETE, OLD, None).public_after() is None


def test_public_after_marks_a_changed_token() -> None:
    change = Change(res("live_token"), Action.UPDATE, tok("old-token"), tok("new-token"))
    assert change.public_before() == {"token": "(sensitive)", "enabled": True}
    assert change.public_after() == {"token": "(sensitive value changed)", "enabled": True}
    assert SENSITIVE_CHANGED == "(sensitive value changed)"


def test_public_after_of_same_token_is_only_redacted() -> None:
    change = Change(res("live_token"), Action.UPDATE, tok(enabled=False), tok(enabled=True))
    assert change.public_after() == {"token": "(sensitive)", "enabled": True}
    created = Change(res("live_token"), Action.CREATE, None, tok())
    assert created.public_after() == {"token": "(sensitive)", "enabled": True}
    for view in (change.public_before(), change.public_after(), created.public_after()):
        assert TOKEN not in repr(view)


def test_field_diffs_of_callback_update_url_and_events() -> None:
    assert Change(res("call"), Action.UPDATE, OLD, NEW).field_diffs() == [
        FieldDiff("url", "https://old.example.com/cb", "https://hooks.example.com/cb"),
        FieldDiff(
            "events",
            ["Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged"],
            ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
            added=("Call.CallbackAfterStartCall",),
            removed=("Call.CallbackAfterMemberChanged",),
        ),
    ]


def test_field_diffs_of_callback_update_only_what_differs() -> None:
    url_only = field_diffs(cb("https://a.example/x", "e"), cb("https://b.example/x", "e"))
    assert [d.name for d in url_only] == ["url"]
    events_only = field_diffs(cb("https://a.example/x", "e", "f"), cb("https://a.example/x", "f"))
    assert events_only == [FieldDiff("events", ["e", "f"], ["f"], added=(), removed=("e",))]
    assert field_diffs(cb("https://a.example/x", "e"), cb("https://a.example/x", "e")) == []


def test_field_diffs_of_callback_create_and_delete() -> None:
    assert field_diffs(None, NEW) == [
        FieldDiff("url", None, "https://hooks.example.com/cb"),
        FieldDiff(
            "events",
            None,
            ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
            added=("Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"),
        ),
    ]
    assert field_diffs(OLD, None) == [
        FieldDiff("url", "https://old.example.com/cb", None),
        FieldDiff(
            "events",
            ["Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged"],
            None,
            removed=("Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged"),
        ),
    ]


def test_field_diffs_of_tokens() -> None:
    assert field_diffs(None, tok()) == [
        FieldDiff("token", None, "(sensitive)"),
        FieldDiff("enabled", None, True),
    ]
    assert field_diffs(tok(), None) == [
        FieldDiff("token", "(sensitive)", None),
        FieldDiff("enabled", True, None),
    ]
    assert field_diffs(tok("a"), tok("b")) == [
        FieldDiff("token", "(sensitive)", "(sensitive value changed)")
    ]
    assert field_diffs(tok(enabled=True), tok(enabled=False)) == [FieldDiff("enabled", True, False)]
    assert field_diffs(tok(), tok()) == []


def test_no_token_value_in_any_field_diff() -> None:
    for before, after in ((None, tok()), (tok(), None), (tok("x" * 8), tok())):
        assert TOKEN not in repr(field_diffs(before, after))


def test_resource_str() -> None:
    assert str(Resource("prod-sg", SG, "live")) == "prod-sg (1400000001) live"
