"""The product reference, generated from the product registry.

``python -m reconciler.devtools.reference`` prints it; the docs page
``docs/reference/products.md`` is made from it by :mod:`reconciler.devtools.docpages`
(``--write``), and ``tests/test_docs.py`` fails when that page is stale.
"""

from __future__ import annotations

import sys

from reconciler.products.catalog import PRODUCTS
from reconciler.products.spec import Kind, ProductSpec


def _path(path: str | None, note: str = "") -> str:
    return f"`/{path}`{note}" if path else "—"


def _absent(spec: ProductSpec, operation: str) -> str:
    codes = sorted(spec.absent_codes(operation))
    text = ", ".join(str(c) for c in codes) or "—"
    if operation == "read" and spec.unavailable:
        text += "; " + ", ".join(f"{c}: cannot be managed" for c in sorted(spec.unavailable))
    return text


def _update(spec: ProductSpec) -> str:
    if spec.paths.update is None:
        return "— (set overwrites)"
    if spec.paths.update == spec.paths.create:
        return _path(spec.paths.update, " (same as create)")
    note = ""
    if spec.fallbacks.missing_code is not None:
        note = f" ({spec.fallbacks.missing_code} → set)"
    return _path(spec.paths.update, note)


def _create(spec: ProductSpec) -> str:
    if spec.fallbacks.exists_code is not None:
        return _path(spec.paths.create, f" ({spec.fallbacks.exists_code} → update)")
    return _path(spec.paths.create)


def _words(spec: ProductSpec) -> str:
    if spec.kind is Kind.TOKEN:
        return (
            f"`{spec.key}`: no event words (`{spec.body.token_field}`, `{spec.body.enabled_field}`)"
        )
    words = ", ".join(f"`{w}`" for w in sorted(spec.vocabulary.words))
    line = f"`{spec.key}` ({len(spec.vocabulary.words)}): {words}"
    if spec.vocabulary.aliases:
        variants = "; ".join(
            f"`{variant}` is read as `{canonical}`"
            for variant, canonical in sorted(spec.vocabulary.aliases.items())
        )
        line += f". Variant spellings: {variants}"
    if spec.vocabulary.shared:
        shared = ", ".join(f"`{w}`" for w in sorted(spec.vocabulary.shared))
        line += (
            f". Chat-shared, accepted with a warning (whether {spec.key} delivers them is "
            f"undocumented): {shared}"
        )
    return line


def reference() -> str:
    """The reference as Markdown (a table of operations, then the event words)."""
    lines = [
        "| product | API | read (absent codes) | create | update | delete (absent codes) "
        "| documented regions |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in PRODUCTS.values():
        lines.append(
            f"| `{spec.key}` | {spec.family.value} "
            f"| {_path(spec.paths.read)} ({_absent(spec, 'read')}) "
            f"| {_create(spec)} | {_update(spec)} "
            f"| {_path(spec.paths.delete)} ({_absent(spec, 'delete')}) "
            f"| {', '.join(spec.regions)} |"
        )
    lines += ["", "Event words, canonical spellings:", ""]
    lines += [f"- {_words(spec)}" for spec in PRODUCTS.values()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv:
        print("usage: python -m reconciler.devtools.reference", file=sys.stderr)
        return 1
    sys.stdout.write(reference())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
