"""The apply's report on the merged pull request: one new comment per apply (a record)."""

from __future__ import annotations

from pathlib import Path

from reconciler.github.api import GitHub
from reconciler.github.markdown import code, fence, truncate_tail
from reconciler.github.outputs import read_text

APPLY_MARKER = "<!-- trtc-callback-reconciler:apply -->"


def apply_report(
    apply_output: Path,
    left_output: Path,
    converged_code: str,
    run_link: str,
    override_by: str | None = None,
) -> str:
    """The comment: what the apply printed and, when a plan of main still shows
    changes (exit 2) or could not run, what is left."""
    applied = (
        read_text(apply_output, 64_000)
        or "no apply report (the apply did not run; see the run log)"
    )
    converged = converged_code == "0"
    lines = [
        APPLY_MARKER,
        "### trtc-callback-reconciler: apply of the reviewed plan "
        + ("done" if converged else "INCOMPLETE"),
        "",
        run_link,
    ]
    if override_by is not None:
        lines += [
            "",
            f"The safety thresholds were overridden by the label added by {code(override_by)}.",
        ]
    lines += ["", fence(truncate_tail(applied, 30_000))]
    if not converged:
        left = read_text(left_output, 64_000) or "the convergence check did not run"
        lines += [
            "",
            "**Left after the apply** (refused as stale or unreviewed, or failed):",
            "",
            fence(truncate_tail(left, 20_000)),
        ]
    return "\n".join(lines)


def refusal_report(refused: Path, run_link: str) -> str:
    """The comment when no reviewed plan could be applied for the merge."""
    reason = read_text(refused, 8_000) or "see the run log"
    return "\n".join(
        [
            APPLY_MARKER,
            "### trtc-callback-reconciler: nothing was applied",
            "",
            f"{run_link}: the plan reviewed on this pull request cannot be applied:",
            "",
            fence(reason),
            "",
            "Start the apply workflow by hand to apply main as it is, or fix it in a new "
            "pull request.",
        ]
    )


def post_apply_report(github: GitHub, pr: int, body: str) -> int:
    created = github.request(
        "POST", f"{github.repo_path}/issues/{pr}/comments", body={"body": body}
    )
    return int(created["id"])
