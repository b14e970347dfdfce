"""Data (an app name from a crafted saved plan, a live URL or event word from a server)
printed by any renderer stays on its line: no forged line, annotation or escape code."""

from __future__ import annotations

import re

import pytest

from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.apply.report import render_results, render_results_markdown
from reconciler.configs import Unreadable
from reconciler.escape import cut, escape
from reconciler.plan.change import Action, Change, Plan
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from tests.plan.factories import cb, res

FORGED = "a\n::error::forged\r\x1b[31m\u202e\x85"
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def hostile_plan() -> Plan:
    return Plan(
        (
            Change(
                res("call", app=FORGED),
                Action.UPDATE,
                cb(f"https://old.example/{FORGED}", f"Call.{FORGED}", "```"),
                cb("https://new.example/cb", "Call.CallbackAfterStartCall"),
                cause="drift",
            ),
        ),
        unchanged=(),
        unmanaged=(res("live", app=f"::error::{FORGED}"),),
        errors=(Unreadable(res("conference", app=FORGED), f"ErrorInfo {FORGED}"),),
        ignored=(res("live_token", app=FORGED),),
    )


@pytest.mark.parametrize("render", [render_text, render_markdown])
def test_renderers_escape_every_data_string(render: object) -> None:
    text = render(hostile_plan())  # type: ignore[operator]
    assert UNSAFE.search(text) is None, repr(text)
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
        # as text, or as Markdown text (its punctuation backslash-escaped)
        shown = ("\\n::error::forged", "\\\\n\\:\\:error\\:\\:forged")
        assert "forged" not in line or any(s in line for s in shown), line


def test_markdown_fence_outlasts_backticks_in_data() -> None:
    text = render_markdown(hostile_plan())
    assert "````diff" in text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("\x1b[2J", "\\x1b[2J"),
        ("x\u202ey", "x\\u202ey"),
        ("::error::x", "\\x3a:error::x"),
        ("tab\there", "tab\\there"),
        ("plain https://h.example/p?q=1", "plain https://h.example/p?q=1"),
    ],
)
def test_escape(raw: str, shown: str) -> None:
    assert escape(raw) == shown


def test_cut_says_how_much_was_left_out() -> None:
    assert cut("x" * 1000, 10) == "xxxxxxxxxx... (990 more characters not shown)"
    assert cut("short\n") == "short\\n"


def test_apply_lines_and_apply_markdown_escape_names_and_messages() -> None:
    change = Change(res("call", app=FORGED), Action.CREATE, None, cb("https://h.example/c", "x"))
    failed = ChangeResult(change, Outcome.FAILED, message=f"ErrorInfo {FORGED}")
    for text in (render_results([failed]), render_results_markdown([failed])):
        assert UNSAFE.search(text) is None, repr(text)
        for line in text.splitlines():
            assert not line.lstrip().startswith("::"), line


def test_the_unreadable_message_escapes_names_and_errors() -> None:
    text = hostile_plan().errors_message()
    assert UNSAFE.search(text.replace("\n", " ")) is None, repr(text)
    assert len(text.splitlines()) == 2  # the summary line, then one line per error
