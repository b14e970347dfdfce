"""Stage "templates": the layers an app's ``use: [a, b]`` names, in the order listed."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.desired.defaults import Layer, Template
from reconciler.desired.diagnostics import Diagnostics, did_you_mean, first_names, some_of
from reconciler.desired.yamlsource import YamlDocument


def used_templates(
    doc: YamlDocument, available: Mapping[str, Template], diagnostics: Diagnostics
) -> list[Layer]:
    """The templates ``doc`` uses, in ``use`` order; an unknown name is an error at its line.

    A ``use`` that is not a list of names is left to the model's check (reported there).
    """
    data = doc.data
    names = data.get("use") if isinstance(data, dict) else None
    if not isinstance(names, list):
        return []
    layers: list[Layer] = []
    seen: set[str] = set()
    for index, name in enumerate(names):
        if not isinstance(name, str):
            continue
        if name in seen:
            location = doc.value_location(("use", index))
            diagnostics.error(location, f"template {name!r} is used twice: remove this one")
            continue
        seen.add(name)
        template = available.get(name)
        if template is None:
            known = (
                some_of(first_names(available), total=len(available))
                or "none (define them under `templates:` in defaults.yaml)"
            )
            diagnostics.error(
                doc.value_location(("use", index)),
                f"unknown template {name!r}{did_you_mean(name, available)}; templates: {known}",
            )
            continue
        layers.append(template.layer)
    return layers
