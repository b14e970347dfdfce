"""``reconciler apply DIR`` and ``reconciler apply --plan FILE``."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.apply.audit import AuditLog, check_audit_log
from reconciler.apply.executor import ApplyItem, ChangeResult
from reconciler.apply.report import (
    render_results,
    render_results_json,
    render_results_markdown,
    result_line,
)
from reconciler.apply.run import ApplyRun
from reconciler.apply.saved import items_from_saved_plan
from reconciler.cli import options
from reconciler.cli.options import Connection, Selection
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import Backend, Progress, open_backend, planned
from reconciler.errors import ApplyInterrupted, UsageError
from reconciler.plan.change import Plan
from reconciler.plan.planfile import read_plan_file
from reconciler.plan.safety import Thresholds, check_protect, check_thresholds
from reconciler.render.text import render_change, render_text
from reconciler.state import Config
from reconciler.targets import ResolvedApp


def _confirm(out: Output, preview: str, auto_approve: bool) -> bool:
    if auto_approve:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "refusing to apply without confirmation: standard input is not a terminal; "
            "review the plan and pass --auto-approve"
        )
    if out.quiet:  # -q hid the plan: never ask about changes the user has not seen
        out.always(preview)
    return click.confirm("Apply these changes?", default=False, err=True)


def _items_for(plan: Plan, resolved: Sequence[ResolvedApp]) -> list[ApplyItem]:
    targets = {a.target.sdkappid: a.target for a in resolved}
    items = []
    for change in plan.changes:

        def is_current(live: Config | None, _before: Config | None = change.before) -> bool:
            return live == _before

        items.append(ApplyItem(change, targets[change.resource.sdkappid], is_current))
    return items


def _nothing_to_do(out: Output, text: str, output_format: str = "text") -> int:
    if output_format == "json":
        out.info(text)
        out.result(render_results_json([]))
    else:
        out.result(text + "\n")
    append_step_summary(f"### trtc-callback-reconciler: Apply\n\n{text}\n")
    return 0


def _run(
    out: Output,
    backend: Backend,
    items: Sequence[ApplyItem],
    preview: str,
    auto_approve: bool,
    audit_log: Path | None,
    output_format: str = "text",
) -> int:
    """Confirm, apply every item concurrently, re-check for other writers, report;
    exit 0 only if all applied."""
    if not _confirm(out, preview, auto_approve):
        out.info("Apply cancelled; nothing was changed.")
        return 1
    audit = AuditLog(audit_log) if audit_log is not None else None
    apps = len({item.change.resource.sdkappid for item in items})
    run = ApplyRun(
        backend.client,
        items,
        audit=audit,
        on_result=lambda result: out.info(result_line(result)),
        progress=Progress(out, "applying", len(items), apps),
    )
    try:
        results = run.execute()
    except ApplyInterrupted as exc:
        _report(out, run.finished, output_format, total=len(items), interrupted=exc.signal)
        raise
    finally:
        if audit is not None:
            audit.close()
    _report(out, results, output_format)
    if audit is not None and audit.problem is not None:
        out.error(audit.problem)
        return 1
    return 0 if all(r.ok for r in results) else 1


def _report(
    out: Output,
    results: Sequence[ChangeResult],
    output_format: str,
    *,
    total: int | None = None,
    interrupted: str | None = None,
) -> None:
    if output_format == "json":
        out.result(render_results_json(results, total=total, interrupted=interrupted))
    elif results:
        out.result(render_results(results))
    if results:
        append_step_summary(render_results_markdown(results))


def _saved_preview(plan_file: Path, items: Sequence[ApplyItem]) -> str:
    lines = [f"Changes saved in {plan_file}:", ""]
    for item in items:
        lines += [*render_change(item.change), ""]
    plan = Plan(tuple(item.change for item in items))
    counts = plan.summary()
    lines.append(
        f"Saved plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete."
    )
    return "\n".join(lines)


@click.command("apply")
@click.argument(
    "directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Apply exactly this saved plan (from `plan --out`) instead of planning DIR. "
    "Changes whose live state moved since are refused as stale.",
)
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Apply without asking. Required when standard input is not a terminal.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Apply even when the plan exceeds the update/delete safety thresholds.",
)
@click.option(
    "--max-update-pct",
    type=click.FloatRange(0, 100),
    default=30.0,
    show_default=True,
    help="Refuse when updates exceed this share of the existing managed configs.",
)
@click.option(
    "--max-delete-pct",
    type=click.FloatRange(0, 100),
    default=30.0,
    show_default=True,
    help="Refuse when deletes exceed this share of the existing managed configs.",
)
@click.option(
    "--min-existing",
    type=click.IntRange(0),
    default=10,
    show_default=True,
    help="The thresholds apply only when at least this many managed configs exist.",
)
@click.option(
    "--audit-log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append JSON lines to this file (secrets redacted): before each write an "
    "intent line, flushed to disk, then its outcome with Tencent's RequestId.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How the result goes to stdout: text lines, or a JSON document (per change "
    "the outcome, RequestId and error; a summary). Progress and logs stay on stderr.",
)
@options.filters
@options.backend
@click.pass_obj
def apply_command(
    out: Output,
    directory: Path | None,
    plan_file: Path | None,
    auto_approve: bool,
    force: bool,
    max_update_pct: float,
    max_delete_pct: float,
    min_existing: int,
    audit_log: Path | None,
    output_format: str,
    selection: Selection,
    connection: Connection,
) -> int:
    """Make the live callbacks match DIRECTORY (or a saved --plan FILE).

    Shows the plan and asks y/N; each change is applied independently, read back
    and verified; at the end every written resource is read again, and one that
    another writer changed meanwhile is reported. Exit 0 when every change
    applied, 1 on any failure, unverified or overwritten change, or refusal;
    130 when interrupted (Ctrl-C), 143 on SIGTERM (a CI cancel): then run
    `reconciler plan` to see what changed.
    """
    if (directory is None) == (plan_file is None):
        raise UsageError("give either DIRECTORY or --plan FILE (exactly one)")
    thresholds = None if force else Thresholds(max_update_pct, max_delete_pct, min_existing)
    if audit_log is not None:
        check_audit_log(audit_log)

    if plan_file is not None:
        if selection != Selection(lenient=selection.lenient):
            raise UsageError("--app/--product/--shard do not apply to a saved plan; plan again")
        saved = read_plan_file(plan_file)
        if thresholds is not None:
            check_thresholds(saved.counts(), saved.existing, thresholds)
        with open_backend(out, connection) as backend:
            items = items_from_saved_plan(saved, os.environ, backend.secret_keys)
            if not items:
                return _nothing_to_do(
                    out, "No changes in the saved plan. Nothing to do.", output_format
                )
            preview = _saved_preview(plan_file, items)
            out.info(preview)
            return _run(out, backend, items, preview, auto_approve, audit_log, output_format)

    assert directory is not None
    with planned(out, directory, selection, connection) as run:
        plan = run.plan
        preview = render_text(plan).rstrip("\n")
        out.info(preview)
        check_protect(plan, run.protected)
        if thresholds is not None:
            check_thresholds(plan.summary(), plan.existing, thresholds)
        if not plan.has_changes:
            return _nothing_to_do(out, "No changes. Nothing to do.", output_format)
        items = _items_for(plan, run.resolved)
        return _run(out, run.backend, items, preview, auto_approve, audit_log, output_format)
