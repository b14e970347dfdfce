"""``drift --format html`` and ``plan --format html`` through the real CLI and emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.conftest import EXAMPLES, assert_no_secrets
from tests.render.htmlparse import Element, parse


def _rows(root: Element) -> dict[str, dict[str, str]]:
    (table,) = [t for t in root.iter("table") if t.attrs.get("id") == "grid"]
    products = [th.all_text() for th in table.iter("thead")[0].iter("th")][2:]
    rows = {}
    for row in table.iter("tbody")[0].children:
        cells = [c for c in row.children if c.tag == "td" and "cell" in c.classes()]
        rows[row.children[0].all_text()] = {
            p: next(k[2:] for k in c.classes() if k.startswith("s-"))
            for p, c in zip(products, cells, strict=True)
        }
    return rows


def test_drift_html_report_of_the_example_fleet(cli: Any, env: dict[str, str]) -> None:
    result = cli("drift", EXAMPLES, "--format", "html")
    assert result.code == 2, result.err
    assert_no_secrets(result.out, result.err)
    root = parse(result.out)
    assert root.iter("title")[0].all_text() == "trtc-callback-reconciler: Drift report"
    rows = _rows(root)
    assert set(rows) == {"prod-sg", "prod-cn", "staging-us"}
    assert rows["prod-sg"]["call"] == "changed"
    assert rows["prod-sg"]["live"] == "deleted"
    assert rows["prod-sg"]["call_legacy"] == "sync"
    assert rows["prod-cn"]["call_legacy"] == "unmanaged"
    assert rows["staging-us"]["conference"] == "absent"
    assert rows["staging-us"]["live"] == "none"  # neither declared nor live


def test_drift_html_shows_ignored_differences_as_ignored(cli: Any, env: dict[str, str]) -> None:
    result = cli("drift", EXAMPLES, "--format", "html", "--ignore", "prod-sg/call")
    assert result.code == 2, result.err
    rows = _rows(parse(result.out))
    assert rows["prod-sg"]["call"] == "ignored"
    text = [s for s in parse(result.out).iter("section") if s.attrs["id"] == "d-1400000001-call"]
    assert "https://old.example.com/cb" in text[0].all_text()


def test_plan_html_report(cli: Any, env: dict[str, str], tmp_path: Path) -> None:
    result = cli("plan", EXAMPLES, "--format", "html")
    assert result.code == 0, result.err
    assert_no_secrets(result.out)
    root = parse(result.out)
    assert root.iter("title")[0].all_text() == "trtc-callback-reconciler: Plan"
    labels = " ".join(b.all_text() for b in root.iter("button"))
    assert "to create" in labels and "deleted live" not in labels
    assert _rows(root)["prod-sg"]["live"] == "deleted"  # the "to create" colour class


def test_html_report_is_never_coloured(cli: Any, env: dict[str, str], monkeypatch: Any) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = cli("drift", EXAMPLES, "--format", "html")
    assert "\x1b[" not in result.out


def test_html_file_next_to_markdown_from_one_run(
    cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    for command in ("drift", "plan"):
        report = tmp_path / f"{command}.html"
        result = cli(command, EXAMPLES, "--format", "markdown", "--html", report)
        assert result.code in (0, 2), result.err
        assert result.out.startswith("### trtc-callback-reconciler: ")
        assert _rows(parse(report.read_text()))["prod-sg"]["live"] == "deleted"


def test_unwritable_html_file_is_a_user_error(
    cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    result = cli("drift", EXAMPLES, "--html", tmp_path / "missing" / "drift.html")
    assert result.code == 1
    assert "cannot write the HTML report to" in result.err
    assert "Traceback" not in result.err


def test_unreadable_app_in_the_html_report_and_in_drift_words(
    cli: Any, env: dict[str, str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("TRTC_SECRET_KEY_1400000002", "not-the-key-of-prod-cn")
    result = cli("drift", EXAMPLES, "--format", "html")
    assert result.code == 3  # drift, and errors
    root = parse(result.out)
    rows = _rows(root)
    assert rows["prod-cn"]["live"] == "unreadable"
    assert rows["prod-sg"]["call"] == "changed"
    (detail,) = [s for s in root.iter("section") if s.attrs["id"] == "d-1400000002-live"]
    assert "could not be read" in detail.all_text()
    text = cli("drift", EXAMPLES)
    assert text.code == 3
    assert "Could not be read, left out" in text.out
    assert "  ! prod-cn (1400000002) live: " in text.out
    assert "# prod-sg (1400000001) call: changed live (was → now)" in text.out
