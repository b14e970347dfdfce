"""The apply-result record (one line of ``apply --audit-log``) and the JSON Schema of the
documents other tools consume, generated from their models:

- ``plan``: ``plan --format json``, ``drift --format json`` and the saved plan of
  ``plan --out`` (:class:`reconciler.plan.model.PlanDocument`);
- ``saved_plan``: the saved plan alone, with what apply needs (``apps``, ``existing``,
  fingerprints, signatures and a checksum; :class:`~reconciler.plan.model.SavedPlanDocument`);
- ``apply_result``: one line of ``apply --audit-log`` (:class:`AuditRecord`).

Minor format versions only add fields, so objects allow properties not listed here.
``reconciler schema --plan`` prints it; ``schema/plan.schema.json`` is the committed copy
(in :mod:`reconciler.apply` because it describes what apply writes as well as plans).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from reconciler.apply.executor import Outcome
from reconciler.plan.change import Action
from reconciler.plan.model import (
    AppName,
    ProductKey,
    SdkAppId,
    State,
    json_schema_of,
    plan_json_schemas,
)

SCHEMA_ID = "urn:trtc-callback-reconciler:schema:plan:1"


class CiContext(TypedDict, total=False):
    """Set in GitHub Actions: GITHUB_ACTOR, GITHUB_SHA, the run URL."""

    actor: str
    sha: str
    run_url: str


class AuditRecord(TypedDict):
    """One line of ``apply --audit-log``: an intent, or the outcome of one change."""

    time: Annotated[str, Field(description="ISO 8601, UTC, when it finished.")]
    app: AppName
    sdkappid: SdkAppId
    product: ProductKey
    action: Action
    before: Annotated[State | None, Field(description="The live state as planned.")]
    after: State | None
    result: Annotated[
        Literal["intent"] | Outcome,
        Field(
            description="intent: written, flushed and fsynced before the write was sent "
            "(write-ahead); the others: the outcome, with the intent's seq."
        ),
    ]
    message: str | None
    error_code: int | None
    error_info: str | None
    request_id: str | None
    run_id: NotRequired[Annotated[str, Field(description="One per apply run.")]]
    seq: NotRequired[
        Annotated[
            int | None,
            Field(description="Pairs an intent with its outcome (null: nothing was written)."),
        ]
    ]
    tool_version: NotRequired[str]
    ci: NotRequired[CiContext]
    safety_override: NotRequired[
        Annotated[bool, Field(description="apply --force: the safety thresholds were overridden.")]
    ]


def documents_schema() -> dict[str, Any]:
    """One schema file: ``#/$defs/plan``, ``#/$defs/saved_plan`` and
    ``#/$defs/apply_result``; the root accepts a plan or an apply result."""
    documents, defs = plan_json_schemas()
    result, result_defs = json_schema_of(
        AuditRecord, "trtc-callback-reconciler apply result (one audit-log line)"
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "trtc-callback-reconciler plan and apply-result documents",
        "anyOf": [{"$ref": "#/$defs/plan"}, {"$ref": "#/$defs/apply_result"}],
        "$defs": dict(sorted({**defs, **result_defs, **documents, "apply_result": result}.items())),
    }
