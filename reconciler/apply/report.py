"""How apply results are shown: one line per change, then a summary line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.escape import escape


def result_line(result: ChangeResult) -> str:
    c = result.change
    head = f"{result.outcome.value}: {c.resource} {c.action.value}"
    if result.outcome is Outcome.APPLIED:
        return head
    details = []
    if result.error_code is not None:
        details.append(f"ErrorCode {result.error_code}")
    if result.error_info:
        details.append(f"ErrorInfo {result.error_info!r}")
    if result.request_id:
        details.append(f"RequestId {result.request_id}")
    extra = f" [{', '.join(details)}]" if details else ""
    message = escape("; ".join(p.strip() for p in result.message.splitlines() if p.strip()))
    return f"{head}: {message}{extra}"


def summary_line(results: Sequence[ChangeResult]) -> str:
    counts = Counter(r.outcome for r in results)
    return (
        f"Apply: {counts[Outcome.APPLIED]} applied, {counts[Outcome.FAILED]} failed, "
        f"{counts[Outcome.STALE]} stale, {counts[Outcome.UNVERIFIED]} unverified."
    )


def render_results(results: Sequence[ChangeResult]) -> str:
    ordered = sorted(results, key=lambda r: r.change.sort_key)
    return "\n".join([*(result_line(r) for r in ordered), summary_line(results)]) + "\n"


def render_results_markdown(results: Sequence[ChangeResult]) -> str:
    ordered = sorted(results, key=lambda r: r.change.sort_key)
    rows = [
        "### trtc-callback-reconciler: Apply\n",
        f"{summary_line(results)}\n",
        "| app | sdkappid | product | action | result | detail |",
        "|---|---:|---|---|---|---|",
    ]
    for r in ordered:
        c = r.change.resource
        detail = escape(r.message.replace("\n", " ")).replace("|", "\\|") if not r.ok else ""
        app = escape(c.app).replace("|", "\\|")
        rows.append(
            f"| {app} | {c.sdkappid} | {c.product} | {r.change.action.value} "
            f"| {r.outcome.value} | {detail} |"
        )
    return "\n".join(rows) + "\n"
