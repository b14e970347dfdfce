"""Which YAML files below the root make up which app.

Dot-files and dot-folders are never read (a repository's ``.github/`` or
``.pre-commit-config.yaml``); ``.reconcilerignore`` in the root lists more paths
to skip; a symbolic link whose target lies outside the root is an error.

An app is either one file, or a folder holding ``app.yaml`` (or ``app.yml``)
plus one file per product named after the product key. Anything else inside an
app folder is reported, with a "did you mean" for misspelt product files.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.ignorefile import read_ignore_file
from reconciler.desired.yamlsource import display_path
from reconciler.errors import ConfigError, ConfigErrors, Location
from reconciler.products.catalog import PRODUCT_KEYS, PRODUCTS

SUFFIXES = (".yaml", ".yml")
APP_FILE_NAMES = ("app.yaml", "app.yml")
RECONCILERIGNORE = ".reconcilerignore"
DEFAULTS_NAMES = ("defaults.yaml", "defaults.yml")
POLICY_NAMES = ("policy.yaml", "policy.yml")
RESERVED_NAMES = frozenset((*DEFAULTS_NAMES, *POLICY_NAMES))
"""Files that are never read as apps (see :mod:`reconciler.desired.defaults`, ``policy``)."""


@dataclass(frozen=True)
class AppSource:
    """The files of one app: the app file and, for an app folder, its product files."""

    app_file: Path
    in_folder: bool
    default_name: str
    """The file's stem, or the folder's name: the app's name when it sets none."""
    product_files: tuple[tuple[str, Path], ...] = ()
    """(product key, file) in sorted order; a product may appear twice (``<product>.yaml``
    and ``<product>.yml``)."""


def file_location(path: Path) -> Location:
    """A whole file, as ``path:1:1``."""
    return Location(display_path(path), 1, 1)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _link_error(link: Path) -> ConfigError:
    # name the link only: its target may be a runner file whose path or content must
    # not reach a CI log
    return ConfigError(
        file_location(link),
        "a symbolic link that leads out of the desired-state folder; it is not read. "
        "Replace it with the file itself, or remove it",
    )


def _broken_link_error(link: Path) -> ConfigError:
    return ConfigError(
        file_location(link),
        "a symbolic link whose target does not exist; fix or remove it",
    )


