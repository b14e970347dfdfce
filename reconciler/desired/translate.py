"""Turn pydantic's validation errors into short, located messages that say how to fix them.

Pydantic reports each problem with a ``loc`` tuple (field names, list indices
and union tags). That tuple is walked through the YAML data: the elements that
are not in the data (union tags) are skipped, and the remaining path is looked
up in the document's location index, falling back to the nearest ancestor.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from reconciler.desired.diagnostics import did_you_mean
from reconciler.desired.models import (
    Absent,
    AppFile,
    CallbackPresent,
    TokenPresent,
    fields_of,
)
from reconciler.desired.names import name_problem
from reconciler.desired.yamlsource import NodePath, YamlDocument
from reconciler.errors import ConfigError, Location
from reconciler.escape import quoted
from reconciler.facts.regions import REGIONS
from reconciler.products.catalog import MAX_SDKAPPID, PRODUCT_KEYS, PRODUCTS, Kind

APP = "app"
"""Context of an app file (or app.yaml); a product key is the context of a product file."""

PLAINTEXT_REFUSAL = (
    "a token must not be stored in git: put it in an environment variable "
    "and write `token_env: NAME`"
)

_SENSITIVE_FIELDS = frozenset({"token", "token_env", "secret_key_env"})
"""Fields whose value is never echoed: a user may have pasted a secret there by mistake."""

_CUSTOM_TYPES = frozenset({"empty_value", "unknown_region", "unknown_warning_id"})
"""Errors raised by our own validators: their message is already written for users."""

_MISSING_HINTS: dict[str, str] = {
    "sdkappid": "add `sdkappid: <the app's SDKAppID from the Tencent console>`",
    "region": "add `region: <one of " + ", ".join(REGIONS) + ">`",
    "url": (
        "add `url: https://...`, or write `ensure: absent` to delete the product's configuration"
    ),
    "events": (
        "add `events: [...]` with the product's command words, "
        "or write `ensure: absent` to delete the product's configuration"
    ),
    "token_env": "add `token_env: NAME`, naming the environment variable that holds the token",
}

_TYPE_WORDS: dict[str, str] = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list, e.g. `[a, b]`",
    "dict_type": "a mapping (`key: value` lines)",
    "model_type": "a mapping (`key: value` lines)",
    "model_attributes_type": "a mapping (`key: value` lines)",
}


def translate(exc: ValidationError, doc: YamlDocument, context: str) -> list[ConfigError]:
    """Located :class:`ConfigError` for each error of ``exc`` raised on ``doc.data``."""
    found: dict[tuple[Location, str], None] = {}
    for detail in exc.errors():
        converted = _convert(detail, doc, context)
        if converted is not None:
            found[converted] = None
    return [ConfigError(location, message) for location, message in found]


def data_path(loc: Sequence[int | str], data: Any) -> NodePath:
    """The part of pydantic's ``loc`` that exists in ``data`` (union tags dropped)."""
    path: list[Hashable] = []
    node = data
    for element in loc:
        child = _child(node, element)
        if child is _MISSING:
            continue  # a union tag, or a field that is missing from the data
        node = child
        path.append(element)
    return tuple(path)


_MISSING = object()


def _child(node: Any, element: int | str) -> Any:
    if isinstance(node, dict):
        return node.get(element, _MISSING)
    if isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node):
        return node[element]
    return _MISSING


def _get(data: Any, path: NodePath) -> Any:
    for element in path:
        data = data[element]
    return data


def _convert(detail: ErrorDetails, doc: YamlDocument, context: str) -> tuple[Location, str] | None:
    kind = detail["type"]
    if kind == "none_required":  # the hidden None branch of optional products
        return None
    path = data_path(detail["loc"], doc.data)
    if kind == "extra_forbidden":
        return doc.key_location(path), _unknown_key(doc, path, context)
    if kind == "invalid_key":
        return doc.key_location(path), (
            f"key {detail['input']!r} must be a word, not a number or true/false: quote it"
        )
    if kind == "missing":
        return _missing(detail, doc, path, context)
    value = _get(doc.data, path)
    location = doc.key_location(path) if value is None else doc.value_location(path)
    if kind in _CUSTOM_TYPES:
        return location, detail["msg"]
    return location, _wrong_value(detail, path, context)


def allowed_keys(context: str, parent: NodePath) -> tuple[str, str, tuple[str, ...]] | None:
    """(what a key is, product or "", the allowed keys) of the mapping at ``parent``."""
    product: str
    if context == APP:
        if parent == ():
            return "field", "", fields_of(AppFile)
        if parent == ("callbacks",):
            return "product", "", tuple(PRODUCT_KEYS)
        if len(parent) == 2 and parent[0] == "callbacks" and parent[1] in PRODUCTS:
            product = str(parent[1])
        else:
            return None
    elif parent == ():
        product = context
    else:
        return None
    if PRODUCTS[product].kind is Kind.TOKEN:
        return "field", product, fields_of(TokenPresent, Absent)
    return "field", product, fields_of(CallbackPresent, Absent)


