"""Stage "merge": defaults, then templates in `use` order, then the app, into one document.

Order (each later layer overrides the earlier, field by field):

1. ``defaults.yaml`` of the root, then of each subfolder down to the app's folder;
2. the templates named in the app's ``use:``, in the order listed;
3. the app's own file.

Mappings merge key by key. A list replaces the list below it, except the explicit
form ``events: {add: [...], remove: [...]}``, which edits the events below it.
A product with ``ensure: absent`` replaces the product below it whole (and a
product written over an absent one replaces it whole).

The result is a :class:`YamlDocument` named after the app's file whose locations
point at the file and line that gave each value, so every later stage reports
"the line that produced the value"; :func:`attribute` adds the app to such errors.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from reconciler.desired.defaults import Layer
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.yamlsource import NodePath, YamlDocument
from reconciler.errors import ConfigError, Location

EDIT_KEYS = frozenset({"add", "remove"})
_EDITABLE = "events"


_Base = tuple[dict[Hashable, Any], dict[NodePath, Location], dict[NodePath, Location]]
BaseCache = dict[tuple[tuple[int, ...], frozenset[str]], tuple[tuple[Layer, ...], _Base]]
"""Defaults and templates merged once per combination, reused by every app that shares it.

Keyed by the layers' identity; the layers are kept in the value, so an id is never
reused for other layers while its entry lives, and the entry is checked on use.
"""


def _copy_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_tree(v) for v in value]
    return value


class _Builder:
    def __init__(self, diagnostics: Diagnostics) -> None:
        self.data: dict[Hashable, Any] = {}
        self.locations: dict[NodePath, Location] = {}
        self.key_locations: dict[NodePath, Location] = {}
        self.diagnostics = diagnostics
        self.owned: set[int] | None = None
        """Mappings this app may change in place; None: all (nothing is shared)."""

    def snapshot(self) -> _Base:
        return _copy_tree(self.data), dict(self.locations), dict(self.key_locations)

    def start_from(self, base: _Base) -> None:
        """Continue from a merge of the same layers done for an earlier app.

        The base's mappings are shared, and copied only where this app writes into
        them (copy on write): most apps change a field or two of a shared base.
        """
        self.data = dict(base[0])
        self.owned = {id(self.data)}
        self.locations = dict(base[1])
        self.key_locations = dict(base[2])

    def overlay_app(self, app: YamlDocument) -> None:
        """The app's own file over the layers: :meth:`overlay` of the whole document."""
        if isinstance(app.data, dict):
            for key, value in app.data.items():
                path: NodePath = (key,)
                self._put(self.data, path, app, path, value)

    def overlay(self, layer: Layer, drop: frozenset[str]) -> None:
        doc = layer.doc
        for key, value in layer.data.items():
            if key in layer.skip:
                continue
            if key == "callbacks" and drop and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k not in drop}
            self._put(self.data, (key,), doc, (*layer.base, key), value)

    def _put(
        self,
        target: dict[Hashable, Any],
        path: NodePath,
        doc: YamlDocument,
        src: NodePath,
        value: Any,
    ) -> None:
        key = path[-1]
        below = target.get(key)
        self.key_locations[path] = doc.key_location(src)
        if (
            isinstance(value, dict)
            and isinstance(below, dict)
            and not _replaces(path, value, below)
        ):
            self.locations.setdefault(path, doc.value_location(src))
            if self.owned is not None and id(below) not in self.owned:
                below = target[key] = dict(below)  # copy on write: the base stays as it was
                self.owned.add(id(below))
            for child_key, child in value.items():
                self._put(below, (*path, child_key), doc, (*src, child_key), child)
            return
        if key == _EDITABLE and isinstance(value, dict) and value and set(value) <= EDIT_KEYS:
            target[key] = self._edit(below, path, doc, src, value)
            return
        target[key] = self._copy(value, path, doc, src)

    def _copy(self, value: Any, path: NodePath, doc: YamlDocument, src: NodePath) -> Any:
        self.locations[path] = doc.value_location(src)
        if isinstance(value, dict):
            out: dict[Hashable, Any] = {}
            for key, child in value.items():
                inner: NodePath = (*path, key)
                self.key_locations[inner] = doc.key_location((*src, key))
                out[key] = self._copy(child, inner, doc, (*src, key))
            return out
        if isinstance(value, list):
            return [self._copy(item, (*path, i), doc, (*src, i)) for i, item in enumerate(value)]
        return value

    def _edit(
        self, below: Any, path: NodePath, doc: YamlDocument, src: NodePath, edit: dict[Any, Any]
    ) -> Any:
        """``{add: [...], remove: [...]}`` on the list below; kept items keep their lines."""
        lists = {}
        for word in EDIT_KEYS:
            items = edit.get(word, [])
            if not isinstance(items, list):
                self.diagnostics.error(
                    doc.value_location((*src, word)),
                    f"`events: {{{word}: ...}}` takes a list of events, e.g. `{word}: [a, b]`",
                )
                items = []
            lists[word] = items
        base = below if isinstance(below, list) else []
        kept = [
            (item, self.locations.get((*path, i), doc.value_location(src)))
            for i, item in enumerate(base)
            if item not in lists["remove"]
        ]
        present = [item for item, _ in kept]
        added = [
            (item, doc.value_location((*src, "add", i)))
            for i, item in enumerate(lists["add"])
            if item not in present
        ]
        self.locations[path] = doc.value_location(src)
        result = []
        for index, (item, location) in enumerate([*kept, *added]):
            at: NodePath = (*path, index)
            self.locations[at] = location
            result.append(item)
        return result


