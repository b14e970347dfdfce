"""``reconciler github …``: the GitOps workflows' steps, one short call each.

Each command talks to the GitHub REST API (token ``GITHUB_TOKEN``, API
``GITHUB_API_URL``, repository ``GITHUB_REPOSITORY``: set in every Actions job) and
writes its results as step outputs (``$GITHUB_OUTPUT``). The logic is in
:mod:`reconciler.github`; these functions only read options and print.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from reconciler.cli.global_options import add_global_options
from reconciler.cli.output import Output, append_step_summary
from reconciler.escape import escape, markdown_text
from reconciler.github import audit, comment, drift, report, reviewed
from reconciler.github.api import GitHub, GitHubError
from reconciler.github.outputs import set_outputs
from reconciler.github.runs import OVERRIDE_LABEL

SERVER_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d+)?$")


def run_link(label: str, run_id: str | None = None) -> str:
    """A Markdown link to a run of this repository (this job's run by default)."""
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    run = run_id or os.environ.get("GITHUB_RUN_ID", "")
    if (
        not SERVER_URL.match(server)
        or not run.isdigit()
        or not re.match(r"^[\w.-]+/[\w.-]+$", repository)
    ):
        return label
    return f"[{label}]({server}/{repository}/actions/runs/{run})"


def api() -> GitHub:
    return GitHub.from_env()


def emit(out: Output, values: dict[str, str]) -> None:
    """Step outputs to $GITHUB_OUTPUT; outside Actions (no such file), to stdout."""
    lines = set_outputs(values)
    if not os.environ.get("GITHUB_OUTPUT"):
        for line in lines.splitlines():
            out.result(escape(line))


@click.group("github")
def github_group() -> None:
    """The steps of the shipped GitHub Actions workflows (see docs/gitops.md).

    They need GITHUB_TOKEN, GITHUB_REPOSITORY and, on GitHub Enterprise,
    GITHUB_API_URL in the environment; the token is never printed."""


@github_group.command("pr-context")
@click.option(
    "--pr", "number", type=click.IntRange(min=1), required=True, help="The pull request number."
)
@click.option("--head-sha", required=True, help="The pull request's head commit being planned.")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Write context.json here (it goes into the plan artifact).",
)
@click.pass_obj
def pr_context_command(out: Output, number: int, head_sha: str, out_file: Path) -> int:
    """In the plan job: record the PR, its head commit and the override label.

    Step outputs: `override` (`--force` when the label reconciler:allow-unsafe is on
    the PR now) and `override-by` (who added it, from the PR's label events).
    """
    with api() as github:
        context = reviewed.record_context(github, number, head_sha, out_file)
    by = str(context["override_added_by"] or "")
    emit(out, {"override": "--force" if context["override"] else "", "override-by": by})
    if context["override"]:
        out.warn(
            f"the PR carries {OVERRIDE_LABEL} (added by {by or 'unknown'}): planned with --force"
        )
    out.info(f"recorded the context of #{number} in {out_file}")
    return 0


@github_group.command("comment")
@click.option(
    "--run-id", type=click.IntRange(min=1), required=True, help="The plan workflow run to report."
)
@click.pass_obj
def comment_command(out: Output, run_id: int) -> int:
    """Post (or replace) the trusted plan comment for a plan run on its pull request.

    Built from the run's plan.json alone; an older run never replaces a newer run's
    comment.
    """
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    if not SERVER_URL.match(server):
        raise GitHubError("GITHUB_SERVER_URL is not a plain https://host URL")
    with api() as github:
        posted = comment.post_plan_comment(github, run_id, server)
    where = f" on #{posted.pr}" if posted.pr else ""
    if posted.action == "skipped":
        out.info(escape(f"no comment posted{where}: {posted.reason}"))
    else:
        out.info(f"plan comment {posted.action}{where} (comment {posted.comment_id})")
    return 0


