"""The HTML report's structure, read with the standard library's HTML parser."""

from __future__ import annotations

import re

from reconciler.configs import Unreadable
from reconciler.plan.change import Action, Change, Plan, Resource
from reconciler.products.catalog import PRODUCT_KEYS
from reconciler.render.html import render_html
from tests.plan.factories import cb
from tests.render.htmlparse import Element, parse
from tests.render.plans import SECRETS, small_plan

HOSTILE = '<img src=x onerror="alert(1)">&amp;</script><script>alert(2)</script>'


def _grid_rows(root: Element) -> list[Element]:
    (table,) = [t for t in root.iter("table") if t.attrs.get("id") == "grid"]
    (tbody,) = table.iter("tbody")
    return [r for r in tbody.children if r.tag == "tr"]


def _cell_states(row: Element) -> dict[str, str]:
    cells = [c for c in row.children if c.tag == "td" and "cell" in c.classes()]
    assert len(cells) == len(PRODUCT_KEYS)
    return {
        product: next(k[2:] for k in cell.classes() if k.startswith("s-"))
        for product, cell in zip(PRODUCT_KEYS, cells, strict=True)
    }


def _counts(root: Element) -> dict[str, int]:
    buttons = [b for b in root.iter("button") if "data-state" in b.attrs]
    return {b.attrs["data-state"]: int(b.iter("b")[0].all_text()) for b in buttons}


