"""Find the plan reviewed for a merge, and record what the plan job saw on its PR.

``record_context`` runs in the plan job (the PR's own code, read-only token): it writes
``context.json`` into the artifact: the PR's number and head commit, whether the
override label was on the PR at plan time, and who added it (the ``labeled`` event's
actor). That file is the PR's claim; ``find_reviewed`` (the trusted apply job) checks
it against GitHub: the artifact must come from the newest completed plan run of the
merged PR's number AND head commit, claim that same PR, and an override counts only
if GitHub's events show the label on the PR when that run started.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.escape import quoted
from reconciler.github.api import GitHub
from reconciler.github.artifact import download_artifact, find_artifact
from reconciler.github.outputs import read_json, read_text
from reconciler.github.runs import (
    OVERRIDE_LABEL,
    PLAN_ARTIFACT,
    PLAN_WORKFLOW,
    PullRequest,
    Run,
    get_pull,
    label_state,
    plan_runs,
)

REVIEWED_FILES = frozenset({"status", "plan.json", "context.json"})


class ReviewError(ReconcilerError):
    """No reviewed plan can be applied for this merge: nothing is applied."""

    def __init__(self, message: str, pr: int | None = None) -> None:
        super().__init__(message)
        self.pr = pr


def record_context(github: GitHub, number: int, head_sha: str, out: Path) -> dict[str, Any]:
    """Write ``context.json`` for the plan of PR ``number`` at ``head_sha``; return it."""
    pr = get_pull(github, number)
    state = label_state(github, number)
    override = OVERRIDE_LABEL in pr.labels and state.overrides
    context = {
        "pull_request": number,
        "head_sha": head_sha,
        "base_ref": pr.base_ref,
        "override": override,
        "override_label": OVERRIDE_LABEL,
        "override_added_by": state.by if override else None,
        "override_added_at": state.at if override else None,
        "label_added_by": state.by,
        "label_adder_permission": state.permission if state.present else None,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(context, indent=2) + "\n", encoding="utf-8")
    return context


@dataclass
class Reviewed:
    mode: str  # "reviewed" | "none"
    pr: int | None = None
    override: bool = False
    override_by: str | None = None
    run_id: int | None = None
    notes: list[str] = field(default_factory=list)

    def outputs(self) -> dict[str, str]:
        return {
            "mode": self.mode,
            "pr": "" if self.pr is None else str(self.pr),
            "override": "--force" if self.override else "",
            "override-by": self.override_by or "",
        }


def merged_pull(github: GitHub, sha: str, base: str) -> PullRequest | None:
    """The pull request merged into ``base`` as commit ``sha``, or None (a direct push)."""
    found = [
        PullRequest.from_api(doc)
        for doc in github.pages(f"{github.repo_path}/commits/{sha}/pulls")
        if doc.get("merged_at")
    ]
    found = [pr for pr in found if pr.base_ref == base]
    return min(found, key=lambda pr: pr.number) if found else None


def find_reviewed(
    github: GitHub, sha: str, base: str, target: Path, workflow: str = PLAN_WORKFLOW
) -> Reviewed:
    """Download into ``target`` the plan reviewed for the merge commit ``sha``."""
    pr = merged_pull(github, sha, base)
    if pr is None:
        return Reviewed(
            "none",
            notes=[
                f"{sha[:12]} was pushed to {base} without a merged pull request, so no plan "
                "was reviewed: nothing was applied. To apply it as it is, start this "
                "workflow by hand."
            ],
        )
    try:
        return reviewed_plan(github, pr, target, workflow)
    except ReconcilerError as exc:  # said on the PR too: the merge applied nothing
        raise ReviewError(str(exc), pr.number) from None


def reviewed_plan(github: GitHub, pr: PullRequest, target: Path, workflow: str) -> Reviewed:
    """The newest completed plan run of ``pr`` (number AND head commit), downloaded."""
    runs = [
        r for r in plan_runs(github, pr, workflow) if r.conclusion not in ("cancelled", "skipped")
    ]
    where = f"pull request #{pr.number} (head {pr.head_sha[:12]})"
    if not runs:
        raise ReviewError(
            f"{where} was merged without a plan run of its last commit: nothing was "
            "applied. Re-run its plan, then start this workflow by hand"
        )
    run = runs[0]
    if run.status != "completed":
        raise ReviewError(
            f"the newest plan run of {where} (run {run.id}) has not finished: nothing was "
            "applied. Start this workflow by hand when it has"
        )
    if run.conclusion != "success":
        raise ReviewError(
            f"the last plan run of {where} ended {quoted(run.conclusion)} (run {run.id}): nothing "
            "was applied. Fix the plan in a new pull request"
        )
    artifact = find_artifact(github, run.id, PLAN_ARTIFACT)
    if artifact is None:
        raise ReviewError(f"the plan run {run.id} of {where} kept no {PLAN_ARTIFACT} artifact")
    download_artifact(github, artifact, target, REVIEWED_FILES)
    check_claim(read_json(target / "context.json"), pr, run)
    status = (read_text(target / "status", 100) or "").strip()
    if status == "untouched":
        return Reviewed(
            "none",
            pr.number,
            run_id=run.id,
            notes=[
                f"Pull request #{pr.number} did not change the desired state: nothing to apply."
            ],
        )
    if not (target / "plan.json").is_file():
        raise ReviewError(
            f"the plan run {run.id} of {where} saved no plan.json: nothing was applied"
        )
    return with_override(github, pr, run, read_json(target / "context.json"), target)


def check_claim(context: Any, pr: PullRequest, run: Run) -> None:
    """The artifact must say it is the plan of this PR at this head commit."""
    if not isinstance(context, dict):
        raise ReviewError(
            f"the plan run {run.id} of #{pr.number} recorded no readable context.json: "
            "nothing was applied. Re-run its plan"
        )
    if context.get("pull_request") != pr.number or context.get("head_sha") != pr.head_sha:
        raise ReviewError(
            f"the artifact of plan run {run.id} claims pull request "
            f"{quoted(str(context.get('pull_request')))} at "
            f"{quoted(str(context.get('head_sha')))}, not #{pr.number} at "
            f"{pr.head_sha[:12]}: nothing was applied"
        )


def with_override(
    github: GitHub, pr: PullRequest, run: Run, context: dict[str, Any], target: Path
) -> Reviewed:
    """The reviewed plan, with the override only if the label was on the PR at plan time."""
    reviewed = Reviewed("reviewed", pr.number, run_id=run.id)
    if context.get("override") is not True:
        return reviewed
    state = label_state(github, pr.number, OVERRIDE_LABEL, until=run.created_at)
    if not state.present:
        reviewed.notes.append(
            f"the plan artifact claims the {OVERRIDE_LABEL} override, but the label was not "
            f"on #{pr.number} when its plan ran: the safety thresholds apply"
        )
        return reviewed
    if not state.overrides:
        reviewed.notes.append(
            f"the {OVERRIDE_LABEL} label on #{pr.number} was added by "
            f"{state.by or 'an unknown user'}, whose access ({state.permission}) may not "
            "override: the safety thresholds apply"
        )
        return reviewed
    reviewed.override, reviewed.override_by = True, state.by
    record = {
        "pull_request": pr.number,
        "label": OVERRIDE_LABEL,
        "added_by": state.by,
        "added_at": state.at,
        "permission": state.permission,
        "plan_run": run.id,
    }
    (target / "override.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    reviewed.notes.append(
        f"safety thresholds overridden by the label {OVERRIDE_LABEL} on #{pr.number}, added by "
        f"{state.by or 'an unknown user'} at {state.at}"
    )
    return reviewed
