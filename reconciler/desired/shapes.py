"""Apps whose files differ only in their sdkappid go through the stages once per shape.

A fleet of one-line apps (``sdkappid: 1500000001`` below a defaults.yaml) is
thousands of files holding the same text but for one number. For each of them the
stages parse → merge → expand → validate give the same result, apart from what
depends on that number and on the file's name (the app's name when it writes
none): the sdkappid itself, the callback URLs whose placeholders use them, and
where the app file's own values are written.

So apps are grouped by *shape*: the text of the app file with the sdkappid's
digits taken out, the defaults that apply to its folder, and whether it is an app
folder's ``app.yaml``. The first two apps of a shape go through every stage (a
fleet of files written out in full has no two alike, and nothing more is worked
out for it). When the second gave no error and no warning, every later app of the
shape is made from its result: its number and name put in, the URLs expanded
again, and what depends on them checked again (the sdkappid's range by the
model's own rule, each URL's form). An app for which that is not enough (a
number out of range, a URL that needs the full check) goes through every stage
itself, so its messages are the ones it always had. The checks across apps
(duplicates, the policy) run for every app.

Only the digits of a top-level ``sdkappid: <digits>`` line may differ. They end
their line (a comment may follow), so every other line and column is the same
whatever the number, and the model's parse shows that they are the value of its
``sdkappid``. ``tests/desired/test_shapes.py`` loads random fleets both ways.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from pydantic import ValidationError

from reconciler.configs import CallbackConfig
from reconciler.desired.checks import https_host
from reconciler.desired.defaults import Defaults
from reconciler.desired.layout import AppSource
from reconciler.desired.loaded import LoadedApp
from reconciler.desired.models import SDKAPPID
from reconciler.desired.placeholders import (
    PlaceholderError,
    app_values,
    expand_text,
    expanded_strings,
)
from reconciler.desired.result import DesiredApp, DesiredProduct
from reconciler.desired.yamlsource import LocationView, NodePath, YamlDocument
from reconciler.errors import Location

_SDKAPPID_LINE = re.compile(r"^sdkappid:[ ]+([1-9][0-9]{0,18})[ ]*(?:#[^\n]*)?\r?$", re.MULTILINE)
"""A top-level ``sdkappid:`` line holding a plain decimal number (a comment may follow)."""


class Sighting(NamedTuple):
    """One app file seen as a shape: the key, and its own sdkappid and where it is written."""

    key: tuple[Hashable, ...]
    sdkappid: int
    text: str
    start: int
    """Where the sdkappid's digits start in ``text``."""

    @property
    def line(self) -> int:
        return self.text.count("\n", 0, self.start) + 1

    @property
    def column(self) -> int:
        return self.start - self.text.rfind("\n", 0, self.start)


def sight(source: AppSource, text: str, layers: tuple[int, ...]) -> Sighting | None:
    """The shape of the app file ``text`` of ``source``; None when it has none.

    ``layers`` names the defaults that apply to the file's folder (their identities).
    An app folder with product files has no shape: its products are files of their own.
    """
    if source.product_files:
        return None
    found = _SDKAPPID_LINE.search(text)
    if found is None or _SDKAPPID_LINE.search(text, found.end()) is not None:
        return None
    start, end = found.span(1)
    key = (layers, source.in_folder, text[:start], text[end:])
    return Sighting(key, int(found.group(1)), text, start)


class Shapes:
    """The shapes met while loading one desired state, each with its model app's result."""

    def __init__(self, defaults: Defaults) -> None:
        self._defaults = defaults
        self._known: dict[tuple[Hashable, ...], _Shape | None] = {}
        self._once: set[int] = set()
        self._layers: dict[str, tuple[int, ...]] = {}

    def sight(self, source: AppSource, text: str) -> Sighting | None:
        """:func:`sight`, with the defaults of ``source``'s folder."""
        folder = os.path.dirname(source.app_file)
        layers = self._layers.get(folder)
        if layers is None:
            chain = self._defaults.layers_for(source.app_file)
            layers = self._layers[folder] = tuple(id(layer) for layer in chain)
        return sight(source, text, layers)

    def reuse(self, sighting: Sighting, source: AppSource, shown: str) -> LoadedApp | None:
        """The app of ``source`` (the file ``shown``) made from its shape; None: load it whole."""
        shape = self._known.get(sighting.key)
        if shape is None:
            return None
        return shape.instantiate(sighting.sdkappid, source.default_name, shown)

    def may_learn(self, sighting: Sighting) -> bool:
        """Whether an app of this shape, loaded whole now, may become its model (its
        document is then kept: every app of the shape is made from it)."""
        return sighting.key not in self._known and hash(sighting.key) in self._once

    def learn(
        self,
        sighting: Sighting,
        parsed: YamlDocument,
        merged: YamlDocument,
        loaded: LoadedApp | None,
        *,
        clean: bool,
    ) -> None:
        """Keep an app loaded whole as its shape's model, when it can be one.

        ``parsed`` is its file as parsed, ``merged`` the merge before placeholders,
        ``loaded`` the result; ``clean``: no error or warning was reported for it.
        An app with messages is not kept, and the next app of its shape is tried.
        """
        if sighting.key in self._known or loaded is None or not clean:
            return
        seen = hash(sighting.key)  # not the key: it holds the file's text (100,000 distinct
        if seen not in self._once:  # files kept theirs to the end); a collision only learns
            self._once.add(seen)  # a shape from its first app. A file alike no other yet (a
            return  # fleet of full files is all such): not worth working out
        self._known[sighting.key] = _Shape.of(sighting, parsed, merged, loaded)


