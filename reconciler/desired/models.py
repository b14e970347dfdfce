"""The shapes of desired-state files (docs/desired-state.md), as pydantic models.

These models check structure and types only; the rules that need locations or
the product vocabularies (URL schemes, duplicate and unknown events) live in
:mod:`reconciler.desired.checks`. The same models give the JSON Schema that
editors and CI use (:func:`desired_state_json_schema`).

Two kinds of file use them: an app file (:class:`AppFile`, which is also the
``app.yaml`` of an app folder) and a product file inside an app folder, whose
top level is one product's mapping (:data:`CallbackSpec` or :data:`TokenSpec`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from reconciler.desired.acknowledge import WARNING_IDS, unknown_warning_id
from reconciler.desired.names import APP_NAME_PATTERN
from reconciler.escape import quoted
from reconciler.facts.regions import REGION_ALIASES, REGION_NAMES, REGIONS, canonical_region
from reconciler.products.catalog import MAX_SDKAPPID, PRODUCTS, Kind
from reconciler.products.vocabulary import suggest

ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
URL_PATTERN = r"^https?://[^/?#\s\\]+[^\s\\]*$"
VAR_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"

SCHEMA_ID = "urn:trtc-callback-reconciler:schema:desired-state:1"
SCHEMA_TITLE = "trtc-callback-reconciler desired state"

PRESENT_TAG = "ensure=present"
ABSENT_TAG = "ensure=absent"
"""Union tags; they show up in pydantic error locations and are skipped when mapped to YAML."""


SdkAppId = Annotated[int, Field(ge=1, le=MAX_SDKAPPID)]
"""An SDKAppID: the rule of :attr:`AppFile.sdkappid`, also checked alone (see ``shapes``)."""


class _Strict(BaseModel):
    """Unknown keys are errors, no type coercion, and an empty value (``key:``) is refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_empty(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise PydanticCustomError(
                "empty_value",
                "`{field}` has no value: write one, or delete the line",
                {"field": info.field_name},
            )
        return value


class Absent(_Strict):
    """`ensure: absent`: delete whatever is configured live for this product."""

    model_config = ConfigDict(title="Absent")

    ensure: Literal["absent"] = Field(
        description="`absent` deletes the product's live configuration; no other field may be set."
    )


class CallbackPresent(_Strict):
    """A managed callback: created when absent, updated when different."""

    model_config = ConfigDict(title="Callback")

    ensure: Literal["present"] = Field(
        default="present",
        description="`present` (the default) manages the callback; `absent` deletes it.",
    )
    url: str = Field(
        description=(
            "Where Tencent sends the callbacks: an https:// URL with a host "
            "(http:// is accepted with a warning: callbacks would travel in clear text)."
        ),
        json_schema_extra={"pattern": URL_PATTERN},
    )
    events: list[str] = Field(
        description=(
            "The product's callback command words (a set: order carries no meaning), "
            "non-empty and without duplicates. Unknown words are errors unless `lenient` is set."
        ),
        json_schema_extra={"minItems": 1, "uniqueItems": True},
    )


class TokenPresent(_Strict):
    """The Live webhook token: its on/off switch, and the token (from `token_env`, never git)."""

    model_config = ConfigDict(title="LiveToken")

    ensure: Literal["present"] = Field(
        default="present",
        description="`present` (the default) manages the token; `absent` deletes it.",
    )
    token_env: str | SkipJsonSchema[None] = Field(
        default=None,
        description=(
            "Name of the environment variable holding the token (1-128 characters). "
            "The token itself must never be written in these files. Without it, only "
            "`enabled` is managed: the token stays as set in Tencent (never read out, "
            "compared or sent), and a token configuration must already exist live."
        ),
        pattern=ENV_NAME_PATTERN,
        json_schema_extra={"pattern": ENV_NAME_PATTERN},  # lost with the hidden None otherwise
    )
    enabled: bool = Field(
        default=True,
        description=(
            "Whether Tencent signs Live webhooks with the token (default true; "
            "write it when there is no `token_env`)."
        ),
    )


def _ensure_tag(value: Any) -> str:
    if isinstance(value, dict) and value.get("ensure") == "absent":
        return ABSENT_TAG
    return PRESENT_TAG


CallbackSpec = Annotated[
    Annotated[CallbackPresent, Tag(PRESENT_TAG)] | Annotated[Absent, Tag(ABSENT_TAG)],
    Discriminator(_ensure_tag),
]
"""One callback product (call, call_legacy, live, conference): url + events, or absent."""

TokenSpec = Annotated[
    Annotated[TokenPresent, Tag(PRESENT_TAG)] | Annotated[Absent, Tag(ABSENT_TAG)],
    Discriminator(_ensure_tag),
]
"""The live_token product: enabled (+ token_env to manage the token too), or absent."""

ProductEntry = CallbackPresent | TokenPresent | Absent


def _callback_field(product: str) -> Any:
    return Field(default=None, description=f"{PRODUCTS[product].title}.")


class Callbacks(_Strict):
    """Products managed for the app. A product not listed here is never touched."""

    model_config = ConfigDict(title="Callbacks")

    call: CallbackSpec | SkipJsonSchema[None] = _callback_field("call")
    call_legacy: CallbackSpec | SkipJsonSchema[None] = _callback_field("call_legacy")
    live: CallbackSpec | SkipJsonSchema[None] = _callback_field("live")
    live_token: TokenSpec | SkipJsonSchema[None] = Field(
        default=None,
        description=f"{PRODUCTS['live_token'].title} (a secret, from the environment).",
    )
    conference: CallbackSpec | SkipJsonSchema[None] = _callback_field("conference")

    def declared(self) -> dict[str, ProductEntry]:
        """The products written in the file, in catalog order."""
        found: dict[str, ProductEntry] = {}
        for key in PRODUCTS:
            spec = getattr(self, key)
            if spec is not None:
                found[key] = spec
        return found


def _id(value: str) -> str:
    """A warning id that ``acknowledge:`` takes (else an error with a "did you mean")."""
    problem = unknown_warning_id(value)
    if problem is not None:
        raise PydanticCustomError("unknown_warning_id", "{message}", {"message": problem})
    return value


class AppFile(_Strict):
    """One Tencent RTC app (an SDKAppID): an app file, or the app.yaml of an app folder."""

    model_config = ConfigDict(title="App")

    name: str | SkipJsonSchema[None] = Field(
        default=None,
        min_length=1,
        pattern=APP_NAME_PATTERN,
        json_schema_extra={"pattern": APP_NAME_PATTERN},  # lost with the hidden None otherwise
        description=(
            "The app's name in plans and --app filters; defaults to the file (or folder) "
            "name. Letters, digits, '.', '_' and '-' (at most 100, the first a letter or "
            "digit): a reviewer must be able to read it."
        ),
    )
    sdkappid: SdkAppId = Field(description="The app's SDKAppID, as shown in the Tencent console.")
    region: str = Field(
        description=(
            "The data center the app lives in; picks the API hosts. Tencent's own names "
            "(ap-singapore, eu-frankfurt, seoul, na-siliconvalley, …) are accepted and shown "
            f"as the canonical one ({', '.join(REGIONS)})."
        ),
        json_schema_extra={"enum": list(REGION_NAMES)},
    )
    identifier: str = Field(
        default="administrator",
        min_length=1,
        description="The admin account UserSigs are made for (default `administrator`).",
    )
    secret_key_env: str | SkipJsonSchema[None] = Field(
        default=None,
        pattern=ENV_NAME_PATTERN,
        json_schema_extra={"pattern": ENV_NAME_PATTERN},  # lost with the hidden None otherwise
        description=(
            "Environment variable (or secrets-bundle entry) holding the app's secret key; "
            "when given, the only one tried (unset is an error), instead of "
            "TRTC_SECRET_KEY_<SDKAPPID> and TRTC_SECRET_KEY."
        ),
    )
    protect: bool = Field(
        default=False, description="When true, a plan that would delete anything here is an error."
    )
    lenient: bool = Field(
        default=False,
        description="When true, unknown event words are passed through with a warning.",
    )
    callbacks: Callbacks = Field(
        default_factory=Callbacks,
        description="The products managed for this app; products in product files go elsewhere.",
    )
    acknowledge: list[
        Annotated[str, Field(json_schema_extra={"enum": list(WARNING_IDS)}), AfterValidator(_id)]
    ] = Field(
        default_factory=list,
        description=(
            "Ids of warnings this app accepts, so they stop printing: "
            + "; ".join(f"`{k}`: {v}" for k, v in WARNING_IDS.items())
            + ". Each warning shows its id."
        ),
    )
    use: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description=(
            "Templates (from `templates:` of a defaults.yaml) merged into this app, in this "
            "order: defaults first, then each template as listed, then the app's own fields."
        ),
    )
    vars: dict[Annotated[str, Field(pattern=VAR_NAME_PATTERN)], str] = Field(
        default_factory=dict,
        description=(
            "The app's own placeholders: `{key}` in a URL, event, identifier or secret_key_env "
            "expands to the value (besides the built-in {sdkappid}, {name} and {region})."
        ),
    )

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        canonical = canonical_region(value)
        if canonical is None:
            raise PydanticCustomError(
                "unknown_region", "{message}", {"message": unknown_region(value)}
            )
        return canonical


