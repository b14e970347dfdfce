"""What a run covers (:class:`Selection`), where it sends requests (:class:`Connection`)
and its safety rails (:class:`SafetyRails`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.thresholds import DEFAULTS, NAMES

if TYPE_CHECKING:
    from reconciler.plan.safety import Thresholds


@dataclass(frozen=True)
class Selection:
    """Which apps and products a run covers."""

    apps: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None
    lenient: bool = False
    exclude_apps: tuple[str, ...] = ()  # shell globs, like ``apps``
    policy: Path | None = None
    """A policy file to check instead of the desired-state root's policy.yaml."""


@dataclass(frozen=True)
class Connection:
    """How to reach Tencent (or an emulator)."""

    endpoint: str | None = None
    emulator_seed: Path | None = None
    parallelism: int = 32
    timeout: float = 10.0
    endpoint_from_env: bool = False  # True when the endpoint came from TRTC_ENDPOINT


@dataclass(frozen=True)
class SafetyRails:
    """The update/delete thresholds and whether ``--force`` overrides them."""

    force: bool = False
    max_update_pct: float = DEFAULTS.max_update_pct
    max_delete_pct: float = DEFAULTS.max_delete_pct
    min_existing: int = DEFAULTS.min_existing

    explicit: frozenset[str] = frozenset()
    """The thresholds given on the command line: they win over the repository's."""

    @property
    def thresholds(self) -> Thresholds:
        """The thresholds of the flags alone (their defaults where not given)."""
        return self.resolve({})

    def resolve(self, settings: Mapping[str, tuple[float, str]]) -> Thresholds:
        """The thresholds in force: a flag given on the command line, else the setting in
        ``settings`` (name → value and where it was set: ``policy.yaml`` ``safety:``,
        or a saved plan), else the default."""
        from reconciler.plan.safety import FLAGS, Thresholds  # the options load without the plan

        values: dict[str, float] = {}
        origins: dict[str, str] = {}
        for name in NAMES:
            if name in self.explicit:
                values[name] = getattr(self, name)
                origins[name] = "set by " + FLAGS[name]
            elif name in settings:
                values[name], origins[name] = settings[name]
            else:
                values[name] = getattr(self, name)
        return Thresholds(
            values["max_update_pct"],
            values["max_delete_pct"],
            int(values["min_existing"]),
            origins,
        )
