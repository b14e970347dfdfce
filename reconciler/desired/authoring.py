"""Runs the authoring stages for one parsed app: defaults + templates → merge → placeholders.

Its input is the app's parsed file, its output the one document the model stage
validates; an app without defaults, templates or placeholders passes through
unchanged (apart from placeholder expansion).
"""

from __future__ import annotations

from reconciler.desired.defaults import Defaults
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.layout import AppSource
from reconciler.desired.merge import merge_layers
from reconciler.desired.placeholders import expand
from reconciler.desired.templates import used_templates
from reconciler.desired.yamlsource import YamlDocument


def author(
    doc: YamlDocument, source: AppSource, defaults: Defaults, diagnostics: Diagnostics
) -> YamlDocument:
    """``doc`` merged over its defaults and templates, placeholders expanded."""
    if not isinstance(doc.data, dict):
        return doc  # the model stage reports what the file should be
    layers = defaults.layers_for(source.app_file)
    if "use" in doc.data:
        layers += used_templates(doc, defaults.templates_for(source.app_file), diagnostics)
    if layers:
        dropped = frozenset(product for product, _ in source.product_files)
        doc = merge_layers(doc, layers, diagnostics, drop_products=dropped)
    return expand(doc, source.default_name, diagnostics)
