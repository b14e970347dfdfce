"""``--format json``: the documented plan JSON document, printed.

One top-level field per line, and one change (or unmanaged resource, error, …) per
line of its list: a diff of two plans shows the changes that differ, ``grep`` finds
an app's line, and the whole document is written by the C encoder. (``indent=2``
takes the pure-Python encoder: 4x the time, for a 2,000-app plan 0.09 s instead of
0.02 s, and a third more bytes for every later pass over the text.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from reconciler.plan.change import Plan
from reconciler.plan.document import plan_to_dict


def render_json(plan: Plan) -> str:
    return dumps_by_line(plan_to_dict(plan))


def dumps_by_line(document: Mapping[str, object]) -> str:
    """``document`` as JSON: a field per line, and a line per item of a non-empty list."""
    fields = []
    for key, value in document.items():
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = ",\n".join("    " + json.dumps(item) for item in value)
            fields.append(f"  {name}: [\n{items}\n  ]")
        else:
            fields.append(f"  {name}: {json.dumps(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"
