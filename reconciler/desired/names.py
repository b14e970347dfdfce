"""What an app name may hold: printable ASCII letters, digits, ``.``, ``_`` and ``-``.

A name is what reviewers read in a plan and what ``--app`` filters and policy
globs (``required_for: ["prod-*"]``) match. A zero-width space, a bidi control or a
look-alike letter (Cyrillic ``о`` for Latin ``o``) would make two names look the
same while they differ, so anything beyond these characters is refused, whether
the name is written (``name:``) or taken from the file or folder name.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 100
APP_NAME_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_NAME_LENGTH - 1}}}$"
"""The JSON Schema pattern of ``name:`` (the same rule as :func:`name_problem`)."""

_VALID = re.compile(APP_NAME_PATTERN).match
_ALLOWED = re.compile(r"[A-Za-z0-9._-]")

RULE = (
    f"use letters, digits, '.', '_', '-' (at most {MAX_NAME_LENGTH} characters, the first "
    "a letter or digit)"
)


def name_problem(name: str) -> str | None:
    """Why ``name`` is no valid app name (what it holds, what to write), or None."""
    if _VALID(name) is not None:
        return None
    if not name:
        return f"is empty; {RULE}"
    if len(name) > MAX_NAME_LENGTH:
        return f"has {len(name):,} characters; {RULE}"
    bad = next((c for c in name if _ALLOWED.match(c) is None), None)
    if bad is None:
        return f"starts with {bad_char(name[0])}; {RULE}"
    return f"contains {bad_char(bad)}; {RULE}"


def bad_char(char: str) -> str:
    """``char`` named so that a reader can tell it apart: ``'о' (U+043E CYRILLIC SMALL
    LETTER O)``; an invisible or control character is shown only by its code."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "") or (
        "a control character" if unicodedata.category(char) == "Cc" else ""
    )
    printable = char.isprintable() and not char.isspace() and ord(char) < 0x2000
    shown = f"{char!r} " if printable and unicodedata.category(char)[0] != "C" else ""
    return f"{shown}({code}{' ' + name if name else ''})"
