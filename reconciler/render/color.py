"""Colour for the terminal, the standard way (https://no-color.org, FORCE_COLOR).

Renderers produce plain text; :func:`colorize` paints a finished text plan or apply
report line by line, keyed on the marks it already carries (``+``/``~``/``-``,
``applied:``/``failed:``). Only the text format is ever painted: Markdown and JSON
are written for other programs and never carry escapes. Whether to paint at all is
:func:`use_color`'s decision, made per stream.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO

import click

GREEN, YELLOW, RED = "green", "yellow", "red"

_MARKS = {"+": GREEN, "~": YELLOW, "-": RED, "?": YELLOW, "!": RED}
_OUTCOMES = {"applied:": GREEN, "failed:": RED, "stale:": YELLOW, "unverified:": YELLOW}
_DRIFT = {"deleted live": RED, "changed live": YELLOW, "unmanaged": YELLOW}


def use_color(
    stream: IO[str], *, no_color_flag: bool, env: Mapping[str, str] | None = None
) -> bool:
    """``--no-color`` and ``NO_COLOR`` turn colour off; else ``FORCE_COLOR`` turns it on;
    else it is on only when ``stream`` is a terminal. An empty variable counts as unset;
    ``FORCE_COLOR=0`` (or ``false``) does not force it."""
    env = os.environ if env is None else env
    if no_color_flag or env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _paint_line(line: str) -> str:
    stripped = line.lstrip()
    if not stripped:
        return line
    colour = _MARKS.get(stripped[0]) if stripped[1:2] == " " else None
    if colour is None:
        colour = next((c for word, c in _OUTCOMES.items() if stripped.startswith(word)), None)
    if colour is None and stripped.startswith("# "):
        colour = next((c for words, c in _DRIFT.items() if words in stripped), None)
    if colour is None and stripped.startswith(("Plan:", "Drift:", "Apply:")):
        return click.style(line, bold=True)
    return click.style(line, fg=colour) if colour else line


def colorize(text: str) -> str:
    """``text`` (a text-format plan, drift report or apply report) with ANSI colours."""
    return "\n".join(_paint_line(line) for line in text.split("\n"))


def paint(message: str, colour: str) -> str:
    return click.style(message, fg=colour)
