"""Accepted differences for drift: ``--ignore APP/PRODUCT`` and a ``.driftignore`` file.

One pattern per line, ``APP/PRODUCT``; APP is an app name or sdkappid, either
part may use shell wildcards (``*``, ``?``); ``#`` starts a comment.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.desired.ignorefile import read_ignore_file
from reconciler.errors import ConfigError, ConfigErrors, Location
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
    """``--ignore`` rules, then those of ``directory/.driftignore``.

    The file is read by :func:`read_ignore_file`, as ``.reconcilerignore`` is: not
    through a link out of ``directory``, at most 64 KiB and 100 rules (each is tried
    on every change); its first error is raised.
    """
    rules = [parse_rule(f, Location("--ignore")) for f in flags]
    try:
        lines = read_ignore_file(directory / DRIFTIGNORE, directory)
    except ConfigErrors as errors:
        raise errors.errors[0] from None
    rules.extend(parse_rule(line.text, line.location) for line in lines)
    return rules


def ignored(resources: Iterable[Resource], rules: Sequence[IgnoreRule]) -> set[Resource]:
    """The resources that some rule matches: per product, one regular expression of the
    APP patterns of the rules for it, tried on the app's name and its sdkappid."""
    if not rules:
        return set()
    apps = _app_matchers(tuple(rules))
    found: set[Resource] = set()
    for resource in resources:
        if resource.product not in apps:  # not a product of this version: rule by rule
            if any(rule.matches(resource) for rule in rules):
                found.add(resource)
            continue
        match = apps[resource.product]
        if match is not None and (match(resource.app) or match(str(resource.sdkappid))):
            found.add(resource)
    return found


def _app_matchers(
    rules: tuple[IgnoreRule, ...],
) -> dict[str, Callable[[str], re.Match[str] | None] | None]:
    matchers: dict[str, Callable[[str], re.Match[str] | None] | None] = {}
    for product in PRODUCT_KEYS:
        globs = [r.app for r in rules if fnmatch.fnmatchcase(product, r.product)]
        pattern = "|".join(fnmatch.translate(glob) for glob in globs)
        matchers[product] = re.compile(pattern).match if globs else None
    return matchers
