"""``reconciler drift DIR``: read-only report of what differs from the desired state."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import engine, report_unreadable
from reconciler.engine import Connection, Selection
from reconciler.render import generated_now, render_plan
from reconciler.render.drift import exit_code, render_drift_markdown, render_drift_text


@click.command("drift")
@options.desired_dir
@options.filters
@options.backend
@options.render_format
@options.html_report
@options.ignores
@click.option(
    "--strict",
    is_flag=True,
    help="Count unmanaged live configs (configured, not declared) as drift too.",
)
@click.option(
    "--audit-log",
    "audit_logs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="An earlier apply's audit log (`apply --audit-log`). Repeatable. A drifted "
    "resource that an apply already set back to the desired value is reported as "
    "recurring drift (another writer keeps changing it): how many times, when last, the "
    "RequestIds.",
)
@click.pass_obj
def drift_command(
    out: Output,
    directory: Path,
    selection: Selection,
    connection: Connection,
    fmt: str,
    html_file: Path | None,
    ignores: tuple[str, ...],
    strict: bool,
    audit_logs: tuple[Path, ...],
) -> int:
    """Report where live callbacks differ from DIRECTORY, and unmanaged live configs.

    Read-only: it cannot write. An app that cannot be read (its secret key missing
    or refused, a read that failed) is listed, and the rest is still reported, in
    every output asked for. With --audit-log, drift that an earlier apply already
    set back is called recurring. Exit codes, for a cron job:

    \b
      0  no drift
      2  drift
      1  errors (some app could not be read), and no drift in the others
      3  drift, and errors
    """
    with engine(out, connection) as reconciler:
        report = reconciler.drift(directory, selection, ignores, audit_logs=audit_logs)
    plan = report.plan
    html = ""
    if fmt == "html" or html_file is not None:
        from reconciler.render.html import render_html, write_html  # only when asked

        html = render_html(plan, title="drift", ignored=report.accepted, generated=generated_now())
        if html_file is not None:
            write_html(html_file, html)
    if fmt == "text":
        out.result(render_drift_text(plan, strict=strict), colorize_text=True)
    elif fmt == "html":
        out.result(html)
    elif fmt == "markdown":
        out.result(render_drift_markdown(plan, strict=strict))
    else:
        out.result(render_plan(plan, fmt, title="drift"))
    append_step_summary(lambda: render_drift_markdown(plan, strict=strict))
    report_unreadable(out, plan)
    return exit_code(plan, strict=strict)
