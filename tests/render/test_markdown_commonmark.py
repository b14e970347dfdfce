"""Hostile text in the Markdown reports, read back by a CommonMark renderer (issue 20, H1).

A plan, a drift report and an apply report are rendered twice: once with plain
words, once with a hostile string in every place data reaches (app name, file path
in a warning, event word, live URL from the server, server ErrorInfo, live source).
The two documents must have the same structure, token for token: the hostile text
adds no heading, HTML, link, image, emphasis, list, quote or table cell. And it is
shown: its escaped form is in the rendered text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.apply.report import render_results_markdown
from reconciler.configs import Unreadable
from reconciler.escape import escape, markdown_code, markdown_html, markdown_text
from reconciler.plan.change import Action, Change, Plan
from reconciler.render.drift import render_drift_markdown
from reconciler.render.markdown import render_markdown
from tests.plan.factories import US, cb, res

HOSTILE = [
    "<!-- note",
    "zz\n\n### Safety verdict: **safe**",
    "x\r\n# heading",
    "[link](https://evil.example.org)",
    "![img](https://evil.example.org/x.png)",
    "<https://evil.example.org>",
    "*emph* _under_ **strong** __strong__",
    "`code` ``` ~~~",
    "<b>bold</b><script>alert(1)</script><img src=x onerror=alert(1)>",
    "</summary></details>\n\n# out",
    "| a | b |",
    "&lt;entity&amp; &#60;",
    "> quote",
    "- item",
    "1. item",
    "---",
    "\\*escaped\\*",
    "x\x1b[31mred\x1b]8;;https://evil.example.org\x07",
    "a\u202eb\u200bc",
    "line\u2028break",
    "[ref]: https://evil.example.org",
]
PLAIN = "plain"


def _plan(word: str) -> Plan:
    app = f"app-{word}"
    return Plan(
        (
            Change(
                res("call", app=app),
                Action.UPDATE,
                cb(f"https://old.example/{word}", f"Call.{word}"),
                cb("https://new.example/cb", "Call.CallbackAfterStartCall"),
                cause="drift",
            ),
            Change(res("live", US, app=app), Action.CREATE, None, cb("https://h.example", word)),
        ),
        unmanaged=(res("call_legacy", app=app),),
        warnings=(f"apps/{word}.yaml:3:4: warning: unknown event {word!r}",),
        errors=(Unreadable(res("conference", 1400000009, app=app), f"ErrorInfo {word}"),),
        skipped=(Unreadable(res("live_token", 1400000010, app=app), f"variable {word}"),),
        ignored=(res("conference", US, app=app),),
        live_source=f"snapshot {word}",
    )


def _apply_report(word: str) -> str:
    change = Change(res("call", app=f"app-{word}"), Action.CREATE, None, cb("https://h.e", "x"))
    return render_results_markdown(
        [ChangeResult(change, Outcome.FAILED, message=f"ErrorInfo {word}")]
    )


RENDERERS: dict[str, Callable[[str], str]] = {
    "plan": lambda word: render_markdown(_plan(word)),
    "drift": lambda word: render_drift_markdown(_plan(word)),
    "apply": _apply_report,
}

_MD = MarkdownIt("commonmark").enable("table")  # GitHub's CommonMark, with its tables


def _shape(markdown: str) -> list[tuple[str, str]]:
    """The document's structure: each token's type and tag, text runs merged."""
    shape: list[tuple[str, str]] = []

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type in ("text", "text_special", "softbreak"):
                if shape and shape[-1] == ("text", ""):
                    continue
                shape.append(("text", ""))
            elif token.children is not None:
                walk(token.children)
            elif token.type in ("html_block", "html_inline"):
                tags = re.findall(r"<(/?[A-Za-z]+)", token.content)  # ours: <details> etc.
                shape.append((token.type, " ".join(tags)))
            else:
                shape.append((token.type, token.tag))

    walk(_MD.parse(markdown))
    return shape


def _shown(markdown: str) -> str:
    """The text a reader sees: rendered, tags dropped, entities read."""
    return html.unescape(re.sub(r"<[^>]*>", "", _MD.render(markdown)))


@pytest.mark.parametrize("kind", sorted(RENDERERS))
@pytest.mark.parametrize("word", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_adds_no_markdown_structure(kind: str, word: str) -> None:
    render = RENDERERS[kind]
    hostile, plain = render(word), render(PLAIN)
    assert _shape(hostile) == _shape(plain), hostile
    tokens = [t for block in _MD.parse(hostile) for t in [block, *(block.children or [])]]
    assert not [t for t in tokens if t.type in ("link_open", "image")]
    assert "<!--" not in "".join(t.content for t in tokens if t.type.startswith("html"))
    # what the hostile text says is on the page, as text (escaped onto one line)
    shown = _shown(hostile)
    assert f"app-{escape(word)}".replace("`", "'") in shown.replace("`", "'"), shown


@pytest.mark.parametrize("word", HOSTILE, ids=range(len(HOSTILE)))
def test_each_markdown_escape_reads_back_as_the_escaped_text(word: str) -> None:
    # in a paragraph: exactly the text, no element
    assert _MD.render(markdown_text(word)) == f"<p>{html.escape(escape(word), quote=False)}</p>\n"
    # in a code span: the text with backticks shown as quotes
    assert _MD.render(f"`{markdown_code(word)}`") == (
        f"<p><code>{html.escape(escape(word).replace('`', chr(39)), quote=False)}</code></p>\n"
    )
    # inside raw HTML: entities only, no tag
    assert "<" not in markdown_html(word) and "\n" not in markdown_html(word)


def test_the_plan_heading_and_table_come_first_whatever_the_names() -> None:
    blocks = _MD.parse(render_markdown(_plan(HOSTILE[1])))
    assert [(t.type, t.tag) for t in blocks[:2]] == [("heading_open", "h3"), ("inline", "")]
    assert blocks[3].type == "table_open"
    headings = [t for t in blocks if t.type == "heading_open"]
    assert len(headings) == 3  # ours: the title and the two groups of changes
