"""JSON Schemas of the fleet files: ``defaults.yaml`` (with its templates) and ``policy.yaml``.

Both are built from the same models the loader validates with, so an editor
and ``validate`` agree. ``reconciler schema --kind defaults|policy`` prints them.
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler.desired.models import SCHEMA_ID, desired_state_json_schema
from reconciler.desired.policy import POLICY

_NOT_SHARED = ("name", "sdkappid", "use")


def defaults_json_schema() -> dict[str, Any]:
    """A ``defaults.yaml``: app fields for every app below it, and named ``templates``."""
    app = desired_state_json_schema()
    defs = copy.deepcopy(app["$defs"])
    shared = {
        key: value for key, value in defs["AppFile"]["properties"].items() if key not in _NOT_SHARED
    }
    defs["Template"] = {
        "title": "Template",
        "description": (
            "App fields an app adds with `use: [name]`; merged after the defaults, in the "
            "order of `use`, before the app's own fields."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": shared,
    }
    return {
        "$schema": app["$schema"],
        "$id": SCHEMA_ID.replace("desired-state", "defaults"),
        "title": "trtc-callback-reconciler defaults.yaml",
        "description": (
            "Fields every app in this folder and below gets unless it sets them itself "
            "(a nearer defaults.yaml wins), and named templates. Strings under callbacks, "
            "identifier and secret_key_env may use {sdkappid}, {name}, {region} and vars."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **shared,
            "templates": {
                "description": "Named templates, used by apps with `use: [name, ...]`.",
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/Template"},
            },
        },
        "$defs": dict(sorted(defs.items())),
    }


def policy_json_schema() -> dict[str, Any]:
    """A ``policy.yaml`` (or the file given with ``--policy``)."""
    body = POLICY.json_schema(ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.replace("desired-state", "policy"),
        **body,
    }


SCHEMAS = {
    "app": desired_state_json_schema,
    "defaults": defaults_json_schema,
    "policy": policy_json_schema,
}
"""``reconciler schema --kind``: the function giving each kind's schema."""
