"""The trusted plan comment on a pull request: ONE comment, replaced on every run.

Runs in the base repository's context (``workflow_run``) with a write token, so
nothing in it comes from the pull request unescaped: the run, the PR and the label
are read from GitHub; the artifact (``plan.json``, ``status``, ``plan.err``) is hostile
data. The comment is built from ``plan.json`` alone, its table first; the PR job's
rendered Markdown is never posted. Its hidden marker names the plan run (number and
attempt) and head commit, so an older run never replaces a newer run's comment, and
two comments left by a race are reduced to the newest one. GitHub has no conditional
PATCH, so two runs replacing the SAME comment at the same instant are kept apart by
the workflow instead: plan-comment.yml runs one comment job per PR branch at a time.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.github.api import GitHub
from reconciler.github.artifact import ArtifactError, download_artifact, find_artifact
from reconciler.github.comment_body import build_body
from reconciler.github.markdown import truncate
from reconciler.github.outputs import read_json
from reconciler.github.runs import (
    OVERRIDE_LABEL,
    PLAN_ARTIFACT,
    PLAN_WORKFLOW,
    PullRequest,
    Run,
    get_pull,
    get_run,
    label_state,
)

MARKER = "<!-- trtc-callback-reconciler:plan"
COMMENT_BOT = "github-actions[bot]"
"""Who posts with the job's GITHUB_TOKEN: only its comments are ours."""
MARKER_RE = re.compile(
    r"^<!-- trtc-callback-reconciler:plan run=(\d+)\.(\d+) sha=([0-9a-f]{40}) -->"
)
BODY_LIMIT = 60_000
"""Characters of a comment (GitHub refuses more than 65,536)."""
COMMENT_FILES = frozenset({"status", "plan.json", "plan.err", "context.json"})


@dataclass(frozen=True)
class Posted:
    """What the comment job did: ``created``, ``updated``, or why it left things alone."""

    action: str
    pr: int | None = None
    comment_id: int | None = None
    reason: str = ""


def marker(run: Run) -> str:
    return f"{MARKER} run={run.number}.{run.attempt} sha={run.head_sha} -->"


def comment_order(comment: dict[str, Any]) -> tuple[int, int] | None:
    """(run number, attempt) of one of OUR plan comments, or None for anyone else's."""
    user = comment.get("user") or {}
    body = comment.get("body") or ""
    if user.get("login") != COMMENT_BOT or not isinstance(body, str):
        return None  # a person's (or another app's) comment is never taken as ours
    found = MARKER_RE.match(body)
    if found:
        return (int(found[1]), int(found[2]))
    return (0, 0) if body.startswith(MARKER) else None  # an older release's marker


def find_pull(github: GitHub, run: Run, claimed: Any) -> PullRequest | None:
    """The open pull request that ``run`` planned: GitHub's own list for the run, or the
    open PRs of the run's head repository and branch, at the run's head commit. The
    artifact's claim only chooses among those (two PRs from one branch)."""
    if run.pull_requests:
        candidates = [get_pull(github, n) for n in run.pull_requests]
    elif not run.head_repo:
        return None  # the head repository was deleted: no PR to find
    else:
        owner = run.head_repo.split("/")[0]
        candidates = [
            PullRequest.from_api(doc)
            for doc in github.pages(
                f"{github.repo_path}/pulls", {"state": "open", "head": f"{owner}:{run.head_branch}"}
            )
        ]
    matching = [pr for pr in candidates if run.is_of(pr)]
    if len(matching) > 1:
        matching = [pr for pr in matching if pr.number == claimed]
    return matching[0] if len(matching) == 1 else None


def server_link(server_url: str, repository: str, run_id: int) -> str:
    return f"[plan run]({server_url.rstrip('/')}/{repository}/actions/runs/{run_id})"


def post_plan_comment(
    github: GitHub,
    run_id: int,
    server_url: str,
    workflow_path: str = f".github/workflows/{PLAN_WORKFLOW}",
) -> Posted:
    """Post or replace the plan comment for the plan run ``run_id``."""
    run = get_run(github, run_id)
    if run.event != "pull_request" or run.path.split("@")[0] != workflow_path:
        return Posted(
            "skipped", reason=f"run {run.id} is not a pull request run of {workflow_path}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp)
        artifact = find_artifact(github, run.id, PLAN_ARTIFACT)
        problem = ""
        if artifact is not None:
            try:
                download_artifact(github, artifact, files, COMMENT_FILES)
            except ArtifactError as exc:
                problem = str(exc)
        context = read_json(files / "context.json")
        claimed = context.get("pull_request") if isinstance(context, dict) else None
        pr = find_pull(github, run, claimed)
        if pr is None:
            return Posted(
                "skipped",
                reason=f"no open pull request has head {run.head_sha[:12]} from this run's branch",
            )
        if problem:
            (files / "status").write_text("1")
            (files / "plan.err").write_text(problem)
            (files / "plan.json").unlink(missing_ok=True)
        label = label_state(github, pr.number, OVERRIDE_LABEL, until=run.created_at)
        link = server_link(server_url, github.repository, run.id)
        content, only_replace = build_body(run, pr, files, link, label)
    return replace_comment(github, pr, run, content, only_replace)


def replace_comment(
    github: GitHub, pr: PullRequest, run: Run, content: str, only_replace: bool = False
) -> Posted:
    if pr.head_sha != run.head_sha:
        return Posted(
            "skipped", pr.number, reason="the pull request has a newer head commit than this run"
        )
    path = f"{github.repo_path}/issues/{pr.number}/comments"
    ours = [(comment_order(c), c) for c in github.pages(path)]
    ours = [(order, c) for order, c in ours if order is not None]
    newest = max(ours, key=lambda oc: (oc[0], int(oc[1]["id"])), default=None)
    if newest is not None and newest[0] is not None and newest[0] > run.order:
        return Posted(
            "skipped", pr.number, int(newest[1]["id"]), reason="a newer plan run's comment is there"
        )
    if newest is None and only_replace:
        return Posted("skipped", pr.number, reason="no plan comment to replace")
    body = truncate(f"{marker(run)}\n{content}", BODY_LIMIT)
    if newest is not None:
        comment_id = int(newest[1]["id"])
        github.request(
            "PATCH", f"{github.repo_path}/issues/comments/{comment_id}", body={"body": body}
        )
        action = "updated"
    else:
        created = github.request("POST", path, body={"body": body})
        comment_id = int(created["id"])
        action = "created"
    settle(github, pr)
    return Posted(action, pr.number, comment_id)


def settle(github: GitHub, pr: PullRequest) -> None:
    """After a write: if two runs raced and left two comments, keep the newest run's."""
    ours = [
        (order, c)
        for c in github.pages(f"{github.repo_path}/issues/{pr.number}/comments")
        if (order := comment_order(c)) is not None
    ]
    if len(ours) < 2:
        return
    keep = max(ours, key=lambda oc: (oc[0], -int(oc[1]["id"])))
    for _, comment in ours:
        if comment is not keep[1]:
            github.request("DELETE", f"{github.repo_path}/issues/comments/{int(comment['id'])}")
