"""Collects the errors and warnings of a whole load, so a user sees everything at once."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Collection, Iterable

from reconciler.desired.result import ConfigWarning
from reconciler.errors import ConfigError, Location
from reconciler.products.vocabulary import suggest


class Diagnostics:
    """Errors and warnings, in the order found (sorted when reported)."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []
        self.warnings: list[ConfigWarning] = []

    def error(self, location: Location, message: str) -> None:
        self.errors.append(ConfigError(location, message))

    def warn(self, location: Location, message: str, warning_id: str = "") -> None:
        """A warning; one with an id says so when shown (``acknowledge:`` silences it)."""
        self.warnings.append(ConfigWarning(location, message, warning_id))

    def acknowledge(self, since: int, ids: Iterable[str]) -> None:
        """Drop the warnings added since the ``since``-th whose id is in ``ids``."""
        accepted = frozenset(ids)
        if accepted:
            self.warnings[since:] = [w for w in self.warnings[since:] if w.id not in accepted]

    def mark(self) -> tuple[int, int]:
        """How many errors and warnings there are now (to look at those added after)."""
        return len(self.errors), len(self.warnings)

    def add(self, errors: Iterable[ConfigError]) -> None:
        self.errors.extend(errors)

    def sorted_warnings(self) -> tuple[ConfigWarning, ...]:
        return tuple(
            sorted(
                dict.fromkeys(self.warnings),
                key=lambda w: (w.location.path, w.location.line, w.location.column, w.message),
            )
        )


SHOWN_NAMES = 5
"""Known names an error lists at most (a file may define tens of thousands of vars)."""

SUGGEST_AMONG = 1_000
"""Beyond this many choices there is no "did you mean": comparing a word with 45,000
vars, for each of 200 mistakes, took seconds."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
    if not isinstance(choices, Collection):
        choices = tuple(choices)
    if len(choices) > SUGGEST_AMONG:
        return ""
    match = suggest(word, frozenset(choices))
    return f" (did you mean {match!r}?)" if match else ""


def some_of(
    names: Collection[str], *, shown: int = SHOWN_NAMES, wrap: str = "{}", total: int | None = None
) -> str:
    """The first ``shown`` of ``names`` (each formatted by ``wrap``) joined, and how many
    more (of ``total``, when ``names`` holds only the first few): an error message stays
    a line long however many names a file defines."""
    count = len(names) if total is None else total
    more = count - shown if count > shown + 1 else 0
    first = [wrap.format(name) for name in itertools.islice(names, count - more)]
    return ", ".join(first) + (f" and {more:,} more" if more else "")


def first_names(names: Iterable[str], *, shown: int = SHOWN_NAMES) -> list[str]:
    """The alphabetically first names that :func:`some_of` shows, without sorting them all."""
    return heapq.nsmallest(shown + 1, names)
