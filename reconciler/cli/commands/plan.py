"""``reconciler plan DIR``: fetch live state (or read a snapshot), diff, render.

Never writes to Tencent. ``--base REF`` tells this desired state's edits from the
live drift an apply would revert; the safety verdict, the warnings and what was
ignored are part of every output.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reconciler.cli import options
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import CliEvents, report_unreadable
from reconciler.engine import Connection, PlanResult, Selection
from reconciler.engine.options import SafetyRails
from reconciler.engine.pipeline import Review
from reconciler.engine.review import review_plan
from reconciler.errors import SafetyError
from reconciler.plan.planfile import plan_document, reviewed_plan_document, write_plan_file
from reconciler.plan.safety import SafetyVerdict
from reconciler.plan.urlcheck import check_urls, enforce, url_problems
from reconciler.render import generated_now, render_plan

if TYPE_CHECKING:
    _Choice = click.Choice[str]
else:  # click < 8.2: Choice is not generic
    _Choice = click.Choice


class _CheckUrlsMode(_Choice):
    """``warn`` or ``strict``; a hint when the value taken was meant as DIR."""

    def __init__(self) -> None:
        super().__init__(["warn", "strict"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(
                f"{value!r} is not warn or strict; give DIR before --check-urls, or write "
                "--check-urls=warn",
                param,
                ctx,
            )


@click.command("plan")
@options.desired_dir
@options.filters
@options.backend
@options.render_format
@options.html_report
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
    help="Exit 2 when there are changes (0: none, 1: error, including an unreadable app, "
    "or an unsafe plan).",
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
@click.option(
    "--check-urls",
    "check_urls_mode",
    type=_CheckUrlsMode(),
    is_flag=False,
    flag_value="warn",
    default=None,
    help="Probe every URL a change would write: resolve, connect, TLS with the system "
    "trust store (SSL_CERT_FILE honoured), one HEAD request (no body, no event). "
    "Problems are warnings; --check-urls=strict makes them errors (exit 1). Off by "
    "default: it sends traffic to your receivers.",
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
    html_file: Path | None,
    out_file: Path | None,
    detailed_exitcode: bool,
    base_ref: str | None,
    live_file: Path | None,
    ignores: tuple[str, ...],
    rails: SafetyRails,
    check_urls_mode: str | None,
) -> int:
    """Show what apply would change to make live callbacks match DIRECTORY.

    Reads the live configuration through Tencent's query APIs only (or a snapshot
    with --live). An app whose live state cannot be read is left out and listed;
    the exit code is then 1, as for a declared resource the app cannot have (a
    product whose package the app lacks: listed as not planned). Shows the
    safety verdict: a delete in a `protect: true` app is an error; a plan over the
    update/delete thresholds is unsafe (exit 1 with --detailed-exitcode) unless
    --force overrides it. With --check-urls, each URL a change would write is probed
    (at most 8 at once, 5 s each, each URL once) and reported per app and product:
    unresolvable, refused, timed out, certificate problem, or reachable with its HTTP
    status.
    """
    review = Review(directory, ignores, rails, base_ref, selection.lenient, words="plan")
    run = review_plan(connection, CliEvents(out), directory, selection, live_file, review)
    plan = run.plan
    if check_urls_mode is not None:
        plan = check_urls(plan)
        for problem in url_problems(plan):
            out.warn(problem)
    run = replace(run, plan=plan)
    verdict = plan.safety
    assert verdict is not None
    out.result(render_plan(plan, fmt), colorize_text=fmt == "text")
    if html_file is not None:
        from reconciler.render.html import render_html, write_html  # only when asked

        report = render_html(plan, title="plan", ignored=plan.ignored, generated=generated_now())
        write_html(html_file, report)
    append_step_summary(lambda: render_plan(plan, "markdown"))
    if verdict.status == "blocked":
        raise SafetyError(verdict.protect_message())
    if check_urls_mode == "strict":
        enforce(plan)  # an error: no plan file is saved
    if out_file is not None:
        _save(out, out_file, run, reviewed=live_file is not None)
    if report_unreadable(out, plan):
        return 1  # an error wins over "changes present"
    _judge(out, verdict, detailed_exitcode)
    return 2 if detailed_exitcode and plan.has_changes else 0


def _save(out: Output, out_file: Path, run: PlanResult, *, reviewed: bool) -> None:
    """``--out``: a signed plan for ``apply FILE``, or (planned against a snapshot) the
    record of what reviewers saw, for ``apply FRESH --reviewed``."""
    if reviewed:
        write_plan_file(out_file, reviewed_plan_document(run.plan, run.resolved))
        out.info(
            f"saved the plan to {out_file}; it records what reviewers saw: the apply job "
            "plans again with the keys and applies only matching changes "
            f"(apply FRESH --reviewed {out_file})"
        )
    else:
        write_plan_file(out_file, plan_document(run.plan, run.resolved))
        out.info(f"saved the plan to {out_file}; apply it with: reconciler apply {out_file}")


def _judge(out: Output, verdict: SafetyVerdict, detailed_exitcode: bool) -> None:
    """Say what the thresholds found; with --detailed-exitcode an unsafe plan is an error."""
    if verdict.status == "overridden":
        out.warn(f"unsafe plan let through by --force: {verdict.threshold_message()}")
    if verdict.status == "unsafe":
        message = (
            f"unsafe plan: {verdict.threshold_message()}. Check the plan; if it is intended, "
            "give the override (--force; in the shipped workflows, the PR label "
            "`reconciler:allow-unsafe`), or raise the threshold under `safety:` in "
            "policy.yaml (or with --max-update-pct / --max-delete-pct)"
        )
        if detailed_exitcode:
            raise SafetyError(message)
        out.warn(message)
