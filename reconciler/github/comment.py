"""The trusted plan comment on a pull request: ONE comment, replaced on every run.

Runs in the base repository's context (``workflow_run``) with a write token, so
nothing in it comes from the pull request unescaped: the run, the PR and the label
are read from GitHub; the artifact (``plan.json``, ``status``, ``plan.err``) is hostile
data. The comment is built from ``plan.json`` alone, its table first; the PR job's
rendered Markdown is never posted. Its hidden marker names the plan run (number and
attempt) and head commit, so an older run never replaces a newer run's comment, and
two comments left by a race are reduced to the newest one.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.github.api import GitHub
from reconciler.github.artifact import ArtifactError, download_artifact, find_artifact
from reconciler.github.markdown import code, fence, truncate, truncate_tail
from reconciler.github.outputs import read_json, read_text
from reconciler.github.runs import (
    OVERRIDE_LABEL,
    PLAN_ARTIFACT,
    PLAN_WORKFLOW,
    LabelState,
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
ROW_LIMIT = 300
COMMENT_FILES = frozenset({"status", "plan.json", "plan.err", "context.json"})
ACTIONS = {"create", "update", "delete"}
VERDICTS = {
    "safe": "safe",
    "unsafe": "UNSAFE",
    "overridden": "UNSAFE, OVERRIDDEN",
    "blocked": "BLOCKED",
}


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


def listed(doc: dict[str, Any], key: str) -> list[Any]:
    """``doc[key]`` when it is a list (a forged plan.json may hold anything there)."""
    value = doc.get(key)
    return value if isinstance(value, list) else []


def change_rows(doc: dict[str, Any]) -> list[str]:
    rows = []
    for change in listed(doc, "changes"):
        if not isinstance(change, dict):
            continue
        action = change.get("action")
        cause = change.get("cause")
        rows.append(
            "| {app} | {sdkappid} | {product} | {action} | {cause} |".format(
                app=code(change.get("app")),
                sdkappid=code(change.get("sdkappid")),
                product=code(change.get("product")),
                action=action if isinstance(action, str) and action in ACTIONS else code(action),
                cause="**reverts live drift**"
                if cause == "drift"
                else "edit"
                if cause == "edit"
                else ""
                if cause is None
                else code(cause),
            )
        )
    return rows


def plan_section(raw: bytes | None, label: LabelState | None) -> str:
    """The trusted part: the changes plan.json lists, its verdict and its digest."""
    if raw is None:
        return "**plan.json is missing: the apply on merge will refuse.**"
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict):
            raise ValueError
    except (ValueError, RecursionError):
        return "**plan.json is unreadable: the apply on merge will refuse.**"
    rows = change_rows(doc)
    shown = rows[:ROW_LIMIT]
    lines = [
        f"**{len(rows)} change(s) the apply on merge may make**, read from `plan.json` by "
        "this trusted job (the apply applies only these, each re-checked against live):",
        "",
        "| app | sdkappid | product | action | cause |",
        "|---|---|---|---|---|",
        *shown,
    ]
    if len(rows) > len(shown):
        lines.append(
            f"\n... and {len(rows) - len(shown)} more (see plan.json in the run's artifact)"
        )
    safety = doc.get("safety") if isinstance(doc.get("safety"), dict) else {}
    verdict = safety.get("verdict") if isinstance(safety, dict) else None
    shown_verdict = (
        VERDICTS.get(verdict, code(verdict)) if isinstance(verdict, str) else "not given"
    )
    lines += [
        "",
        f"Safety verdict, as plan.json states it: **{shown_verdict}** (the apply checks "
        "the thresholds again against live).",
    ]
    who = code(label.by) if label is not None and label.by else "an unknown user"
    if label is not None and label.overrides:  # from GitHub's label events, not the artifact
        lines.append(
            f"Override: the label {code(OVERRIDE_LABEL)} was on the pull request when this "
            f"plan ran, added by {who} ({code(label.permission)} access): the apply may "
            "exceed the safety thresholds."
        )
    elif label is not None and label.present:
        lines.append(
            f"**Not overridden:** the label {code(OVERRIDE_LABEL)} was added by {who}, whose "
            f"access ({code(label.permission)}) may not override: the apply keeps the "
            "safety thresholds."
        )
    elif verdict == "overridden":
        lines.append(
            f"**Not overridden:** the label {code(OVERRIDE_LABEL)} was not on the pull "
            "request when this plan ran, so the apply keeps the safety thresholds."
        )
    for key, title in (("errors", "Unreadable"), ("warnings", "Warnings")):
        items = doc.get(key)
        if isinstance(items, list) and items:
            text = "\n".join(
                json.dumps(i, ensure_ascii=True) if not isinstance(i, str) else i for i in items
            )
            lines += [
                "",
                f"<details><summary>{title} ({len(items)})</summary>",
                "",
                fence(truncate(text, 8000)),
                "",
                "</details>",
            ]
    details = [
        {k: c.get(k) for k in ("app", "product", "action", "before", "after")}
        for c in listed(doc, "changes")
        if isinstance(c, dict)
    ]
    if details:
        text = json.dumps(details, indent=1, ensure_ascii=True)
        lines += [
            "",
            "<details><summary>Before and after, from plan.json</summary>",
            "",
            fence(truncate(text, 30000), "json"),
            "",
            "</details>",
        ]
    digest = hashlib.sha256(raw).hexdigest()
    lines += ["", f"plan.json sha256: `{digest}`"]
    return "\n".join(lines)


def build_body(
    run: Run, pr: PullRequest, files: Path, link: str, label: LabelState | None
) -> tuple[str, bool]:
    """The comment for ``run``'s artifact in ``files``, and whether it only replaces an
    earlier comment (a PR that no longer plans anything gets no new comment)."""
    status = (read_text(files / "status", 100) or "").strip()
    head = f"`{run.head_sha[:12]}`"
    raw = (files / "plan.json").read_bytes() if (files / "plan.json").is_file() else None
    if status == "untouched":
        return (
            "### trtc-callback-reconciler: no plan\n\nThis pull request does not change "
            f"the desired state ({link} for {head}).",
            True,
        )
    if status in ("0", "2") and run.conclusion == "success":  # GitHub's word, not the artifact's
        return (
            f"### trtc-callback-reconciler: plan for #{pr.number} at {head}\n\n"
            f"{plan_section(raw, label)}\n\n"
            f"Planned for {head} merged into its base ({link}).",
            False,
        )
    if not status and run.conclusion == "cancelled":
        return (
            "### trtc-callback-reconciler: plan outdated\n\n"
            f"The plan run for {head} was cancelled ({link}), most likely by a newer push; "
            "the plan that was here is no longer current. A new plan will replace this comment.",
            True,
        )
    error = (
        read_text(files / "plan.err", 64_000)
        or "the plan run left no error output; open the run for its log"
    )
    body = (
        "### trtc-callback-reconciler: plan failed\n\n"
        f"The plan for {head} failed ({link}); there is no current plan. Fix the error "
        f"and push again.\n\n{fence(truncate_tail(error, 8000))}"
    )
    if raw is not None:
        section = plan_section(raw, label)
        body += f"\n\n<details><summary>The plan it made</summary>\n\n{section}\n\n</details>"
    return body, False


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
