"""Load a desired-state directory into a :class:`DesiredState`.

Every file is read and checked even after errors, so that one
:class:`ConfigErrors` lists everything wrong at once. Warnings (plain http,
unknown words let through by ``lenient``) are returned, never raised.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from reconciler.desired.authoring import merge_app
from reconciler.desired.characters import control_character_errors
from reconciler.desired.checks import build_product, check_app_region, check_region
from reconciler.desired.defaults import Defaults, defaults_above, load_defaults
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.lanes import check_token_lanes
from reconciler.desired.layout import (
    DEFAULTS_NAMES,
    RESERVED_NAMES,
    AppSource,
    discover,
    discover_files,
    discover_tree,
)
from reconciler.desired.loaded import LoadedApp, Site
from reconciler.desired.merge import attribute
from reconciler.desired.models import APP_FILE, AppFile, ProductEntry, product_file_adapter
from reconciler.desired.names import name_problem
from reconciler.desired.placeholders import expand, expand_product_file, placeholder_values
from reconciler.desired.policy import check_policy, load_policy
from reconciler.desired.result import (
    ConfigWarning,
    DesiredApp,
    DesiredProduct,
    DesiredState,
)
from reconciler.desired.translate import APP, allowed_keys, translate
from reconciler.desired.yamlsource import (
    ShownPaths,
    YamlDocument,
    display_path,
    parse_yaml,
    read_text,
)
from reconciler.errors import ConfigError, ConfigErrors, Location
from reconciler.escape import quoted
from reconciler.products.catalog import PRODUCTS

__all__ = [
    "ConfigWarning",
    "DesiredApp",
    "DesiredProduct",
    "DesiredState",
    "load_desired",
]

_PRODUCT_FIELDS = frozenset({"url", "events", "token_env", "enabled", "ensure"})
_OWN_SITES: dict[str, Site] = {key: (None, ("callbacks", key)) for key in PRODUCTS}
"""Where each product is written in an app file: one tuple for every app."""


def load_desired(
    root: Path,
    *,
    lenient: bool = False,
    files: Sequence[Path] | None = None,
    policy: Path | None = None,
) -> DesiredState:
    """Read every ``*.yaml``/``*.yml`` below ``root`` into apps sorted by sdkappid.

    The stages, in one direction: discover (layout) → parse (yamlsource) → merge
    defaults and templates (defaults, merge) → expand placeholders → validate
    models (models, checks) → check policy (``policy``, else ``root/policy.yaml``).

    ``lenient`` turns unknown event words into warnings for every app (an app can
    also set ``lenient: true`` for itself). Raises :class:`ConfigErrors` listing
    every error found in every file. With ``files``, only the apps those files belong
    to are read (a changed defaults.yaml stands for every app below it; the defaults
    of their folders and parents up to the current directory apply; ``root`` gives
    only the policy file when ``policy`` is None).
    """
    return _load(root, lenient, files, policy)


def _load(
    root: Path, lenient: bool, files: Sequence[Path] | None, policy: Path | None
) -> DesiredState:
    diagnostics = Diagnostics()
    if files is None:
        sources, found = discover_tree(root, diagnostics)
        defaults = load_defaults(root, found, diagnostics)
    else:
        sources = _discover_files(files, diagnostics)
        defaults = defaults_above({s.app_file.parent for s in sources}, diagnostics)
    if policy is not None:  # a policy file kept among the apps is not an app
        sources = [s for s in sources if not _same_file(s.app_file, policy)]
    rules = load_policy(root, policy, diagnostics)
    shown = ShownPaths()
    loaded = [
        app
        for source in sources
        if (app := _load_app(source, lenient, defaults, diagnostics, shown)) is not None
    ]
    _check_unique(loaded, diagnostics)
    check_token_lanes(loaded, diagnostics)
    if rules is not None:
        for app in loaded:
            mark = diagnostics.mark()
            check_policy(rules, app, diagnostics)
            if diagnostics.mark() != mark:  # (the app's document is made only then)
                _attribute(app.doc, app.own_files, diagnostics, mark)
    if diagnostics.errors:
        raise ConfigErrors(diagnostics.errors)
    apps = sorted((app.result for app in loaded), key=lambda app: app.sdkappid)
    safety = {} if rules is None else rules.safety()
    return DesiredState(tuple(apps), diagnostics.sorted_warnings(), safety)


def _read(path: Path, diagnostics: Diagnostics) -> YamlDocument | None:
    read = _read_text(path, diagnostics)
    return None if read is None else _parse(*read, diagnostics)


def _read_text(
    path: Path, diagnostics: Diagnostics, shown: str | None = None
) -> tuple[str, str] | None:
    try:
        return read_text(path, shown)
    except ConfigErrors as errors:
        diagnostics.add(errors.errors)
        return None


def _parse(shown: str, text: str, diagnostics: Diagnostics) -> YamlDocument | None:
    try:
        doc = parse_yaml(text, shown)
    except ConfigErrors as errors:
        diagnostics.add(errors.errors)
        return None
    unsafe = control_character_errors(doc)
    if unsafe:  # reported alone: no other message quotes these strings
        diagnostics.add(unsafe)
        return None
    return doc


def _load_app(
    source: AppSource,
    lenient: bool,
    defaults: Defaults,
    diagnostics: Diagnostics,
    shown_paths: ShownPaths,
) -> LoadedApp | None:
    read = _read_text(source.app_file, diagnostics, shown_paths(source.app_file))
    parsed = None if read is None else _parse(*read, diagnostics)
    return _stages(source, parsed, lenient, defaults, diagnostics)


def _stages(
    source: AppSource,
    doc: YamlDocument | None,
    lenient: bool,
    defaults: Defaults,
    diagnostics: Diagnostics,
) -> LoadedApp | None:
    """The stages after parsing: merge, placeholders, models and checks.

    The app keeps its document when it has product files; else the document is made
    again if a message needs it (:func:`_document_of`).
    """
    if doc is not None and not source.in_folder and _looks_like_product_file(source, doc):
        diagnostics.error(
            doc.value_location(()),
            f"{source.app_file.name} looks like a product file, but its folder has no app.yaml: "
            "add app.yaml (sdkappid, region) next to it, or move these settings under "
            f"`callbacks: {source.default_name}:` of an app file",
        )
        return None
    shown = doc.path if doc is not None else display_path(source.app_file)
    own = frozenset({shown, *(display_path(p) for _, p in source.product_files)})
    mark = diagnostics.mark()
    if doc is not None:
        doc = expand(
            merge_app(doc, source, defaults, diagnostics), source.default_name, diagnostics
        )
    where: dict[str, Site] = {}
    loaded = _validate_app(source, doc, lenient, diagnostics, where)
    if doc is not None:
        _attribute(doc, own, diagnostics, mark)
    if loaded is None or doc is None:
        return None
    result, named, name_origin = loaded
    if not source.product_files:  # made again if a message needs it:
        # 100,000 distinct apps kept theirs (every value's line and column) to the end
        make = functools.partial(_document_of, source, defaults, doc.path)
        return LoadedApp(result, named, name_origin, own, where, make=make)
    return LoadedApp(result, named, name_origin, own, where, doc=doc)


def _document_of(source: AppSource, defaults: Defaults, shown: str) -> YamlDocument:
    """The merged, expanded document of a one-file app, read again (its messages were
    reported when it was first loaded)."""
    diagnostics = Diagnostics()
    doc = parse_yaml(read_text(source.app_file, shown)[1], shown)
    return expand(merge_app(doc, source, defaults, diagnostics), source.default_name, diagnostics)


def _attribute(
    doc: YamlDocument, own: frozenset[str], diagnostics: Diagnostics, mark: tuple[int, int]
) -> None:
    """Errors and warnings since ``mark`` about values from other files name the app too."""
    errors, warnings = mark
    if errors == len(diagnostics.errors) and warnings == len(diagnostics.warnings):
        return  # nothing new (nearly always)
    diagnostics.errors[errors:] = [attribute(e, doc, own) for e in diagnostics.errors[errors:]]
    diagnostics.warnings[warnings:] = [
        ConfigWarning(a.location, a.message, w.id)
        for w in diagnostics.warnings[warnings:]
        for a in (attribute(ConfigError(w.location, w.message), doc, own),)
    ]


def _validate_app(
    source: AppSource,
    doc: YamlDocument | None,
    lenient: bool,
    diagnostics: Diagnostics,
    where: dict[str, Site],
) -> tuple[DesiredApp, bool, str] | None:
    spec: AppFile | None = None
    if doc is not None:
        try:
            spec = APP_FILE.validate_python(doc.data)
        except ValidationError as exc:
            diagnostics.add(translate(exc, doc, APP))
    effective_lenient = lenient or (spec.lenient if spec else _raw_lenient(doc))
    warned = len(diagnostics.warnings)
    products = _products(source, doc, spec, effective_lenient, diagnostics, where)
    if doc is None or spec is None:
        return None
    check_app_region(spec.region, doc, diagnostics)
    for declared in products.values():
        check_region(declared, spec.region, diagnostics)
    diagnostics.acknowledge(warned, spec.acknowledge)
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
        secret_key_env_location=(
            doc.key_location(("secret_key_env",)) if spec.secret_key_env else None
        ),
        acknowledge=tuple(dict.fromkeys(spec.acknowledge)),
    )
    return (
        app,
        named,
        ""
        if named
        else (" (from the folder name)" if source.in_folder else " (from the file name)"),
    )


def _products(
    source: AppSource,
    doc: YamlDocument | None,
    spec: AppFile | None,
    lenient: bool,
    diagnostics: Diagnostics,
    where: dict[str, Site],
) -> dict[str, DesiredProduct]:
    """The products of the app file and of its product files, each declared once."""
    products: dict[str, DesiredProduct] = {}
    declared: dict[str, tuple[str, Location]] = {}  # product -> where, for "declared twice"
    callbacks = (
        doc.data.get("callbacks") if doc is not None and isinstance(doc.data, dict) else None
    )
    if doc is not None and isinstance(callbacks, dict):
        specs = spec.callbacks.declared() if spec is not None else {}
        for key in PRODUCTS:
            if key not in callbacks:
                continue
            location = doc.key_location(("callbacks", key))
            declared[key] = ("under callbacks in", location)
            # When the app file did not validate, its products are still checked on
            # their own (their shape errors were reported with the app file's).
            product_spec = specs.get(key) if spec is not None else _quiet(key, callbacks[key])
            if product_spec is not None:
                where[key] = _OWN_SITES.get(key) or (None, ("callbacks", key))  # own document
                products[key] = build_product(
                    key,
                    product_spec,
                    doc,
                    ("callbacks", key),
                    lenient=lenient,
                    location=location,
                    diagnostics=diagnostics,
                )
    values: dict[str, str] | None = None  # the app's placeholders, made once if needed
    for product, path in source.product_files:
        product_doc = _read(path, diagnostics)
        if product_doc is None:
            continue
        if product_doc.braces and doc is not None:
            if values is None:  # vars mistakes were reported with the app file
                values = placeholder_values(doc, source.default_name)
            product_doc = expand_product_file(product_doc, values, diagnostics)
        location = product_doc.value_location(())
        if product in declared:
            how, first = declared[product]
            diagnostics.error(
                location,
                f"product {product} is declared twice: here and {how} {first}; keep one of them",
            )
            continue
        declared[product] = ("in", location)
        try:
            product_spec = product_file_adapter(product).validate_python(product_doc.data)
        except ValidationError as exc:
            diagnostics.add(translate(exc, product_doc, product))
            product_spec = _quiet(product, product_doc.data)
            if product_spec is None:
                continue
        where[product] = (product_doc, ())
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


def _discover_files(files: Sequence[Path], diagnostics: Diagnostics) -> list[AppSource]:
    """``discover_files``, where a defaults file stands for every app below its folder."""
    apps = [f for f in files if f.name not in RESERVED_NAMES]
    sources = {s.app_file: s for s in discover_files(apps, diagnostics)}
    for path in files:
        if path.name in DEFAULTS_NAMES and path.is_file():
            for source in discover(path.parent, diagnostics):
                sources.setdefault(source.app_file, source)
    return sorted(sources.values(), key=lambda source: source.app_file)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _check_unique(loaded: list[LoadedApp], diagnostics: Diagnostics) -> None:
    """Each sdkappid and each app name at most once; the error names both places."""
    by_id: dict[int, LoadedApp] = {}
    by_name: dict[str, LoadedApp] = {}
    for app in loaded:
        problem = name_problem(app.result.name)
        if problem is not None:  # a written name was refused by its schema pattern already
            diagnostics.error(
                app.name_location,
                f"app name {quoted(app.result.name)}{app.name_origin} {problem}; rename the "
                "file (or folder), or write the name with `name:`",
            )
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
