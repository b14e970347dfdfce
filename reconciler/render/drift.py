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

from collections.abc import Sequence
from itertools import groupby

from reconciler.escape import escape, markdown_code, markdown_fence, markdown_html, markdown_text
from reconciler.plan.change import Action, Change, FieldDiff, Plan, Resource
from reconciler.plan.recurring import RecurringDrift
from reconciler.render.markdown import GITHUB_COMMENT_LIMIT
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


def _recurring_of(plan: Plan) -> dict[Resource, RecurringDrift]:
    return {r.resource: r for r in plan.recurring or ()}


def recurring_line(plan: Plan) -> str | None:
    """How many drifted resources are recurring; None when no audit log was read."""
    if plan.recurring is None:
        return None
    n, total = len(plan.recurring), len(plan.changes)
    return (
        f"Recurring drift: {n} of {total} drifted resource(s) this tool already set back "
        "(another writer keeps changing them); the others drifted for the first time "
        "in the audit logs read."
    )


def render_drift_change(change: Change, recurring: RecurringDrift | None = None) -> list[str]:
    r = change.resource
    diffs = change.field_diffs()
    width = max((len(d.name) for d in diffs), default=0)
    state = drift_state(change)
    if change.action is Action.UPDATE:
        state += " (was → now)"
    lines = [f"  # {escape(r.app)} ({r.sdkappid}) {r.product}: {state}"]
    if recurring is not None:
        lines.append(f"  # {recurring.sentence()}")
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


def has_errors(plan: Plan) -> bool:
    """Whether something could not be checked: an unreadable app, a missing secret."""
    return bool(plan.errors or plan.skipped)


def exit_code(plan: Plan, *, strict: bool) -> int:
    """``drift``'s exit code: 0 no drift, 2 drift, 1 errors and no drift, 3 drift and
    errors (a cron job tells all four apart without reading the report)."""
    drift = is_drift(plan, strict=strict)
    if has_errors(plan):
        return 3 if drift else 1
    return 2 if drift else 0


def headline(plan: Plan, *, strict: bool) -> str:
    """The first line: agrees with the exit code (it says "Drift" exactly for 2 and 3,
    and names what could not be read for 1 and 3)."""
    if has_errors(plan) and not is_drift(plan, strict=strict):
        return (
            f"No drift in the apps that could be read; {_unchecked(plan)} could not be "
            "read (below)."
        )
    if plan.has_changes:
        line = "Drift: the live configuration differs from the desired state."
    elif strict and plan.unmanaged:
        line = (
            f"Drift: {len(plan.unmanaged)} unmanaged live config(s), configured live but "
            "not declared (--strict counts them as drift)."
        )
    else:
        return "No drift: the managed configurations match the desired state."
    if has_errors(plan):
        line += f" And {_unchecked(plan)} could not be read (below)."
    return line


def _unchecked(plan: Plan) -> str:
    apps = len(plan.unreadable_apps)
    parts = [f"{apps} app(s)"] if apps else []
    if plan.skipped:
        parts.append(f"{len(plan.skipped)} resource(s)")
    return " and ".join(parts)


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
    recurring = _recurring_of(plan)
    for change in plan.changes:
        lines += [*render_drift_change(change, recurring.get(change.resource)), ""]
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
        lines.append(
            "Not checked, the rest of the app is (why: a secret they need is missing, or they "
            "cannot be managed):"
        )
        lines += [f"  ! {e}" for e in plan.skipped]
        lines.append("")
    lines.append(summary_line(plan, strict=strict))
    again = recurring_line(plan)
    if again is not None:
        lines.append(again)
    return "\n".join(lines) + "\n"


def _markdown_app(changes: list[Change], recurring: dict[Resource, RecurringDrift]) -> str:
    first = changes[0].resource
    states = [
        f"{drift_state(c)}{' (recurring)' if c.resource in recurring else ''}: {c.resource.product}"
        for c in changes
    ]
    text = "\n".join(
        line for c in changes for line in [*render_drift_change(c, recurring.get(c.resource)), ""]
    ).rstrip()
    return (
        f"<details><summary><b>{markdown_html(first.app)}</b> ({first.sdkappid}): "
        f"{markdown_html(', '.join(states))}"
        f"</summary>\n\n{markdown_fence(text, 'diff')}\n\n</details>\n"
    )


def _markdown_recurring(recurring: Sequence[RecurringDrift], limit: int = 30) -> str:
    """A table of the recurring drift (the first ``limit`` rows)."""

    def cell(text: str) -> str:
        return markdown_text(text)

    rows = [
        f"| {cell(r.resource.app)} ({r.resource.sdkappid}) | {cell(r.resource.product)} "
        f"| {r.times} "
        f"| {cell(r.last)} | {cell(r.shown_request_ids())} |\n"
        for r in recurring[:limit]
    ]
    more = len(recurring) - len(rows)
    note = f"\n{more} more recurring resource(s) not shown.\n" if more else ""
    return (
        "**Recurring drift** (this tool set these back before; another writer keeps "
        "changing them):\n\n| app | product | times set back | last | RequestIds |\n"
        "|---|---|---:|---|---|\n" + "".join(rows) + note + "\n"
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
    if plan.warnings:  # the same warnings as the JSON report's, escaped for Markdown
        out.append("> [!WARNING]\n")
        out += [f"> - {markdown_text(w)}\n" for w in plan.warnings[:50]]
        if len(plan.warnings) > 50:
            out.append(f"> - … and {len(plan.warnings) - 50} more\n")
        out.append("\n")
    again = recurring_line(plan)
    if again is not None:
        out.append(f"{again}\n\n")
    size = sum(len(p) for p in out)
    groups = [list(g) for _, g in groupby(plan.changes, key=lambda c: c.resource.sdkappid)]
    shown = 0
    recurring = _recurring_of(plan)
    if plan.recurring:
        table = _markdown_recurring(plan.recurring)
        out.append(table)
        size += len(table)  # within the comment limit like every other section
    for group in groups:
        section = _markdown_app(group, recurring)
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
