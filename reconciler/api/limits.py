"""Client-side rate limits: one leaky bucket per (app, API family).

Tencent allows 10 requests/s per app on v1 and 200/s on v4. We stay at 80 % of
that so that network jitter (requests bunching up on the way) never makes the
server see more than its limit: a fleet is read without frequency-limit answers.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiolimiter import AsyncLimiter

from reconciler.products.catalog import Family

TENCENT_LIMITS: Mapping[Family, float] = {Family.V1: 10.0, Family.V4: 200.0}
HEADROOM = 0.8
DEFAULT_RATES: Mapping[Family, float] = {f: r * HEADROOM for f, r in TENCENT_LIMITS.items()}


class RateLimits:
    """Hands out the limiter for one (sdkappid, family); created on first use."""

    def __init__(self, rates: Mapping[Family, float] = DEFAULT_RATES) -> None:
        for family, rate in rates.items():
            if rate <= 0:
                raise ValueError(f"rate for {family.value} must be positive")
        self._rates = dict(rates)
        self._limiters: dict[tuple[int, Family], AsyncLimiter] = {}

    def rate(self, family: Family) -> float:
        return self._rates[family]

    def limiter(self, sdkappid: int, family: Family) -> AsyncLimiter:
        key = (sdkappid, family)
        limiter = self._limiters.get(key)
        if limiter is None:
            rate = self._rates[family]
            # A burst of at most `rate` (at least 1), then a steady `rate` per second.
            limiter = AsyncLimiter(rate, 1.0) if rate >= 1 else AsyncLimiter(1, 1.0 / rate)
            self._limiters[key] = limiter
        return limiter
