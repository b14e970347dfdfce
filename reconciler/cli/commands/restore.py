"""``reconciler restore SNAPSHOT``: put the live state back to a snapshot.

The snapshot (written by ``reconciler snapshot``) is the desired state; the rest is
``apply DIR``: the plan shown first, the safety rails, y/N or ``--auto-approve``,
stale checks, the audit log. ``--out FILE`` saves the plan for review instead
(applied later with ``reconciler apply FILE``).
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.apply.audit import check_audit_log
from reconciler.cli import options
from reconciler.cli.commands.apply import apply_planned
from reconciler.cli.output import Output
from reconciler.cli.session import engine, report_unreadable
from reconciler.engine import Connection, Selection
from reconciler.engine.options import SafetyRails
from reconciler.engine.restore import plan_restore
from reconciler.errors import SafetyError, UsageError
from reconciler.plan.planfile import plan_document, write_plan_file
from reconciler.render.text import render_text


@click.command("restore")
@click.argument(
    "snapshot_file",
    metavar="SNAPSHOT",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Restore without asking. Required when standard input is not a terminal.",
)
@click.option(
    "--audit-log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append JSON lines to this file, as `apply --audit-log` does (an intent line "
    "before each write, then its outcome with Tencent's RequestId).",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the restore plan (JSON, no secrets) to FILE and write nothing to "
    "Tencent; apply it after review with `reconciler apply FILE`.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How the result goes to stdout, as for `apply`.",
)
@options.safety_rails
@options.filters
@options.backend
@click.pass_obj
def restore_command(
    out: Output,
    snapshot_file: Path,
    auto_approve: bool,
    audit_log: Path | None,
    out_file: Path | None,
    output_format: str,
    rails: SafetyRails,
    selection: Selection,
    connection: Connection,
) -> int:
    """Make the live callbacks match SNAPSHOT (written by `reconciler snapshot`).

    Every config the snapshot read is put back: a callback's URL and events, a
    config absent then deleted now, a config deleted since created again. A Live
    token is not in a snapshot: restore sets its on/off switch only, never a token
    value (and says so). Products the snapshot did not read are left alone.

    The same path as `apply DIR`: the plan is shown, then y/N (or --auto-approve;
    off a terminal without it nothing is written), the safety thresholds (--force),
    `protect: true` apps, stale checks and --audit-log. The secret keys come from
    the variables the snapshot names. Exit codes as for `apply`.
    """
    if selection.policy is not None:
        raise UsageError("--policy checks a desired-state directory; restore has none")
    force = rails.force
    if force:
        out.warn("--force: the update/delete safety thresholds are overridden for this restore")
    if audit_log is not None:
        if out_file is not None:
            raise UsageError("--out saves the plan and writes nothing: drop --audit-log")
        check_audit_log(audit_log)
    with engine(out, connection) as reconciler:
        run = plan_restore(reconciler, snapshot_file, selection, rails)
        if out_file is None:
            return apply_planned(
                out,
                reconciler,
                run,
                auto_approve=auto_approve,
                audit_log=audit_log,
                output_format=output_format,
                forced=force,
            )
    plan = run.plan
    verdict = plan.safety
    assert verdict is not None
    out.result(render_text(plan), colorize_text=True)
    if verdict.status == "blocked":
        raise SafetyError(verdict.protect_message())
    write_plan_file(out_file, plan_document(plan, run.resolved))
    out.info(f"saved the restore plan to {out_file}; apply it with: reconciler apply {out_file}")
    return report_unreadable(out, plan)
