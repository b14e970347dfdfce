"""What a run covers (:class:`Selection`), where it sends requests (:class:`Connection`)
and its safety rails (:class:`SafetyRails`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
    max_update_pct: float = 30.0
    max_delete_pct: float = 30.0
    min_existing: int = 10

    @property
    def thresholds(self) -> Thresholds:
        from reconciler.plan.safety import Thresholds  # the options load without the plan

        return Thresholds(self.max_update_pct, self.max_delete_pct, self.min_existing)