def _replaces(path: NodePath, value: dict[Any, Any], below: dict[Any, Any]) -> bool:
    """An absent product replaces what is below it, and a product replaces an absent one."""
    if len(path) != 2 or path[0] != "callbacks":
        return False
    return value.get("ensure") == "absent" or below.get("ensure") == "absent"


def merge_layers(
    app: YamlDocument,
    layers: Iterable[Layer],
    diagnostics: Diagnostics,
    *,
    drop_products: frozenset[str] = frozenset(),
    cache: BaseCache | None = None,
) -> YamlDocument:
    """``app`` over ``layers`` (farthest first), as one document located value by value.

    ``drop_products``: products that an app folder gives in product files; the
    layers' settings for them are not merged into the app file. ``cache`` keeps
    the merge of the layers for the next app with the same ones.
    """
    builder = _Builder(diagnostics)
    layers = tuple(layers)
    key = (tuple(id(layer) for layer in layers), drop_products)
    cached = cache.get(key) if cache is not None else None
    if cached is not None and cached[0] == layers:
        builder.start_from(cached[1])
    else:
        for layer in layers:
            builder.overlay(layer, drop_products)
        if cache is not None:
            cache[key] = (layers, builder.snapshot())
    builder.overlay_app(app)
    builder.locations[()] = app.value_location(())
    braces = app.braces or any(layer.doc.braces for layer in layers)
    return YamlDocument(
        app.path, builder.data, builder.locations, builder.key_locations, braces=braces
    )


def attribute(error: ConfigError, doc: YamlDocument, own_files: frozenset[str]) -> ConfigError:
    """``error`` about a value of ``doc`` given by another file, told at the app too.

    "apps/shop-7.yaml:1:1: callbacks.<product>.url from defaults.yaml:4:10: ...": the
    app the value applies to, and the line that produced it.
    """
    location = error.location
    if location.path in own_files:
        return error
    field = next(
        (".".join(str(k) for k in path) for path, at in doc.locations.items() if at == location),
        "",
    )
    origin = f"{field} from {location}" if field else f"from {location}"
    return ConfigError(doc.value_location(()), f"{origin}: {error.message}")
