"""The plan document's one model: the documented plan JSON (``--format json``), the saved
plan (``plan --out``) and a reviewed-only plan, as typed dictionaries.

From these types:

- the writers (:mod:`reconciler.plan.document`, :mod:`reconciler.plan.planfile`) build
  the documents, checked by mypy against them (every key, every value's type);
- saved plans are read and validated by pydantic (:func:`validate_saved_plan`,
  :func:`validate_plan`), with errors located by path (``changes[3].after.url``);
- ``reconciler schema --plan`` is generated (:func:`plan_json_schema`).

Typed dictionaries rather than ``BaseModel`` classes because the writer stays a plain
dict given to the C JSON encoder: for a 2,000-change plan, ``model_construct`` of the
change models alone took 33 ms and validating the dicts into models and dumping them
back 8 ms, against 3 ms to build the dicts and 10 ms to print them (CPU). Pydantic
validates a ``TypedDict`` with the same rules, messages and JSON Schema as a model, and
the module is imported only where a plan is read or the schema printed.

Minor format versions only add fields: a reader ignores fields it does not know, and
the fields added after 1.0 are optional when read (older 1.x saved plans still apply).
"""

import functools
import math
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Discriminator,
    Field,
    GetJsonSchemaHandler,
    Tag,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from typing_extensions import NotRequired, TypedDict

from reconciler.api.urlprobe import Reach
from reconciler.facts.limits import MAX_SDKAPPID
from reconciler.plan.change import Action
from reconciler.plan.document import FORMAT_VERSION
from reconciler.products import catalog

_OPEN = ConfigDict(extra="allow")
"""Fields of a later minor version are kept (a reviewed change is compared whole)."""


def _known_product(key: str) -> str:
    # looked up when a plan is read: a product registered after import counts too
    if key not in catalog.PRODUCT_KEYS:
        raise ValueError(f"unknown product {key[:40]!r} (known: {', '.join(catalog.PRODUCT_KEYS)})")
    return key


class _ProductEnum:
    """The JSON Schema of a product key: the registry's keys when the schema is made."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": list(catalog.PRODUCT_KEYS)}


ProductKey = Annotated[str, AfterValidator(_known_product), _ProductEnum()]
SdkAppId = Annotated[int, Field(ge=1, le=MAX_SDKAPPID)]
AppName = Annotated[str, Field(description="The app's name in the desired state.")]
Count = Annotated[int, Field(ge=0, strict=True)]


# -- what a resource holds -------------------------------------------------------------


class CallbackState(TypedDict):
    """A callback product: where Tencent posts which events."""

    __pydantic_config__ = _OPEN  # type: ignore[misc]
    url: Annotated[str, Field(strict=True)]
    events: Annotated[list[Annotated[str, Field(strict=True)]], Field(description="Sorted.")]


class TokenState(TypedDict):
    """A signing token: the token itself never appears, only a marker; ``(not managed)``
    for a switch-only token (no token_env: only ``enabled`` is managed, the token stays
    as set in Tencent)."""

    __pydantic_config__ = _OPEN  # type: ignore[misc]
    # REDACTED, SENSITIVE_CHANGED, NOT_MANAGED (a test holds them equal)
    token: Literal["(sensitive)", "(sensitive value changed)", "(not managed)"]
    enabled: Annotated[bool, Field(strict=True)]


def _state_kind(value: Any) -> str:
    return "callback" if isinstance(value, dict) and "url" in value else "token"


STATE_TAGS = frozenset({"callback", "token"})
"""Union tags; they show up in pydantic error locations and are left out of messages."""

State = Annotated[
    Annotated[CallbackState, Tag("callback")] | Annotated[TokenState, Tag("token")],
    Discriminator(_state_kind),
]


# -- the plan document (--format json) ---------------------------------------------------


class ResourceRef(TypedDict):
    """A resource: which product of which app."""

    sdkappid: SdkAppId
    app: AppName
    product: ProductKey


class ResourceError(TypedDict):
    """A resource with why it is not in the plan."""

    sdkappid: SdkAppId
    app: AppName
    product: ProductKey
    error: str


class ChangeEntry(TypedDict):
    """One change: what the resource holds live (``before``) and after the apply."""

    app: AppName
    sdkappid: SdkAppId
    product: ProductKey
    action: Action
    before: Annotated[State | None, Field(description="null for a create.")]
    after: Annotated[State | None, Field(description="null for a delete.")]
    cause: NotRequired[
        Annotated[
            Literal["edit", "drift"] | None,
            Field(description="1.2, `plan --base`: this edit, or drift it reverts."),
        ]
    ]


class Summary(TypedDict):
    create: Count
    update: Count
    delete: Count
    unchanged: Count


def _number_up_to(value: Any, top: float) -> float:
    """A JSON number from 0 to ``top``, kept as written (an int stays an int)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number")
    if not 0 <= value <= top:  # NaN fails this too
        raise ValueError(f"must be from 0 to {top:g}")
    return value


