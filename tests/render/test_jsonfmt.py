"""The documented plan JSON (docs/formats.md)."""

from __future__ import annotations

import json

from reconciler.plan.change import Action, Change, Plan
from reconciler.plan.document import (
    FORMAT_VERSION,
    change_to_dict,
    plan_to_dict,
    resource_to_dict,
)
from reconciler.render.jsonfmt import render_json
from tests.plan.factories import SG, cb, res
from tests.render.plans import SECRETS, small_plan


def test_documented_example() -> None:
    """The example of docs/formats.md, field for field."""
    plan = Plan(
        (
            Change(
                res("call"),
                Action.UPDATE,
                cb("https://old.example.com/cb", "Call.CallbackAfterEndCall"),
                cb(
                    "https://hooks.example.com/trtc/call",
                    "Call.CallbackAfterStartCall",
                    "Call.CallbackAfterEndCall",
                ),
            ),
        )
    )
    assert json.loads(render_json(plan)) == {
        "format_version": "1.4",
        "summary": {"create": 0, "update": 1, "delete": 0, "unchanged": 0},
        "changes": [
            {
                "app": "prod-sg",
                "sdkappid": 1400000001,
                "product": "call",
                "action": "update",
                "cause": None,
                "before": {
                    "url": "https://old.example.com/cb",
                    "events": ["Call.CallbackAfterEndCall"],
                },
                "after": {
                    "url": "https://hooks.example.com/trtc/call",
                    "events": ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
                },
            }
        ],
        "unmanaged": [],
        "errors": [],
        "ignored": [],
        "warnings": [],
        "safety": None,
        "live_source": None,
    }


def test_small_plan_exact() -> None:
    assert plan_to_dict(small_plan()) == {
        "format_version": FORMAT_VERSION,
        "summary": {"create": 1, "update": 2, "delete": 1, "unchanged": 1},
        "changes": [
            {
                "app": "prod-sg",
                "sdkappid": SG,
                "product": "call",
                "action": "update",
                "cause": None,
                "before": {
                    "url": "https://old.example.com/cb",
                    "events": ["Call.CallbackAfterEndCall", "Call.CallbackAfterMemberChanged"],
                },
                "after": {
                    "url": "https://hooks.example.com/trtc/call",
                    "events": ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
                },
            },
            {
                "app": "prod-sg",
                "sdkappid": SG,
                "product": "live_token",
                "action": "update",
                "cause": None,
                "before": {"token": "(sensitive)", "enabled": True},
                "after": {"token": "(sensitive value changed)", "enabled": False},
            },
            {
                "app": "prod-sg",
                "sdkappid": SG,
                "product": "conference",
                "action": "delete",
                "cause": None,
                "before": {
                    "url": "https://h.example/room",
                    "events": ["Room.CallbackAfterCreateRoom"],
                },
                "after": None,
            },
            {
                "app": "staging-us",
                "sdkappid": 1400000002,
                "product": "live",
                "action": "create",
                "cause": None,
                "before": None,
                "after": {
                    "url": "https://h.example/live",
                    "events": ["Live.CallbackAfterCreateRoom"],
                },
            },
        ],
        "unmanaged": [{"sdkappid": SG, "app": "prod-sg", "product": "live"}],
        "errors": [],
        "ignored": [],
        "warnings": [],
        "safety": None,
        "live_source": None,
    }


def test_key_order_and_layout() -> None:
    text = render_json(small_plan())
    assert text.endswith("}\n")
    assert text.startswith('{\n  "format_version": "1.4",\n  "summary": {"create": ')
    doc = json.loads(text)
    lines = text.splitlines()
    # a field per line, and a change per line: a diff of two plans shows the changes
    assert lines[3] == '  "changes": ['
    assert [json.loads(line.rstrip(",")) for line in lines[4:8]] == doc["changes"]
    assert lines[8] == "  ],"
    assert '  "ignored": [],' in lines and lines[-1] == "}"
    assert list(doc) == [
        "format_version",
        "summary",
        "changes",
        "unmanaged",
        "errors",
        "ignored",
        "warnings",
        "safety",
        "live_source",
    ]
    assert list(doc["summary"]) == ["create", "update", "delete", "unchanged"]
    assert list(doc["changes"][0]) == [
        "app",
        "sdkappid",
        "product",
        "action",
        "before",
        "after",
        "cause",
    ]


def test_changes_hold_only_real_changes_sorted() -> None:
    doc = json.loads(render_json(small_plan()))
    assert [(c["sdkappid"], c["product"]) for c in doc["changes"]] == [
        (SG, "call"),
        (SG, "live_token"),
        (SG, "conference"),
        (1400000002, "live"),
    ]


def test_empty_plan() -> None:
    assert json.loads(render_json(Plan((), unchanged=(res("call"),)))) == {
        "format_version": "1.4",
        "summary": {"create": 0, "update": 0, "delete": 0, "unchanged": 1},
        "changes": [],
        "unmanaged": [],
        "errors": [],
        "ignored": [],
        "warnings": [],
        "safety": None,
        "live_source": None,
    }


def test_helpers() -> None:
    change = small_plan().changes[0]
    assert change_to_dict(change)["before"] == change.public_before()
    assert resource_to_dict(res("live")) == {"sdkappid": SG, "app": "prod-sg", "product": "live"}


def test_no_secret_rendered() -> None:
    text = render_json(small_plan())
    for secret in SECRETS:
        assert secret not in text
