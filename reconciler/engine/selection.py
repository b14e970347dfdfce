"""Which desired apps a run covers: ``--app`` names or sdkappids, and ``--shard K/N``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from reconciler.desired.loader import DesiredApp
from reconciler.errors import UsageError


def in_shard(sdkappid: int, shard: tuple[int, int] | None) -> bool:
    """Deterministic split by a hash of the sdkappid (balanced whatever the numbering)."""
    if shard is None:
        return True
    k, n = shard
    digest = hashlib.sha256(str(sdkappid).encode()).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def select_apps(
    apps: Sequence[DesiredApp], names: Sequence[str], shard: tuple[int, int] | None
) -> list[DesiredApp]:
    if names:
        known = {a.name for a in apps} | {str(a.sdkappid) for a in apps}
        unknown = [n for n in names if n not in known]
        if unknown:
            listing = ", ".join(sorted(a.name for a in apps)[:20])
            raise UsageError(
                f"--app {', '.join(unknown)}: no such app in the desired state (known: {listing})"
            )
        apps = [a for a in apps if a.name in names or str(a.sdkappid) in names]
    return [a for a in apps if in_shard(a.sdkappid, shard)]
