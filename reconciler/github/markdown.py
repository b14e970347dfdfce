"""Markdown for the trusted comments: every value that a pull request controls is shown
as inert text.

- :func:`code` puts a short value in a code span: CommonMark shows it literally (no
  HTML, no link, no mention, no emphasis), after control, bidi and non-ASCII
  characters are made visible as escapes, backticks replaced and ``|`` escaped (a GFM
  table splits cells on it even inside a code span).
- :func:`fence` puts a long text in a fenced code block whose fence is longer than any
  run of backticks inside it, so nothing in the text can close it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from reconciler.escape import escape, markdown_fence

CODE_LIMIT = 120
"""Characters of one value shown in a table cell."""


def visible(text: str) -> str:
    """``text`` as printable ASCII: controls, bidi and every non-ASCII character escaped."""
    text = escape(text)
    return "".join(c if " " <= c <= "~" else f"\\u{ord(c):04x}" for c in text)


def code(value: object, limit: int = CODE_LIMIT) -> str:
    """A code span showing ``value`` literally (cut to ``limit`` characters)."""
    text = visible(str(value))
    if len(text) > limit:
        text = text[:limit] + "..."
    text = text.replace("`", "'").replace("|", "\\|").strip() or "(empty)"
    return f"`{text}`"


def fence(text: str, info: str = "text") -> str:
    """A fenced code block showing ``text`` literally, whatever it holds (line ends
    normalised, tabs shown as four spaces)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").replace("\t", "    ")
    return markdown_fence(text, info)


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, saying how much was left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit:,} more characters not shown)"


def truncate_tail(text: str, limit: int) -> str:
    """The last ``limit`` characters of ``text`` (an error is at the end of a log)."""
    if len(text) <= limit:
        return text
    return f"... ({len(text) - limit:,} earlier characters not shown)\n" + text[-limit:]


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->")
_DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)


_COMMENT_BLOCK = re.compile(r"^ {0,3}<!--")


@dataclass(frozen=True)
class _Open:
    """What is open after a line: a code fence (its marker), an HTML comment (a
    ``block`` one runs to its ``-->``; an ``inline`` one, in a paragraph, ends with the
    paragraph at a blank line), and how many ``<details>`` elements."""

    fence: str = ""
    comment: str = ""
    details: int = 0

    def closers(self) -> str:
        """The lines that close what is open, so that what follows renders as written."""
        text = f"{self.fence}\n" if self.fence else ""
        text += "-->\n" if self.comment else ""
        return text + "\n</details>\n" * self.details

    def after(self, line: str) -> _Open:
        if self.fence:
            closing = _FENCE.match(line)
            done = (
                closing is not None
                and closing[1][0] == self.fence[0]
                and len(closing[1]) >= len(self.fence)
                and not line[closing.end() :].strip()
            )
            return replace(self, fence="") if done else self
        if self.comment == "inline" and not line.strip():
            return replace(self, comment="")
        opening = None if self.comment else _FENCE.match(line)
        if opening is not None:
            return replace(self, fence=opening[1])
        if self.comment:
            if "-->" not in line:
                return self
            line = line.partition("-->")[2]
        kind = "block" if not self.comment and _COMMENT_BLOCK.match(line) else "inline"
        outside, comment, _ = _COMMENT.sub("", line).partition("<!--")
        opened = len(_DETAILS_OPEN.findall(outside)) - len(_DETAILS_CLOSE.findall(outside))
        return _Open("", kind if comment else "", max(0, self.details + opened))


def cut_markdown(text: str, limit: int) -> tuple[str, int]:
    """At most ``limit`` characters of the Markdown ``text``, and how many characters
    of it were left out (0: ``text`` is whole).

    The cut is at a line end (or inside a code block's line), and every code fence,
    HTML comment and ``<details>`` open there is closed after it, so that whatever
    follows renders as written. A cut between top-level blocks is preferred when it
    keeps at least three quarters of what a cut inside a block would.
    """
    if len(text) <= limit:
        return text, 0
    state, end = _Open(), 0
    top, best, best_end = 0, "", 0
    for line in text.split("\n"):
        if end + len(line) + 1 > limit:
            room = limit - end - len(state.closers()) - 1
            if state.fence and room > 0:  # inside a fence a line is text: keep what fits
                best, best_end = text[:end] + line[:room] + "\n" + state.closers(), end + room
            break
        end += len(line) + 1
        state = state.after(line)
        if state == _Open():
            top = end
        if end + len(state.closers()) <= limit:
            best, best_end = text[:end] + state.closers(), end
    if top and top * 4 >= best_end * 3:
        return text[:top], len(text) - top
    return best, len(text) - best_end
