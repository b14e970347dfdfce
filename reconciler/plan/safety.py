"""Safety rails checked before anything is written."""

from __future__ import annotations

from collections.abc import Set

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
