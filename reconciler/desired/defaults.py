"""Stage "defaults": find ``defaults.yaml`` per folder, parse each once, list an app's layers.

A desired-state folder (and any subfolder) may hold ``defaults.yaml`` (or
``defaults.yml``). It gives app fields (``region``, ``identifier``,
``callbacks: <product>: url…``, ``vars``) for every app below it, and may define
named ``templates:``. The nearer file wins over the farther one, field by field.

This stage hands :class:`Defaults` to the merge stage: every defaults file
parsed once, so 10,000 apps do not re-read it 10,000 times.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.desired.characters import control_character_errors
from reconciler.desired.diagnostics import Diagnostics, did_you_mean
from reconciler.desired.layout import DEFAULTS_NAMES
from reconciler.desired.models import AppFile, fields_of
from reconciler.desired.yamlsource import NodePath, YamlDocument, load_yaml
from reconciler.errors import ConfigErrors
from reconciler.products.catalog import PRODUCT_KEYS

TEMPLATES = "templates"
_NOT_SHARED = frozenset({"name", "sdkappid", "use"})
"""App fields that identify one app: not allowed in a defaults file or a template."""


@dataclass(frozen=True)
class Layer:
    """A mapping of app fields in ``doc`` at ``base`` (the whole file, or one template)."""

    doc: YamlDocument
    base: NodePath
    skip: frozenset[Hashable] = frozenset()
    """Top-level keys of the mapping that are not app fields (``templates``)."""

    @property
    def data(self) -> Mapping[Hashable, Any]:
        node: Any = self.doc.data
        for key in self.base:
            node = node[key]
        return node if isinstance(node, dict) else {}


@dataclass(frozen=True)
class Template:
    name: str
    layer: Layer


@dataclass
class Defaults:
    """Every defaults file below the root, by folder, parsed and checked once."""

    root: Path
    by_folder: dict[Path, Layer] = field(default_factory=dict)
    templates: dict[Path, dict[str, Template]] = field(default_factory=dict)
    merged: dict[Any, Any] = field(default_factory=dict)
    """The merge stage's cache of merged layers (see :data:`merge.BaseCache`)."""

    absolute: bool = False
    """Folders are resolved paths (no desired-state root: see :func:`defaults_above`)."""
    _seen: dict[str, tuple[list[Layer], dict[str, Template]]] = field(default_factory=dict)

    def layers_for(self, app_file: Path) -> list[Layer]:
        """The defaults layers of ``app_file``, farthest (root) first."""
        return list(self._for_folder(app_file)[0])

    def templates_for(self, app_file: Path) -> dict[str, Template]:
        """Templates visible from ``app_file``: a nearer file's template of the same name wins."""
        return self._for_folder(app_file)[1]

    def _for_folder(self, app_file: Path) -> tuple[list[Layer], dict[str, Template]]:
        """Worked out once per folder: thousands of apps share a few folders."""
        key = os.path.dirname(app_file)  # a string: no Path made and hashed per app
        known = self._seen.get(key)
        if known is None:
            folder = app_file.parent
            chain = self._folders(folder.resolve() if self.absolute else folder)
            found: dict[str, Template] = {}
            for each in chain:
                found.update(self.templates.get(each, {}))
            layers = [self.by_folder[f] for f in chain if f in self.by_folder]
            known = self._seen[key] = (layers, found)
        return known

    def _folders(self, start: Path) -> list[Path]:
        folders: list[Path] = []
        folder = start
        while True:
            folders.append(folder)
            if folder == self.root or folder == folder.parent:
                break
            folder = folder.parent
        return folders[::-1]