@dataclass(frozen=True)
class _Shape:
    model: LoadedApp
    shown: str
    """The model's file as shown: its locations move to each app's file."""
    urls: tuple[tuple[str, str], ...]
    """(product, URL as written) for each URL holding a placeholder, in product order."""

    @classmethod
    def of(
        cls, sighting: Sighting, parsed: YamlDocument, merged: YamlDocument, loaded: LoadedApp
    ) -> _Shape | None:
        data: Any = parsed.data
        written = data.get("sdkappid") if isinstance(data, dict) else None
        where = Location(parsed.path, sighting.line, sighting.column)
        if (
            written.__class__ is not int
            or written != sighting.sdkappid
            or parsed.locations.get(("sdkappid",)) != where
            or not isinstance(merged.data, dict)
            or any(doc is not None for doc, _ in loaded.where.values())
        ):
            return None  # the digits are not the sdkappid, or a product has a file of its own
        urls: list[tuple[str, str]] = []
        products = loaded.result.products
        for path, text in expanded_strings(merged.data):
            product = path[1] if len(path) == 3 else None
            if (
                path[0] != "callbacks"
                or path[-1] != "url"
                or not isinstance(product, str)
                or product not in products
                or products[product].config is None
            ):
                return None  # a placeholder elsewhere: its field's rules are not re-checked
            urls.append((product, text))
        return cls(loaded, parsed.path, tuple(urls))

    def instantiate(self, sdkappid: int, default_name: str, shown: str) -> LoadedApp | None:
        try:
            SDKAPPID.validate_python(sdkappid)
        except ValidationError:
            return None
        model = self.model
        urls: dict[str, str] = {}
        if self.urls:
            values = app_values({**model.doc.data, "sdkappid": sdkappid}, default_name)
            for product, template in self.urls:
                try:
                    url = expand_text(template, values)
                except PlaceholderError:  # pragma: no cover - the model expanded the same text
                    return None
                if https_host(url) is None:
                    return None  # not a plain https://host/… URL: the full check says what
                urls[product] = url
        app = model.result
        products: dict[str, DesiredProduct] = {}
        for key, declared in app.products.items():
            config = declared.config
            if key in urls and config is not None:
                config = CallbackConfig(url=urls[key], events=config.events)
            elif declared.location.path != self.shown:
                products[key] = declared  # nothing of it is the app's own: shared, as frozen
                continue
            products[key] = DesiredProduct(
                declared.product,
                declared.ensure,
                config,
                declared.token_env,
                declared.enabled,
                self._move(declared.location, shown),
            )
        result = DesiredApp(
            name=app.name if model.named else default_name,
            sdkappid=sdkappid,
            region=app.region,
            identifier=app.identifier,
            secret_key_env=app.secret_key_env,
            protect=app.protect,
            lenient=app.lenient,
            location=self._move(app.location, shown),
            products=MappingProxyType(products),
            secret_key_env_location=(
                None
                if app.secret_key_env_location is None
                else self._move(app.secret_key_env_location, shown)
            ),
            acknowledge=app.acknowledge,
        )
        return LoadedApp(
            result,
            model.named,
            model.name_origin,
            frozenset((shown,)),
            model.where,  # every product in the app's own document: the same for all
            make=functools.partial(self._document, sdkappid, shown, urls),
        )

    def _document(self, sdkappid: int, shown: str, urls: dict[str, str]) -> YamlDocument:
        """The merged, expanded document of the app of this shape in the file ``shown``."""
        model = self.model.doc
        data = dict(model.data)
        data["sdkappid"] = sdkappid
        if urls:
            callbacks = data["callbacks"] = dict(data["callbacks"])
            for product, url in urls.items():
                callbacks[product] = {**callbacks[product], "url": url}
        return YamlDocument(
            shown,
            data,
            _Moved(model.locations, self.shown, shown),
            _Moved(model.key_locations, self.shown, shown),
            braces=model.braces,
        )

    def _move(self, location: Location, shown: str) -> Location:
        return _moved(location, self.shown, shown)


def _moved(location: Location, old: str, new: str) -> Location:
    """``location`` told in the file ``new`` when it is in the file ``old``."""
    return Location(new, location.line, location.column) if location.path == old else location


class _Moved(LocationView[Location]):
    """A document's locations, those in the file ``old`` told in the file ``new``."""

    def __init__(self, inner: Mapping[NodePath, Location], old: str, new: str) -> None:
        super().__init__(inner)
        self._old = old
        self._new = new

    def _location(self, value: Location) -> Location:
        return _moved(value, self._old, self._new)
