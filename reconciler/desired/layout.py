"""Which YAML files below the root make up which app.

An app is either one file, or a folder holding ``app.yaml`` (or ``app.yml``)
plus one file per product named after the product key. Anything else inside an
app folder is reported, with a "did you mean" for misspelt product files.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from reconciler.desired.defaults import RESERVED_NAMES
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.yamlsource import display_path
from reconciler.errors import ConfigError, ConfigErrors, Location
from reconciler.products.catalog import PRODUCT_KEYS, PRODUCTS

SUFFIXES = (".yaml", ".yml")
APP_FILE_NAMES = ("app.yaml", "app.yml")


@dataclass(frozen=True)
class AppSource:
    """The files of one app: the app file and, for an app folder, its product files."""

    app_file: Path
    in_folder: bool
    default_name: str
    """The file's stem, or the folder's name: the app's name when it sets none."""
    product_files: tuple[tuple[str, Path], ...] = ()
    """(product key, file) in sorted order; a product may appear twice (call.yaml + call.yml)."""


def file_location(path: Path) -> Location:
    """A whole file, as ``path:1:1``."""
    return Location(display_path(path), 1, 1)


def yaml_files(root: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file below ``root``, sorted; an error when there is none."""
    problem = ""
    if not root.exists():
        problem = (
            "the desired-state directory does not exist: pass the folder holding the app files"
        )
    elif not root.is_dir():
        problem = "not a directory: pass the folder holding the app files, not a file"
    files = (
        []
        if problem
        else sorted(
            p
            for p in root.rglob("*")
            if p.suffix in SUFFIXES and p.name not in RESERVED_NAMES and p.is_file()
        )
    )
    if not problem and not files:
        problem = "no *.yaml or *.yml files in this folder or below: write one file per app"
    if problem:
        raise ConfigErrors([ConfigError(Location(display_path(root)), problem)])
    return files


def discover(root: Path, diagnostics: Diagnostics) -> list[AppSource]:
    """The apps below ``root``, in sorted file order; misplaced files are reported."""
    files = yaml_files(root)
    folders = {path.parent for path in files if path.name in APP_FILE_NAMES}
    app_files: dict[Path, Path] = {}
    products: dict[Path, list[tuple[str, Path]]] = {folder: [] for folder in folders}
    singles: list[Path] = []
    for path in files:
        outer = next((parent for parent in path.parent.parents if parent in folders), None)
        if outer is not None:
            diagnostics.error(
                file_location(path),
                f"app folder {display_path(outer)} holds a subfolder with YAML files: "
                "an app folder holds only app.yaml and one file per product; move it out",
            )
        elif path.parent not in folders:
            singles.append(path)
        elif path.name in APP_FILE_NAMES:
            if path.parent in app_files:
                first = app_files[path.parent]
                diagnostics.error(
                    file_location(path),
                    f"app folder has both {first.name} and {path.name}: keep one of them",
                )
            else:
                app_files[path.parent] = path
        elif path.stem in PRODUCTS:
            products[path.parent].append((path.stem, path))
        else:
            names = [f"{key}.yaml" for key in PRODUCT_KEYS]
            guess = difflib.get_close_matches(path.stem, PRODUCT_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean '{guess[0]}{path.suffix}'?)" if guess else ""
            diagnostics.error(
                file_location(path),
                f"{path.name!r} is not a product file{hint}: "
                f"an app folder holds app.yaml and one file per product ({', '.join(names)})",
            )
    sources = [AppSource(path, False, path.stem) for path in singles]
    sources += [
        AppSource(app_file, True, _folder_name(folder), tuple(products[folder]))
        for folder, app_file in app_files.items()
    ]
    return sorted(sources, key=lambda source: source.app_file)


def _folder_name(folder: Path) -> str:
    return Path(os.path.abspath(folder)).name
