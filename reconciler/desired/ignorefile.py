"""Reading an ignore file: ``.reconcilerignore`` (paths left out of the desired state)
and ``.driftignore`` (accepted drift), the one reader of both.

One pattern a line; ``#`` starts a comment; blank lines are skipped. The file is
read like every file a pull request may plant (:func:`read_text_within`): never
through a link out of its folder, at most :data:`IGNORE_MAX_BYTES` bytes and
:data:`MAX_IGNORE_PATTERNS` patterns. What a pattern means, and its checks, are the
caller's (:func:`reconciler.desired.layout.excluded`, :mod:`reconciler.plan.ignore`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.desired.yamlsource import read_text_within
from reconciler.errors import ConfigError, ConfigErrors, Location

MAX_IGNORE_PATTERNS = 100
"""Patterns in an ignore file (``.reconcilerignore``, ``.driftignore``; a real one lists a
handful). Each is tried on every path or change: 1,000 wildcard patterns took 20 s
more on 100,000 files, 100 take 2 s."""

IGNORE_MAX_BYTES = 64 * 1024
"""Bytes of an ignore file (``.reconcilerignore``, ``.driftignore``): a few hundred are usual."""


@dataclass(frozen=True)
class PatternLine:
    """One pattern of an ignore file (comment and surrounding blanks removed) and where
    it starts (``file:line:col``)."""

    text: str
    location: Location


def read_ignore_file(path: Path, folder: Path) -> list[PatternLine]:
    """The patterns of the ignore file ``path`` in ``folder``; none when there is no file.

    :class:`ConfigErrors` (one located error) for a link out of ``folder``, a file over
    :data:`IGNORE_MAX_BYTES` bytes or not UTF-8, or more than
    :data:`MAX_IGNORE_PATTERNS` patterns (refused at the first one over: the rest is
    not looked at).
    """
    if not path.is_file() and not path.is_symlink():
        return []
    shown, text = read_text_within(path, folder, limit=IGNORE_MAX_BYTES, what="an ignore file")
    patterns: list[PatternLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        pattern = raw.split("#", 1)[0].strip()
        if not pattern:
            continue
        location = Location(shown, number, len(raw) - len(raw.lstrip()) + 1)
        if len(patterns) == MAX_IGNORE_PATTERNS:
            raise ConfigErrors([too_many_patterns(location)])
        patterns.append(PatternLine(pattern, location))
    return patterns


def too_many_patterns(location: Location) -> ConfigError:
    """The error for an ignore file with more than :data:`MAX_IGNORE_PATTERNS` patterns."""
    return ConfigError(
        location,
        f"more than {MAX_IGNORE_PATTERNS:,} patterns in an ignore file: "
        "match many paths with one wildcard pattern (drafts/*, *.example.yaml) instead",
    )
