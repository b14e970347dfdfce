"""Pull requests, workflow runs and labels, as the REST API describes them, and the
rule that binds a plan run to ONE pull request: its number AND its head commit (and
the head repository and branch), never the head commit alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reconciler.github.api import GitHub, GitHubError

OVERRIDE_LABEL = "reconciler:allow-unsafe"
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$")
"""A GitHub login as GitHub allows it: anything else is not shown (nor put in an output)."""
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PLAN_WORKFLOW = "plan.yml"
PLAN_ARTIFACT = "reconciler-plan"


@dataclass(frozen=True)
class PullRequest:
    number: int
    head_sha: str
    head_ref: str
    head_repo: str
    base_ref: str
    merged: bool
    labels: tuple[str, ...]

    @classmethod
    def from_api(cls, doc: dict[str, Any]) -> PullRequest:
        try:
            head, base = doc["head"], doc["base"]
            return cls(
                number=int(doc["number"]),
                head_sha=str(head["sha"]),
                head_ref=str(head["ref"]),
                # a fork that was deleted has no head repository
                head_repo=str((head.get("repo") or {}).get("full_name") or ""),
                base_ref=str(base["ref"]),
                merged=bool(doc.get("merged_at")),
                labels=tuple(str(label.get("name")) for label in doc.get("labels") or [] if label),
            )
        except (KeyError, TypeError, ValueError):
            raise GitHubError("GitHub's pull request answer is not what it documents") from None


@dataclass(frozen=True)
class Run:
    """A workflow run: what GitHub says about it (never what its artifact says)."""

    id: int
    number: int
    attempt: int
    event: str
    status: str
    conclusion: str
    head_sha: str
    head_branch: str
    head_repo: str
    path: str
    created_at: str
    pull_requests: tuple[int, ...]

    @classmethod
    def from_api(cls, doc: dict[str, Any]) -> Run:
        try:
            return cls(
                id=int(doc["id"]),
                number=int(doc.get("run_number") or 0),
                attempt=int(doc.get("run_attempt") or 1),
                event=str(doc.get("event") or ""),
                status=str(doc.get("status") or ""),
                conclusion=str(doc.get("conclusion") or ""),
                head_sha=str(doc["head_sha"]),
                head_branch=str(doc.get("head_branch") or ""),
                head_repo=str((doc.get("head_repository") or {}).get("full_name") or ""),
                path=str(doc.get("path") or ""),
                created_at=str(doc.get("created_at") or ""),
                pull_requests=tuple(
                    int(p["number"]) for p in doc.get("pull_requests") or [] if "number" in p
                ),
            )
        except (KeyError, TypeError, ValueError):
            raise GitHubError("GitHub's workflow run answer is not what it documents") from None

    @property
    def order(self) -> tuple[int, int]:
        """Newer runs of one workflow have a higher (number, attempt)."""
        return (self.number, self.attempt)

    def is_of(self, pr: PullRequest) -> bool:
        """Whether this run planned ``pr``'s head: the same commit, from the same repository
        and branch, and (where GitHub lists it: same-repository PRs) for that number."""
        return (
            self.event == "pull_request"
            and self.head_sha == pr.head_sha
            and self.head_repo == pr.head_repo
            and self.head_branch == pr.head_ref
            and (not self.pull_requests or pr.number in self.pull_requests)
        )


def get_pull(github: GitHub, number: int) -> PullRequest:
    return PullRequest.from_api(github.get(f"{github.repo_path}/pulls/{number}"))


def get_run(github: GitHub, run_id: int) -> Run:
    return Run.from_api(github.get(f"{github.repo_path}/actions/runs/{run_id}"))


def plan_runs(github: GitHub, pr: PullRequest, workflow: str = PLAN_WORKFLOW) -> list[Run]:
    """The plan runs of ``pr``'s head commit that are ``pr``'s, newest first."""
    runs = [
        Run.from_api(doc)
        for doc in github.pages(
            f"{github.repo_path}/actions/workflows/{workflow}/runs",
            {"event": "pull_request", "head_sha": pr.head_sha},
            key="workflow_runs",
        )
    ]
    mine = [r for r in runs if r.is_of(pr)]
    return sorted(mine, key=lambda r: r.order, reverse=True)


OVERRIDE_PERMISSIONS = ("admin", "write")
"""Who may override the safety thresholds by the label: write access or more (the
``triage`` role can add labels too, but it maps to ``read``)."""


def permission_of(github: GitHub, login: str | None) -> str:
    """``login``'s base permission on the repository (admin, write, read, none)."""
    if not login:
        return "none"
    try:
        answer = github.get(f"{github.repo_path}/collaborators/{login}/permission")
    except GitHubError:
        return "none"  # not a collaborator (404), or not visible to this token
    permission = answer.get("permission") if isinstance(answer, dict) else None
    return permission if permission in ("admin", "write", "read", "none") else "none"


@dataclass(frozen=True)
class LabelState:
    present: bool
    by: str | None = None
    at: str | None = None
    permission: str = "none"

    @property
    def overrides(self) -> bool:
        """The label is there, added by someone allowed to override."""
        return self.present and self.permission in OVERRIDE_PERMISSIONS


def label_state(
    github: GitHub, number: int, label: str = OVERRIDE_LABEL, until: str | None = None
) -> LabelState:
    """Whether ``label`` was on issue/PR ``number`` (at time ``until``, ISO 8601, if given),
    and who added it: from the issue's ``labeled``/``unlabeled`` events."""
    state = LabelState(False)
    events = sorted(
        github.pages(f"{github.repo_path}/issues/{number}/events"),
        key=lambda e: (str(e.get("created_at") or ""), int(e.get("id") or 0)),
    )
    for event in events:
        kind = event.get("event")
        if kind not in ("labeled", "unlabeled"):
            continue
        if (event.get("label") or {}).get("name") != label:
            continue
        at = str(event.get("created_at") or "")
        if until is not None and at > until:
            continue  # ISO 8601 UTC times compare as text
        actor = (event.get("actor") or {}).get("login")
        login = str(actor) if isinstance(actor, str) and LOGIN.match(actor) else None
        state = (
            LabelState(True, login, at if TIME.match(at) else None)
            if kind == "labeled"
            else LabelState(False)
        )
    if state.present:
        state = LabelState(True, state.by, state.at, permission_of(github, state.by))
    return state
