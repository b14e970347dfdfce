"""Drift in drift's own words (``reconciler drift``), not a plan's.

A plan says what apply would do; a drift report says what happened live:

- declared, missing live:                 "deleted live"
- declared, different live:                "changed live (was → now)", was = declared
- declared ``ensure: absent``, present live: "present live, declared absent"
- configured live, not declared:           "unmanaged" (drift only with ``--strict``)

In field lines, ``-`` marks what is missing live and ``+`` what is there live but not
declared. Markdown follows the same words; JSON keeps the plan document's shape.
"""

from __future__ import annotations

from itertools import groupby

from reconciler.escape import escape, markdown_code, markdown_html
from reconciler.plan.change import Action, Change, FieldDiff, Plan
from reconciler.render.markdown import GITHUB_COMMENT_LIMIT, _longest_backtick_run
from reconciler.render.markdown import _errors_section as errors_section
from reconciler.render.text import changed_list_lines, field_value, whole_field_lines

DELETED, CHANGED, UNDECLARED = "deleted live", "changed live", "present live, declared absent"
UNMANAGED, IN_SYNC = "unmanaged", "in sync"

STATE = {Action.CREATE: DELETED, Action.UPDATE: CHANGED, Action.DELETE: UNDECLARED}
_SIGN = {Action.CREATE: "-", Action.UPDATE: "~", Action.DELETE: "+"}
_RESERVE = 1_000


def drift_state(change: Change) -> str:
    return STATE[change.action]


def _field_lines(change: Change, diff: FieldDiff, width: int) -> list[str]:
    name = diff.name.ljust(width)
    if change.action is not Action.UPDATE:
        # deleted live: what is declared; present live: what is there
        value = diff.after if change.action is Action.CREATE else diff.before
        return whole_field_lines(_SIGN[change.action], name, value)
    if diff.name == "events" and isinstance(diff.before, list):
        kept = len(diff.before) - len(diff.removed)
        # a plan's "added" is what live lacks: drift shows it as removed live
        groups = [("-", diff.added, "   # removed live"), ("+", diff.removed, "   # added live")]
        return changed_list_lines(name, groups, kept)
    # a plan goes live → declared; drift reads it the other way: was (declared) → now (live)
    was, now = diff.after, diff.before
    if diff.name == "token":
        was, now = "(sensitive)", "(sensitive value changed)"
    return [f"      ~ {name} = {field_value(was)} → {field_value(now)}"]


def render_drift_change(change: Change) -> list[str]:
    r = change.resource
    diffs = change.field_diffs()
    width = max((len(d.name) for d in diffs), default=0)
    state = drift_state(change)
    if change.action is Action.UPDATE:
        state += " (was → now)"
    lines = [f"  # {escape(r.app)} ({r.sdkappid}) {r.product}: {state}"]
    lines.append(f"  {_SIGN[change.action]} {r.product} {{")
    for diff in diffs:
        lines += _field_lines(change, diff, width)
    lines.append("    }")
    return lines


def drift_counts(plan: Plan) -> dict[str, int]:
    return {
        DELETED: sum(1 for c in plan.changes if c.action is Action.CREATE),
        CHANGED: sum(1 for c in plan.changes if c.action is Action.UPDATE),
        UNDECLARED: sum(1 for c in plan.changes if c.action is Action.DELETE),
        UNMANAGED: len(plan.unmanaged),
        IN_SYNC: len(plan.unchanged),
    }


def is_drift(plan: Plan, *, strict: bool) -> bool:
    """What ``drift`` exits 2 for: any difference, and unmanaged configs under --strict."""
    return plan.has_changes or (strict and bool(plan.unmanaged))


def headline(plan: Plan, *, strict: bool) -> str:
    """The first line: agrees with the exit code (2 exactly when it says "Drift"; with
    unreadable apps the exit code is 1 and the line says so)."""
    if plan.errors and not is_drift(plan, strict=strict):
        return (
            f"No drift in the apps that could be read; {len(plan.unreadable_apps)} app(s) "
            "could not be read (below)."
        )
    if plan.has_changes:
        return "Drift: the live configuration differs from the desired state."
    if strict and plan.unmanaged:
        return (
            f"Drift: {len(plan.unmanaged)} unmanaged live config(s), configured live but "
            "not declared (--strict counts them as drift)."
        )
    return "No drift: the managed configurations match the desired state."


