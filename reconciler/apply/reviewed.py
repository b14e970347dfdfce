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

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.apply.executor import ApplyItem, ChangeResult, Outcome
from reconciler.desired.yamlsource import read_text_within
from reconciler.errors import ConfigErrors, PlanFileError
from reconciler.plan.change import Action
from reconciler.plan.model import PlanShapeError, validate_plan
from reconciler.plan.planfile import has_valid_checksum

Key = tuple[int, str]


@dataclass(frozen=True)
class ReviewedChange:
    app: str
    action: str
    before: Any
    after: Any


MAX_REVIEWED_BYTES = 16 * 1024 * 1024
"""Bytes of a reviewed plan (a change takes about 400: some 40,000 changes)."""

MAX_REVIEWED_CONTAINERS = 400_000
"""JSON objects and arrays in a reviewed plan (a change holds at most five): 16 MiB of
``[{},{},…]`` would otherwise take some 450 MB to parse."""


def read_reviewed(path: Path) -> dict[Key, ReviewedChange]:
    """The changes of a saved plan, by (sdkappid, product); checksum verified.

    The file comes from a pull request's run: it is read like every file a PR may
    plant (not through a link out of its folder), its size capped before parsing.
    """
    try:
        shown, text = read_text_within(
            path, path.parent, limit=MAX_REVIEWED_BYTES, what="a reviewed plan"
        )
    except ConfigErrors as errors:
        raise PlanFileError(f"{errors}; nothing was applied") from None
    containers = text.count("{") + text.count("[")  # counts brackets in strings too: an upper bound
    if containers > MAX_REVIEWED_CONTAINERS:
        raise PlanFileError(
            f"{shown}: more than {MAX_REVIEWED_CONTAINERS:,} JSON objects and arrays, too many "
            "for a saved plan; nothing was applied. Review a plan of fewer apps (--app, --shard)"
        )
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise PlanFileError(f"{path}: not a saved plan (not JSON)") from None
    if not isinstance(doc, dict) or not has_valid_checksum(doc):
        raise PlanFileError(
            f"{path}: not a saved plan, or edited after it was saved (checksum); "
            "nothing was applied"
        )
    if str(doc.get("format_version", "")).split(".")[0] != "1":
        raise PlanFileError(f"{path}: format_version is not supported (this tool reads 1.x)")
    try:
        plan = validate_plan(doc)
    except PlanShapeError as exc:
        raise PlanFileError(f"{path}: malformed saved plan: {exc}; nothing was applied") from None
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
