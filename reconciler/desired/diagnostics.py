"""Collects the errors and warnings of a whole load, so a user sees everything at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from reconciler.desired.result import ConfigWarning
from reconciler.errors import ConfigError, Location


class Diagnostics:
    """Errors and warnings, in the order found (sorted when reported)."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []
        self.warnings: list[ConfigWarning] = []

    def error(self, location: Location, message: str) -> None:
        self.errors.append(ConfigError(location, message))

    def warn(self, location: Location, message: str) -> None:
        self.warnings.append(ConfigWarning(location, message))

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
    options = list(choices)
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not matches:
        lowered = {choice.lower(): choice for choice in options}
        found = lowered.get(word.lower())
        matches = [found] if found else []
    return f" (did you mean {matches[0]!r}?)" if matches else ""
