"""A string that never shows itself: secret keys, UserSigs, live tokens.

Every :class:`Secret` made in this process is also remembered (:func:`known_secrets`),
so that every text leaving the process (output, errors, warnings, log lines) can be
scrubbed of every secret of the run, whichever app or request it belongs to: see
:func:`reconciler.api.redact.scrub_known`.
"""

from __future__ import annotations

import hmac
import json
import re
import threading
from urllib.parse import quote, quote_plus

REDACTED = "(sensitive)"

SHORT_SECRET = 8
"""A known secret shorter than this is replaced only where it stands alone (see
:class:`_KnownSecrets`)."""

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


def _forms(secret: str) -> set[str]:
    """How a secret may be written: as is, percent-encoded (a URL), JSON-escaped."""
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(secret)[1:-1],
    }


class _KnownSecrets:
    """The scrubbing of every known secret, rebuilt when new secrets become known."""

    def __init__(self) -> None:
        self.generation = -1
        self.long: tuple[str, ...] = ()
        self.short: re.Pattern[str] | None = None

    def refresh(self) -> None:
        generation, secrets = known_secrets()
        if generation == self.generation:
            return
        forms = {form for s in secrets for form in _forms(s) if form}
        self.long = tuple(
            sorted((f for f in forms if len(f) >= SHORT_SECRET), key=len, reverse=True)
        )
        short = sorted((f for f in forms if len(f) < SHORT_SECRET), key=len, reverse=True)
        # a short secret is replaced only where it stands alone: token `abc` must not
        # turn `abcde` into `(sensitive)de`, which would tell it
        self.short = (
            re.compile(
                r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, short)) + r")(?![A-Za-z0-9])"
            )
            if short
            else None
        )
        self.generation = generation

    def scrub(self, text: str) -> str:
        self.refresh()
        for value in self.long:
            if value in text:
                text = text.replace(value, REDACTED)
        if self.short is not None:
            text = self.short.sub(REDACTED, text)
        return text


_KNOWN = _KnownSecrets()


def mask_known(text: str) -> str:
    """``text`` with every known secret replaced by ``(sensitive)``, in every form a
    URL or a JSON document writes it (see :class:`_KnownSecrets`)."""
    return _KNOWN.scrub(text)


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
