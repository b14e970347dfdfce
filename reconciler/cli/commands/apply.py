"""``reconciler apply DIR``, ``reconciler apply FILE`` and ``reconciler apply --plan FILE``.

All three apply a saved plan through the engine: DIR is planned and saved in
memory first. A saved plan was reviewed when it was made, so it is applied
without a prompt; a plan of DIR is shown and confirmed (y/N, or --auto-approve).
"""

from __future__ import annotations

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
from reconciler.apply.reviewed import read_reviewed
from reconciler.cli import options
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import Progress, engine, report_unreadable
from reconciler.configs import Unreadable
from reconciler.engine import Connection, PlanResult, Reconciler, Selection
from reconciler.engine.applying import check_saved_plan, prepare_saved
from reconciler.engine.options import SafetyRails
from reconciler.errors import ApplyInterrupted, UsageError
from reconciler.plan.change import Plan
from reconciler.plan.planfile import SavedPlan
from reconciler.render.text import render_change, render_text


def _confirm(out: Output, preview: str, auto_approve: bool) -> bool:
    if auto_approve:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "refusing to apply without confirmation: standard input is not a terminal; "
            "review the plan and pass --auto-approve (or save it with `plan --out FILE` "
            "and apply FILE)"
        )
    if out.quiet:  # -q hid the plan: never ask about changes the user has not seen
        out.always(preview)
    return click.confirm("Apply these changes?", default=False, err=True)


def _nothing_to_do(
    out: Output, text: str, output_format: str = "text", unreadable: Sequence[Unreadable] = ()
) -> int:
    if output_format == "json":
        out.info(text)
        out.result(render_results_json([], unreadable=unreadable))
    else:
        out.result(text + "\n")
    append_step_summary(f"### trtc-callback-reconciler: Apply\n\n{text}\n")
    return 0


def _run(
    out: Output,
    reconciler: Reconciler,
    items: Sequence[ApplyItem],
    audit_log: Path | None,
    output_format: str = "text",
    *,
    refused: Sequence[ChangeResult] = (),
    forced: bool = False,
    unreadable: Sequence[Unreadable] = (),
) -> int:
    """Apply every item concurrently (write-ahead audited, re-checked for other
    writers), report; exit 0 only if all applied.

    ``refused`` changes (not matching the reviewed plan) are reported and audited too;
    ``forced``: the safety thresholds were overridden (recorded in the audit log).
    """
    audit = AuditLog(audit_log, forced=forced) if audit_log is not None else None
    finished: list[ChangeResult] = list(refused)
    for result in refused:
        out.info(result_line(result))
        if audit is not None:
            audit.append(result)

    def on_result(result: ChangeResult) -> None:
        finished.append(result)
        out.info(result_line(result), colorize_text=True)

    apps = len({item.change.resource.sdkappid for item in items})
    progress = Progress(out, "applying", len(items), apps)
    try:
        executed = (
            reconciler.execute(items, on_result=on_result, audit=audit, progress=progress).results
            if items
            else []
        )
        results = [*refused, *executed]
    except ApplyInterrupted as exc:
        _report(
            out, finished, output_format, total=len(refused) + len(items), interrupted=exc.signal
        )
        raise
    finally:
        if audit is not None:
            audit.close()
    _report(out, results, output_format, unreadable=unreadable)
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
    unreadable: Sequence[Unreadable] = (),
) -> None:
    if output_format == "json":
        document = render_results_json(
            results, total=total, interrupted=interrupted, unreadable=unreadable
        )
        out.result(document)
    elif results:
        out.result(render_results(results), colorize_text=True)
    if results:
        append_step_summary(lambda: render_results_markdown(results))


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


def _apply_saved(
    out: Output,
    plan_file: Path,
    saved: SavedPlan,
    connection: Connection,
    audit_log: Path | None,
    output_format: str = "text",
    *,
    reviewed_file: Path | None = None,
    forced: bool = False,
) -> int:
    """A saved plan: shown, never confirmed (it was reviewed when it was made).

    With ``reviewed_file``, only its changes that the reviewed plan lists identically
    are applied; the others are refused and reported (see :mod:`apply.reviewed`).
    """
    for error in saved.errors:
        out.warn(f"the saved plan left out an app it could not read: {error}")
    reviewed = read_reviewed(reviewed_file) if reviewed_file is not None else None
    with engine(out, connection) as reconciler:
        changes = prepare_saved(reconciler, saved, reviewed)
        items, refused = changes.items, changes.refused
        for name in changes.done:
            out.info(f"reviewed change {name} is no longer needed: live already matches")
        if not items and not refused:
            return _nothing_to_do(
                out, "No changes in the saved plan. Nothing to do.", output_format
            )
        out.info(_saved_preview(plan_file, items), colorize_text=True)
        return _run(
            out, reconciler, items, audit_log, output_format, refused=refused, forced=forced
        )


