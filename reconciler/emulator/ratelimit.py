"""Per-app, per-API-family request rate limits (v1: 10/s, v4: 200/s).

A token bucket per (sdkappid, family): it holds at most ``rate`` tokens, gains
``rate`` tokens per second, and each request takes one. The clock is injectable
so tests never sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Final

from reconciler.facts.families import Family

Clock = Callable[[], float]

_EPSILON: Final = 1e-9

DEFAULT_RATES: Final[Mapping[Family, float]] = {Family.V1: 10.0, Family.V4: 200.0}


class TokenBucket:
    """Capacity ``rate`` tokens, refilled at ``rate`` tokens per second; starts full."""

    def __init__(self, rate: float, clock: Clock = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._clock = clock
        self._tokens = rate
        self._last = clock()

    def try_take(self) -> bool:
        """Take one token if there is one; False means over the limit."""
        now = self._clock()
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(self.rate, self._tokens + elapsed * self.rate)
        if self._tokens >= 1.0 - _EPSILON:  # float sums such as 0.1 + 0.1 + ... fall short
            self._tokens = max(0.0, self._tokens - 1.0)
            return True
        return False


class RateLimiter:
    """One :class:`TokenBucket` per (sdkappid, family); ``enabled=False`` allows everything."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        rates: Mapping[Family, float] = DEFAULT_RATES,
        clock: Clock = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self._rates = dict(rates)
        self._clock = clock
        self._buckets: dict[tuple[int, Family], TokenBucket] = {}

    def rate(self, family: Family) -> float:
        return self._rates[family]

    def allow(self, sdkappid: int, family: Family) -> bool:
        """Count one request of ``sdkappid`` to ``family``; False if over the limit."""
        if not self.enabled:
            return True
        key = (sdkappid, family)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self._rates[family], self._clock)
        return bucket.try_take()
