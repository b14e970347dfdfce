"""``reconciler apply DIR`` and ``reconciler apply --plan FILE``."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.apply.audit import append_audit_log
from reconciler.apply.executor import ApplyItem, ChangeResult, apply_all
from reconciler.apply.report import render_results, render_results_markdown, result_line
from reconciler.apply.saved import items_from_saved_plan
from reconciler.cli import options
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import (
    Backend,
    load_selected,
    make_client,
    make_plan,
    open_backend,
    resolve,
)
from reconciler.errors import UsageError
from reconciler.plan.change import Plan
from reconciler.plan.planfile import read_plan_file
from reconciler.plan.safety import Thresholds, check_protect, check_thresholds
from reconciler.render.text import render_text
from reconciler.state import Config
from reconciler.targets import ResolvedApp


def _confirm(out: Output, auto_approve: bool) -> bool:
    if auto_approve:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "refusing to apply without confirmation: standard input is not a terminal; "
            "review the plan and pass --auto-approve"
        )
    return click.confirm("Apply these changes?", default=False, err=True)


def _items_for(plan: Plan, resolved: Sequence[ResolvedApp]) -> list[ApplyItem]:
    targets = {a.target.sdkappid: a.target for a in resolved}
    items = []
    for change in plan.changes:

        def is_current(live: Config | None, _before: Config | None = change.before) -> bool:
            return live == _before

        items.append(ApplyItem(change, targets[change.resource.sdkappid], is_current))
    return items


def _execute(
    out: Output, backend: Backend, items: Sequence[ApplyItem], parallelism: int, timeout: float
) -> list[ChangeResult]:
    async def run() -> list[ChangeResult]:
        async with make_client(backend, parallelism, timeout) as client:
            return await apply_all(client, items, on_result=lambda r: out.info(result_line(r)))

    return asyncio.run(run())


def _finish(out: Output, results: Sequence[ChangeResult], audit_log: Path | None) -> int:
    if audit_log is not None:
        append_audit_log(audit_log, results)
    out.result(render_results(results))
    append_step_summary(render_results_markdown(results))
    return 0 if all(r.ok for r in results) else 1


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
    help="Append one JSON line per change (secrets redacted) to this file.",
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
    apps: tuple[str, ...],
    products: tuple[str, ...],
    shard: tuple[int, int] | None,
    lenient: bool,
    endpoint: str | None,
    emulator_seed: Path | None,
    parallelism: int,
    timeout: float,
) -> int:
    """Make the live callbacks match DIRECTORY (or a saved --plan FILE).

    Shows the plan and asks y/N; each change is applied independently, read back
    and verified. Exit 0 when every change applied, 1 on any failure or refusal.
    """
    if (directory is None) == (plan_file is None):
        raise UsageError("give either DIRECTORY or --plan FILE (exactly one)")
    if plan_file is not None:
        if apps or products or shard:
            raise UsageError("--app/--product/--shard do not apply to a saved plan; plan again")
        saved = read_plan_file(plan_file)
        with open_backend(out, endpoint, emulator_seed) as backend:
            if not force:
                check_thresholds(
                    saved.summary,
                    saved.existing,
                    Thresholds(max_update_pct, max_delete_pct, min_existing),
                )
            items = items_from_saved_plan(saved, os.environ, backend.secret_keys)
            if not items:
                out.result("No changes in the saved plan. Nothing to do.\n")
                return 0
            out.info(f"applying {len(items)} change(s) from {plan_file}")
            if not _confirm(out, auto_approve):
                out.info("Apply cancelled; nothing was changed.")
                return 1
            return _finish(out, _execute(out, backend, items, parallelism, timeout), audit_log)

    assert directory is not None
    selected = load_selected(out, directory, apps=apps, shard=shard, lenient=lenient)
    with open_backend(out, endpoint, emulator_seed) as backend:
        resolved = resolve(selected, backend, products)

        async def plan_it() -> Plan:
            async with make_client(backend, parallelism, timeout, read_only=True) as client:
                return await make_plan(out, client, resolved, products)

        plan = asyncio.run(plan_it())
        out.info(render_text(plan).rstrip("\n"))
        check_protect(plan, {a.sdkappid for a in selected if a.protect})
        if not force:
            check_thresholds(
                plan.summary(),
                plan.existing,
                Thresholds(max_update_pct, max_delete_pct, min_existing),
            )
        if not plan.has_changes:
            out.result("No changes. Nothing to do.\n")
            return 0
        if not _confirm(out, auto_approve):
            out.info("Apply cancelled; nothing was changed.")
            return 1
        results = _execute(out, backend, _items_for(plan, resolved), parallelism, timeout)
        return _finish(out, results, audit_log)
