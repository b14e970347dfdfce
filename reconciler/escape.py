"""The escaping layer: one function per kind of output, for text taken from user or
server data (a file, a file name, a server answer, the environment).

- terminal (:func:`escape`, :func:`terminal_lines`): whatever a desired-state file
  or a server puts in a string stays on its line: it cannot start a new line (so no
  forged ``error:`` line and no GitHub ``::error`` workflow command), cannot move
  the cursor or colour the terminal (ANSI escapes), and cannot reorder or hide what
  follows it (bidi controls, zero-width and other invisible format characters).
  Such characters are shown as Python-style escapes (``\\n``, ``\\x1b``,
  ``\\u202e``), so a reader still sees that they are there.
- GitHub annotations (:func:`annotation_property`, :func:`annotation_data`): the
  workflow-command escapes GitHub documents, after :func:`escape`.
- Markdown (:func:`markdown_text`, :func:`markdown_code`, :func:`markdown_html`):
  literal text in a GitHub comment, never a heading, an HTML comment, a link or
  emphasis.
- HTML: :mod:`reconciler.render.html` renders a Jinja2 template with autoescaping.
"""

from __future__ import annotations

import html
import re

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings, overrides and isolates: they reorder the text that follows them."""

INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u2060-\u2065\u206a-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e0fff"
)
"""Characters that show as nothing (zero-width space and joiners, the marks LRM and
RLM, word joiner, soft hyphen, byte-order mark, Hangul fillers, tag characters): a
name holding one looks like another name. (Variation selectors are left alone: the
reports' own emoji hold one, and app names are plain ASCII anyway.)"""

UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}{INVISIBLE}]")
"""C0 and C1 controls, DEL, the Unicode line and paragraph separators, bidi controls
and invisible format characters."""

_COMMAND_START = re.compile(r"^(\s*):")
"""A line that starts (after blanks) with ``::`` is a GitHub workflow command."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

SERVER_TEXT_LIMIT = 300
"""Characters of server text (ErrorInfo, a non-JSON answer) quoted in one message."""


_FORMAT = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}{INVISIBLE}]")


def visible_format(text: str) -> str:
    """``text`` with C1 controls, DEL, line separators, bidi controls and invisible
    characters escaped, and its line breaks and tabs kept: for multi-line blocks (an
    HTML ``<pre>`` of JSON) where :func:`escape` would join the lines."""
    return _FORMAT.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def escape(text: str) -> str:
    """``text`` for a terminal line: every unsafe character escaped, a leading ``::``
    (a GitHub workflow command) and ``##[`` (its older form) defused."""
    if UNSAFE.search(text) is not None:
        text = UNSAFE.sub(_escaped, text)
    if text.startswith("::") or (text[:1].isspace() and text.lstrip().startswith("::")):
        text = _COMMAND_START.sub(lambda m: m.group(1) + "\\x3a", text, count=1)
    if "##[" in text:
        text = text.replace("##[", "#\\u0023[")  # (also a valid JSON and YAML escape)
    return text


def terminal_lines(text: str) -> str:
    """Text of many lines for a terminal (a plan, a message): each line :func:`escape`-d,
    the line breaks kept. What reaches stdout and stderr goes through it last."""
    if UNSAFE.search(text) is None and "::" not in text and "##[" not in text:
        return text  # nearly always: nothing to do, and a plan is not split for nothing
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return "\n".join(escape(line) for line in text.split("\n"))


def annotation_data(text: str) -> str:
    """``text`` for the message of a GitHub workflow command (``::error ...::HERE``):
    GitHub's data escapes (``%``, CR, LF), then every other control, bidi or invisible
    character escaped as for a terminal (GitHub leaves ESC as it is)."""
    return escape(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def annotation_property(text: str) -> str:
    """``text`` for a property of a GitHub workflow command (``file=HERE``): the data
    escapes, and ``:`` and ``,`` too."""
    return annotation_data(text).replace(":", "%3A").replace(",", "%2C")


_MARKDOWN = {
    **{c: "\\" + c for c in "!#$()*+.:;=?@[\\]^_`{|}~"},
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
}
_BACKTICKS = re.compile("`+")
_MARKDOWN_SPECIAL = re.compile("[" + re.escape("".join(_MARKDOWN)) + "]")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown text (a paragraph, a list item, a table cell):
    :func:`escape`-d onto one line, ``<>&"'`` written as HTML entities and every
    other ASCII punctuation mark backslash-escaped (but ``-``, ``,``, ``/`` and ``%``,
    inert inside a line; a leading ``-`` too), so it starts no heading, list, quote,
    thematic break, HTML comment or tag, link, autolink, image, emphasis, code span or
    table cell."""
    text = _MARKDOWN_SPECIAL.sub(lambda m: _MARKDOWN[m.group()], escape(text))
    return "\\" + text if text.startswith("-") else text


def markdown_code(text: str) -> str:
    """``text`` for inside a one-backtick code span (never in a table cell): escaped
    onto one line, backticks made ``'`` so that none ends the span."""
    return escape(text).replace("`", "'")


def markdown_fence(text: str, info: str = "text") -> str:
    """``text`` in a fenced code block that nothing in it can close: each line
    :func:`escape`-d, the fence one backtick longer than the longest run inside (at
    least three). No trailing newline."""
    body = "\n".join(escape(line) for line in text.split("\n"))
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    marker = "`" * max(3, longest + 1)
    return f"{marker}{info}\n{body}\n{marker}"


def markdown_html(text: str) -> str:
    """``text`` for inside raw HTML of a Markdown document (``<summary>HERE</summary>``):
    escaped onto one line and HTML-escaped (Markdown is not read inside raw HTML)."""
    return html.escape(escape(text), quote=True)


def first_unsafe(text: str) -> str | None:
    """The first unsafe character of ``text`` (as :func:`escape` shows it), or None."""
    found = UNSAFE.search(text)
    return None if found is None else _escaped(found)


def cut(text: str, limit: int = SERVER_TEXT_LIMIT) -> str:
    """``text`` escaped and cut to about ``limit`` characters, saying how much was left out."""
    if len(text) > limit:
        left_out = len(text) - limit
        return f"{escape(text[:limit])}... ({left_out:,} more characters not shown)"
    return escape(text)


QUOTE_LIMIT = 60
"""Characters of a value from a file quoted in one message: the token, not the line."""


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``'text'`` escaped, cut to ``limit`` characters, for quoting a value in a message."""
    if len(text) > limit:
        return f"'{escape(text[:limit])}...' ({len(text) - limit:,} more characters)"
    return f"'{escape(text)}'"
