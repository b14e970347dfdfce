"""What a run covers (:class:`Selection`) and where it sends requests (:class:`Connection`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Selection:
    """Which apps and products a run covers."""

    apps: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None
    lenient: bool = False
    exclude_apps: tuple[str, ...] = ()  # shell globs, like ``apps``


@dataclass(frozen=True)
class Connection:
    """How to reach Tencent (or an emulator)."""

    endpoint: str | None = None
    emulator_seed: Path | None = None
    parallelism: int = 32
    timeout: float = 10.0
    endpoint_from_env: bool = False  # True when the endpoint came from TRTC_ENDPOINT