def _unknown_key(doc: YamlDocument, path: NodePath, context: str) -> str:
    key, parent = path[-1], path[:-1]
    word = str(key)
    allowed = allowed_keys(context, parent)
    if allowed is None:  # pragma: no cover - every mapping of the models is known above
        return f"unknown field {quoted(word)}: remove it"
    what, product, keys = allowed
    if product and PRODUCTS[product].kind is Kind.TOKEN and key == "token":
        return PLAINTEXT_REFUSAL
    if what == "product":
        return (
            f"unknown product {quoted(word)} under callbacks{did_you_mean(word, keys)}; "
            f"products: {', '.join(keys)}"
        )
    siblings = _get(doc.data, parent)
    if isinstance(siblings, dict) and siblings.get("ensure") == "absent" and key in keys:
        return (
            f"`{word}` cannot be combined with `ensure: absent`: remove it to delete the "
            "product's configuration, or remove `ensure: absent` to manage it"
        )
    return (
        f"unknown field {quoted(word)}{did_you_mean(word, keys)}; allowed fields: {', '.join(keys)}"
    )


def _owner(path: NodePath, context: str) -> str:
    if context != APP:
        return f"product {context}"
    if len(path) == 2 and path[0] == "callbacks":
        return f"product {path[1]}"
    if path == ():
        return "the app"
    return f"`{path[-1]}`"


def _missing(
    detail: ErrorDetails, doc: YamlDocument, path: NodePath, context: str
) -> tuple[Location, str] | None:
    field = str(detail["loc"][-1]) if detail["loc"] else ""
    parent = _get(doc.data, path)
    if isinstance(parent, dict) and _explained_elsewhere(field, parent, context, path):
        return None
    hint = _MISSING_HINTS.get(field, "add it")
    return doc.key_location(path), f"{_owner(path, context)} is missing `{field}`: {hint}"


def _explained_elsewhere(field: str, parent: dict[Any, Any], context: str, path: NodePath) -> bool:
    """Whether another error on ``parent`` already tells how to fix the missing ``field``."""
    if parent.get("ensure", "present") not in ("present", "absent"):
        return True  # the invalid `ensure` is reported; what else is missing depends on it
    if field == "token_env" and "token" in parent:
        return True  # the plaintext token error says to write `token_env`
    allowed = allowed_keys(context, path)
    if allowed is None:  # pragma: no cover - every mapping of the models is known
        return False
    unknown = [str(key) for key in parent if key not in allowed[2]]
    return any(did_you_mean(key, allowed[2]) == f" (did you mean {field!r}?)" for key in unknown)


def _label(path: NodePath) -> str:
    if not path:
        return "the top level of the file"
    last = path[-1]
    if isinstance(last, int) and len(path) >= 2:
        return f"each item of `{path[-2]}`"
    return f"`{last}`"


def _field_name(path: NodePath) -> str:
    names = [element for element in path if isinstance(element, str)]
    return names[-1] if names else ""


def _wrong_value(detail: ErrorDetails, path: NodePath, context: str) -> str:
    kind, value = detail["type"], detail["input"]
    field = _field_name(path)
    label = _label(path)
    # a file that is one string at its top level is not YAML settings (an env file, a
    # key): its content is no token of a setting, so none of it is quoted
    shown = _describe(value, sensitive=field in _SENSITIVE_FIELDS or not path)
    ctx = detail.get("ctx") or {}
    if kind in ("model_type", "dict_type", "model_attributes_type") and (
        _owner(path, context).startswith("product") and (len(path) == 2 or context != APP)
    ):
        product = context if context != APP else str(path[-1])
        fields = (
            "`token_env` and `enabled`"
            if PRODUCTS[product].kind is Kind.TOKEN
            else "`url` and `events`"
        )
        return f"{label} must be a mapping with {fields}, or `ensure: absent`; found {shown}"
    if kind in _TYPE_WORDS:
        return f"{label} must be {_TYPE_WORDS[kind]}, found {shown}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        if field == "sdkappid":
            return (
                f"`sdkappid` must be between 1 and {MAX_SDKAPPID}, found {shown}: "
                "copy the SDKAppID from the Tencent console"
            )
        return f"{label} is out of range ({detail['msg'].lower()}), found {shown}"
    if kind in ("string_too_short", "too_short"):
        return f"{label} must not be empty: write a value, or delete the line"
    if kind == "string_pattern_mismatch" and field in ("token_env", "secret_key_env"):
        return (
            f"{label} must name an environment variable (letters, digits and _, not starting "
            "with a digit), e.g. `MY_SECRET`; the secret itself must not be stored in git"
        )
    if kind == "string_pattern_mismatch" and field == "name" and isinstance(value, str):
        return f"app name {quoted(value)} {name_problem(value)}"
    if kind == "literal_error" and field == "ensure":
        return f"`ensure` must be 'present' or 'absent', found {shown}"
    if kind == "literal_error":
        return f"{label} must be {ctx.get('expected', 'one of the allowed values')}, found {shown}"
    message = detail["msg"]
    return f"{label}: {message[:1].lower()}{message[1:]}"


def _describe(value: Any, *, sensitive: bool = False) -> str:
    """What a YAML value is, in YAML words; never the value itself when sensitive."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number" if sensitive else f"the number {value}"
    if isinstance(value, str):
        if sensitive:
            return "a string"
        return f"the string {quoted(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date (quote it to make it a string)"
    if isinstance(value, bytes):
        return "binary data"
    return f"a {type(value).__name__}"
