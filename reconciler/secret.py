"""A string that never shows itself: secret keys, UserSigs, live tokens.

Every :class:`Secret` made in this process is also remembered (:func:`known_secrets`),
so that every text leaving the process (output, errors, warnings, log lines) can be
scrubbed of every secret of the run, whichever app or request it belongs to: see
:func:`reconciler.api.redact.scrub_known`.
"""

from __future__ import annotations

import hmac
import threading

REDACTED = "(sensitive)"

_known: set[str] = set()
_known_lock = threading.Lock()
_generation = 0


def known_secrets() -> tuple[int, frozenset[str]]:
    """Every non-empty secret value made so far, with a counter that grows with the set."""
    with _known_lock:
        return _generation, frozenset(_known)


def forget_known_secrets() -> None:
    """Forget every remembered secret: for tests, which make many runs in one process."""
    global _generation
    with _known_lock:
        _known.clear()
        _generation += 1


def _remember(value: str) -> None:
    global _generation
    if value and value not in _known:
        with _known_lock:
            _known.add(value)
            _generation += 1


class Secret:
    """Wraps a secret string. ``str``/``repr``/f-strings print ``(sensitive)``.

    Use :meth:`reveal` only at the one place that must send the value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        _remember(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('(sensitive)')"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> str:  # never pickle a secret by accident
        raise TypeError("Secret values cannot be pickled")
