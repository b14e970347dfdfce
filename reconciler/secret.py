"""A string that never shows itself: secret keys, UserSigs, live tokens."""

from __future__ import annotations

import hmac

REDACTED = "(sensitive)"


class Secret:
    """Wraps a secret string. ``str``/``repr``/f-strings print ``(sensitive)``.

    Use :meth:`reveal` only at the one place that must send the value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

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