def unknown_region(value: str) -> str:
    """The message for a region that is neither canonical nor an alias."""
    guess = suggest(value.lower(), frozenset(REGION_NAMES))
    hint = ""
    if guess is not None:
        alias = REGION_ALIASES.get(guess)
        hint = f" (did you mean {guess!r}{f', that is {alias}' if alias else ''}?)"
    return f"unknown region {quoted(value)}{hint}; regions: {', '.join(REGIONS)}"


APP_FILE = TypeAdapter(AppFile)
SDKAPPID: TypeAdapter[int] = TypeAdapter(SdkAppId, config=ConfigDict(strict=True))
CALLBACK_FILE: TypeAdapter[CallbackPresent | Absent] = TypeAdapter(CallbackSpec)
TOKEN_FILE: TypeAdapter[TokenPresent | Absent] = TypeAdapter(TokenSpec)


def product_file_adapter(product: str) -> TypeAdapter[Any]:
    """How to validate the product file ``<product>.yaml`` of an app folder."""
    return TOKEN_FILE if PRODUCTS[product].kind is Kind.TOKEN else CALLBACK_FILE


def fields_of(*models: type[BaseModel]) -> tuple[str, ...]:
    """Field names of ``models``, in declaration order, without repeats."""
    names: dict[str, None] = {}
    for model in models:
        names.update(dict.fromkeys(model.model_fields))
    return tuple(names)


