"""What loading a desired-state directory produces: typed, frozen value objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from reconciler.configs import CallbackConfig
from reconciler.desired.acknowledge import tagged
from reconciler.errors import Location

Ensure = Literal["present", "absent"]


@dataclass(frozen=True)
class ConfigWarning:
    """Something valid but worth a look (plain http, an unknown word let through)."""

    location: Location
    message: str
    id: str = ""
    """Its id for ``acknowledge:`` (see :mod:`reconciler.desired.acknowledge`), or ``""``."""

    @property
    def shown(self) -> str:
        """The message as printed: with its id, and how to silence it, when it has one."""
        return tagged(self.message, self.id) if self.id else self.message

    def __str__(self) -> str:
        return f"{self.location}: warning: {self.message}"


@dataclass(frozen=True)
class DesiredProduct:
    """One managed (app, product) resource as written in the desired state.

    ``config`` is set for a callback product that is present; ``enabled`` for
    a token product when present, with ``token_env`` when it manages the token too
    (None: switch-only, the token stays as set in Tencent). All three are None when absent.
    """

    product: str
    ensure: Ensure
    config: CallbackConfig | None
    token_env: str | None
    enabled: bool | None
    location: Location
    """Where the product is declared (its key under ``callbacks``, or its product file)."""


@dataclass(frozen=True)
class DesiredApp:
    """One app (SDKAppID) and the products it manages, keyed by product key in catalog order.

    ``lenient`` is the effective setting: the app's own field or the loader's argument.
    """

    name: str
    sdkappid: int
    region: str
    identifier: str
    secret_key_env: str | None
    protect: bool
    lenient: bool
    location: Location
    """The app file (or the app folder's app.yaml)."""
    products: Mapping[str, DesiredProduct]
    secret_key_env_location: Location | None = None
    """Where ``secret_key_env`` is written (for the error when its variable is unset)."""
    acknowledge: tuple[str, ...] = ()
    """The warning ids the app accepts (its own ``acknowledge:``, its templates' and
    defaults'): part of the desired state, so ``render`` writes them back."""


@dataclass(frozen=True)
class DesiredState:
    """Every app of a desired-state directory, sorted by sdkappid, and the warnings seen."""

    apps: tuple[DesiredApp, ...]
    warnings: tuple[ConfigWarning, ...]
    safety: Mapping[str, tuple[float, Location]] = field(default_factory=dict)
    """The thresholds the policy file's ``safety:`` sets (name → value, where it is set),
    from the one read of that file in this load; empty without a policy or ``safety:``."""
