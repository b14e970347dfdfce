"""Terraform-like text: ``+`` create, ``~`` update, ``-`` delete, field-level detail."""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan.change import SYMBOLS, Action, Change, FieldDiff, Plan

_VERB = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.DELETE: "will be deleted",
}


def _value(value: Any) -> str:
    if isinstance(value, str) and value.startswith("(sensitive"):
        return value
    return json.dumps(value)


def _field_lines(change: Change, diff: FieldDiff, width: int) -> list[str]:
    name = diff.name.ljust(width)
    if change.action in (Action.CREATE, Action.DELETE):
        sign = SYMBOLS[change.action]
        value = diff.after if change.action is Action.CREATE else diff.before
        if isinstance(value, list):
            items = [f"          {sign} {json.dumps(e)}," for e in value]
            return [f"      {sign} {name} = [", *items, "        ]"]
        return [f"      {sign} {name} = {_value(value)}"]
    if diff.name == "events" and isinstance(diff.before, list):
        kept = len(diff.before) - len(diff.removed)
        lines = [f"      ~ {name} = ["]
        lines += [f"          + {json.dumps(e)}," for e in diff.added]
        lines += [f"          - {json.dumps(e)}," for e in diff.removed]
        if kept:
            lines.append(f"            # ({kept} unchanged)")
        lines.append("        ]")
        return lines
    return [f"      ~ {name} = {_value(diff.before)} -> {_value(diff.after)}"]


def render_change(change: Change) -> list[str]:
    r = change.resource
    symbol = SYMBOLS[change.action]
    diffs = change.field_diffs()
    width = max((len(d.name) for d in diffs), default=0)
    lines = [f"  # {r.app} ({r.sdkappid}) {r.product} {_VERB[change.action]}"]
    lines.append(f"  {symbol} {r.product} {{")
    for diff in diffs:
        lines += _field_lines(change, diff, width)
    lines.append("    }")
    return lines


def render_text(plan: Plan, *, title: str = "plan") -> str:
    lines: list[str] = []
    if plan.changes:
        intro = (
            "The live configuration differs from the desired state:"
            if title == "drift"
            else "The following changes will be made:"
        )
        lines += [intro, ""]
        for change in plan.changes:
            lines += render_change(change)
            lines.append("")
    elif title == "drift":
        lines += ["No drift: the managed configurations match the desired state.", ""]
    else:
        lines += ["No changes. The live configuration matches the desired state.", ""]
    if plan.unmanaged:
        lines.append("Configured live but not declared in the desired state (left alone):")
        lines += [f"  ? {r.app} ({r.sdkappid}) {r.product}" for r in plan.unmanaged]
        lines.append("")
    if plan.errors:
        lines.append("Could not be read, left out (nothing is changed in these apps):")
        lines += [f"  ! {e}" for e in plan.errors]
        lines.append("")
    label = "Drift" if title == "drift" else "Plan"
    lines.append(plan.summary_line().replace("Plan:", f"{label}:", 1))
    return "\n".join(lines) + "\n"