def _percent(value: Any) -> float:
    return _number_up_to(value, 100)


def _not_negative(value: Any) -> float:
    return _number_up_to(value, math.inf)


Percent = Annotated[
    Any,
    AfterValidator(_percent),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100}),
]
NotNegative = Annotated[
    Any, AfterValidator(_not_negative), WithJsonSchema({"type": "number", "minimum": 0})
]


class Thresholds(TypedDict):
    """The safety thresholds the plan was judged by (what applying it is held to)."""

    max_update_pct: NotRequired[Percent]
    max_delete_pct: NotRequired[Percent]
    min_existing: NotRequired[NotNegative]


class Safety(TypedDict):
    """1.2: the safety rails' verdict."""

    verdict: Literal["safe", "overridden", "unsafe", "blocked"]
    problems: list[str]
    override: bool
    thresholds: NotRequired[Thresholds]


class RecurringEntry(TypedDict):
    """1.4, ``drift --audit-log``: a drifted resource an earlier apply already set to the
    desired value (another writer keeps changing it)."""

    app: AppName
    sdkappid: SdkAppId
    product: ProductKey
    times_set_back: Annotated[int, Field(ge=1)]
    last_set_back: Annotated[str, Field(description="ISO 8601.")]
    request_ids: list[str]


class UrlCheckEntry(TypedDict):
    """1.4, ``plan --check-urls``: a URL a change would write, probed (resolve, connect,
    TLS, one HEAD request)."""

    app: AppName
    sdkappid: SdkAppId
    product: ProductKey
    url: str
    result: Reach
    status: Annotated[int | None, Field(description="The HTTP status when reachable.")]
    detail: NotRequired[str | None]


class _PlanFields(TypedDict):
    """The fields every plan document has besides its changes (in printed order)."""

    format_version: Annotated[
        str,
        Field(
            pattern=r"^1\.[0-9]+$",
            description=f"Currently {FORMAT_VERSION}; minor versions only add fields.",
        ),
    ]
    summary: Summary
    unmanaged: Annotated[
        list[ResourceRef],
        Field(description="Configured live, not declared for a managed app."),
    ]
    errors: NotRequired[
        Annotated[
            list[ResourceError],
            Field(
                description="1.1: resources that could not be read; their apps are left "
                "out of the plan."
            ),
        ]
    ]
    ignored: NotRequired[
        Annotated[
            list[ResourceRef],
            Field(description="1.2: differences accepted by --ignore / .driftignore."),
        ]
    ]
    warnings: NotRequired[list[str]]
    safety: NotRequired[Safety | None]
    live_source: NotRequired[
        Annotated[str | None, Field(description="1.2: a live-state snapshot's time.")]
    ]
    recurring: NotRequired[list[RecurringEntry]]
    url_checks: NotRequired[list[UrlCheckEntry]]
    skipped: NotRequired[
        Annotated[
            list[ResourceError],
            Field(
                description="Present only when not empty: managed resources left out of "
                "the plan because a secret they need (a live token variable) is missing, "
                "or because no change can reach them; the rest of their apps is planned."
            ),
        ]
    ]


