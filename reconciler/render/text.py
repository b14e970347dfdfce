"""Terraform-like text: ``+`` create, ``~`` update, ``-`` delete, field-level detail."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reconciler.escape import escape
from reconciler.plan.change import SYMBOLS, Action, Change, FieldDiff, Plan

DRIFT_MARK = "!! REVERTS LIVE DRIFT"
DRIFT_HEADING = (
    "Objects have changed outside of reconciler: applying this plan REVERTS this live drift"
)
EDIT_HEADING = "Changes made by this pull request (its desired state versus the base's):"

_VERB = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.DELETE: "will be deleted",
}


def field_value(value: Any) -> str:
    """A field's value as shown: JSON, except the ``(sensitive…)`` placeholders."""
    if isinstance(value, str) and value.startswith("(sensitive"):
        return value
    return json.dumps(value)


def whole_field_lines(sign: str, name: str, value: Any) -> list[str]:
    """A field that is all added or all removed: one line, or one line per list item."""
    if isinstance(value, list):
        items = [f"          {sign} {json.dumps(e)}," for e in value]
        return [f"      {sign} {name} = [", *items, "        ]"]
    return [f"      {sign} {name} = {field_value(value)}"]


def changed_list_lines(
    name: str, groups: Sequence[tuple[str, Sequence[str], str]], kept: int
) -> list[str]:
    """A list field that changed: each group's items under its sign (with a note), then
    how many items stayed."""
    lines = [f"      ~ {name} = ["]
    for sign, items, note in groups:
        lines += [f"          {sign} {json.dumps(e)},{note}" for e in items]
    if kept:
        lines.append(f"            # ({kept} unchanged)")
    lines.append("        ]")
    return lines


def _field_lines(change: Change, diff: FieldDiff, width: int) -> list[str]:
    name = diff.name.ljust(width)
    if change.action in (Action.CREATE, Action.DELETE):
        value = diff.after if change.action is Action.CREATE else diff.before
        return whole_field_lines(SYMBOLS[change.action], name, value)
    if diff.name == "events" and isinstance(diff.before, list):
        kept = len(diff.before) - len(diff.removed)
        return changed_list_lines(name, [("+", diff.added, ""), ("-", diff.removed, "")], kept)
    return [f"      ~ {name} = {field_value(diff.before)} -> {field_value(diff.after)}"]


def render_change(change: Change) -> list[str]:
    r = change.resource
    symbol = SYMBOLS[change.action]
    diffs = change.field_diffs()
    width = max((len(d.name) for d in diffs), default=0)
    lines = [f"  # {r} {_VERB[change.action]}"]
    if change.reverts_drift:
        lines.append(f"  # {DRIFT_MARK}: live was changed outside reconciler; this undoes it")
    lines.append(f"  {symbol} {escape(r.product)} {{")
    for diff in diffs:
        lines += _field_lines(change, diff, width)
    lines.append("    }")
    return lines


def _changes_lines(plan: Plan, title: str) -> list[str]:
    lines: list[str] = []
    edits = [c for c in plan.changes if not c.reverts_drift]
    drift = list(plan.drift_reverts)
    if any(c.cause is not None for c in plan.changes):
        groups = [(EDIT_HEADING, edits), (f"{DRIFT_HEADING}:", drift)]
    else:
        intro = (
            "The live configuration differs from the desired state:"
            if title == "drift"
            else "The following changes will be made:"
        )
        groups = [(intro, list(plan.changes))]
    for heading, changes in groups:
        if not changes:
            continue
        lines += [heading, ""]
        for change in changes:
            lines += render_change(change)
            lines.append("")
    return lines


def context_lines(plan: Plan) -> list[str]:
    """What the reader must know beside the changes: where live state came from,
    what was ignored, the safety verdict, warnings. Shared by text and Markdown."""
    lines: list[str] = []
    if plan.live_source:
        lines.append(f"Live state: {plan.live_source}")
    if plan.drift_reverts:
        lines.append(
            f"{DRIFT_MARK}: {len(plan.drift_reverts)} change(s) undo live changes made "
            "outside reconciler: "
            + ", ".join(
                escape(f"{c.resource.app}/{c.resource.product}") for c in plan.drift_reverts
            )
        )
    if plan.safety is not None:
        lines.append(f"Safety: {plan.safety.summary()}")
    for warning in plan.warnings:
        lines.append(f"Warning: {warning}")
    if plan.url_checks is not None:
        bad = sum(1 for c in plan.url_checks if not c.ok)
        lines.append(
            f"URL checks: {len(plan.url_checks) - bad} reachable, {bad} with a problem"
            + (":" if plan.url_checks else " (no change writes a URL).")
        )
        lines += [f"  {'ok' if c.ok else '!!'} {c.line()}" for c in plan.url_checks]
    return lines


def render_text(plan: Plan, *, title: str = "plan") -> str:
    lines: list[str] = []
    if plan.changes:
        lines += _changes_lines(plan, title)
    elif title == "drift":
        lines += ["No drift: the managed configurations match the desired state.", ""]
    else:
        lines += ["No changes. The live configuration matches the desired state.", ""]
    if plan.unmanaged:
        lines.append("Configured live but not declared in the desired state (left alone):")
        lines += [f"  ? {r}" for r in plan.unmanaged]
        lines.append("")
    if plan.errors:
        lines.append("Could not be read, left out (nothing is changed in these apps):")
        lines += [f"  ! {e}" for e in plan.errors]
        lines.append("")
    if plan.skipped:
        lines.append(
            "Not planned, the rest of the app is (why: a secret they need is missing, or no "
            "change can reach them):"
        )
        lines += [f"  ! {e}" for e in plan.skipped]
        lines.append("")
    if plan.ignored:
        lines.append("Ignored (accepted differences left alone: --ignore / .driftignore):")
        lines += [f"  = {r}" for r in plan.ignored]
        lines.append("")
    context = context_lines(plan)
    if context:
        lines += [*context, ""]
    label = "Drift" if title == "drift" else "Plan"
    lines.append(plan.summary_line().replace("Plan:", f"{label}:", 1))
    return "\n".join(lines) + "\n"
