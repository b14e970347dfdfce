"""Markdown for pull-request comments: summary table, then one ``<details>`` per app.

GitHub refuses comments over 65,535 characters; we stop adding apps before that
and say how many were left out.

Every value that came from a file, a file name, a server or the environment goes
through :mod:`reconciler.escape` for where it lands: :func:`markdown_text` in text,
:func:`markdown_code` in a code span, :func:`markdown_html` in raw HTML, and
:func:`escape` inside a fenced block (whose fence is longer than any backtick run).
"""

from __future__ import annotations

from itertools import groupby

from reconciler.escape import markdown_code, markdown_fence, markdown_html, markdown_text
from reconciler.plan.change import SYMBOLS, Action, Change, Plan, Resource
from reconciler.render.text import DRIFT_HEADING, DRIFT_MARK, EDIT_HEADING, render_change

GITHUB_COMMENT_LIMIT = 65_535
_RESERVE = 1_000  # room for the truncation note
_UNMANAGED_BUDGET = 4_000  # the unmanaged list is cut to this many characters


def _unmanaged_section(plan: Plan) -> str:
    if not plan.unmanaged:
        return ""
    names: list[str] = []
    used = 0
    for r in plan.unmanaged:
        name = f"`{markdown_code(f'{r.app}/{r.product}')}`"
        if used + len(name) + 2 > _UNMANAGED_BUDGET:
            break
        names.append(name)
        used += len(name) + 2
    rest = len(plan.unmanaged) - len(names)
    more = f" and {rest} more" if rest else ""
    return f"\nUnmanaged live configs (left alone): {', '.join(names)}{more}\n"


def _resource_list(resources: tuple[Resource, ...]) -> str:
    names: list[str] = []
    used = 0
    for r in resources:
        name = f"`{markdown_code(f'{r.app}/{r.product}')}`"
        if used + len(name) + 2 > _UNMANAGED_BUDGET:
            break
        names.append(name)
        used += len(name) + 2
    rest = len(resources) - len(names)
    return ", ".join(names) + (f" and {rest} more" if rest else "")


def _context_section(plan: Plan) -> str:
    """Live source, reverted drift, safety verdict, warnings and what was ignored."""
    out: list[str] = []
    if plan.live_source:
        out.append(f"Live state: {markdown_text(plan.live_source)}\n\n")
    if plan.drift_reverts:
        out.append(
            f"> [!CAUTION]\n> **{DRIFT_MARK}:** {len(plan.drift_reverts)} change(s) undo live "
            "changes made outside reconciler: "
            + _resource_list(tuple(c.resource for c in plan.drift_reverts))
            + ". Check that reverting them is intended.\n\n"
        )
    verdict = plan.safety
    if verdict is not None:
        if verdict.status == "safe":
            out.append(f"**Safety:** {markdown_text(verdict.summary())}\n\n")
        else:
            kind = "CAUTION" if verdict.status in ("unsafe", "blocked") else "WARNING"
            out.append(f"> [!{kind}]\n> **Safety:** {markdown_text(verdict.summary())}\n\n")
    if plan.warnings:
        out.append("> [!WARNING]\n")
        out += [f"> - {markdown_text(w)}\n" for w in plan.warnings[:50]]
        if len(plan.warnings) > 50:
            out.append(f"> - … and {len(plan.warnings) - 50} more\n")
        out.append("\n")
    if plan.ignored:
        out.append(
            "Ignored (accepted differences left alone, `--ignore` / `.driftignore`): "
            f"{_resource_list(plan.ignored)}\n\n"
        )
    out.append(_url_checks_section(plan))
    return "".join(out)


def _url_checks_section(plan: Plan, limit: int = 100) -> str:
    """``plan --check-urls``: one line per URL a change would write (the first ``limit``)."""
    if plan.url_checks is None:
        return ""
    checks = plan.url_checks
    bad = sum(1 for c in checks if not c.ok)
    lines = [f"- {'✅' if c.ok else '⚠️'} {markdown_text(c.line())}\n" for c in checks[:limit]]
    more = f"- … and {len(checks) - limit} more\n" if len(checks) > limit else ""
    return (
        f"**URL checks:** {len(checks) - bad} reachable, {bad} with a problem\n\n"
        + "".join(lines)
        + more
        + "\n"
    )


def _errors_section(plan: Plan) -> str:
    return _unreadable_section(plan) + _skipped_section(plan)


def _fenced(lines: list[str], info: str) -> str:
    """``lines`` (each escaped onto its line) in a fenced block no line can close."""
    return markdown_fence("\n".join(lines), info) + "\n"


def _skipped_section(plan: Plan) -> str:
    if not plan.skipped:
        return ""
    return (
        "\n> **Not planned:** a secret they need is missing, or no change can reach them "
        "(the rest of their apps is planned)\n\n"
        + _fenced([f"! {e}" for e in plan.skipped], "text")
    )


def _unreadable_section(plan: Plan) -> str:
    if not plan.errors:
        return ""
    apps = ", ".join(f"**{markdown_text(name)}** ({i})" for name, i in plan.unreadable_apps)
    return (
        f"\n> **Could not be read** (left out; nothing is changed in these apps): {apps}\n\n"
        + _fenced([f"! {e}" for e in plan.errors], "text")
    )


def _app_section(changes: list[Change]) -> str:
    first = changes[0].resource
    counts = {a: sum(1 for c in changes if c.action is a) for a in Action}
    parts = [f"{SYMBOLS[a]}{n} {a.value}" for a, n in counts.items() if n]
    reverts = sum(1 for c in changes if c.reverts_drift)
    if reverts:
        parts.append(f"⚠️ {reverts} revert(s) live drift")
    text = "\n".join(line for c in changes for line in [*render_change(c), ""]).rstrip()
    return (
        f"<details><summary><b>{markdown_html(first.app)}</b> ({first.sdkappid}): "
        f"{', '.join(parts)}</summary>\n\n{markdown_fence(text, 'diff')}\n\n</details>\n"
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
    out.append(_context_section(plan))
    unmanaged = _unmanaged_section(plan) + _errors_section(plan)
    size = sum(len(p) for p in out) + len(unmanaged)
    if any(c.cause is not None for c in plan.changes):
        parts = [
            (f"\n#### {EDIT_HEADING}\n\n", [c for c in plan.changes if not c.reverts_drift]),
            (f"\n#### ⚠️ {DRIFT_HEADING}\n\n", list(plan.drift_reverts)),
        ]
    else:
        parts = [("", list(plan.changes))]
    cut: list[list[Change]] = []
    for heading, changes in parts:
        part = [list(g) for _, g in groupby(changes, key=lambda c: c.resource.sdkappid)]
        if not part:
            continue
        if cut or size + len(heading) > limit - _RESERVE:
            cut += part
            continue
        out.append(heading)
        size += len(heading)
        for i, group in enumerate(part):
            section = _app_section(group)
            if size + len(section) > limit - _RESERVE:
                cut += part[i:]
                break
            out.append(section)
            size += len(section)
    if cut:
        n_changes = sum(len(g) for g in cut)
        out.append(
            f"\n> **Cut:** {len(cut)} more app(s) with {n_changes} change(s) are not shown, to "
            f"stay under GitHub's {GITHUB_COMMENT_LIMIT:,}-character comment limit. "
            "The summary table counts everything; run `reconciler plan` or open the saved "
            "plan for the full list.\n"
        )
    out.append(unmanaged)
    return "".join(out)
