"""``reconciler plan DIR``: fetch live state, diff, render. Never writes to Tencent."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import engine, report_unreadable
from reconciler.engine import Connection, Selection
from reconciler.plan.planfile import write_plan_file
from reconciler.render import render_plan
from reconciler.render.markdown import render_markdown


@click.command("plan")
@options.desired_dir
@options.filters
@options.backend
@options.render_format
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan (JSON, no secrets) for `reconciler apply FILE`. Apps that "
    "could not be read are left out of it and listed in its `errors`.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0: none, 1: error, including an unreadable app).",
)
@click.pass_obj
def plan_command(
    out: Output,
    directory: Path,
    selection: Selection,
    connection: Connection,
    fmt: str,
    out_file: Path | None,
    detailed_exitcode: bool,
) -> int:
    """Show what apply would change to make live callbacks match DIRECTORY.

    Reads the live configuration through Tencent's query APIs only. An app whose
    live state cannot be read is left out and listed; the exit code is then 1.
    """
    with engine(out, connection) as reconciler:
        run = reconciler.plan(directory, selection)
    plan = run.plan
    reconciler.check_plan(run)
    out.result(render_plan(plan, fmt))
    append_step_summary(render_markdown(plan))
    if out_file is not None:
        write_plan_file(out_file, run.document())
        out.info(f"saved the plan to {out_file}; apply it with: reconciler apply {out_file}")
    if report_unreadable(out, plan):
        return 1  # an error wins over "changes present"
    return 2 if detailed_exitcode and plan.has_changes else 0
