"""``reconciler drift DIR``: read-only report of what differs from the desired state."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.apply.history import read_audit_logs, with_recurring
from reconciler.cli import options
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import engine, report_unreadable
from reconciler.engine import Connection, Selection
from reconciler.render import generated_now, render_plan
from reconciler.render.drift import is_drift, render_drift_markdown, render_drift_text
from reconciler.render.html import render_html, write_html


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

    Read-only: it cannot write. Exit 0 no drift, 2 drift, 1 error (an app that
    could not be read is listed, and the rest is still reported). With --audit-log,
    drift that an earlier apply already set back is called recurring.
    """
    history = read_audit_logs(audit_logs) if audit_logs else None  # before any request
    with engine(out, connection) as reconciler:
        report = reconciler.drift(directory, selection, ignores)
    plan = report.plan if history is None else with_recurring(report.plan, history)
    if report.ignored:
        out.info(f"ignored {report.ignored} accepted difference(s) (--ignore / .driftignore)")
    html = ""
    if fmt == "html" or html_file is not None:
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
    if report_unreadable(out, plan):
        return 1
    return 2 if is_drift(plan, strict=strict) else 0