def summary_line(plan: Plan, *, strict: bool) -> str:
    n = drift_counts(plan)
    unmanaged = f"{n[UNMANAGED]} unmanaged"
    if n[UNMANAGED] and not strict:
        unmanaged += " (drift only with --strict)"
    return (
        f"Drift: {n[DELETED]} deleted live, {n[CHANGED]} changed live, "
        f"{n[UNDECLARED]} present live but declared absent, {unmanaged}; {n[IN_SYNC]} in sync."
    )


def render_drift_text(plan: Plan, *, strict: bool = False) -> str:
    lines = [headline(plan, strict=strict), ""]
    for change in plan.changes:
        lines += [*render_drift_change(change), ""]
    if plan.unmanaged:
        note = "drift under --strict" if strict else "left alone; drift only with --strict"
        lines.append(f"Configured live but not declared in the desired state ({note}):")
        lines += [
            f"  ? {escape(r.app)} ({r.sdkappid}) {r.product}: {UNMANAGED}" for r in plan.unmanaged
        ]
        lines.append("")
    if plan.errors:
        lines.append("Could not be read, left out (nothing is known about these apps):")
        lines += [f"  ! {e}" for e in plan.errors]
        lines.append("")
    if plan.ignored:
        lines.append("Ignored (accepted differences left alone: --ignore / .driftignore):")
        lines += [f"  = {escape(r.app)} ({r.sdkappid}) {r.product}" for r in plan.ignored]
        lines.append("")
    if plan.skipped:
        lines.append("Not checked, a secret they need is missing (the rest of the app is):")
        lines += [f"  ! {e}" for e in plan.skipped]
        lines.append("")
    lines.append(summary_line(plan, strict=strict))
    return "\n".join(lines) + "\n"


def _markdown_app(changes: list[Change]) -> str:
    first = changes[0].resource
    states = [f"{drift_state(c)}: {c.resource.product}" for c in changes]
    body = "\n".join(
        escape(line) for c in changes for line in [*render_drift_change(c), ""]
    ).rstrip()
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    return (
        f"<details><summary><b>{markdown_html(first.app)}</b> ({first.sdkappid}): "
        f"{markdown_html(', '.join(states))}"
        f"</summary>\n\n{fence}diff\n{body}\n{fence}\n\n</details>\n"
    )


def render_drift_markdown(
    plan: Plan, *, strict: bool = False, limit: int = GITHUB_COMMENT_LIMIT
) -> str:
    n = drift_counts(plan)
    out = [
        "### trtc-callback-reconciler: Drift report\n\n",
        "| deleted live | changed live | present live, declared absent | unmanaged | in sync |\n",
        "|---:|---:|---:|---:|---:|\n",
        f"| {n[DELETED]} | {n[CHANGED]} | {n[UNDECLARED]} | {n[UNMANAGED]} | {n[IN_SYNC]} |\n\n",
        f"{headline(plan, strict=strict)}\n\n",
    ]
    size = sum(len(p) for p in out)
    groups = [list(g) for _, g in groupby(plan.changes, key=lambda c: c.resource.sdkappid)]
    shown = 0
    for group in groups:
        section = _markdown_app(group)
        if size + len(section) > limit - _RESERVE - 4_000:
            break
        out.append(section)
        size += len(section)
        shown += 1
    if shown < len(groups):
        cut = groups[shown:]
        out.append(
            f"\n> **Cut:** {len(cut)} more app(s) with {sum(len(g) for g in cut)} "
            f"difference(s) are not shown, to stay under GitHub's {GITHUB_COMMENT_LIMIT:,}-"
            "character comment limit. The table counts everything; run `reconciler drift` "
            "for the full list.\n"
        )
    if plan.unmanaged:
        names, used = [], 0
        for r in plan.unmanaged:
            name = f"`{markdown_code(f'{r.app}/{r.product}')}`"
            if used + len(name) > 3_500:
                break
            names.append(name)
            used += len(name) + 2
        rest = len(plan.unmanaged) - len(names)
        more = f" and {rest} more" if rest else ""
        note = "drift under --strict" if strict else "left alone"
        out.append(f"\nUnmanaged live configs ({note}): {', '.join(names)}{more}\n")
    out.append(errors_section(plan))
    return "".join(out)
