"""The documented plan JSON document (format_version 1.x). Minor versions only add fields.

Both the ``--format json`` output and the saved plan file (``plan --out``) are this
document; the saved plan adds what apply needs (see :mod:`reconciler.plan.planfile`).
"""

from __future__ import annotations

from typing import Any

from reconciler.plan.change import Change, Plan, Resource

FORMAT_VERSION = "1.1"  # 1.1: ``errors`` (unreadable resources)


def change_to_dict(change: Change) -> dict[str, Any]:
    r = change.resource
    return {
        "app": r.app,
        "sdkappid": r.sdkappid,
        "product": r.product,
        "action": change.action.value,
        "before": change.public_before(),
        "after": change.public_after(),
    }


def resource_to_dict(resource: Resource) -> dict[str, Any]:
    return {"sdkappid": resource.sdkappid, "app": resource.app, "product": resource.product}


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "summary": plan.summary(),
        "changes": [change_to_dict(c) for c in plan.changes],
        "unmanaged": [resource_to_dict(r) for r in plan.unmanaged],
        "errors": [{**resource_to_dict(e.resource), "error": e.error} for e in plan.errors],
    }
