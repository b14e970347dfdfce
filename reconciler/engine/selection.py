"""Which desired apps a run covers: ``--app`` / ``--exclude-app`` shell globs on names
and sdkappids, and ``--shard K/N``."""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Sequence

from reconciler.desired.loader import DesiredApp
from reconciler.errors import UsageError


def shard_of(sdkappid: int, n: int) -> int:
    """The K (1-based) of the shard ``sdkappid`` falls in, out of ``n``: a hash of the
    sdkappid, so the split is balanced whatever the numbering."""
    digest = hashlib.sha256(str(sdkappid).encode()).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def in_shard(sdkappid: int, shard: tuple[int, int] | None) -> bool:
    """Deterministic split by a hash of the sdkappid (balanced whatever the numbering)."""
    return shard is None or shard_of(sdkappid, shard[1]) == shard[0]


def _matches(app: DesiredApp, pattern: str) -> bool:
    """A shell glob (``*``, ``?``, ``[...]``) on the app's name or its sdkappid."""
    return fnmatch.fnmatchcase(app.name, pattern) or fnmatch.fnmatchcase(str(app.sdkappid), pattern)


def _known(apps: Sequence[DesiredApp]) -> str:
    names = sorted(a.name for a in apps)
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    return ", ".join(names[:20]) + more


def select_apps(
    apps: Sequence[DesiredApp],
    names: Sequence[str],
    shard: tuple[int, int] | None,
    exclude: Sequence[str] = (),
) -> list[DesiredApp]:
    """``--app`` globs, minus ``--exclude-app`` globs, then ``--shard``.

    A selection that matches nothing, or that the shard empties, is an error that
    says why (never a quiet "No changes"). Without --app/--exclude-app an empty
    shard is not an error: a small fleet leaves some of N CI shards empty.
    """
    selected = list(apps)
    if names:
        unmatched = [p for p in names if not any(_matches(a, p) for a in apps)]
        if unmatched:
            raise UsageError(
                f"--app {', '.join(unmatched)}: no such app: it matches no app name or "
                f"sdkappid in the desired state (known: {_known(apps)}); shell wildcards "
                "work, e.g. 'prod-*'"
            )
        selected = [a for a in apps if any(_matches(a, p) for p in names)]
    if exclude:
        unmatched = [p for p in exclude if not any(_matches(a, p) for a in selected)]
        if unmatched:
            among = "the apps --app selected" if names else "the desired state"
            raise UsageError(
                f"--exclude-app {', '.join(unmatched)}: matches no app among {among}; "
                "check the spelling (shell wildcards work, e.g. 'staging-*')"
            )
        selected = [a for a in selected if not any(_matches(a, p) for p in exclude)]
        if not selected:
            raise UsageError("--exclude-app excludes every selected app: nothing is left to run on")
    in_this_shard = [a for a in selected if in_shard(a.sdkappid, shard)]
    if shard is not None and not in_this_shard and (names or exclude):
        k, n = shard
        where = ", ".join(f"{a.name} in {shard_of(a.sdkappid, n)}/{n}" for a in selected[:10])
        more = f" and {len(selected) - 10} more" if len(selected) > 10 else ""
        raise UsageError(
            f"--shard {k}/{n} holds none of the {len(selected)} selected app(s) "
            f"({where}{more}); drop --shard, or run the shard that holds them"
        )
    return in_this_shard
