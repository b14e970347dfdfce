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
