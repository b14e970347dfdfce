"""A string that never shows itself: secret keys, UserSigs, live tokens.

Every :class:`Secret` made during a run is also remembered by that run's registry
(:func:`run_secrets`, :func:`known_secrets`), so that every text leaving the run
(output, errors, warnings, log lines) can be scrubbed of every secret of the run,
whichever app or request it belongs to: see :func:`reconciler.api.redact.scrub_known`.

The registry belongs to the run, not to the process: the CLI opens one per command
(``reconciler.cli.main.run``) and the engine one per ``with Reconciler(...)`` block
when none is open, in a context variable (asyncio tasks started inside the run see
it); when the run ends, its secrets are forgotten. A :class:`Secret` made outside any
run is remembered by none.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

REDACTED = "(sensitive)"

SHORT_SECRET = 8
"""A known secret shorter than this is replaced only where it stands alone (see
:class:`SecretRegistry`)."""


_RESERVED = re.compile(r"[^A-Za-z0-9_.~-]")
_QUOTE = {chr(c): f"%{c:02X}" for c in range(128)}
_QUOTE_PLUS = {**_QUOTE, " ": "+"}


def percent_encoded(text: str, *, plus: bool = False) -> str:
    """``urllib.parse.quote(text, safe="")`` (``quote_plus`` when ``plus``).

    For ASCII text only the reserved characters are looked at, in C: a fleet run
    encodes thousands of 200-character UserSigs, and urllib quotes character by
    character in Python (0.2 s for 2,000 apps).
    """
    if not text.isascii():
        return quote_plus(text, safe="") if plus else quote(text, safe="")
    table = _QUOTE_PLUS if plus else _QUOTE
    return _RESERVED.sub(lambda reserved: table[reserved.group()], text)


def _forms(secret: str) -> frozenset[str]:
    """How a secret may be written: as is, percent-encoded (a URL), JSON-escaped."""
    return frozenset(
        {
            secret,
            percent_encoded(secret),
            percent_encoded(secret, plus=True),
            json.dumps(secret, ensure_ascii=False)[1:-1],
            json.dumps(secret)[1:-1],
        }
    )


class SecretRegistry:
    """The secrets of one run, and the scrubbing of every one of them, kept up to date
    as secrets become known.

    A fleet run knows tens of thousands of secrets (a key and a UserSig per app), and
    every error answer is scrubbed: so new secrets are added, not rebuilt from all of
    them, and a text is searched only for the forms whose first :data:`SHORT_SECRET`
    characters occur in it (an index by that prefix), not for every form. Those
    prefixes are looked for only inside runs of the characters known forms are made
    of (letters, digits, ``*-_%`` for UserSigs and keys): a whole plan of thousands of
    apps is mostly punctuation, spaces and short words, which no secret crosses.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self._order: list[str] = []  # the same values, in the order they became known
        self._generation = 0
        self._reset()

    def _reset(self) -> None:
        self.indexed = -1  # the generation the index was built for
        self.taken = 0  # how many of _order are indexed
        self.by_prefix: dict[str, set[str]] = {}
        self.short_forms: set[str] = set()
        self.short: re.Pattern[str] | None = None
        self.alphabet: set[str] = set()  # every character of every indexed (long) form
        self.runs: re.Pattern[str] | None = None  # runs of those, as long as a prefix

    def remember(self, value: str) -> None:
        if value and value not in self._known:
            with self._lock:
                self._known.add(value)
                self._order.append(value)
                self._generation += 1

    def known(self) -> tuple[int, frozenset[str]]:
        with self._lock:
            return self._generation, frozenset(self._known)

    def forget(self) -> None:
        with self._lock:
            self._known.clear()
            self._order.clear()
            self._generation += 1
            self._reset()

    def _refresh(self) -> None:
        with self._lock:
            if self._generation == self.indexed:
                return
            new = self._order[self.taken :]
            self.taken = len(self._order)
            self.indexed = self._generation
        short_before, alphabet_before = len(self.short_forms), len(self.alphabet)
        for secret in new:
            for form in _forms(secret):
                if len(form) >= SHORT_SECRET:
                    self.by_prefix.setdefault(form[:SHORT_SECRET], set()).add(form)
                    self.alphabet.update(form)
                elif form:
                    self.short_forms.add(form)
        if len(self.alphabet) != alphabet_before:
            chars = "".join(map(re.escape, sorted(self.alphabet)))
            self.runs = re.compile(f"[{chars}]{{{SHORT_SECRET},}}")
        if len(self.short_forms) != short_before:
            short = sorted(self.short_forms, key=len, reverse=True)
            # a short secret is replaced only where it stands alone: token `abc` must not
            # turn `abcde` into `(sensitive)de`, which would tell it
            self.short = re.compile(
                r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, short)) + r")(?![A-Za-z0-9])"
            )

    def scrub(self, text: str) -> str:
        self._refresh()
        index = self.by_prefix
        if index and self.runs is not None:
            # every window of every run that could hold a form, then only the prefixes
            # that occur: set building and one intersection instead of a lookup per
            # character
            windows: set[str] = set()
            for run in set(self.runs.findall(text)):  # a plan repeats most of its words
                windows.update(
                    run[i : i + SHORT_SECRET] for i in range(len(run) - SHORT_SECRET + 1)
                )
            found = {form for prefix in windows & index.keys() for form in index[prefix]}
            for value in sorted(found, key=len, reverse=True):  # a longer form first
                if value in text:
                    text = text.replace(value, REDACTED)
        if self.short is not None:
            text = self.short.sub(REDACTED, text)
        return text


_run: contextvars.ContextVar[SecretRegistry | None] = contextvars.ContextVar(
    "reconciler_run_secrets", default=None
)


@contextmanager
def run_secrets() -> Iterator[SecretRegistry]:
    """The registry of the run: a new one for the block, or the one already open (a
    ``Reconciler`` used inside a CLI command shares the command's run)."""
    registry = _run.get()
    if registry is not None:
        yield registry
        return
    registry = SecretRegistry()
    token = _run.set(registry)
    try:
        yield registry
    finally:
        _run.reset(token)
        registry.forget()


def known_secrets() -> tuple[int, frozenset[str]]:
    """Every non-empty secret value made so far in this run, with a counter that grows
    with the set (nothing outside a run)."""
    registry = _run.get()
    return (0, frozenset()) if registry is None else registry.known()


def forget_known_secrets() -> None:
    """Forget every secret of this run so far (tests make many runs in one)."""
    registry = _run.get()
    if registry is not None:
        registry.forget()


def mask_known(text: str) -> str:
    """``text`` with every secret of the run replaced by ``(sensitive)``, in every form a
    URL or a JSON document writes it (see :class:`SecretRegistry`)."""
    registry = _run.get()
    return text if registry is None else registry.scrub(text)


class Secret:
    """Wraps a secret string. ``str``/``repr``/f-strings print ``(sensitive)``.

    Use :meth:`reveal` only at the one place that must send the value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        registry = _run.get()
        if registry is not None:
            registry.remember(value)

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
