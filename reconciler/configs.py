"""The value objects for one product's configuration, live or desired.

These are the shared vocabulary of the whole pipeline: the client returns them,
the desired-state loader produces them, the planner diffs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from reconciler.escape import escape
from reconciler.secret import REDACTED, Secret

SENSITIVE_CHANGED = "(sensitive value changed)"
NOT_MANAGED = "(not managed)"
"""A switch-only token (no ``token_env``): its token value is neither known nor
compared nor sent; it stays whatever Tencent holds."""


@dataclass(frozen=True)
class Resource:
    """The singleton (app, product)."""

    app: str
    sdkappid: int
    product: str

    def __str__(self) -> str:
        return f"{escape(self.app)} ({self.sdkappid}) {escape(self.product)}"


@dataclass(frozen=True)
class CallbackConfig:
    """A callback URL and its set of command words (order carries no meaning)."""

    url: str
    events: frozenset[str]

    def to_public(self) -> dict[str, Any]:
        return {"url": self.url, "events": sorted(self.events)}

    def to_fingerprint_material(self) -> dict[str, Any]:
        return self.to_public()


@dataclass(frozen=True)
class TokenConfig:
    """The Live webhook signing token. ``token`` is a secret.

    ``token`` is None for a desired switch-only token (``{enabled: …}``
    without ``token_env``): only ``enabled`` is managed. Live state always has a token.
    """

    token: Secret | None
    enabled: bool

    @property
    def manages_token(self) -> bool:
        return self.token is not None

    def to_public(self) -> dict[str, Any]:
        return {"token": REDACTED if self.manages_token else NOT_MANAGED, "enabled": self.enabled}

    def to_fingerprint_material(self) -> dict[str, Any]:
        # Only ever fed to an HMAC keyed with the app's secret key.
        token = None if self.token is None else self.token.reveal()
        return {"token": token, "enabled": self.enabled}


def managed_view(live: Config | None, desired: Config | None) -> Config | None:
    """``live`` as far as ``desired`` manages it: for a switch-only token, the live
    token without its value (never compared, never shown); otherwise ``live`` itself.

    Compare ``managed_view(live, desired) == desired`` to tell whether live holds
    what is desired.
    """
    if (
        isinstance(desired, TokenConfig)
        and not desired.manages_token
        and isinstance(live, TokenConfig)
    ):
        return TokenConfig(token=None, enabled=live.enabled)
    return live


@dataclass(frozen=True)
class Unreadable:
    """A managed resource whose live state could not be read (after its retries).

    Its app is left out of the plan: nothing is changed in an app not fully read.
    """

    resource: Resource
    error: str

    def __str__(self) -> str:
        return f"{self.resource}: {escape(self.error)}"


Config = Union[CallbackConfig, TokenConfig]  # noqa: UP007 - a runtime alias on 3.10
