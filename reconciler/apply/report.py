"""How apply results are shown: one line per change, then a summary line; or a JSON
document (``apply --format json``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.configs import Unreadable
from reconciler.escape import escape, markdown_text


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
    rare = "".join(
        f", {counts[o]} {o.value}"
        for o in (Outcome.OVERWRITTEN, Outcome.UNKNOWN)
        if counts[o]  # shown only when they happened
    )
    return (
        f"Apply: {counts[Outcome.APPLIED]} applied, {counts[Outcome.FAILED]} failed, "
        f"{counts[Outcome.STALE]} stale, {counts[Outcome.UNVERIFIED]} unverified{rare}."
    )


RESULT_FORMAT_VERSION = "1.1"
# 1.1 adds ``unreadable``: the resources left out because their app could not be read
# (a read that failed, a missing secret key) or a secret they need is missing.


def results_document(
    results: Sequence[ChangeResult],
    *,
    total: int | None = None,
    interrupted: str | None = None,
    unreadable: Sequence[Unreadable] = (),
) -> dict[str, Any]:
    """``apply --format json``: the machine-readable result of an apply.

    ``total`` is how many changes the apply set out to make (more than
    ``len(results)`` when it was interrupted, named by ``interrupted``);
    ``unreadable``: what the plan left out, with why.
    """
    counts = Counter(r.outcome.value for r in results)
    ordered = sorted(results, key=lambda r: r.change.sort_key)
    return {
        "format_version": RESULT_FORMAT_VERSION,
        "summary": {
            "total": len(results) if total is None else total,
            "finished": len(results),
            **{o.value: counts[o.value] for o in Outcome},
        },
        "interrupted": interrupted,
        "changes": [
            {
                "app": r.change.resource.app,
                "sdkappid": r.change.resource.sdkappid,
                "product": r.change.resource.product,
                "action": r.change.action.value,
                "outcome": r.outcome.value,
                "request_id": r.request_id,
                "error": None
                if r.ok
                else {"code": r.error_code, "info": r.error_info, "message": r.message},
            }
            for r in ordered
        ],
        "unreadable": [
            {
                "app": u.resource.app,
                "sdkappid": u.resource.sdkappid,
                "product": u.resource.product,
                "error": u.error,
            }
            for u in unreadable
        ],
    }


def render_results_json(
    results: Sequence[ChangeResult],
    *,
    total: int | None = None,
    interrupted: str | None = None,
    unreadable: Sequence[Unreadable] = (),
) -> str:
    document = results_document(
        results, total=total, interrupted=interrupted, unreadable=unreadable
    )
    # ASCII: a control, bidi or invisible character a server sent stays a JSON escape,
    # which the terminal escaping of stdout leaves as it is (the document stays valid)
    return json.dumps(document, indent=2) + "\n"


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
        # the app name and the server's message: literal text in a table cell
        detail = markdown_text(r.message.replace("\n", " ")) if not r.ok else ""
        app = markdown_text(c.app)
        rows.append(
            f"| {app} | {c.sdkappid} | {c.product} | {r.change.action.value} "
            f"| {r.outcome.value} | {detail} |"
        )
    return "\n".join(rows) + "\n"
