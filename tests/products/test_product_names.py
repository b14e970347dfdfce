"""A product lives in ``reconciler/products/`` only: its names appear nowhere else.

The pipeline (desired state, plan, apply, render, engine, commands) reads every
product from the registry, so adding one is one module and one registry entry.
``facts/`` (Tencent's documented facts) and ``emulator/`` (which plays Tencent)
may name products. The names searched for come from the registry itself: every
key, every API path family (``v4/live_config``, ``v1/callback``) and the kit
named in a title (``TUILiveKit``).
"""

from __future__ import annotations

import re
from pathlib import Path

import reconciler
from reconciler.products.catalog import PRODUCTS

PACKAGE = Path(reconciler.__file__).parent

ALLOWED_DIRS = ("products", "facts", "emulator")
PENDING: set[str] = set()  # files still to clean (none left)
PROSE_WORDS = frozenset({"call", "live"})
"""Keys that are also ordinary English ("the call", "live state"): only their quoted,
Markdown-backquoted, ``key.yaml`` and ``callbacks.key`` forms count (an rST ````live````
names a parameter holding live state)."""


def _patterns() -> list[re.Pattern[str]]:
    found: set[str] = set()
    for spec in PRODUCTS.values():
        key = re.escape(spec.key)
        if spec.key in PROSE_WORDS:
            found.add(
                rf"""["']{key}["']|(?<!`)`{key}`(?!`)|\b{key}\.ya?ml\b|callbacks[.:]\s*\{{?\s*{key}\b"""
            )
        else:
            found.add(rf"\b{key}\b")
        for _, path in spec.paths.items():
            if path is not None:
                family = path.rsplit("/", 1)[0]  # v4/live_config, v1/callback
                found.add(re.escape(family))
                segment = family.rsplit("/", 1)[-1]
                if "_" in segment:  # live_config; not the bare word "callback"
                    found.add(rf"\b{re.escape(segment)}\b")
        found.update(re.escape(kit) for kit in re.findall(r"TUI\w+Kit", spec.title))
    return [re.compile(p) for p in sorted(found)]


def _checked_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.split("/", 1)[0] in ALLOWED_DIRS or relative in PENDING:
            continue
        files.append(path)
    return files


def _hits(text: str, patterns: list[re.Pattern[str]]) -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), 1)
        if any(p.search(line) for p in patterns)
    ]


def test_no_product_name_outside_the_registry() -> None:
    patterns = _patterns()
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line}"
        for path in _checked_files()
        for number, line in _hits(path.read_text(encoding="utf-8"), patterns)
    ]
    assert found == []


def test_the_search_finds_every_kind_of_name() -> None:
    """The patterns catch what they are for (else the test above proves nothing)."""
    patterns = _patterns()
    planted = [
        'if product == "live_token":',
        "spec = callbacks.call",
        "POST v4/live_config/get_callback",
        "path = 'v1/callback/get'",
        "a TUIRoomKit conference",
        "files: call.yaml, conference.yaml",
        "under `live`: remove it",
        "templates: {standard: {callbacks: {call: {events: []}}}}",
    ]
    found = [number for number, _ in _hits("\n".join(planted), patterns)]
    assert found == list(range(1, len(planted) + 1))
    prose = [
        "Live state: from a snapshot",
        "one call per app",
        "the callbacks of the app",
        "``live`` as far as ``desired`` manages it",
        "def diff(live: LiveSnapshot) -> None:",
    ]
    assert _hits("\n".join(prose), patterns) == []


def test_the_allowed_places_are_searched_too_by_the_patterns() -> None:
    """The products' own modules do name themselves: the search is not blind to them."""
    text = (PACKAGE / "products" / "live_token.py").read_text(encoding="utf-8")
    assert _hits(text, _patterns())
