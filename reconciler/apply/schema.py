"""JSON Schema (draft 2020-12) of the documents other tools consume.

- ``plan``: ``plan --format json``, ``drift --format json`` and the saved plan of
  ``plan --out`` (which adds ``apps``, ``existing``, fingerprints, signatures and a
  checksum; see :mod:`reconciler.plan.planfile`);
- ``apply_result``: one line of ``apply --audit-log`` (one JSON object per change).

Minor format versions only add fields, so objects allow properties not listed here.
``reconciler schema --plan`` prints it; ``schema/plan.schema.json`` is the committed copy
(in :mod:`reconciler.apply` because it describes what apply writes as well as plans).
"""

from __future__ import annotations

from typing import Any

from reconciler.api.urlprobe import Reach
from reconciler.apply.executor import Outcome
from reconciler.configs import NOT_MANAGED, SENSITIVE_CHANGED
from reconciler.plan.change import Action
from reconciler.plan.document import FORMAT_VERSION
from reconciler.products.catalog import PRODUCT_KEYS
from reconciler.secret import REDACTED

SCHEMA_ID = "urn:trtc-callback-reconciler:schema:plan:1"

_ACTIONS = [a.value for a in Action]
_OUTCOMES = [o.value for o in Outcome]


def _config() -> dict[str, Any]:
    callback = {
        "type": "object",
        "description": "A callback product (call, call_legacy, live, conference).",
        "required": ["url", "events"],
        "properties": {
            "url": {"type": "string"},
            "events": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Sorted event words.",
            },
        },
    }
    token = {
        "type": "object",
        "description": "live_token: the token itself never appears, only a marker; "
        "`(not managed)` for a switch-only token (no token_env: only `enabled` is managed, "
        "the token stays as set in Tencent).",
        "required": ["token", "enabled"],
        "properties": {
            "token": {"enum": [REDACTED, SENSITIVE_CHANGED, NOT_MANAGED]},
            "enabled": {"type": "boolean"},
        },
    }
    return {"oneOf": [callback, token, {"type": "null"}]}


def _resource() -> dict[str, Any]:
    return {
        "app": {"type": "string", "description": "The app's name in the desired state."},
        "sdkappid": {"type": "integer", "minimum": 1},
        "product": {"enum": list(PRODUCT_KEYS)},
    }