def desired_state_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a desired-state file.

    The top level is ``anyOf``: an app file (``App``, also an app folder's
    ``app.yaml``), or a product file inside an app folder (``Callback``,
    ``LiveToken`` or ``Absent``). Point yaml-language-server at it with
    ``# yaml-language-server: $schema=desired-state.schema.json``.
    """
    adapter: TypeAdapter[Any] = TypeAdapter(
        Union[AppFile, CallbackSpec, TokenSpec]  # noqa: UP007 - a runtime union of Annotated types
    )
    body = _for_fleets(_drop_null_defaults(adapter.json_schema(ref_template="#/$defs/{model}")))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": SCHEMA_TITLE,
        "description": (
            "An app file (sdkappid, region, callbacks), or, inside an app folder next to "
            "app.yaml, a product file named after its product (call.yaml, call_legacy.yaml, "
            "live.yaml, live_token.yaml, conference.yaml) holding that product's mapping."
        ),
        **body,
    }


_OVERRIDES = {"CallbackPresent": "CallbackOverride", "TokenPresent": "TokenOverride"}


def _for_fleets(body: dict[str, Any]) -> dict[str, Any]:
    """An app file as written next to defaults.yaml: only ``sdkappid`` is required.

    ``region`` and any product field may come from defaults.yaml or a template, so
    the products of an app file (``Callbacks``) take overrides, whose fields are
    all optional; a product file in an app folder still needs all of them.
    """
    defs = body["$defs"]
    defs["AppFile"]["required"] = ["sdkappid"]
    for full, partial in _OVERRIDES.items():
        override = {k: v for k, v in defs[full].items() if k != "required"}
        override["title"] = partial
        override["description"] = (
            f"{defs[full]['description']} Fields not written here come from "
            "defaults.yaml and the templates in `use`."
        )
        defs[partial] = override
    events = defs["CallbackOverride"]["properties"]["events"]
    words = {"type": "array", "items": {"type": "string"}}
    defs["CallbackOverride"]["properties"]["events"] = {
        "description": events["description"]
        + " Or `{add: [...], remove: [...]}` to edit the list from defaults and templates.",
        "anyOf": [
            {k: v for k, v in events.items() if k != "description"},
            {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {"add": words, "remove": words},
            },
        ],
    }
    text = json.dumps(defs["Callbacks"])
    for full, partial in _OVERRIDES.items():
        text = text.replace(f'"#/$defs/{full}"', f'"#/$defs/{partial}"')
    defs["Callbacks"] = json.loads(text)
    body["$defs"] = dict(sorted(defs.items()))
    return body


def _drop_null_defaults(node: Any) -> Any:
    """Remove ``"default": null`` left by optional fields whose null is hidden from the schema."""
    if isinstance(node, dict):
        return {
            key: _drop_null_defaults(value)
            for key, value in node.items()
            if not (key == "default" and value is None)
        }
    if isinstance(node, list):
        return [_drop_null_defaults(item) for item in node]
    return node
