"""A click float range that refuses ``nan``: every comparison with nan is false, so
``click.FloatRange`` lets it through (``--timeout nan`` then failed deep inside)."""

from __future__ import annotations

import math
from typing import Any

import click


class FiniteFloatRange(click.FloatRange):
    """:class:`click.FloatRange` that also refuses nan (inf is refused by the bounds)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if isinstance(number, float) and math.isnan(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number
