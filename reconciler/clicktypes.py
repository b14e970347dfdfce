"""Click parameter types: a float range that refuses ``nan`` (every comparison with nan
is false, so ``click.FloatRange`` lets it through: ``--timeout nan`` then failed deep
inside), a region that takes Tencent's own names too, and a choice that follows a
registry."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import click
from click.shell_completion import CompletionItem

from reconciler.facts.regions import REGION_ALIASES, REGION_NAMES, REGIONS, canonical_region


class FiniteFloatRange(click.FloatRange):
    """:class:`click.FloatRange` that also refuses nan (inf is refused by the bounds)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if isinstance(number, float) and math.isnan(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


class LiveChoice(click.Choice[str]):
    """``click.Choice`` of a live sequence (such as the product registry's keys), read
    each time it is used (conversion, ``--help``, completion) instead of copied when the
    command is built, so a value registered later is taken and listed."""

    def __init__(self, source: Sequence[str]) -> None:
        self._source = source
        super().__init__(source)

    @property  # read-only: the source is the registry
    def choices(self) -> tuple[str, ...]:
        return tuple(self._source)

    @choices.setter
    def choices(self, _: object) -> None:
        """``click.Choice.__init__`` sets it; the source stays the registry."""


class RegionChoice(click.ParamType[str, Any]):
    """A region: canonical (``singapore``) or as Tencent writes it (``ap-singapore``),
    converted to the canonical name; anything else fails with a "did you mean"."""

    name = "region"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(REGIONS) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        canonical = canonical_region(str(value))
        if canonical is None:
            import difflib

            close = difflib.get_close_matches(str(value).lower(), REGION_NAMES, n=1)
            hint = ""
            if close:
                alias = REGION_ALIASES.get(close[0])
                hint = f" (did you mean {close[0]!r}{f', that is {alias}' if alias else ''}?)"
            self.fail(
                f"unknown region {str(value)[:60]!r}{hint}; regions: {', '.join(REGIONS)} "
                "(Tencent's names such as ap-singapore or eu-frankfurt are accepted too)",
                param,
                ctx,
            )
        return canonical

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return [CompletionItem(n) for n in REGION_NAMES if n.startswith(incomplete)]
