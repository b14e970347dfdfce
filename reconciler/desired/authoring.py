"""Runs the authoring stages for one parsed app: defaults + templates → merge → placeholders.

Its input is the app's parsed file, its output the one document the model stage
validates; an app without defaults, templates or placeholders passes through
unchanged (apart from placeholder expansion).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.desired.defaults import Defaults, defaults_above
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.layout import AppSource
from reconciler.desired.merge import merge_layers
from reconciler.desired.placeholders import expand
from reconciler.desired.templates import used_templates
from reconciler.desired.yamlsource import YamlDocument
from reconciler.errors import ConfigErrors


def author(
    doc: YamlDocument, source: AppSource, defaults: Defaults, diagnostics: Diagnostics
) -> YamlDocument:
    """``doc`` merged over its defaults and templates, placeholders expanded."""
    return expand(merge_app(doc, source, defaults, diagnostics), source.default_name, diagnostics)


def merge_app(
    doc: YamlDocument, source: AppSource, defaults: Defaults, diagnostics: Diagnostics
) -> YamlDocument:
    """``doc`` merged over its defaults and templates; placeholders not yet expanded."""
    if not isinstance(doc.data, dict):
        return doc  # the model stage reports what the file should be
    layers = defaults.layers_for(source.app_file)
    if "use" in doc.data:
        layers += used_templates(doc, defaults.templates_for(source.app_file), diagnostics)
    if layers:
        dropped = frozenset(product for product, _ in source.product_files)
        doc = merge_layers(doc, layers, diagnostics, drop_products=dropped, cache=defaults.merged)
    return doc


def inherited(folder: Path, skeleton: dict[str, Any], shown: str) -> dict[str, Any]:
    """What an app file holding only ``skeleton``, written in ``folder``, gets in the end.

    The defaults files of ``folder`` and its parents (up to the current directory
    when ``folder`` is below it) and the templates of ``skeleton['use']`` are merged
    and placeholders expanded, as ``load_desired`` would. Raises
    :class:`ConfigErrors` when they cannot be (e.g. an unknown template).
    """
    folder = folder.resolve()
    diagnostics = Diagnostics()
    defaults = defaults_above([folder], diagnostics)
    source = AppSource(folder / "app.yaml", False, str(skeleton.get("name", "")))
    doc = author(YamlDocument(shown, skeleton, {}, {}), source, defaults, diagnostics)
    if diagnostics.errors:
        raise ConfigErrors(diagnostics.errors)
    data: dict[str, Any] = doc.data
    return data