class PlanDocument(_PlanFields):
    """``plan --format json`` and ``drift --format json``."""

    changes: Annotated[
        list[ChangeEntry],
        Field(description="Only real changes, sorted by sdkappid, then product."),
    ]


# -- the saved plan (plan --out) ---------------------------------------------------------


class Fingerprint(TypedDict):
    """HMACs, keyed with the app's secret key, of the state before and after."""

    before: str
    after: str


class SavedChangeEntry(ChangeEntry):
    fingerprint: Fingerprint
    token_env: NotRequired[str | None]


class SavedAppEntry(TypedDict):
    """How to reach an app: no secret, only the names of variables."""

    app: AppName
    sdkappid: SdkAppId
    region: str
    identifier: str
    secret_key_env: str | None


Signatures = dict[Annotated[str, Field(pattern=r"^[0-9]{1,20}$")], str]


class SavedPlanDocument(_PlanFields):
    """``plan --out``: the plan document plus what apply needs, signed per app and
    checksummed (see :mod:`reconciler.plan.planfile`)."""

    changes: list[SavedChangeEntry]
    apps: list[SavedAppEntry]
    existing: Annotated[int, Field(ge=0)]
    signatures: Signatures
    checksum: str


class ReviewedAppEntry(TypedDict):
    app: AppName
    sdkappid: SdkAppId
    region: str


class ReviewedPlanDocument(_PlanFields):
    """``plan --out`` against a live-state snapshot, without keys: what reviewers saw,
    for ``apply --plan FRESH --reviewed FILE``; nothing in it can be applied."""

    changes: list[ChangeEntry]
    apps: list[ReviewedAppEntry]
    existing: int
    reviewed_only: Literal[True]
    checksum: str


# -- reading -----------------------------------------------------------------------------


class PlanShapeError(ValueError):
    """A document that is not the model's shape; ``str()`` is a located message."""


def _where(loc: tuple[int | str, ...]) -> str:
    path = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif i and part in STATE_TAGS and loc[i - 1] in ("before", "after"):
            continue  # the union's tag, not a field
        else:
            # a field name, or a key from the file (a signature's): quoted and cut short
            text = part if part.isidentifier() or part == "[key]" else repr(part[:40])
            path += ("." if path else "") + text
    return path or "(top level)"


def describe(error: ValidationError) -> str:
    """The first problem of ``error``, located (``changes[3].after.url: …``)."""
    problems = error.errors(include_url=False, include_input=False)
    first = problems[0]
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"{_where(tuple(first['loc']))}: {first['msg']}{more}"


@functools.cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    # made on first use: printing a plan never pays for the validators
    return TypeAdapter(kind)


def _validator(kind: Any) -> Callable[[Any], Any]:
    adapter = _adapter(kind)

    def validate(doc: Any) -> Any:
        try:
            return adapter.validate_python(doc)
        except ValidationError as exc:
            raise PlanShapeError(describe(exc)) from None

    return validate


def validate_saved_plan(doc: Any) -> SavedPlanDocument:
    """``doc`` as a saved plan, or :class:`PlanShapeError` saying where it is not one."""
    result: SavedPlanDocument = _validator(SavedPlanDocument)(doc)
    return result


def validate_plan(doc: Any) -> PlanDocument:
    """``doc`` as a plan document (a saved plan, signed or reviewed-only, is one too)."""
    result: PlanDocument = _validator(PlanDocument)(doc)
    return result


# -- the schema ----------------------------------------------------------------------------


def json_schema_of(kind: Any, title: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``kind``'s JSON Schema, its definitions apart (refs point at ``#/$defs/…``)."""
    schema = _adapter(kind).json_schema(ref_template="#/$defs/{model}")
    defs = schema.pop("$defs", {})
    schema["title"] = title
    return schema, defs


def plan_json_schemas() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The plan and the saved plan schemas by name, and the definitions they share."""
    plan, defs = json_schema_of(PlanDocument, "trtc-callback-reconciler plan")
    saved, saved_defs = json_schema_of(
        SavedPlanDocument, "trtc-callback-reconciler saved plan (plan --out)"
    )
    return {"plan": plan, "saved_plan": saved}, {**defs, **saved_defs}
