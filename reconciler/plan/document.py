"""The documented plan JSON document (format_version 1.x), built from a :class:`Plan`.

Both the ``--format json`` output and the saved plan file (``plan --out``) are this
document; the saved plan adds what apply needs (see :mod:`reconciler.plan.planfile`).
Its shape is :class:`reconciler.plan.model.PlanDocument` (which mypy holds this module
to); the keys are written in the documented order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from reconciler.plan.change import Change, Plan, Resource
from reconciler.secret import mask_known

if TYPE_CHECKING:  # the model is imported by what reads a plan, not by what prints one
    from reconciler.plan.model import (
        ChangeEntry,
        PlanDocument,
        RecurringEntry,
        ResourceRef,
        Safety,
        State,
        Summary,
        UrlCheckEntry,
    )

FORMAT_VERSION = "1.4"
# 1.1 adds ``errors`` (unreadable resources).
# 1.2 adds: per change ``cause`` ("edit" | "drift" | null, from ``plan --base``);
# ``ignored`` (accepted differences left alone), ``warnings``, ``safety`` (the verdict
# of the safety rails) and ``live_source`` (a live-state snapshot's time, or null).
# 1.3 adds the ``"(not managed)"`` token of a token product whose switch alone is managed.
# 1.4 adds ``recurring`` (``drift --audit-log``: drifted resources this tool already
# set back; present only when audit logs were read) and ``url_checks`` (``plan
# --check-urls``: each URL a change would write, probed; present only when checked).


def change_to_dict(change: Change) -> ChangeEntry:
    r = change.resource
    return {
        "app": r.app,
        "sdkappid": r.sdkappid,
        "product": r.product,
        "action": change.action.value,  # type: ignore[typeddict-item]  # the enum's JSON
        "before": cast("State | None", change.public_before()),
        "after": cast("State | None", change.public_after()),
        "cause": change.cause,  # type: ignore[typeddict-item]  # "edit" | "drift" | None
    }


def resource_to_dict(resource: Resource) -> ResourceRef:
    return {"sdkappid": resource.sdkappid, "app": resource.app, "product": resource.product}


def all_warnings(plan: Plan) -> list[str]:
    """The plan's warnings, plus reverted drift and a verdict that is not "safe", so that
    a program reading only ``warnings`` misses none of them."""
    warnings = list(plan.warnings)
    if plan.drift_reverts:
        names = ", ".join(f"{c.resource.app}/{c.resource.product}" for c in plan.drift_reverts)
        warnings.append(
            f"{len(plan.drift_reverts)} change(s) revert live drift (changed outside "
            f"reconciler): {names}"
        )
    if plan.safety is not None and plan.safety.status != "safe":
        warnings.append(f"safety: {plan.safety.summary()}")
    warnings += [f"URL check: {c.line()}" for c in plan.url_checks or () if not c.ok]
    return warnings


def plan_to_dict(plan: Plan) -> PlanDocument:
    doc: PlanDocument = {
        "format_version": FORMAT_VERSION,
        "summary": cast("Summary", plan.summary()),
        "changes": [change_to_dict(c) for c in plan.changes],
        "unmanaged": [resource_to_dict(r) for r in plan.unmanaged],
        "errors": [
            {**resource_to_dict(e.resource), "error": mask_known(e.error)} for e in plan.errors
        ],
        "ignored": [resource_to_dict(r) for r in plan.ignored],
        "warnings": all_warnings(plan),
        "safety": None if plan.safety is None else cast("Safety", plan.safety.to_dict()),
        "live_source": plan.live_source,
    }
    if plan.recurring is not None:
        doc["recurring"] = [cast("RecurringEntry", r.to_dict()) for r in plan.recurring]
    if plan.url_checks is not None:
        doc["url_checks"] = [cast("UrlCheckEntry", c.to_dict()) for c in plan.url_checks]
    if plan.skipped:  # only when there are: resources a missing secret kept out of the plan
        doc["skipped"] = [{**resource_to_dict(e.resource), "error": e.error} for e in plan.skipped]
    return doc
