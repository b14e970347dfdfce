"""The package uses only the public API of its dependencies (and of the standard library).

No ``from X._y import``, no ``X._y`` attribute of an imported module or of a name
imported from another package, no aiohttp internals (``aiohttp.client_proto``, the
connector's ``_factory``). A name starting with one underscore is private; dunders
(``__name__``) are not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reconciler

PACKAGE = Path(reconciler.__file__).parent
FORBIDDEN_TEXT = ("aiohttp.client_proto", "ResponseHandler", "._factory", "_factory =")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _external(module: str | None, level: int) -> bool:
    return level == 0 and module is not None and module.split(".")[0] != "reconciler"


def private_uses(source: str, filename: str) -> list[str]:
    """Every private name of another package that ``source`` reaches, as ``line: text``."""
    tree = ast.parse(source, filename)
    imported: dict[str, str] = {}  # local name -> where it came from (outside the package)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _external(alias.name, 0):
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"{node.lineno}: import {alias.name}")
                    imported[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and _external(node.module, node.level):
            module = node.module or ""
            if any(_private(part) for part in module.split(".")):
                found.append(f"{node.lineno}: from {module} import ...")
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{node.lineno}: from {module} import {alias.name}")
                imported[alias.asname or alias.name] = f"{module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root: ast.expr = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in imported:
                found.append(f"{node.lineno}: {ast.unparse(node)}")
    for number, line in enumerate(source.splitlines(), 1):
        found.extend(f"{number}: {text}" for text in FORBIDDEN_TEXT if text in line)
    return found


def test_the_package_uses_no_private_name_of_a_dependency() -> None:
    offences = {
        str(path.relative_to(PACKAGE)): uses
        for path in sorted(PACKAGE.rglob("*.py"))
        if (uses := private_uses(path.read_text(encoding="utf-8"), str(path)))
    }
    assert offences == {}


def test_the_check_finds_each_kind_of_private_use() -> None:
    source = "\n".join(
        [
            "import aiohttp",
            "import zlib",
            "from yaml._yaml import CParser",
            "from httpx import _models",
            "from aiohttp.client_proto import ResponseHandler",
            "x: zlib._Decompress",
            "connector._factory = None",
            "aiohttp.connector._private()",
            "from reconciler.api import _inside",  # our own: allowed
            "self._mine = zlib.__name__",  # ours and a dunder: allowed
        ]
    )
    found = private_uses(source, "example.py")
    assert {int(entry.split(":")[0]) for entry in found} == {3, 4, 5, 6, 7, 8}
