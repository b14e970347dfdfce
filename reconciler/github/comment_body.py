"""The text of the trusted plan comment, built from ``plan.json`` alone.

``plan.json`` comes from the pull request's job, so everything in it is hostile: each
value is shown in a code span or a fenced block (:mod:`.markdown`), a word that should
be one of a few is shown as such only when it is, and the override is told from
GitHub's label events (:class:`~reconciler.github.runs.LabelState`), never from the file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from reconciler.errors import PlanFileError
from reconciler.github.markdown import code, fence, truncate, truncate_tail
from reconciler.github.outputs import read_text
from reconciler.github.runs import OVERRIDE_LABEL, LabelState, PullRequest, Run
from reconciler.plan.planjson import parse_plan_json

ROW_LIMIT = 300
TABLE_CHARS = 20_000
"""Characters of the change table: with the sections below it, the comment stays under
the cut at its end."""
ACTIONS = {"create", "update", "delete"}
VERDICTS = {
    "safe": "safe",
    "unsafe": "UNSAFE",
    "overridden": "UNSAFE, OVERRIDDEN",
    "blocked": "BLOCKED",
}


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
    try:  # within the bounds of every plan file (its containers, nesting, numbers)
        doc = parse_plan_json(raw.decode("utf-8-sig"), Path("plan.json"), "unreadable")
        if not isinstance(doc, dict):
            raise ValueError
    except (ValueError, PlanFileError):  # (UnicodeDecodeError is a ValueError)
        return "**plan.json is unreadable: the apply on merge will refuse.**"
    rows = change_rows(doc)
    safety = doc.get("safety") if isinstance(doc.get("safety"), dict) else {}
    verdict = safety.get("verdict") if isinstance(safety, dict) else None
    shown_verdict = (
        VERDICTS.get(verdict, code(verdict)) if isinstance(verdict, str) else "not given"
    )
    # the table first, bounded in characters, then the verdict and the digest: the long
    # sections come last, where the cut at the comment's end can only shorten them
    lines = [
        f"**{len(rows)} change(s) the apply on merge may make**, read from `plan.json` by "
        "this trusted job (the apply applies only these, each re-checked against live):",
        "",
        "| app | sdkappid | product | action | cause |",
        "|---|---|---|---|---|",
    ]
    used = 0
    shown = 0
    for row in rows[:ROW_LIMIT]:
        used += len(row) + 1
        if used > TABLE_CHARS:
            break
        lines.append(row)
        shown += 1
    if len(rows) > shown:
        lines.append(f"\n... and {len(rows) - shown} more (see plan.json in the run's artifact)")
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
    lines += ["", f"plan.json sha256: `{hashlib.sha256(raw).hexdigest()}`"]
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
            fence(truncate(text, 20000), "json"),
            "",
            "</details>",
        ]
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
