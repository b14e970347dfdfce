"""Markdown for PR comments: table first, one <details> per app, capped for GitHub."""

from __future__ import annotations

import re

from reconciler.plan.change import Action, Change, Plan, Resource
from reconciler.render.markdown import GITHUB_COMMENT_LIMIT, render_markdown
from tests.plan.factories import cb, res, tok
from tests.render.plans import SECRETS, small_plan

GOLDEN = """\
### trtc-callback-reconciler: Plan

| to create | to update | to delete | unchanged | unmanaged |
|---:|---:|---:|---:|---:|
| 1 | 2 | 1 | 1 | 1 |

<details><summary><b>prod-sg</b> (1400000001): ~2 update, -1 delete</summary>

```diff
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
```

</details>
<details><summary><b>staging-us</b> (1400000002): +1 create</summary>

```diff
  # staging-us (1400000002) live will be created
  + live {
      + url    = "https://h.example/live"
      + events = [
          + "Live.CallbackAfterCreateRoom",
        ]
    }
```

</details>

Unmanaged live configs (left alone): `prod-sg/live`
"""


def test_small_plan_golden() -> None:
    assert render_markdown(small_plan()) == GOLDEN


def test_summary_table_comes_before_any_app() -> None:
    text = render_markdown(small_plan())
    assert text.index("| to create |") < text.index("<details>")
    assert text.count("<details>") == text.count("</details>") == 2


def test_drift_heading_and_no_changes() -> None:
    text = render_markdown(Plan((), unchanged=(res("call"),)), title="drift")
    assert text == (
        "### trtc-callback-reconciler: Drift report\n\n"
        "| to create | to update | to delete | unchanged | unmanaged |\n"
        "|---:|---:|---:|---:|---:|\n"
        "| 0 | 0 | 0 | 1 | 0 |\n\n"
        "No drift: the managed configurations match the desired state.\n\n"
    )


def test_no_secret_rendered() -> None:
    text = render_markdown(small_plan()) + render_markdown(small_plan(), title="drift")
    for secret in SECRETS:
        assert secret not in text


def _big_plan(apps: int, per_app: int = 5, unmanaged: int = 0, name_len: int = 12) -> Plan:
    products = ["call", "call_legacy", "live", "live_token", "conference"][:per_app]
    changes = []
    for i in range(apps):
        name = f"app-{i:05d}".ljust(name_len, "x")
        for product in products:
            r = Resource(name, 1400000000 + i, product)
            if product == "live_token":
                changes.append(Change(r, Action.UPDATE, tok("old-secret"), tok("new-secret")))
            else:
                before = cb("https://old.example.com/cb", "Call.CallbackAfterEndCall")
                after = cb(
                    f"https://hooks.example.com/{product}/{i}",
                    "Call.CallbackAfterStartCall",
                    "Call.CallbackAfterEndCall",
                )
                changes.append(Change(r, Action.UPDATE, before, after))
    lone = tuple(
        Resource(f"lone-{i:05d}".ljust(name_len, "y"), 1500000000 + i, "conference")
        for i in range(unmanaged)
    )
    return Plan(tuple(changes), unmanaged=lone)


def test_cap_with_thousands_of_changes() -> None:
    plan = _big_plan(apps=1000)  # 5,000 changes
    text = render_markdown(plan)
    assert len(text) < GITHUB_COMMENT_LIMIT
    shown = text.count("<details>")
    assert 0 < shown < 1000
    assert text.count("</details>") == shown
    assert "| 0 | 5000 | 0 | 0 | 0 |" in text  # the table counts everything
    cut = re.search(r"\*\*Cut:\*\* (\d+) more app\(s\) with (\d+) change\(s\) are not shown", text)
    assert cut is not None
    assert int(cut.group(1)) == 1000 - shown
    assert int(cut.group(2)) == 5 * (1000 - shown)
    assert "65,535-character" in text
    assert "old-secret" not in text and "new-secret" not in text


def test_cut_counts_uneven_apps() -> None:
    # 3,000 apps with one change each: the note counts apps and changes separately.
    plan = _big_plan(apps=3000, per_app=1)
    text = render_markdown(plan)
    assert len(text) < GITHUB_COMMENT_LIMIT
    shown = text.count("<details>")
    assert f"**Cut:** {3000 - shown} more app(s) with {3000 - shown} change(s)" in text


def test_no_cut_note_when_everything_fits() -> None:
    text = render_markdown(_big_plan(apps=3))
    assert "Cut" not in text
    assert text.count("<details>") == 3


def test_small_custom_limit_cuts_everything_but_the_table() -> None:
    text = render_markdown(small_plan(), limit=1200)
    assert "<details>" not in text
    assert "**Cut:** 2 more app(s) with 4 change(s) are not shown" in text


def test_unmanaged_list_is_capped_by_length() -> None:
    plan = Plan(
        (),
        unmanaged=tuple(Resource(f"a{i:04d}", 1000 + i, "live") for i in range(500)),
    )
    text = render_markdown(plan)
    listed = text.split("Unmanaged live configs (left alone): ", 1)[1]
    assert len(listed) < 4_100
    shown = listed.count("/live`")
    assert 100 < shown < 500
    assert listed.endswith(f" and {500 - shown} more\n")


def test_cap_holds_with_many_unmanaged_configs() -> None:
    plan = _big_plan(apps=1000, unmanaged=200)  # names like app-00001xxx
    assert len(render_markdown(plan, title="drift")) < GITHUB_COMMENT_LIMIT
