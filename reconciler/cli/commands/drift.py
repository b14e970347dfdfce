"""``reconciler drift DIR``: read-only report of what differs from the desired state."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.options import Connection, Selection
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import planned
from reconciler.plan.ignore import ignored, load_rules
from reconciler.render import render_plan
from reconciler.render.markdown import render_markdown


@click.command("drift")
@options.desired_dir
@options.filters
@options.backend
@options.render_format
@click.option(
    "--ignore",
    "ignores",
    multiple=True,
    metavar="APP/PRODUCT",
    help="An accepted difference (wildcards allowed, e.g. 'staging-*/live'). "
    "Repeatable; also read from DIR/.driftignore.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Count unmanaged live configs (configured, not declared) as drift too.",
)
@click.pass_obj
def drift_command(
    out: Output,
    directory: Path,
    selection: Selection,
    connection: Connection,
    fmt: str,
    ignores: tuple[str, ...],
    strict: bool,
) -> int:
    """Report where live callbacks differ from DIRECTORY, and unmanaged live configs.

    Read-only: it cannot write. Exit 0 no drift, 2 drift, 1 error.
    """
    rules = load_rules(directory, ignores)
    with planned(out, directory, selection, connection) as run:
        plan = run.plan
    skipped = ignored([*(c.resource for c in plan.changes), *plan.unmanaged], rules)
    plan = plan.without(skipped)
    if skipped:
        out.info(f"ignored {len(skipped)} accepted difference(s) (--ignore / .driftignore)")
    out.result(render_plan(plan, fmt, title="drift"), colorize_text=fmt == "text")
    append_step_summary(render_markdown(plan, title="drift"))
    drifted = plan.has_changes or (strict and bool(plan.unmanaged))
    return 2 if drifted else 0
