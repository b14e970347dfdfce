"""The shapes of desired-state files (docs/desired-state.md), as pydantic models.

These models check structure and types only; the rules that need locations or
the product vocabularies (URL schemes, duplicate and unknown events) live in
:mod:`reconciler.desired.checks`. The same models give the JSON Schema that
editors and CI use (:func:`desired_state_json_schema`).

Two kinds of file use them: an app file (:class:`AppFile`, which is also the
``app.yaml`` of an app folder) and a product file inside an app folder, whose
top level is one product's mapping (:data:`CallbackSpec` or :data:`TokenSpec`).

No product is named here: ``Callbacks`` (one optional field per product) and
``AppFile`` are built with :func:`pydantic.create_model` from the product
registry, once per registry content (at import for the built-in products), and
rebuilt when :func:`reconciler.products.catalog.register` adds one. A product's
kind picks its mapping; the kinds' texts live in :data:`reconciler.products.spec.KIND_TEXT`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationInfo,
    create_model,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from reconciler.desired.acknowledge import WARNING_IDS, unknown_warning_id
from reconciler.desired.names import APP_NAME_PATTERN
from reconciler.escape import quoted
from reconciler.facts.regions import REGION_ALIASES, REGION_NAMES, REGIONS, canonical_region
from reconciler.products import catalog
from reconciler.products.catalog import MAX_SDKAPPID, PRODUCTS, Kind, ProductSpec
from reconciler.products.spec import KIND_TEXT
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
"""An SDKAppID: the rule of :attr:`AppFile.sdkappid`."""


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


_CALLBACK_TEXT = KIND_TEXT[Kind.CALLBACK]
_TOKEN_TEXT = KIND_TEXT[Kind.TOKEN]


class CallbackPresent(_Strict):
    __doc__ = _CALLBACK_TEXT.doc

    model_config = ConfigDict(title=_CALLBACK_TEXT.title)

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
    __doc__ = _TOKEN_TEXT.doc

    model_config = ConfigDict(title=_TOKEN_TEXT.title)

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
    enabled: bool = Field(default=True, description=_TOKEN_TEXT.fields["enabled"])


def _ensure_tag(value: Any) -> str:
    if isinstance(value, dict) and value.get("ensure") == "absent":
        return ABSENT_TAG
    return PRESENT_TAG


CallbackSpec = Annotated[
    Annotated[CallbackPresent, Tag(PRESENT_TAG)] | Annotated[Absent, Tag(ABSENT_TAG)],
    Discriminator(_ensure_tag),
]
"""A product of kind ``callback``: url + events, or absent."""

TokenSpec = Annotated[
    Annotated[TokenPresent, Tag(PRESENT_TAG)] | Annotated[Absent, Tag(ABSENT_TAG)],
    Discriminator(_ensure_tag),
]
"""A product of kind ``token``: enabled (+ token_env to manage the token too), or absent."""

ProductEntry = CallbackPresent | TokenPresent | Absent


_OptionalCallback = CallbackSpec | SkipJsonSchema[None]
_OptionalToken = TokenSpec | SkipJsonSchema[None]
_KIND_FIELDS: dict[Kind, Any] = {Kind.CALLBACK: _OptionalCallback, Kind.TOKEN: _OptionalToken}
"""The type of a product's field under ``callbacks:``, by kind (None: not declared)."""


class _Callbacks(_Strict):
    """The base of :data:`Callbacks`, whose fields (one per product) the registry gives."""

    model_config = ConfigDict(title="Callbacks")

    def declared(self) -> dict[str, ProductEntry]:
        """The products written in the file, in catalog order."""
        found: dict[str, ProductEntry] = {}
        for key in PRODUCTS:
            spec = getattr(self, key, None)
            if spec is not None:
                found[key] = spec
        return found


def _id(value: str) -> str:
    """A warning id that ``acknowledge:`` takes (else an error with a "did you mean")."""
    problem = unknown_warning_id(value)
    if problem is not None:
        raise PydanticCustomError("unknown_warning_id", "{message}", {"message": problem})
    return value