def test_self_contained_no_fetch_of_any_kind() -> None:
    report = render_html(small_plan(), title="drift")
    root = parse(report)
    assert report.startswith("<!DOCTYPE html>")
    assert not root.iter("link") and not root.iter("img") and not root.iter("iframe")
    for element in root.iter():
        assert "src" not in element.attrs, element.tag
        href = element.attrs.get("href")
        assert href is None or href.startswith("#"), href
    (script,) = root.iter("script")
    assert script.attrs == {}
    styles = "".join(s.all_text() for s in root.iter("style"))
    assert "url(" not in styles and "@import" not in styles and "@font-face" not in styles
    assert not re.search(r"\bfetch\(|XMLHttpRequest|import\(", script.all_text())
    csp = [m for m in root.iter("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0].attrs["content"]


def test_usable_at_scale_and_in_the_dark() -> None:
    root = parse(render_html(small_plan()))
    styles = "".join(s.all_text() for s in root.iter("style"))
    assert "position:sticky" in styles  # header and column titles stay in view
    assert "prefers-color-scheme:dark" in styles
    (search,) = [i for i in root.iter("input") if i.attrs.get("type") == "search"]
    assert search.attrs["id"] == "filter"
    (grid,) = [t for t in root.iter("table") if t.attrs.get("id") == "grid"]
    (head,) = grid.iter("thead")
    assert [th.all_text() for th in head.iter("th")] == ["app", "sdkappid", *PRODUCT_KEYS]


def test_grid_cells_counts_and_details_agree() -> None:
    plan = small_plan()
    root = parse(render_html(plan, title="drift"))
    rows = _grid_rows(root)
    assert len(rows) == 2  # prod-sg and staging-us
    by_app = {r.children[0].all_text(): _cell_states(r) for r in rows}
    assert by_app["prod-sg"] == {
        "call": "changed",
        "call_legacy": "sync",
        "live": "unmanaged",
        "live_token": "changed",
        "conference": "absent",
    }
    assert by_app["staging-us"]["live"] == "deleted"
    assert _counts(root) == {
        "sync": 1,
        "changed": 2,
        "deleted": 1,
        "absent": 1,
        "unmanaged": 1,
        "unreadable": 0,
        "ignored": 0,
    }
    # every link from the grid opens a details section that exists, and only those exist
    links = {a.attrs["href"][1:] for r in rows for a in r.iter("a")}
    sections = {s.attrs["id"] for s in root.iter("section") if "detail" in s.classes()}
    assert links == sections
    assert len(links) == 5  # every cell but the one in sync
    labels = [b.all_text() for b in root.iter("button")]
    assert any("deleted live" in label for label in labels)
    assert any("changed live" in label for label in labels)


def _section(root: Element, detail_id: str) -> Element:
    (section,) = [s for s in root.iter("section") if s.attrs.get("id") == detail_id]
    return section


def test_details_show_before_after_and_events_in_drift_and_plan_words() -> None:
    drift = _section(parse(render_html(small_plan(), title="drift")), "d-1400000001-call")
    text = drift.all_text()
    assert "declared (was)" in text and "live (now)" in text
    assert "https://old.example.com/cb" in text and "https://hooks.example.com/trtc/call" in text
    added = next(u for u in drift.iter("ul") if "added" in u.classes()).all_text()
    removed = next(u for u in drift.iter("ul") if "removed" in u.classes()).all_text()
    # live has MemberChanged, not declared: added live; StartCall is missing: removed live
    assert "Call.CallbackAfterMemberChanged" in added
    assert "Call.CallbackAfterStartCall" in removed

    plan = _section(parse(render_html(small_plan(), title="plan")), "d-1400000001-call")
    text = plan.all_text()
    assert "live (before)" in text and "planned (after)" in text
    added = next(u for u in plan.iter("ul") if "added" in u.classes()).all_text()
    assert "Call.CallbackAfterStartCall" in added


def test_plan_report_uses_plan_words() -> None:
    root = parse(render_html(small_plan(), title="plan"))
    labels = " ".join(b.all_text() for b in root.iter("button"))
    for word in ("to create", "to update", "to delete", "no change", "unmanaged"):
        assert word in labels
    assert "deleted live" not in labels
    assert root.iter("title")[0].all_text() == "trtc-callback-reconciler: Plan"


def test_unreadable_and_ignored_cells_with_request_ids() -> None:
    failure = Unreadable(
        Resource("prod-jp", 1400000009, "live"),
        "ErrorCode 70001 <b>x</b> (RequestId Id-7a1f)",
    )
    silent = Unreadable(Resource("prod-kr", 1400000010, "call"), "timed out after 3 attempts")
    accepted = Change(
        Resource("prod-sg", 1400000001, "call_legacy"),
        Action.UPDATE,
        cb("https://a.example/1", "reject"),
        cb("https://a.example/2", "reject"),
    )
    base = small_plan()
    plan = Plan(base.changes, base.unchanged, base.unmanaged, errors=(failure, silent))
    root = parse(render_html(plan, title="drift", ignored=[accepted]))
    rows = {r.children[0].all_text(): _cell_states(r) for r in _grid_rows(root)}
    assert rows["prod-jp"]["live"] == "unreadable"
    assert rows["prod-kr"]["call"] == "unreadable"
    assert rows["prod-sg"]["call_legacy"] == "ignored"
    counts = _counts(root)
    assert counts["unreadable"] == 2
    assert counts["ignored"] == 1
    detail = _section(root, "d-1400000009-live")
    (request_id,) = [c.all_text() for c in detail.iter("code")]
    assert request_id == "Id-7a1f"
    assert "ErrorCode 70001 <b>x</b>" in detail.all_text()
    assert "no answer from the server" in _section(root, "d-1400000010-call").all_text()
    token = Unreadable(Resource("prod-sg", 1400000001, "live_token"), "LIVE_TOKEN is not set")
    only_token = parse(render_html(Plan((), skipped=(token,)), title="drift"))
    text = _section(only_token, "d-1400000001-live_token").all_text()
    assert "a secret it needs is missing" in text and "LIVE_TOKEN is not set" in text
    assert "no request was sent" in text
    assert "https://a.example/2" in _section(root, "d-1400000001-call_legacy").all_text()


def test_user_and_server_text_is_escaped() -> None:
    change = Change(
        Resource(HOSTILE, 1400000005, "call"),
        Action.UPDATE,
        cb("https://x.example/" + HOSTILE, "Call.CallbackAfterEndCall"),
        cb("https://x.example/ok", "Call.CallbackAfterEndCall", HOSTILE),
    )
    failure = Unreadable(Resource(HOSTILE, 1400000006, "live"), f"{HOSTILE} (RequestId {HOSTILE})")
    plan = Plan((change,), warnings=(f"warn {HOSTILE}",), errors=(failure,))
    report = render_html(plan, title="drift")
    root = parse(report)
    assert not root.iter("img")
    assert len(root.iter("script")) == 1  # only the report's own
    assert HOSTILE not in report
    # ...yet the text reads exactly as given
    rows = _grid_rows(root)
    assert rows[0].children[0].all_text() == HOSTILE
    assert HOSTILE in _section(root, "d-1400000005-call").all_text()
    assert f"warn {HOSTILE}" in root.all_text()
    for element in root.iter():
        assert not any(k.startswith("on") for k in element.attrs), element


def test_bidi_and_invisible_characters_from_the_server_are_shown_escaped() -> None:
    """A live URL or event with a right-to-left override or a zero-width space must not
    read as another one: the text and Markdown reports escape them, and so does HTML."""
    live = cb("https://hooks.example.com/\u202egpj.exe", "Call.CallbackAfter\u200bEndCall")
    change = Change(
        Resource("prod-sg", 1400000001, "call"),
        Action.UPDATE,
        live,
        cb("https://hooks.example.com/cb", "Call.CallbackAfterEndCall"),
    )
    report = render_html(Plan((change,)), title="drift")
    assert "\u202e" not in report and "\u200b" not in report
    text = parse(report).all_text()
    assert "\\u202e" in text and "\\u200b" in text


def test_no_secret_in_the_report() -> None:
    report = render_html(small_plan(), title="drift") + render_html(small_plan())
    for secret in SECRETS:
        assert secret not in report
    assert "(sensitive value changed)" in report


def test_two_thousand_apps_one_row_each() -> None:
    changes = []
    unchanged = []
    for i in range(2000):
        sdkappid = 1500000000 + i
        unchanged.append(Resource(f"app-{i:04d}", sdkappid, "call"))
        if i % 10 == 1:
            changes.append(
                Change(
                    Resource(f"app-{i:04d}", sdkappid, "live"),
                    Action.CREATE,
                    None,
                    cb(f"https://h.example/{i}", "Live.CallbackAfterCreateRoom"),
                )
            )
    report = render_html(Plan(tuple(changes), tuple(unchanged)), title="drift")
    root = parse(report)
    rows = _grid_rows(root)
    assert len(rows) == 2000
    assert [r.attrs["data-diff"] for r in rows].count("1") == 200
    assert _counts(root)["deleted"] == 200
    assert len([s for s in root.iter("section") if "detail" in s.classes()]) == 200
    assert rows[1].attrs["data-key"] == "app-0001 1500000001"
    assert len(report) < 3_000_000


# Text that breaks out of an element, an attribute, a <script> or an HTML comment, or
# that a template engine would evaluate if it ever treated data as template source.
BREAKOUTS = (
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "{{7*7}}",
    "{% raw %}",
    "<!--",
    "]]></style><style>body{display:none}</style>",
)


def _hostile_plan(text: str) -> tuple[Plan, list[Change | Resource]]:
    """``text`` in every place a report shows: app names, URLs, events, server text,
    warnings, recurring drift (times, RequestIds) and URL checks."""
    from reconciler.api.urlprobe import Probe, Reach
    from reconciler.plan.recurring import RecurringDrift
    from reconciler.plan.urlcheck import UrlCheck

    change = Change(
        Resource(text, 1400000005, "call"),
        Action.UPDATE,
        cb("https://x.example/" + text, "Call.CallbackAfterEndCall", text),
        cb("https://x.example/ok", "Call.CallbackAfterEndCall", f"{text}-desired"),
    )
    created = Change(Resource(text, 1400000005, "live"), Action.CREATE, None, cb(text, text))
    failure = Unreadable(Resource(text, 1400000006, "live"), f"{text} (RequestId {text})")
    skipped = Unreadable(Resource(text, 1400000007, "live_token"), f"{text} is not set")
    recurring = RecurringDrift(change.resource, 3, text, (text, "r-2"))
    probe = Probe("https://x.example/ok", Reach.ERROR, None, text)
    check = UrlCheck(change.resource, "https://x.example/" + text, probe)
    plan = Plan(
        (change, created),
        unmanaged=(Resource(text, 1400000006, "conference"),),
        warnings=(f"warn {text}",),
        errors=(failure,),
        skipped=(skipped,),
        apps=((text, 1400000008),),
        recurring=(recurring,),
        url_checks=(check,),
    )
    return plan, [Resource(text, 1400000008, "call")]


def test_hostile_text_everywhere_stays_text_in_both_reports() -> None:
    from importlib import resources

    own_script = (
        resources.files("reconciler.render").joinpath("templates/report.js").read_text("utf-8")
    )
    for text in BREAKOUTS:
        plan, ignored = _hostile_plan(text)
        for title in ("drift", "plan"):
            report = render_html(plan, title=title, ignored=ignored, generated=text)
            root = parse(report)  # every element closed where it was opened
            assert not root.iter("img") and not root.iter("svg"), text
            (script,) = root.iter("script")  # only the report's own, unchanged
            assert script.all_text() == own_script
            assert len(root.iter("style")) == 1
            for element in root.iter():
                assert not any(k.startswith("on") for k in element.attrs), (text, element.tag)
            if "<" in text or '"' in text:
                assert text not in report  # escaped, not passed through
            # ...and yet it reads as given, where it was put
            (row, *_) = _grid_rows(root)
            assert row.children[0].all_text() == text
            assert row.children[0].attrs["title"] == text
            page = root.all_text()
            for shown in (
                f"warn {text}",
                f"https://x.example/{text}",
                f"{text}-desired",
                f"{text} is not set",
                f"generated {text}",
            ):
                assert shown in page, (text, shown)
            detail = _section(root, "d-1400000006-live").all_text()
            assert f"{text} (RequestId {text})" in detail


def test_csp_lets_in_only_the_reports_own_style_and_script() -> None:
    import base64
    import hashlib

    root = parse(render_html(_hostile_plan(BREAKOUTS[0])[0], title="drift"))
    (meta,) = [m for m in root.iter("meta") if m.attrs.get("http-equiv")]
    policy = dict(
        (d.split()[0], d.split()[1:]) for d in meta.attrs["content"].split(";") if d.strip()
    )
    assert policy["default-src"] == ["'none'"]
    for directive, tag in (("script-src", "script"), ("style-src", "style")):
        (element,) = root.iter(tag)
        digest = hashlib.sha256(element.all_text().encode("utf-8")).digest()
        assert policy[directive] == [f"'sha256-{base64.b64encode(digest).decode()}'"]
    assert "'unsafe-inline'" not in meta.attrs["content"]


def test_control_characters_become_replacement_characters() -> None:
    name = "app\x1b[31m-red\x07\x7f"
    change = Change(Resource(name, 1400000005, "call"), Action.CREATE, None, cb("https://x/\x00"))
    report = render_html(Plan((change,), warnings=("bell\x07",)), title="plan")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", report)
    assert "app\ufffd[31m-red\ufffd\ufffd" in report and "bell\ufffd" in report


def test_a_declared_app_without_callbacks_has_a_row_of_empty_cells() -> None:
    root = parse(render_html(Plan((), apps=(("bare", 1400000042),)), title="drift"))
    (row,) = _grid_rows(root)
    assert row.children[0].all_text() == "bare"
    assert set(_cell_states(row).values()) == {"none"}
    assert row.attrs["data-diff"] == "0"
    empty = parse(render_html(Plan(()), title="drift"))
    assert _grid_rows(empty)[0].all_text() == "No apps."


def test_jinja2_is_imported_only_when_a_report_is_rendered() -> None:
    import subprocess
    import sys

    code = (
        "import sys, reconciler.render.html as h, reconciler.plan.change as c\n"
        "assert 'jinja2' not in sys.modules, 'imported with the module'\n"
        "h.render_html(c.Plan(()))\n"
        "assert 'jinja2' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
