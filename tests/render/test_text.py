"""The Terraform-like text rendering, as exact golden strings."""

from __future__ import annotations

from reconciler.plan.change import Action, Change, Plan
from reconciler.render.text import render_change, render_text
from tests.plan.factories import cb, res, tok
from tests.render.plans import SECRETS, small_plan

GOLDEN = """\
The following changes will be made:

  # prod-sg (1400000001) call will be updated in place
  ~ call {
      ~ url    = "https://old.example.com/cb" -> "https://hooks.example.com/trtc/call"
      ~ events = [
          + "Call.CallbackAfterStartCall",
          - "Call.CallbackAfterMemberChanged",
            # (1 unchanged)
        ]
    }

  # prod-sg (1400000001) live_token will be updated in place
  ~ live_token {
      ~ token   = (sensitive) -> (sensitive value changed)
      ~ enabled = true -> false
    }

  # prod-sg (1400000001) conference will be deleted
  - conference {
      - url    = "https://h.example/room"
      - events = [
          - "Room.CallbackAfterCreateRoom",
        ]
    }

  # staging-us (1400000002) live will be created
  + live {
      + url    = "https://h.example/live"
      + events = [
          + "Live.CallbackAfterCreateRoom",
        ]
    }

Configured live but not declared in the desired state (left alone):
  ? prod-sg (1400000001) live

Plan: 1 to create, 2 to update, 1 to delete, 1 unchanged.
"""


def test_small_plan_golden() -> None:
    assert render_text(small_plan()) == GOLDEN


def test_drift_title() -> None:
    text = render_text(small_plan(), title="drift")
    assert text.startswith("The live configuration differs from the desired state:\n\n")
    assert text.endswith("\nDrift: 1 to create, 2 to update, 1 to delete, 1 unchanged.\n")
    assert "Plan:" not in text


def test_drift_with_no_changes_says_no_drift() -> None:
    text = render_text(Plan((), unmanaged=(res("live"),)), title="drift")
    assert text.startswith("No drift: the managed configurations match the desired state.\n")
    assert "No changes" not in text
    assert text.endswith("Drift: 0 to create, 0 to update, 0 to delete, 0 unchanged.\n")


def test_no_changes() -> None:
    assert render_text(Plan((), unchanged=(res("call"), res("live")))) == (
        "No changes. The live configuration matches the desired state.\n"
        "\n"
        "Plan: 0 to create, 0 to update, 0 to delete, 2 unchanged.\n"
    )


def test_token_create_and_delete() -> None:
    created = Change(res("live_token"), Action.CREATE, None, tok(enabled=True))
    assert render_change(created) == [
        "  # prod-sg (1400000001) live_token will be created",
        "  + live_token {",
        "      + token   = (sensitive)",
        "      + enabled = true",
        "    }",
    ]
    deleted = Change(res("live_token"), Action.DELETE, tok(enabled=False), None)
    assert render_change(deleted) == [
        "  # prod-sg (1400000001) live_token will be deleted",
        "  - live_token {",
        "      - token   = (sensitive)",
        "      - enabled = false",
        "    }",
    ]


def test_events_only_update_all_replaced_has_no_unchanged_note() -> None:
    change = Change(
        res("call_legacy"),
        Action.UPDATE,
        cb("https://a.example/v1", "cancel", "reject"),
        cb("https://a.example/v1", "normal_end"),
    )
    assert render_change(change) == [
        "  # prod-sg (1400000001) call_legacy will be updated in place",
        "  ~ call_legacy {",
        "      ~ events = [",
        '          + "normal_end",',
        '          - "cancel",',
        '          - "reject",',
        "        ]",
        "    }",
    ]


def test_url_only_update() -> None:
    change = Change(
        res("live"),
        Action.UPDATE,
        cb("http://a.example/x", "Live.CallbackAfterCreateRoom"),
        cb("https://a.example/x", "Live.CallbackAfterCreateRoom"),
    )
    assert render_change(change)[2:] == [
        '      ~ url = "http://a.example/x" -> "https://a.example/x"',
        "    }",
    ]


def test_token_rotation_alone() -> None:
    change = Change(res("live_token"), Action.UPDATE, tok("a"), tok("b"))
    assert render_change(change)[2] == "      ~ token = (sensitive) -> (sensitive value changed)"


def test_no_secret_rendered() -> None:
    text = render_text(small_plan()) + render_text(small_plan(), title="drift")
    for secret in SECRETS:
        assert secret not in text