_APP_DOC = "One Tencent RTC app (an SDKAppID): an app file, or the app.yaml of an app folder."
_CALLBACKS_DOC = "Products managed for the app. A product not listed here is never touched."
_CALLBACKS_FIELD = "The products managed for this app; products in product files go elsewhere."


class _AppFile(_Strict):
    """The base of :data:`AppFile`; its ``callbacks`` type comes from the registry."""

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
    callbacks: _Callbacks = Field(default_factory=_Callbacks, description=_CALLBACKS_FIELD)
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


def _product_field(spec: ProductSpec) -> tuple[Any, Any]:
    text = KIND_TEXT[spec.kind]
    return _KIND_FIELDS[spec.kind], Field(default=None, description=f"{spec.title}{text.declared}.")


def _build(specs: tuple[ProductSpec, ...]) -> tuple[type[_Callbacks], type[_AppFile]]:
    """The ``Callbacks`` and ``AppFile`` models of a registry holding ``specs``."""
    fields: dict[str, Any] = {spec.key: _product_field(spec) for spec in specs}
    callbacks = create_model(
        "Callbacks", __base__=_Callbacks, __doc__=_CALLBACKS_DOC, __module__=__name__, **fields
    )
    app = create_model(
        "AppFile",
        __base__=_AppFile,
        __doc__=_APP_DOC,
        __module__=__name__,
        callbacks=(
            callbacks,
            Field(default_factory=callbacks, description=_CALLBACKS_FIELD),
        ),
    )
    return callbacks, app


_Models = tuple[type[_Callbacks], type[_AppFile]]
_BUILT: dict[tuple[int, ...], tuple[tuple[ProductSpec, ...], _Models]] = {}
"""Models per registry content: built once (at import for the built-in products), and
the same classes again when a registered product is removed."""


def _models() -> _Models:
    specs = tuple(PRODUCTS.values())
    content = tuple(id(spec) for spec in specs)  # specs hold dicts: no hash; the entry
    # keeps its specs alive, so their ids are not reused
    built = _BUILT.get(content)
    if built is None:
        built = _BUILT[content] = (specs, _build(specs))
    return built[1]


if TYPE_CHECKING:  # to the type checker, the generated models are their bases
    Callbacks = _Callbacks
    AppFile = _AppFile
else:
    Callbacks, AppFile = _models()
    """``Callbacks``: one optional field per registered product, in registry order.
    ``AppFile``: an app file; both follow :func:`reconciler.products.catalog.register`."""


def _follow_the_registry() -> None:
    callbacks, app = _models()
    globals().update(Callbacks=callbacks, AppFile=app)


catalog.on_change(_follow_the_registry)


class _AppFileAdapter:
    """Validates an app file with the current :data:`AppFile` model."""

    def validate_python(self, data: Any) -> AppFile:
        return AppFile.model_validate(data)  # the global: rebound by the registry


APP_FILE = _AppFileAdapter()
CALLBACK_FILE: TypeAdapter[CallbackPresent | Absent] = TypeAdapter(CallbackSpec)
TOKEN_FILE: TypeAdapter[TokenPresent | Absent] = TypeAdapter(TokenSpec)


_KIND_FILES: dict[Kind, TypeAdapter[Any]] = {Kind.CALLBACK: CALLBACK_FILE, Kind.TOKEN: TOKEN_FILE}


def product_file_adapter(product: str) -> TypeAdapter[Any]:
    """How to validate the product file ``<product>.yaml`` of an app folder."""
    return _KIND_FILES[PRODUCTS[product].kind]


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
    files = ", ".join(f"{key}.yaml" for key in PRODUCTS)
    body = _for_fleets(_drop_null_defaults(adapter.json_schema(ref_template="#/$defs/{model}")))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": SCHEMA_TITLE,
        "description": (
            "An app file (sdkappid, region, callbacks), or, inside an app folder next to "
            f"app.yaml, a product file named after its product ({files}) holding that "
            "product's mapping."
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
