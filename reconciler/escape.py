"""The one escaping helper for text taken from user or server data.

Whatever a desired-state file or a server puts in a string, once printed through
:func:`escape` it stays on its line: it cannot start a new line (so no forged
``error:`` line and no GitHub ``::error`` workflow command), cannot move the
cursor or colour the terminal (ANSI escapes), and cannot reorder what follows it
(Unicode bidi controls). Control characters are shown as Python-style escapes
(``\\n``, ``\\x1b``, ``\\u202e``), so a reader still sees that they are there.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings, overrides and isolates: they reorder the text that follows them."""

UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")
"""C0 and C1 controls, DEL, the Unicode line and paragraph separators, bidi controls."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

SERVER_TEXT_LIMIT = 300
"""Characters of server text (ErrorInfo, a non-JSON answer) quoted in one message."""


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every unsafe character escaped; a leading ``::`` defused."""
    text = UNSAFE.sub(_escaped, text)
    if text.startswith("::"):
        text = "\\x3a" + text[1:]
    return text


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
