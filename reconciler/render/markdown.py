"""Markdown for pull-request comments: summary table, then one ``<details>`` per app.

GitHub refuses comments over 65,535 characters; we stop adding apps before that
and say how many were left out.
"""

from __future__ import annotations

from itertools import groupby

from reconciler.plan.change import SYMBOLS, Action, Change, Plan
from reconciler.render.text import render_change

GITHUB_COMMENT_LIMIT = 65_535
_RESERVE = 1_000  # room for the truncation note
_UNMANAGED_BUDGET = 4_000  # the unmanaged list is cut to this many characters


def _unmanaged_section(plan: Plan) -> str:
    if not plan.unmanaged:
        return ""
    names: list[str] = []
    used = 0
    for r in plan.unmanaged:
        name = f"`{r.app}/{r.product}`"
        if used + len(name) + 2 > _UNMANAGED_BUDGET:
            break
        names.append(name)
        used += len(name) + 2
    rest = len(plan.unmanaged) - len(names)
    more = f" and {rest} more" if rest else ""
    return f"\nUnmanaged live configs (left alone): {', '.join(names)}{more}\n"


def _errors_section(plan: Plan) -> str:
    if not plan.errors:
        return ""
    apps = ", ".join(f"**{name}** ({i})" for name, i in plan.unreadable_apps)
    lines = "\n".join(f"! {e}".replace("`", "'") for e in plan.errors)
    return (
        f"\n> **Could not be read** (left out; nothing is changed in these apps): {apps}\n\n"
        f"```text\n{lines}\n```\n"
    )


def _app_section(changes: list[Change]) -> str:
    first = changes[0].resource
    counts = {a: sum(1 for c in changes if c.action is a) for a in Action}
    parts = [f"{SYMBOLS[a]}{n} {a.value}" for a, n in counts.items() if n]
    body = "\n".join(line for c in changes for line in [*render_change(c), ""]).rstrip()
    return (
        f"<details><summary><b>{first.app}</b> ({first.sdkappid}): {', '.join(parts)}"
        f"</summary>\n\n```diff\n{body}\n```\n\n</details>\n"
    )


def render_markdown(plan: Plan, *, title: str = "plan", limit: int = GITHUB_COMMENT_LIMIT) -> str:
    s = plan.summary()
    heading = "Drift report" if title == "drift" else "Plan"
    out = [
        f"### trtc-callback-reconciler: {heading}\n\n",
        "| to create | to update | to delete | unchanged | unmanaged |\n",
        "|---:|---:|---:|---:|---:|\n",
        f"| {s['create']} | {s['update']} | {s['delete']} | {s['unchanged']} "
        f"| {len(plan.unmanaged)} |\n\n",
    ]
    if not plan.changes:
        out.append(
            "No drift: the managed configurations match the desired state.\n\n"
            if title == "drift"
            else "No changes: the live configuration matches the desired state.\n\n"
        )
    unmanaged = _unmanaged_section(plan) + _errors_section(plan)
    size = sum(len(p) for p in out) + len(unmanaged)
    groups = [list(g) for _, g in groupby(plan.changes, key=lambda c: c.resource.sdkappid)]
    shown = 0
    for group in groups:
        section = _app_section(group)
        if size + len(section) > limit - _RESERVE:
            break
        out.append(section)
        size += len(section)
        shown += 1
    if shown < len(groups):
        cut = groups[shown:]
        n_changes = sum(len(g) for g in cut)
        out.append(
            f"\n> **Cut:** {len(cut)} more app(s) with {n_changes} change(s) are not shown, to "
            f"stay under GitHub's {GITHUB_COMMENT_LIMIT:,}-character comment limit. "
            "The summary table counts everything; run `reconciler plan` or open the saved "
            "plan for the full list.\n"
        )
    out.append(unmanaged)
    return "".join(out)
