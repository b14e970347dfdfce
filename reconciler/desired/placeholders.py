"""Stage "placeholders": expand ``{sdkappid}``, ``{name}``, ``{region}`` and ``vars`` after merging.

Placeholders are expanded in every string under ``callbacks`` and in
``identifier`` and ``secret_key_env``, and in every string of an app folder's product
files (``<product>.yaml``), with the app's values; ``{{`` and ``}}`` write a literal brace.
An app's ``vars:`` (which defaults and templates may give too, merged like any
field) may use the three built-in placeholders themselves. An unknown
placeholder is an error at the line that wrote it.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Hashable, Mapping
from typing import Any

from reconciler.desired.diagnostics import Diagnostics, did_you_mean, some_of
from reconciler.desired.yamlsource import NodePath, YamlDocument
from reconciler.facts.regions import canonical_region
from reconciler.products.live_bounds import MAX_LIVE_URL

BUILTINS = ("sdkappid", "name", "region")
MAX_EXPANDED = MAX_LIVE_URL
"""Characters of a string after its placeholders are expanded (a URL, a var)."""

MAX_EXPANDED_TOTAL = 1024 * 1024
"""Characters of all the expanded strings of one document (an app, a product file): a
file of aliases to a long URL would otherwise expand to 100,000 of them."""
EXPANDED_FIELDS = frozenset({"callbacks", "identifier", "secret_key_env"})
_parse = string.Formatter().parse


class PlaceholderError(ValueError):
    """A string whose placeholders cannot be expanded; the message says how to fix it."""


def escape_braces(text: str) -> str:
    """``text`` written so that placeholder expansion gives it back (``{`` as ``{{``)."""
    return text.replace("{", "{{").replace("}", "}}")


def expand_text(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its placeholders replaced; ValueError (a message for users) when it cannot.

    The result may not grow past :data:`MAX_EXPANDED` characters: checked as it
    grows, so 4,000 placeholders of a long var stop at the limit instead of
    making a string of gigabytes.
    """
    if "{" not in text and "}" not in text:
        return text
    parts: list[str] = []
    size = 0
    for literal, field, spec, conversion in _pieces(text):
        parts.append(literal)
        size += len(literal)
        if size > MAX_EXPANDED:
            raise _too_long()
        if field is None:
            continue
        if spec or conversion or field not in values:
            shown = (
                "{"
                + field
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise PlaceholderError(
                f"unknown placeholder {shown}{did_you_mean(field, values)}; known: "
                + some_of(values.keys(), wrap="{{{}}}")
                + " (define it under `vars:`, or write a literal brace as {{ or }})"
            )
        value = values[field]
        size += len(value)
        if size > MAX_EXPANDED:
            raise _too_long()
        parts.append(value)
    return "".join(parts)


def _too_long() -> PlaceholderError:
    return PlaceholderError(
        f"with its placeholders expanded this text is longer than {MAX_EXPANDED:,} characters, "
        "the longest URL Tencent keeps: shorten it, or the vars it uses"
    )


def _pieces(text: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    """``text`` split by :class:`string.Formatter`; short texts are split once (10,000
    apps share the few URL templates of their defaults), long ones are not kept."""
    if len(text) <= _CACHED_TEXT:
        return _cached_pieces(text)
    return _split(text)


_CACHED_TEXT = 4096


@functools.lru_cache(maxsize=4096)
def _cached_pieces(text: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    return _split(text)


def _split(text: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    try:
        return tuple(_parse(text))
    except ValueError:
        raise PlaceholderError(
            "a lone '{' or '}': write a placeholder as {name}, or a literal brace as {{ or }}"
        ) from None


def expand(doc: YamlDocument, default_name: str, diagnostics: Diagnostics) -> YamlDocument:
    """``doc`` (a merged app) with its placeholders expanded; errors at the value's line."""
    data = doc.data
    if not isinstance(data, dict):
        return doc
    if not doc.braces and not data.get("vars"):
        return doc  # no string holds a brace, and no `vars` to check: nothing to do
    values = placeholder_values(doc, default_name, diagnostics)
    if not doc.braces:
        return doc
    expanded = dict(data)
    budget = _Budget()
    for key in EXPANDED_FIELDS:
        if key in data:
            expanded[key] = _walk(data[key], (key,), doc, values, diagnostics, budget)
    return YamlDocument(doc.path, expanded, doc.locations, doc.key_locations)  # unsafe: unknown


def placeholder_values(
    doc: YamlDocument, default_name: str, diagnostics: Diagnostics | None = None
) -> dict[str, str]:
    """The values of an app's placeholders: the built-ins, then its ``vars`` (each
    expanded with the built-ins). Mistakes in ``vars`` go to ``diagnostics`` (None:
    they were reported already)."""
    return _values(doc.data if isinstance(doc.data, dict) else {}, default_name, doc, diagnostics)


def _values(
    data: Mapping[Hashable, Any],
    default_name: str,
    doc: YamlDocument,
    diagnostics: Diagnostics | None,
) -> dict[str, str]:
    builtins = {
        "sdkappid": str(data.get("sdkappid", "")),
        "name": str(data.get("name", default_name)),
        "region": _region(data.get("region", "")),
    }
    values = dict(builtins)
    raw_vars = data.get("vars")
    if isinstance(raw_vars, dict):
        for key, value in raw_vars.items():
            if not isinstance(key, str) or not isinstance(value, str):
                continue  # the model reports the wrong type
            if key in builtins:
                if diagnostics is not None:
                    diagnostics.error(
                        doc.key_location(("vars", key)),
                        f"`vars: {key}` would hide the built-in placeholder {{{key}}}: rename it",
                    )
                continue
            try:
                values[key] = expand_text(value, builtins)
            except PlaceholderError as exc:
                if diagnostics is not None:
                    diagnostics.error(doc.value_location(("vars", key)), f"in `vars: {key}`: {exc}")
    return values


def expand_product_file(
    product_doc: YamlDocument, values: Mapping[str, str], diagnostics: Diagnostics
) -> YamlDocument:
    """A product file of an app folder (``<product>.yaml``) with its placeholders expanded,
    with the values of its app (:func:`placeholder_values`); errors at its own lines."""
    if not product_doc.braces:
        return product_doc
    doc = product_doc
    expanded = _walk(doc.data, (), doc, values, diagnostics, _Budget())
    return YamlDocument(doc.path, expanded, doc.locations, doc.key_locations)


class _Budget:
    """Characters that the expanded strings of one document may still add up to."""

    __slots__ = ("left", "spent")

    def __init__(self) -> None:
        self.left = MAX_EXPANDED_TOTAL
        self.spent = False


def _walk(
    value: Any,
    path: NodePath,
    doc: YamlDocument,
    values: Mapping[str, str],
    diagnostics: Diagnostics,
    budget: _Budget,
) -> Any:
    if isinstance(value, str):
        if "{" not in value and "}" not in value:
            return value
        if budget.spent:
            return value  # reported once, at the string that went over
        try:
            expanded = expand_text(value, values)
        except PlaceholderError as exc:
            diagnostics.error(doc.value_location(path), str(exc))
            return value
        budget.left -= len(expanded)
        if budget.left < 0:
            budget.spent = True
            diagnostics.error(
                doc.value_location(path),
                f"the strings of this file expand to more than {MAX_EXPANDED_TOTAL:,} "
                "characters in all (aliases or placeholders repeated): write fewer of them",
            )
            return value
        return expanded
    # a mapping or list with nothing to expand is kept as it is, not copied (10,000 apps
    # share their defaults' event lists); one that changes is copied once
    if isinstance(value, dict):
        out: dict[Hashable, Any] | None = None
        for key, child in value.items():
            if child.__class__ is str and "{" not in child and "}" not in child:
                continue  # most values: no call, no path for them
            new = _walk(child, (*path, key), doc, values, diagnostics, budget)
            if new is not child:
                if out is None:
                    out = dict(value)
                out[key] = new
        return value if out is None else out
    if isinstance(value, list):
        items: list[Any] | None = None
        for i, item in enumerate(value):
            if item.__class__ is str and "{" not in item and "}" not in item:
                continue
            new = _walk(item, (*path, i), doc, values, diagnostics, budget)
            if new is not item:
                if items is None:
                    items = list(value)
                items[i] = new
        return value if items is None else items
    return value


def _region(value: Any) -> str:
    """``{region}`` is the canonical name, also where an alias (ap-singapore) is written."""
    text = str(value)
    return canonical_region(text) or text