def _check_link(path: Path, real_root: Path, problems: list[ConfigError]) -> bool:
    """True when ``path`` (a symlink) may be read: it resolves to something inside the root."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop
        problems.append(_broken_link_error(path))
        return False
    if not _inside(target, real_root):
        problems.append(_link_error(path))
        return False
    return True


def load_exclusions(root: Path) -> list[str]:
    """The patterns of ``root/.reconcilerignore`` (one glob a line, ``#`` comments),
    read by :func:`read_ignore_file` (no link out of ``root``, bounded in bytes and
    patterns)."""
    return [
        line.text.strip("/") if line.text != "/" else line.text
        for line in read_ignore_file(root / RECONCILERIGNORE, root)
    ]


def excluded(relative: str, patterns: Sequence[str]) -> bool:
    """Whether a path (POSIX, relative to the root) matches a ``.reconcilerignore`` pattern.

    A pattern with a ``/`` matches the path from the root (``legacy/*.yaml``); one
    without matches any single path component (``drafts``, ``*.example.yaml``).
    A matched folder excludes everything below it.
    """
    rooted, anywhere = _matchers(tuple(patterns))
    parts = relative.split("/")
    if anywhere is not None and any(anywhere(part) for part in parts):
        return True
    if rooted is not None:
        return any(rooted("/".join(parts[: i + 1])) for i in range(len(parts)))
    return False


_Match = Callable[[str], Any]


@functools.lru_cache(maxsize=8)
def _matchers(patterns: tuple[str, ...]) -> tuple[_Match | None, _Match | None]:
    """The patterns with a ``/`` and those without, each as one regular expression
    (``fnmatch.translate``): one match per path component instead of one per pattern."""

    def one(chosen: list[str]) -> _Match | None:
        if not chosen:
            return None
        return re.compile("|".join(fnmatch.translate(p) for p in chosen)).match

    return (
        one([p for p in patterns if "/" in p]),
        one([p for p in patterns if "/" not in p]),
    )


def _walk(root: Path) -> list[tuple[Path, str]]:
    """The YAML files below ``root``: dot-entries and excluded paths skipped, symlinks
    followed only when they stay inside the root (else a located error).

    One ``scandir`` per folder, whose entries know their type: no ``stat`` per file
    unless it is a symbolic link.
    """
    real_root = root.resolve()
    patterns = load_exclusions(root)
    problems: list[ConfigError] = []
    found: list[tuple[tuple[str, ...], Path]] = []
    folders: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while folders:
        here, rel = folders.pop()
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:  # an unreadable folder is skipped, as os.walk does
            continue
        below: list[tuple[Path, tuple[str, ...]]] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()  # follows a symlink, like os.walk
            except OSError:
                is_dir = False
            parts = (*rel, name)
            if is_dir:
                if patterns and excluded("/".join(parts), patterns):
                    continue
                path = here / name
                if entry.is_symlink():
                    # never descended into (no loops, no double reads); refused if it leads out
                    _check_link(path, real_root, problems)
                    continue
                below.append((path, parts))
            elif name.endswith(SUFFIXES):
                if patterns and excluded("/".join(parts), patterns):
                    continue
                path = here / name
                if entry.is_symlink():
                    if not _check_link(path, real_root, problems) or not path.is_file():
                        continue
                elif not entry.is_file():
                    continue
                found.append((parts, path))
        folders.extend(reversed(below))
    if problems:
        raise ConfigErrors(problems)
    found.sort(key=_ORDER)
    return [(path, parts[-1]) for parts, path in found]


_ORDER: Callable[[tuple[tuple[str, ...], Path]], Any] = (
    (lambda item: item[0]) if os.name == "posix" else (lambda item: item[1])
)
"""Path order (component by component) without a Path comparison per step on POSIX."""


def yaml_files(root: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file below ``root``, sorted; an error when there is none.

    Dot-files and dot-folders (``.github/``, ``.pre-commit-config.yaml``) and paths
    matched by ``root/.reconcilerignore`` are skipped; a symlink is read only when
    its target is inside ``root``.
    """
    return [path for path, _ in _scan(root)[0]]


def _scan(root: Path) -> tuple[list[tuple[Path, str]], list[Path]]:
    """:func:`yaml_files` as (path, name), and the defaults files among them (not links)."""
    problem = ""
    if not root.exists():
        problem = (
            "the desired-state directory does not exist: pass the folder holding the app files"
        )
    elif not root.is_dir():
        problem = "not a directory: pass the folder holding the app files, not a file"
    found = [] if problem else _walk(root)
    files = [(path, name) for path, name in found if name not in RESERVED_NAMES]
    if not problem and not files:
        problem = "no *.yaml or *.yml files in this folder or below: write one file per app"
    if problem:
        raise ConfigErrors([ConfigError(Location(display_path(root)), problem)])
    defaults = [path for path, name in found if name in DEFAULTS_NAMES and not path.is_symlink()]
    return files, defaults


def discover_files(paths: Sequence[Path], diagnostics: Diagnostics) -> list[AppSource]:
    """The apps that the given files belong to (``validate FILE...``, a pre-commit hook).

    A file next to an ``app.yaml`` stands for its whole app folder; any other YAML file
    is a one-file app. Dot-files and files that are not YAML are skipped.
    """
    sources: dict[Path, AppSource] = {}
    problems: list[ConfigError] = []
    for path in paths:
        if any(part.startswith(".") and part not in (".", "..") for part in path.parts):
            continue
        if path.suffix not in SUFFIXES:
            continue
        if path.is_symlink() and not _check_link(path, path.parent.resolve(), problems):
            continue
        folder = path.parent
        if any((folder / name).is_file() for name in APP_FILE_NAMES):
            for source in discover(folder, diagnostics):
                sources.setdefault(source.app_file, source)
        else:
            sources.setdefault(path, AppSource(path, False, path.stem))
    if problems:
        raise ConfigErrors(problems)
    return sorted(sources.values(), key=lambda source: source.app_file)


def discover(root: Path, diagnostics: Diagnostics) -> list[AppSource]:
    """The apps below ``root``, in sorted file order; misplaced files are reported."""
    return discover_tree(root, diagnostics)[0]


def discover_tree(root: Path, diagnostics: Diagnostics) -> tuple[list[AppSource], list[Path]]:
    """:func:`discover`, and the defaults files below ``root`` (sorted), in one walk.

    A defaults file is found where an app file would be (dot-folders and
    ``.reconcilerignore`` matches skipped), and never through a symbolic link.
    """
    named, defaults = _scan(root)
    folders = {path.parent for path, name in named if name in APP_FILE_NAMES}
    if not folders:  # one file per app (nearly always): nothing to sort out
        singles = [AppSource(path, False, _stem(name)) for path, name in named]
        return singles, defaults
    return _sources([path for path, _ in named], folders, diagnostics), defaults


def _stem(name: str) -> str:
    return name[: name.rfind(".")]  # every name found ends in .yaml or .yml


def _sources(files: list[Path], folders: set[Path], diagnostics: Diagnostics) -> list[AppSource]:
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
    if not app_files:
        return sources  # in the sorted order of ``files``
    sources += [
        AppSource(app_file, True, _folder_name(folder), tuple(products[folder]))
        for folder, app_file in app_files.items()
    ]
    return sorted(sources, key=lambda source: source.app_file)


def _folder_name(folder: Path) -> str:
    return Path(os.path.abspath(folder)).name
