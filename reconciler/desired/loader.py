"""Load a desired-state directory into a :class:`DesiredState`.

Every file is read and checked even after errors, so that one
:class:`ConfigErrors` lists everything wrong at once. Warnings (plain http,
unknown words let through by ``lenient``) are returned, never raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from reconciler.desired.characters import control_character_errors
from reconciler.desired.checks import build_product, check_region
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.layout import AppSource, discover, discover_files
from reconciler.desired.models import APP_FILE, AppFile, ProductEntry, product_file_adapter
from reconciler.desired.result import (
    ConfigWarning,
    DesiredApp,
    DesiredProduct,
    DesiredState,
)
from reconciler.desired.translate import APP, allowed_keys, translate
from reconciler.desired.yamlsource import YamlDocument, load_yaml
from reconciler.errors import ConfigErrors, Location
from reconciler.products.catalog import PRODUCTS

__all__ = [
    "ConfigWarning",
    "DesiredApp",
    "DesiredProduct",
    "DesiredState",
    "load_desired",
]

_PRODUCT_FIELDS = frozenset({"url", "events", "token_env", "enabled", "ensure"})


def load_desired(
    root: Path, *, lenient: bool = False, files: Sequence[Path] | None = None
) -> DesiredState:
    """Read every ``*.yaml``/``*.yml`` below ``root`` into apps sorted by sdkappid.

    ``lenient`` turns unknown event words into warnings for every app (an app can
    also set ``lenient: true`` for itself). Raises :class:`ConfigErrors` listing
    every error found in every file. With ``files``, only the apps those files belong
    to are read (``root`` is then unused).
    """
    diagnostics = Diagnostics()
    sources = discover(root, diagnostics) if files is None else discover_files(files, diagnostics)
    loaded = [
        app for source in sources if (app := _load_app(source, lenient, diagnostics)) is not None
    ]
    _check_unique(loaded, diagnostics)
    if diagnostics.errors:
        raise ConfigErrors(diagnostics.errors)
    apps = sorted((app.result for app in loaded), key=lambda app: app.sdkappid)
    return DesiredState(tuple(apps), diagnostics.sorted_warnings())


@dataclass(frozen=True)
class _Loaded:
    """An app that validated, with where its identity was written (for duplicate checks)."""

    result: DesiredApp
    name_location: Location
    name_origin: str
    sdkappid_location: Location


def _read(path: Path, diagnostics: Diagnostics) -> YamlDocument | None:
    try:
        doc = load_yaml(path)
    except ConfigErrors as errors:
        diagnostics.add(errors.errors)
        return None
    unsafe = control_character_errors(doc)
    if unsafe:  # reported alone: no other message quotes these strings
        diagnostics.add(unsafe)
        return None
    return doc


def _load_app(source: AppSource, lenient: bool, diagnostics: Diagnostics) -> _Loaded | None:
    doc = _read(source.app_file, diagnostics)
    if doc is not None and not source.in_folder and _looks_like_product_file(source, doc):
        diagnostics.error(
            doc.value_location(()),
            f"{source.app_file.name} looks like a product file, but its folder has no app.yaml: "
            "add app.yaml (sdkappid, region) next to it, or move these settings under "
            f"`callbacks: {source.default_name}:` of an app file",
        )
        return None
    spec: AppFile | None = None
    if doc is not None:
        try:
            spec = APP_FILE.validate_python(doc.data)
        except ValidationError as exc:
            diagnostics.add(translate(exc, doc, APP))
    effective_lenient = lenient or (spec.lenient if spec else _raw_lenient(doc))
    products = _products(source, doc, spec, effective_lenient, diagnostics)
    if doc is None or spec is None:
        return None
    for declared in products.values():
        check_region(declared, spec.region, diagnostics)
    named = spec.name is not None
    app = DesiredApp(
        name=spec.name if spec.name is not None else source.default_name,
        sdkappid=spec.sdkappid,
        region=spec.region,
        identifier=spec.identifier,
        secret_key_env=spec.secret_key_env,
        protect=spec.protect,
        lenient=effective_lenient,
        location=doc.value_location(()),
        products=MappingProxyType({key: products[key] for key in PRODUCTS if key in products}),
    )
    return _Loaded(
        result=app,
        name_location=doc.value_location(("name",)) if named else doc.value_location(()),
        name_origin=""
        if named
        else (" (from the folder name)" if source.in_folder else " (from the file name)"),
        sdkappid_location=doc.value_location(("sdkappid",)),
    )


def _products(
    source: AppSource,
    doc: YamlDocument | None,
    spec: AppFile | None,
    lenient: bool,
    diagnostics: Diagnostics,
) -> dict[str, DesiredProduct]:
    """The products of the app file and of its product files, each declared once."""
    products: dict[str, DesiredProduct] = {}
    declared: dict[str, str] = {}  # product -> where, for "declared twice"
    callbacks = (
        doc.data.get("callbacks") if doc is not None and isinstance(doc.data, dict) else None
    )
    if doc is not None and isinstance(callbacks, dict):
        specs = spec.callbacks.declared() if spec is not None else {}
        for key in PRODUCTS:
            if key not in callbacks:
                continue
            location = doc.key_location(("callbacks", key))
            declared[key] = f"under callbacks in {location}"
            # When the app file did not validate, its products are still checked on
            # their own (their shape errors were reported with the app file's).
            product_spec = specs.get(key) if spec is not None else _quiet(key, callbacks[key])
            if product_spec is not None:
                products[key] = build_product(
                    key,
                    product_spec,
                    doc,
                    ("callbacks", key),
                    lenient=lenient,
                    location=location,
                    diagnostics=diagnostics,
                )
    for product, path in source.product_files:
        product_doc = _read(path, diagnostics)
        if product_doc is None:
            continue
        location = product_doc.value_location(())
        if product in declared:
            diagnostics.error(
                location,
                f"product {product} is declared twice: here and {declared[product]}; "
                "keep one of them",
            )
            continue
        declared[product] = f"in {location}"
        try:
            product_spec = product_file_adapter(product).validate_python(product_doc.data)
        except ValidationError as exc:
            diagnostics.add(translate(exc, product_doc, product))
            product_spec = _quiet(product, product_doc.data)
            if product_spec is None:
                continue
        products[product] = build_product(
            product,
            product_spec,
            product_doc,
            (),
            lenient=lenient,
            location=location,
            diagnostics=diagnostics,
        )
    return products


def _quiet(product: str, raw: Any) -> ProductEntry | None:
    """``raw`` validated as ``product``'s spec, unknown keys dropped, or None.

    Used where the errors of ``raw`` were reported already, so that the rules on
    its URL and events are checked in the same run.
    """
    allowed = allowed_keys(product, ())
    if isinstance(raw, dict) and allowed is not None:
        raw = {key: value for key, value in raw.items() if key in allowed[2]}
    try:
        spec: ProductEntry = product_file_adapter(product).validate_python(raw)
    except ValidationError:
        return None
    return spec


def _raw_lenient(doc: YamlDocument | None) -> bool:
    """The app's ``lenient`` when the app file did not validate (to judge its product files)."""
    if doc is None or not isinstance(doc.data, dict):
        return False
    value: Any = doc.data.get("lenient")
    return value is True


def _looks_like_product_file(source: AppSource, doc: YamlDocument) -> bool:
    data = doc.data
    return (
        source.default_name in PRODUCTS
        and isinstance(data, dict)
        and "sdkappid" not in data
        and bool(_PRODUCT_FIELDS.intersection(data))
    )


def _check_unique(loaded: list[_Loaded], diagnostics: Diagnostics) -> None:
    """Each sdkappid and each app name at most once; the error names both places."""
    by_id: dict[int, _Loaded] = {}
    by_name: dict[str, _Loaded] = {}
    for app in loaded:
        first = by_id.setdefault(app.result.sdkappid, app)
        if first is not app:
            diagnostics.error(
                app.sdkappid_location,
                f"sdkappid {app.result.sdkappid} is declared twice: here and in "
                f"{first.sdkappid_location} (app {first.result.name!r}); declare each app once",
            )
        first = by_name.setdefault(app.result.name, app)
        if first is not app:
            diagnostics.error(
                app.name_location,
                f"app name {app.result.name!r}{app.name_origin} is used twice: here and in "
                f"{first.name_location}; give each app a unique `name:`",
            )
