"""The ONE drift issue: opened when drift appears, updated while it lasts, closed when
it clears. Found by a hidden marker among the issues this workflow's bot opened, never
by its title, so an issue a person wrote is never overwritten."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.github.api import GitHub
from reconciler.github.markdown import code, cut_markdown, truncate
from reconciler.github.outputs import read_text

DRIFT_MARKER = "<!-- trtc-callback-reconciler:drift -->"
TITLE = "Tencent RTC callback drift detected"
BOT = "github-actions[bot]"
BODY_LIMIT = 60_000
DRIFTED = ("2", "3")  # 2: drift; 3: drift and errors (some apps could not be read)
FINE = ("0", "2")
REPORT_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?/[A-Za-z0-9._~/%-]*$")


@dataclass(frozen=True)
class Shard:
    number: int
    code: str
    markdown: str
    report_url: str


@dataclass(frozen=True)
class DriftOutcome:
    action: str  # opened | updated | closed | none
    issue: int | None
    complete: bool


def read_shards(folder: Path, shards: int) -> list[Shard]:
    """``drift-shard-K/{exit-code,drift.md,report-url}`` as the shards left them."""
    found = []
    for k in range(1, shards + 1):
        base = folder / f"drift-shard-{k}"
        code_text = (read_text(base / "exit-code", 100) or "missing").strip()
        url = (read_text(base / "report-url", 2000) or "").strip()
        found.append(
            Shard(
                k,
                code_text if code_text in ("0", "1", "2", "3") else "missing",
                read_text(base / "drift.md", 200_000, tail=False) or "",
                url if REPORT_URL.match(url) else "",
            )
        )
    return found


def find_issue(github: GitHub) -> dict[str, Any] | None:
    for issue in github.pages(f"{github.repo_path}/issues", {"state": "open", "creator": BOT}):
        body = issue.get("body")
        if "pull_request" not in issue and isinstance(body, str) and DRIFT_MARKER in body:
            return issue
    return None


def fair_shares(sizes: list[int], budget: int) -> list[int]:
    """Split ``budget`` characters between parts of ``sizes``: each gets an even share,
    and what a smaller part does not use passes on to the others."""
    shares = [0] * len(sizes)
    left = budget
    for n, i in enumerate(sorted(range(len(sizes)), key=lambda i: sizes[i])):
        shares[i] = max(0, min(sizes[i], left // (len(sizes) - n)))
        left -= shares[i]
    return shares


def _cut_note(shard: Shard, run_link: str, left_out: int) -> str:
    where = (
        f"[the HTML report of shard {shard.number}]({shard.report_url})"
        if shard.report_url
        else f"the artifact `drift-shard-{shard.number}` of {run_link}"
    )
    return (
        f"\n> **The report of shard {shard.number} was truncated here:** "
        f"{left_out:,} more characters not shown. The full report: {where}.\n"
    )


def _link_line(shard: Shard) -> str:
    if not shard.report_url:
        return ""
    return (
        f"HTML report of shard {shard.number}: [download]({shard.report_url}) "
        "(a zip with one self-contained drift.html)\n\n"
    )


def _whole(shard: Shard) -> str:
    return _link_line(shard) + shard.markdown.rstrip("\n") + "\n"


def _shard_part(shard: Shard, run_link: str, share: int) -> str:
    """The shard's part of the issue in at most ``share`` characters: its link, then
    its report, cut on its own with a note saying so and where the whole one is."""
    whole = _whole(shard)
    if len(whole) <= share:
        return whole
    link = _link_line(shard)
    room = share - len(link) - len(_cut_note(shard, run_link, 10**12))
    kept, left_out = cut_markdown(shard.markdown, max(0, room))
    return link + kept + _cut_note(shard, run_link, left_out)


def issue_body(shards: list[Shard], run_link: str) -> str:
    """The issue: the marker and the run, whether any shard failed, then each drifted
    shard's report. Over BODY_LIMIT, each shard gets its share (what a short report
    does not use passes on to the others) and is cut on its own, with a note and its
    full report's link; the marker and the failure line are never cut."""
    drifted = [s for s in shards if s.code in DRIFTED]
    codes = ", ".join(f"shard {s.number}: {code(s.code)}" for s in shards)
    parts = [DRIFT_MARKER, f"Drift found by {run_link}."]
    if not all(s.code in FINE for s in shards):
        parts.append(f"\n> Some shards failed ({codes}): this report may be incomplete.\n")
    head = "\n".join(parts) + "\n"
    budget = BODY_LIMIT - len(head) - len(drifted)  # a newline between the parts
    shares = fair_shares([len(_whole(s)) for s in drifted], budget)
    reports = "\n".join(
        _shard_part(s, run_link, share) for s, share in zip(drifted, shares, strict=True)
    )
    if len(head) + len(reports) > BODY_LIMIT:  # hundreds of shards: notes alone too long
        reports = truncate(reports, BODY_LIMIT - len(head) - 60)  # the head stays whole
    return head + reports


def update_drift_issue(github: GitHub, shards: list[Shard], run_link: str) -> DriftOutcome:
    complete = all(s.code in FINE for s in shards)
    drifted = any(s.code in DRIFTED for s in shards)
    existing = find_issue(github)
    if not drifted:
        if not complete or existing is None:
            return DriftOutcome("none", None, complete)
        number = int(existing["number"])
        github.request(
            "POST",
            f"{github.repo_path}/issues/{number}/comments",
            body={
                "body": f"Drift cleared: {run_link} found the live state matching the "
                "desired state. Closing."
            },
        )
        github.request(
            "PATCH",
            f"{github.repo_path}/issues/{number}",
            body={"state": "closed", "state_reason": "completed"},
        )
        return DriftOutcome("closed", number, complete)
    body = issue_body(shards, run_link)
    if existing is not None:
        number = int(existing["number"])
        github.request("PATCH", f"{github.repo_path}/issues/{number}", body={"body": body})
        return DriftOutcome("updated", number, complete)
    created = github.request(
        "POST", f"{github.repo_path}/issues", body={"title": TITLE, "body": body}
    )
    return DriftOutcome("opened", int(created["number"]), complete)