@github_group.command("find-plan")
@click.option("--sha", required=True, help="The commit pushed to the base branch (github.sha).")
@click.option("--base", default="main", show_default=True, help="The branch applies run on.")
@click.option(
    "--dir",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reviewed"),
    show_default=True,
    help="Where to put the reviewed artifact.",
)
@click.option(
    "--event",
    default="push",
    show_default=True,
    help="The event that started the apply (github.event_name).",
)
@click.option(
    "--allow-unsafe",
    default="false",
    help="workflow_dispatch only: 'true' overrides the safety thresholds.",
)
@click.pass_obj
def find_plan_command(
    out: Output, sha: str, base: str, target: Path, event: str, allow_unsafe: str
) -> int:
    """In the apply job: find the plan reviewed on the merged pull request.

    The plan run must be the newest completed plan run of that PR's number AND head
    commit; its artifact (size-capped) goes to --dir. Step outputs: `mode`
    (reviewed | manual | none), `pr`, `override` (`--force` only if the label was on
    the PR when that plan ran) and `override-by`.
    """
    if event == "workflow_dispatch":
        emit(
            out,
            {
                "mode": "manual",
                "pr": "",
                "override": "--force" if allow_unsafe == "true" else "",
                "override-by": "",
            },
        )
        out.info("started by hand: apply main as it is")
        return 0
    with api() as github:
        try:
            found = reviewed.find_reviewed(github, sha, base, target)
        except reviewed.ReviewError as exc:
            if exc.pr is not None:  # the report step says it on the PR
                target.mkdir(parents=True, exist_ok=True)
                (target / "refused.txt").write_text(str(exc) + "\n", encoding="utf-8")
                emit(out, {"mode": "refused", "pr": str(exc.pr), "override": "", "override-by": ""})
            append_step_summary(
                "### trtc-callback-reconciler: Apply\n\n**Nothing was applied:** "
                + markdown_text(str(exc))
            )
            raise
    emit(out, found.outputs())
    for note in found.notes:
        out.info(escape(note))
    if found.notes:
        append_step_summary(
            "### trtc-callback-reconciler: Apply\n\n"
            + "\n\n".join(markdown_text(note) for note in found.notes)
        )
    return 0


@github_group.command("report-apply")
@click.option("--pr", "number", type=click.IntRange(min=1), required=True)
@click.option(
    "--apply-output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("apply.txt"),
    show_default=True,
)
@click.option(
    "--left",
    "left_output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("left.txt"),
    show_default=True,
)
@click.option(
    "--converged", default="", help="Exit code of the convergence plan (0: nothing left)."
)
@click.option("--override-by", default="", help="Who added the override label, if it was used.")
@click.option(
    "--refused",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="find-plan's refusal (reviewed/refused.txt): report why nothing was applied.",
)
@click.pass_obj
def report_apply_command(
    out: Output,
    number: int,
    apply_output: Path,
    left_output: Path,
    converged: str,
    override_by: str,
    refused: Path | None,
) -> int:
    """In apply.yml's report job (no keys): comment the apply's result (or why
    nothing was applied) on the merged pull request, from the files the keyed job
    saved."""
    link = run_link("apply run")
    if refused is not None and refused.is_file():
        body = report.refusal_report(refused, link)
    else:
        body = report.apply_report(apply_output, left_output, converged, link, override_by or None)
    with api() as github:
        comment_id = report.post_apply_report(github, number, body)
    out.info(f"reported the apply on #{number} (comment {comment_id})")
    return 0


@github_group.command("drift-issue")
@click.option("--shards", type=click.IntRange(1, 256), required=True, help="How many shards ran.")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Holds drift-shard-K/ folders.",
)
@click.pass_obj
def drift_issue_command(out: Output, shards: int, folder: Path) -> int:
    """After the drift shards: open, update or close the one drift issue.

    Exit 1 when a shard failed (the issue is then never closed).
    """
    found = drift.read_shards(folder, shards)
    with api() as github:
        outcome = drift.update_drift_issue(github, found, run_link("this run"))
    if outcome.issue is not None:
        out.info(f"drift issue #{outcome.issue} {outcome.action}")
    else:
        out.info("no drift" if outcome.complete else "no drift found by the shards that finished")
    if not outcome.complete:
        codes = ", ".join(f"{s.number}: {s.code}" for s in found)
        out.error(f"some drift shards failed ({codes}); the drift issue was not closed")
        return 1
    return 0


@github_group.command("audit-logs")
@click.option("--workflow", default="apply.yml", show_default=True)
@click.option("--branch", default="main", show_default=True)
@click.option("--runs", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("audit.jsonl"),
    show_default=True,
)
@click.pass_obj
def audit_logs_command(out: Output, workflow: str, branch: str, runs: int, out_file: Path) -> int:
    """Gather the audit logs of the newest apply runs into one file for `drift --audit-log`.

    Step output `args`: `--audit-log FILE` when any log was found, else empty.
    """
    with api() as github:
        count, problems = audit.gather_audit_logs(github, workflow, branch, out_file, runs)
    for problem in problems:
        out.warn(escape(problem))
    emit(out, {"args": f"--audit-log {out_file}" if count else ""})
    out.info(f"gathered {count} audit log(s) into {out_file}" if count else "no audit log found")
    return 0


for _command in github_group.commands.values():
    add_global_options(_command)  # `reconciler github comment … -q` as for every command
