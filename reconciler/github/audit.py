"""The apply workflow's audit logs, gathered for ``drift --audit-log``: the audit
log artifact of each of the newest apply runs on the default branch, oldest first, in
one JSON-lines file. None there (no apply yet, or expired): no file, and that is fine."""

from __future__ import annotations

import tempfile
from pathlib import Path

from reconciler.github.api import GitHub
from reconciler.github.artifact import ArtifactError, download_artifact, find_artifact
from reconciler.github.runs import Run

AUDIT_ARTIFACT = "reconciler-audit-log"
AUDIT_FILE = "audit.jsonl"


def gather_audit_logs(
    github: GitHub, workflow: str, branch: str, out: Path, runs: int = 10
) -> tuple[int, list[str]]:
    """Write the audit logs of up to ``runs`` newest completed runs of ``workflow`` on
    ``branch`` into ``out``; return how many logs it holds and the problems met."""
    found: list[Run] = []
    for doc in github.pages(
        f"{github.repo_path}/actions/workflows/{workflow}/runs",
        {"branch": branch, "status": "completed"},
        key="workflow_runs",
    ):
        run = Run.from_api(doc)
        if run.event in ("push", "workflow_dispatch"):
            found.append(run)
        if len(found) >= runs:
            break
    chunks: list[bytes] = []
    problems: list[str] = []
    for run in sorted(found, key=lambda r: r.order):
        artifact = find_artifact(github, run.id, AUDIT_ARTIFACT)
        if artifact is None:
            continue  # that run applied nothing
        with tempfile.TemporaryDirectory() as tmp:
            try:
                download_artifact(github, artifact, Path(tmp), frozenset({AUDIT_FILE}))
            except ArtifactError as exc:
                problems.append(f"run {run.id}: {exc}")
                continue
            log = Path(tmp) / AUDIT_FILE
            if log.is_file():
                data = log.read_bytes()
                chunks.append(data if data.endswith(b"\n") or not data else data + b"\n")
    if chunks:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"".join(chunks))
    return len(chunks), problems
