"""Apply only what reviewers saw: match a fresh, signed plan against the reviewed one.

The reviewed plan is the one a pull request's plan job saved (``plan --out``),
possibly against a live-state snapshot and without keys: nothing in it can be
applied as such. The apply job plans again with the keys and applies only the
fresh changes that the reviewed plan lists with the same action, the same live
state before and the same state after. Anything else is refused and reported:
live moved since review (stale), a change nobody reviewed (drift that appeared
after review), or a change whose target differs from what was reviewed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.apply.executor import ApplyItem, ChangeResult, Outcome
from reconciler.plan.change import Action
from reconciler.plan.model import PlanShapeError, validate_plan
from reconciler.plan.planjson import load_plan_json, refusal

Key = tuple[int, str]


@dataclass(frozen=True)
class ReviewedChange:
    app: str
    action: str
    before: Any
    after: Any


NOTHING_APPLIED = (
    "nothing was applied. Give the plan the pull request's plan job saved "
    "(`reconciler plan DIR --out FILE`), or plan the pull request again"
)


def read_reviewed(path: Path) -> dict[Key, ReviewedChange]:
    """The changes of a saved plan, by (sdkappid, product); checksum verified.

    The file comes from a pull request's run: it is read by the bounded reader of
    every plan file (:func:`~reconciler.plan.planjson.load_plan_json`: not through a
    link out of its folder, its size capped before reading, its containers before
    parsing). Unlike ``apply --plan``, it may be a reviewed-only plan (made against a
    snapshot, without keys): nothing of it is applied as such.
    """
    doc = load_plan_json(path, what="a reviewed plan", remedy=NOTHING_APPLIED)
    try:
        plan = validate_plan(doc)
    except PlanShapeError as exc:
        raise refusal(path, f"malformed saved plan: {exc}", NOTHING_APPLIED) from None
    return {
        (c["sdkappid"], c["product"]): ReviewedChange(
            c["app"], Action(c["action"]).value, c["before"], c["after"]
        )
        for c in plan["changes"]
    }


@dataclass(frozen=True)
class Matched:
    apply: list[ApplyItem]
    refused: list[ChangeResult]
    done: list[str]  # reviewed changes no longer needed (live already matches)


def match_reviewed(items: Sequence[ApplyItem], reviewed: dict[Key, ReviewedChange]) -> Matched:
    keep: list[ApplyItem] = []
    refused: list[ChangeResult] = []
    seen: set[Key] = set()
    for item in items:
        change = item.change
        key = (change.resource.sdkappid, change.resource.product)
        seen.add(key)
        saw = reviewed.get(key)
        why = ""
        if saw is None:
            why = (
                "not in the reviewed plan (live drift that appeared after review, or a "
                "change nobody reviewed); not applied. Review it in a pull request, or "
                "start the apply by hand"
            )
        elif saw.app != change.resource.app:
            why = (
                f"the reviewed plan names sdkappid {key[0]} app {saw.app!r}, but it is app "
                f"{change.resource.app!r}: reviewers saw another app's name; not applied. "
                "Plan the pull request again"
            )
        elif saw.action != change.action.value or saw.after != change.public_after():
            why = (
                "differs from the reviewed plan (another action or another target state "
                "than reviewers saw); not applied. Plan the pull request again"
            )
        elif saw.before != change.public_before():
            why = (
                "stale: the live state changed since the plan reviewers saw; not applied. "
                "Review a new plan (re-run the pull request's plan, or start the apply by hand)"
            )
        if why:
            refused.append(ChangeResult(change, Outcome.STALE, why))
        else:
            keep.append(item)
    done = [f"{saw.app}/{key[1]}" for key, saw in sorted(reviewed.items()) if key not in seen]
    return Matched(keep, refused, done)
