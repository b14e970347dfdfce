"""``--format json``: the documented plan JSON document, printed."""

from __future__ import annotations

import json

from reconciler.plan.change import Plan
from reconciler.plan.document import plan_to_dict


def render_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2) + "\n"
