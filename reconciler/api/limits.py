"""Client-side rate limits: one leaky bucket per (app, API family).

Tencent allows 10 requests/s per app on v1 and 200/s on v4. We pace requests
evenly at 80 % of that, so that network jitter (requests bunching up on the way)
never makes the server see more than its limit, however it counts (fixed window,
sliding window or bucket): a fleet is read without frequency-limit answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from aiolimiter import AsyncLimiter

from reconciler.facts.families import Family
from reconciler.facts.limits import TENCENT_LIMITS

HEADROOM = 0.8
DEFAULT_RATES: Mapping[Family, float] = {f: r * HEADROOM for f, r in TENCENT_LIMITS.items()}
# ``-v`` logs a wait for an app's rate limit longer than this (never a secret: the app id).
LOG_WAIT_SECONDS = 1.0

log = logging.getLogger(__name__)

# Requests of one app in flight at once: an app waiting on its own rate limit must
# not hold every global slot and stall the other apps of the fleet.
PER_APP_IN_FLIGHT = 4


class RateLimits:
    """Hands out the limiter for one (sdkappid, family); created on first use."""

    def __init__(
        self, rates: Mapping[Family, float] = DEFAULT_RATES, per_app: int = PER_APP_IN_FLIGHT
    ) -> None:
        for family, rate in rates.items():
            if rate <= 0:
                raise ValueError(f"rate for {family.value} must be positive")
        self._rates = dict(rates)
        self._limiters: dict[tuple[int, Family], AsyncLimiter] = {}
        self._per_app = per_app
        self._slots: dict[tuple[int, Family], asyncio.Semaphore] = {}

    def rate(self, family: Family) -> float:
        return self._rates[family]

    def app_slots(self, sdkappid: int, family: Family) -> asyncio.Semaphore:
        key = (sdkappid, family)
        slots = self._slots.get(key)
        if slots is None:
            slots = self._slots[key] = asyncio.Semaphore(self._per_app)
        return slots

    def limiter(self, sdkappid: int, family: Family) -> AsyncLimiter:
        key = (sdkappid, family)
        limiter = self._limiters.get(key)
        if limiter is None:
            rate = self._rates[family]
            # Capacity 1: requests are paced evenly, 1/rate apart, so no 1 s window ever
            # holds more than rate + 1 (a larger bucket would add its burst on top).
            limiter = AsyncLimiter(1, 1.0 / rate)
            self._limiters[key] = limiter
        return limiter

    async def acquire(self, sdkappid: int, family: Family) -> None:
        """Wait for the app's next request slot under its rate limit; log a long wait."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        await self.limiter(sdkappid, family).acquire()
        waited = loop.time() - start
        if waited > LOG_WAIT_SECONDS:
            log.info(
                "rate limit: sdkappid %s waited %.1f s for a %s request (at most %g/s per app)",
                sdkappid,
                waited,
                family.value,
                self._rates[family],
            )