@click.command("apply")
@click.argument(
    "directory",
    metavar="[DIR_OR_PLANFILE]",
    required=False,
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Apply exactly this saved plan (from `plan --out`); the same as "
    "`apply FILE`. Changes whose live state moved since are refused as stale.",
)
@click.option(
    "--reviewed",
    "reviewed_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With a saved plan: apply only the changes this reviewed plan (a pull request's "
    "`plan --out`, perhaps made against a snapshot) also lists, with the same live state "
    "before and after; refuse and report every other change.",
)
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Apply a plan of DIR without asking. Required when standard input is not a "
    "terminal. A saved plan never asks.",
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
@options.safety_rails
@options.ignores
@options.filters
@options.backend
@click.pass_obj
def apply_command(
    out: Output,
    directory: Path | None,
    plan_file: Path | None,
    auto_approve: bool,
    audit_log: Path | None,
    output_format: str,
    reviewed_file: Path | None,
    ignores: tuple[str, ...],
    rails: SafetyRails,
    selection: Selection,
    connection: Connection,
) -> int:
    """Make the live callbacks match DIR, or apply a saved plan FILE.

    DIR: plan, show the plan and ask y/N (or --auto-approve). FILE (written by
    `reconciler plan --out FILE`; also --plan FILE): apply exactly that plan,
    without asking: it was reviewed when it was made. Either way each change is
    stale-checked, applied independently, read back and verified; at the end
    every written resource is read again, and one that another writer changed
    meanwhile is reported. An app whose live state cannot be read is left
    untouched and listed. Exit 0 when every change applied, 1 on any failure,
    unverified, unknown or overwritten change, refusal or unreadable app; 130
    when interrupted (Ctrl-C), 143 on SIGTERM (a CI cancel): then run
    `reconciler plan` to see what changed.
    """
    target, plan_file = _target(directory, plan_file, reviewed_file, ignores)
    if rails.force:
        out.warn("--force: the update/delete safety thresholds are overridden for this apply")
    if audit_log is not None:
        check_audit_log(audit_log)
    if plan_file is not None:
        if selection != Selection(lenient=selection.lenient):
            raise UsageError(
                "--app/--exclude-app/--product/--shard do not apply to a saved plan; plan again"
            )
        saved = Reconciler.read_saved_plan(plan_file)
        check_saved_plan(saved, plan_file, rails)
        return _apply_saved(
            out,
            plan_file,
            saved,
            connection,
            audit_log,
            output_format,
            reviewed_file=reviewed_file,
            forced=rails.force,
        )
    assert target is not None
    with engine(out, connection) as reconciler:
        run = reconciler.review(target, selection, ignores=ignores, rails=rails)
        return apply_planned(
            out,
            reconciler,
            run,
            auto_approve=auto_approve,
            audit_log=audit_log,
            output_format=output_format,
            forced=rails.force,
        )


def _target(
    given: Path | None,
    plan_file: Path | None,
    reviewed_file: Path | None,
    ignores: tuple[str, ...],
) -> tuple[Path | None, Path | None]:
    """What to apply: a desired-state directory, or a saved plan file (one of the two)."""
    if given is not None and plan_file is not None:
        raise UsageError(
            f"give either DIR_OR_PLANFILE or --plan FILE, not both (got {given} and "
            f"--plan {plan_file})"
        )
    if given is None and plan_file is None:
        raise UsageError(
            "give a desired-state directory or a saved plan file (written by "
            "`reconciler plan --out FILE`)"
        )
    if given is not None and not given.is_dir():
        plan_file, given = given, None
    if reviewed_file is not None and plan_file is None:
        raise UsageError("--reviewed checks a fresh saved plan: give it as FILE (or --plan FILE)")
    if ignores and plan_file is not None:
        raise UsageError(
            "--ignore applies when planning; a saved plan already leaves out what its "
            "plan ignored (plan again with --ignore)"
        )
    return given, plan_file


def apply_planned(
    out: Output,
    reconciler: Reconciler,
    run: PlanResult,
    *,
    auto_approve: bool,
    audit_log: Path | None,
    output_format: str = "text",
    forced: bool = False,
) -> int:
    """Show a plan made just now (through the post-plan pipeline: its verdict and
    warnings), enforce its safety verdict, ask y/N (or ``auto_approve``), then apply it
    as a saved plan: ``apply DIR`` and ``restore SNAPSHOT`` both end here."""
    plan = run.plan
    preview = render_text(plan).rstrip("\n")
    out.info(preview, colorize_text=True)
    reconciler.check_plan(run)
    left_out = (*plan.errors, *plan.skipped)
    if not plan.has_changes:
        code = _nothing_to_do(out, "No changes. Nothing to do.", output_format, left_out)
        return report_unreadable(out, plan) or code
    items = reconciler.prepare(run.saved())
    if not _confirm(out, preview, auto_approve):
        out.info("Apply cancelled; nothing was changed.")
        return 1
    code = _run(
        out, reconciler, items, audit_log, output_format, forced=forced, unreadable=left_out
    )
    return report_unreadable(out, plan) or code