def load_defaults(
    root: Path, files: Iterable[Path], diagnostics: Diagnostics, *, within: Path | None = None
) -> Defaults:
    """Parse the defaults files among ``files`` and check their shape (errors reported once).

    A defaults file that is a link out of ``within`` (default: ``root``; for a file
    not below it, its own folder) is refused, as is one over the size limit of a
    desired-state file.
    """
    defaults = Defaults(root)
    for path in files:
        if path.name not in DEFAULTS_NAMES:
            continue
        folder = within or root
        if folder not in path.parents:
            folder = path.parent
        try:
            doc = load_yaml(path, folder)
        except ConfigErrors as errors:
            diagnostics.add(errors.errors)
            continue
        unsafe = control_character_errors(doc)
        if unsafe:  # reported alone, as for app files: no other message quotes them
            diagnostics.add(unsafe)
            continue
        if path.parent in defaults.by_folder:
            diagnostics.error(
                doc.value_location(()),
                "this folder has both defaults.yaml and defaults.yml: keep one of them",
            )
            continue
        if not isinstance(doc.data, dict):
            diagnostics.error(
                doc.value_location(()),
                "a defaults file must be a mapping of app fields (region, callbacks, vars, "
                "templates): see `reconciler schema`",
            )
            continue
        skip = _check_fields(doc, (), doc.data, diagnostics, allow_templates=True)
        defaults.by_folder[path.parent] = Layer(doc, (), skip | {TEMPLATES})
        defaults.templates[path.parent] = _templates(doc, diagnostics)
    return defaults


def _templates(doc: YamlDocument, diagnostics: Diagnostics) -> dict[str, Template]:
    raw = doc.data.get(TEMPLATES)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        diagnostics.error(
            doc.value_location((TEMPLATES,)),
            "`templates` must be a mapping of template names to app fields, e.g. "
            f"`templates: {{standard: {{callbacks: {{{PRODUCT_KEYS[0]}: {{events: [...]}}}}}}}}`",
        )
        return {}
    found: dict[str, Template] = {}
    for name, body in raw.items():
        path: NodePath = (TEMPLATES, name)
        if not isinstance(body, dict):
            diagnostics.error(
                doc.value_location(path),
                f"template {name!r} must be a mapping of app fields (callbacks, region, vars…)",
            )
            continue
        skip = _check_fields(doc, path, body, diagnostics, allow_templates=False)
        found[str(name)] = Template(str(name), Layer(doc, path, skip))
    return found


def _check_fields(
    doc: YamlDocument,
    base: NodePath,
    data: Mapping[Hashable, Any],
    diagnostics: Diagnostics,
    *,
    allow_templates: bool,
) -> frozenset[Hashable]:
    """Report (once) top-level keys a defaults file or template may not give; return them."""
    allowed = [f for f in fields_of(AppFile) if f not in _NOT_SHARED]
    bad: set[Hashable] = set()
    for key in data:
        if key == TEMPLATES and allow_templates:
            continue
        if key in _NOT_SHARED:
            what = "a defaults file" if allow_templates else "a template"
            diagnostics.error(
                doc.key_location((*base, key)),
                f"`{key}` identifies one app and cannot be given by {what}: "
                "write it in the app's file",
            )
            bad.add(key)
        elif key not in allowed:
            choices = [*allowed, TEMPLATES] if allow_templates else allowed
            diagnostics.error(
                doc.key_location((*base, key)),
                f"unknown field {str(key)!r}{did_you_mean(str(key), choices)}; "
                f"allowed fields: {', '.join(choices)}",
            )
            bad.add(key)
    return frozenset(bad)


def defaults_above(folders: Iterable[Path], diagnostics: Diagnostics) -> Defaults:
    """The defaults that apply to apps in ``folders`` when no desired-state root is given.

    Each folder's defaults file and those of its parents count, up to the current
    directory when the folder is below it (else up to the filesystem root). Used for
    files named one by one and by ``import --template``.
    """
    stop = Path.cwd().resolve()
    found: set[Path] = set()
    anchor = stop
    for folder in folders:
        chain = [folder.resolve(), *folder.resolve().parents]
        if stop in chain:
            chain = chain[: chain.index(stop) + 1]
        anchor = Path(chain[-1].anchor)
        for each in chain:
            found.update(each / n for n in DEFAULTS_NAMES if (each / n).is_file())
    defaults = load_defaults(anchor, sorted(found), diagnostics, within=stop)
    defaults.absolute = True
    return defaults
