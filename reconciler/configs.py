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
    """The Live webhook signing token. ``token`` is a secret."""

    token: Secret
    enabled: bool

    def to_public(self) -> dict[str, Any]:
        return {"token": REDACTED, "enabled": self.enabled}

    def to_fingerprint_material(self) -> dict[str, Any]:
        # Only ever fed to an HMAC keyed with the app's secret key.
        return {"token": self.token.reveal(), "enabled": self.enabled}


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
