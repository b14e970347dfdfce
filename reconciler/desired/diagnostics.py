"""Collects the errors and warnings of a whole load, so a user sees everything at once."""

from __future__ import annotations

from collections.abc import Iterable

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


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
    match = suggest(word, frozenset(choices))
    return f" (did you mean {match!r}?)" if match else ""
