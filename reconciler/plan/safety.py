"""Safety rails checked before anything is written."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from reconciler.errors import SafetyError
from reconciler.plan.change import Action, Plan


def check_protect(plan: Plan, protected: Set[int]) -> None:
    """``protect: true`` on an app makes any planned delete there an error."""
    blocked = [
        c for c in plan.changes if c.action is Action.DELETE and c.resource.sdkappid in protected
    ]
    if blocked:
        names = ", ".join(f"{c.resource.app}/{c.resource.product}" for c in blocked)
        raise SafetyError(
            f"the plan deletes {names}, but the app is marked `protect: true`; remove "
            "`ensure: absent` there, or set `protect: false` in a reviewed change first"
        )


@dataclass(frozen=True)
class Thresholds:
    """As octoDNS: refuse when updates or deletes exceed a share of what exists."""

    max_update_pct: float = 30.0
    max_delete_pct: float = 30.0
    min_existing: int = 10


def check_thresholds(counts: Mapping[str, int], existing: int, thresholds: Thresholds) -> None:
    """Raise :class:`SafetyError` when a plan (its summary ``counts``) touches too much
    of the ``existing`` managed configs."""
    if existing == 0 or existing < thresholds.min_existing:
        return  # nothing exists that an update or a delete could hurt
    problems = []
    for action, limit in (
        ("update", thresholds.max_update_pct),
        ("delete", thresholds.max_delete_pct),
    ):
        n = counts[action]
        if n * 100 > limit * existing:
            problems.append(
                f"{n} {action}s are {100 * n / existing:.1f}% of {existing} existing managed "
                f"configs (threshold {limit:g}%)"
            )
    if problems:
        raise SafetyError(
            "unsafe plan, nothing applied: "
            + "; ".join(problems)
            + ". Check the plan; if it is intended, pass --force (or raise the threshold "
            "with --max-update-pct / --max-delete-pct)"
        )
