"""Accepted differences for drift: ``--ignore APP/PRODUCT`` and a ``.driftignore`` file.

One pattern per line, ``APP/PRODUCT``; APP is an app name or sdkappid, either
part may use shell wildcards (``*``, ``?``); ``#`` starts a comment.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ConfigError, Location
from reconciler.plan.change import Resource
from reconciler.products.catalog import PRODUCT_KEYS

DRIFTIGNORE = ".driftignore"


@dataclass(frozen=True)
class IgnoreRule:
    app: str
    product: str
    source: str

    def matches(self, resource: Resource) -> bool:
        app_ok = fnmatch.fnmatchcase(resource.app, self.app) or fnmatch.fnmatchcase(
            str(resource.sdkappid), self.app
        )
        return app_ok and fnmatch.fnmatchcase(resource.product, self.product)


def parse_rule(text: str, location: Location) -> IgnoreRule:
    app, sep, product = text.partition("/")
    if not sep or not app or not product or "/" in product:
        raise ConfigError(location, f"{text!r} is not APP/PRODUCT (e.g. prod-sg/live or */call)")
    if not any(c in product for c in "*?[") and product not in PRODUCT_KEYS:
        raise ConfigError(
            location, f"unknown product {product!r}; use one of {', '.join(PRODUCT_KEYS)} or *"
        )
    return IgnoreRule(app, product, str(location))


def load_rules(directory: Path, flags: Sequence[str]) -> list[IgnoreRule]:
    rules = [parse_rule(f, Location("--ignore")) for f in flags]
    path = directory / DRIFTIGNORE
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ConfigError(Location(str(path)), "not UTF-8 text: save it as UTF-8") from None
        except OSError as exc:
            raise ConfigError(Location(str(path)), f"cannot read it: {exc.strerror}") from None
        for number, raw in enumerate(text.splitlines(), start=1):
            text = raw.split("#", 1)[0].strip()
            if text:
                column = len(raw) - len(raw.lstrip()) + 1
                rules.append(parse_rule(text, Location(str(path), number, column)))
    return rules


def ignored(resources: Iterable[Resource], rules: Sequence[IgnoreRule]) -> set[Resource]:
    return {r for r in resources if any(rule.matches(r) for rule in rules)}