def plan_schema() -> dict[str, Any]:
    resource = _resource()
    change = {
        "type": "object",
        "required": ["app", "sdkappid", "product", "action", "before", "after"],
        "properties": {
            **resource,
            "action": {"enum": _ACTIONS},
            "before": {"$ref": "#/$defs/config", "description": "null for a create."},
            "after": {"$ref": "#/$defs/config", "description": "null for a delete."},
        },
    }
    summary_keys = ["create", "update", "delete", "unchanged"]
    return {
        "type": "object",
        "title": "trtc-callback-reconciler plan",
        "required": ["format_version", "summary", "changes", "unmanaged"],
        "properties": {
            "format_version": {
                "type": "string",
                "pattern": r"^1\.[0-9]+$",
                "description": f"Currently {FORMAT_VERSION}; minor versions only add fields.",
            },
            "summary": {
                "type": "object",
                "required": summary_keys,
                "properties": {k: {"type": "integer", "minimum": 0} for k in summary_keys},
            },
            "changes": {
                "type": "array",
                "items": change,
                "description": "Only real changes, sorted by sdkappid, then product.",
            },
            "unmanaged": {
                "type": "array",
                "description": "Configured live, not declared for a managed app.",
                "items": {
                    "type": "object",
                    "required": ["sdkappid", "app", "product"],
                    "properties": resource,
                },
            },
            "skipped": {
                "type": "array",
                "description": "Present only when not empty: managed resources left out of "
                "the plan because a secret they need (a live token variable) is missing, or "
                "because no change can reach them (a switch-only live token that is on, where "
                "no token config exists live; a call_legacy of an app without the Group Call "
                "package, v1 50001); the rest of their apps is planned.",
                "items": {
                    "type": "object",
                    "required": ["sdkappid", "app", "product", "error"],
                    "properties": {**resource, "error": {"type": "string"}},
                },
            },
            "errors": {
                "type": "array",
                "description": "1.1: resources that could not be read; their apps are left "
                "out of the plan.",
                "items": {
                    "type": "object",
                    "required": ["sdkappid", "app", "product", "error"],
                    "properties": {**resource, "error": {"type": "string"}},
                },
            },
            "recurring": {
                "type": "array",
                "description": "1.4, `drift --audit-log` only: drifted resources an earlier "
                "apply already set to the desired value (another writer keeps changing them).",
                "items": {
                    "type": "object",
                    "required": [
                        "sdkappid",
                        "app",
                        "product",
                        "times_set_back",
                        "last_set_back",
                        "request_ids",
                    ],
                    "properties": {
                        **resource,
                        "times_set_back": {"type": "integer", "minimum": 1},
                        "last_set_back": {"type": "string", "description": "ISO 8601."},
                        "request_ids": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "url_checks": {
                "type": "array",
                "description": "1.4, `plan --check-urls` only: each URL a change would "
                "write, probed (resolve, connect, TLS, one HEAD request).",
                "items": {
                    "type": "object",
                    "required": ["sdkappid", "app", "product", "url", "result", "status"],
                    "properties": {
                        **resource,
                        "url": {"type": "string"},
                        "result": {"enum": [r.value for r in Reach]},
                        "status": {
                            "type": ["integer", "null"],
                            "description": "The HTTP status when reachable.",
                        },
                        "detail": {"type": ["string", "null"]},
                    },
                },
            },
        },
    }


def apply_result_schema() -> dict[str, Any]:
    nullable_str = {"type": ["string", "null"]}
    return {
        "type": "object",
        "title": "trtc-callback-reconciler apply result (one audit-log line)",
        "required": [
            "time",
            "app",
            "sdkappid",
            "product",
            "action",
            "before",
            "after",
            "result",
            "message",
            "error_code",
            "error_info",
            "request_id",
        ],
        "properties": {
            "time": {"type": "string", "description": "ISO 8601, UTC, when it finished."},
            **_resource(),
            "action": {"enum": _ACTIONS},
            "before": {"$ref": "#/$defs/config", "description": "The live state as planned."},
            "after": {"$ref": "#/$defs/config"},
            "result": {
                "enum": ["intent", *_OUTCOMES],
                "description": "intent: written, flushed and fsynced before the write was "
                "sent (write-ahead); the others: the outcome, with the intent's seq.",
            },
            "message": nullable_str,
            "error_code": {"type": ["integer", "null"]},
            "error_info": nullable_str,
            "request_id": nullable_str,
            "run_id": {"type": "string", "description": "One per apply run."},
            "seq": {
                "type": ["integer", "null"],
                "description": "Pairs an intent with its outcome (null: nothing was written).",
            },
            "tool_version": {"type": "string"},
            "ci": {
                "type": "object",
                "description": "Set in GitHub Actions: GITHUB_ACTOR, GITHUB_SHA, the run URL.",
                "properties": {
                    "actor": {"type": "string"},
                    "sha": {"type": "string"},
                    "run_url": {"type": "string"},
                },
            },
        },
    }


def documents_schema() -> dict[str, Any]:
    """One schema file: ``#/$defs/plan`` and ``#/$defs/apply_result``; the root accepts either."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "trtc-callback-reconciler plan and apply-result documents",
        "anyOf": [{"$ref": "#/$defs/plan"}, {"$ref": "#/$defs/apply_result"}],
        "$defs": {
            "config": _config(),
            "plan": plan_schema(),
            "apply_result": apply_result_schema(),
        },
    }
