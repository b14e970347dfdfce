"""``reconciler plan DIR``: fetch live state (or read a snapshot), diff, render.

Never writes to Tencent. ``--base REF`` tells this desired state's edits from the
live drift an apply would revert; the safety verdict and what was ignored are
part of every output.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.options import Connection, SafetyRails, Selection
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import Planned, planned, planned_offline
from reconciler.desired.gitbase import desired_at
from reconciler.desired.loader import DesiredApp, load_desired
from reconciler.errors import ConfigErrors, SafetyError, UsageError
from reconciler.plan.cause import with_causes
from reconciler.plan.change import Plan
from reconciler.plan.ignore import ignored, load_rules
from reconciler.plan.planfile import plan_document, reviewed_plan_document, write_plan_file
from reconciler.plan.safety import Thresholds, change_warnings, evaluate
from reconciler.render import render_plan
from reconciler.render.markdown import render_markdown


@contextmanager
def _planned(
    out: Output,
    directory: Path,
    selection: Selection,
    connection: Connection,
    live_file: Path | None,
) -> Iterator[Planned]:
    if live_file is None:
        with planned(out, directory, selection, connection) as run:
            yield run
        return
    if connection.emulator_seed is not None:
        raise UsageError("--live plans against a snapshot: drop --emulator")
    yield planned_offline(out, directory, selection, live_file)


def _base_apps(directory: Path, ref: str, lenient: bool) -> list[DesiredApp]:
    with desired_at(directory, ref) as base:
        if not any(p.suffix in (".yaml", ".yml") for p in base.rglob("*")):
            return []  # the desired state is new in this change: everything is an edit
        try:
            return list(load_desired(base, lenient=lenient).apps)
        except ConfigErrors as errors:
            raise UsageError(
                f"--base {ref}: the desired state at {ref} is not valid "
                f"({len(errors.errors)} error(s)), so edits cannot be told from drift; "
                "plan without --base, or fix the base first"
            ) from None


def finish_plan(
    out: Output,
    run: Planned,
    directory: Path,
    selection: Selection,
    ignores: tuple[str, ...],
    rails: SafetyRails,
    base_ref: str | None,
) -> Plan:
    """Tell edits from drift, drop what is ignored (listing it), add the safety verdict
    and every warning to the plan itself, so that each output shows them."""
    plan = run.plan
    if base_ref is not None:
        plan = with_causes(plan, run.apps, _base_apps(directory, base_ref, selection.lenient))
    rules = load_rules(directory, ignores)
    skipped = ignored([*(c.resource for c in plan.changes), *plan.unmanaged], rules)
    plan = plan.without(skipped)
    if skipped:
        out.info(f"ignored {len(skipped)} accepted difference(s) (--ignore / .driftignore)")
    thresholds = Thresholds(rails.max_update_pct, rails.max_delete_pct, rails.min_existing)
    verdict = evaluate(plan, run.protected, thresholds, forced=rails.force)
    extra = change_warnings(plan)
    for warning in extra:
        out.warn(warning)
    return replace(plan, safety=verdict, warnings=(*run.warnings, *plan.warnings, *extra))


@click.command("plan")
@options.desired_dir
@options.filters
@options.backend
@options.render_format
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan (JSON, no secrets) for `reconciler apply --plan FILE`.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0: none, 1: error or an unsafe plan).",
)
@click.option(
    "--base",
    "base_ref",
    metavar="REF",
    help="Tell this desired state's edits (versus DIR at git revision REF, e.g. "
    "origin/main) from the live drift the apply would revert.",
)
@click.option(
    "--live",
    "live_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Plan against this live-state snapshot (from `reconciler snapshot`) instead of "
    "reading live: no key needed. Such a plan is not signed: apply uses it only as "
    "`--reviewed`.",
)
@options.ignores
@options.safety_rails
@click.pass_obj
def plan_command(
    out: Output,
    directory: Path,
    selection: Selection,
    connection: Connection,
    fmt: str,
    out_file: Path | None,
    detailed_exitcode: bool,
    base_ref: str | None,
    live_file: Path | None,
    ignores: tuple[str, ...],
    rails: SafetyRails,
) -> int:
    """Show what apply would change to make live callbacks match DIRECTORY.

    Reads the live configuration through Tencent's query APIs only (or a snapshot
    with --live). Shows the safety verdict: a delete in a `protect: true` app is an
    error; a plan over the update/delete thresholds is unsafe (exit 1 with
    --detailed-exitcode) unless --force overrides it.
    """
    with _planned(out, directory, selection, connection, live_file) as run:
        plan = finish_plan(out, run, directory, selection, ignores, rails, base_ref)
        verdict = plan.safety
        assert verdict is not None
        out.result(render_plan(plan, fmt))
        append_step_summary(render_markdown(plan))
        if verdict.status == "blocked":
            raise SafetyError(verdict.protect_message())
        if out_file is not None:
            doc = (
                reviewed_plan_document(plan, run.resolved)
                if run.backend is None
                else plan_document(plan, run.resolved)
            )
            write_plan_file(out_file, doc)
            how = (
                "it records what reviewers saw; the apply job re-plans with the keys and "
                f"applies only matching changes (apply --plan FRESH --reviewed {out_file})"
                if run.backend is None
                else f"apply it with: reconciler apply --plan {out_file}"
            )
            out.info(f"saved the plan to {out_file}; {how}")
    if verdict.status == "overridden":
        out.warn(f"unsafe plan let through by --force: {verdict.threshold_message()}")
    if verdict.status == "unsafe":
        message = (
            f"unsafe plan: {verdict.threshold_message()}. Check the plan; if it is intended, "
            "give the override (--force; in the shipped workflows, the PR label "
            "`reconciler:allow-unsafe`), or raise --max-update-pct / --max-delete-pct"
        )
        if detailed_exitcode:
            raise SafetyError(message)
        out.warn(message)
    return 2 if detailed_exitcode and plan.has_changes else 0
