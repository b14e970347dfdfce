"""Client-side rate limits: one paced limiter and one slot pool per (app, family)."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest

from reconciler.api.limits import (
    DEFAULT_RATES,
    HEADROOM,
    PER_APP_IN_FLIGHT,
    TENCENT_LIMITS,
    RateLimits,
)
from reconciler.facts.families import Family


def test_documented_limits_with_headroom() -> None:
    assert TENCENT_LIMITS == {Family.V1: 10.0, Family.V4: 200.0}
    assert HEADROOM == 0.8
    assert {Family.V1: pytest.approx(8.0), Family.V4: pytest.approx(160.0)} == DEFAULT_RATES


def test_rates_must_be_positive() -> None:
    with pytest.raises(ValueError, match="rate for v1 must be positive"):
        RateLimits({Family.V1: 0.0, Family.V4: 1.0})
    with pytest.raises(ValueError, match="rate for v4 must be positive"):
        RateLimits({Family.V1: 1.0, Family.V4: -5.0})


def test_rate_per_family() -> None:
    limits = RateLimits()
    assert limits.rate(Family.V1) == pytest.approx(8.0)
    assert limits.rate(Family.V4) == pytest.approx(160.0)


def test_limiter_paces_one_request_per_interval() -> None:
    limits = RateLimits({Family.V1: 10.0, Family.V4: 200.0})
    v1 = limits.limiter(1, Family.V1)
    v4 = limits.limiter(1, Family.V4)
    assert v1.max_rate == 1 and v1.time_period == pytest.approx(0.1)
    assert v4.max_rate == 1 and v4.time_period == pytest.approx(0.005)


def test_one_limiter_per_app_and_family() -> None:
    limits = RateLimits()
    a = limits.limiter(1, Family.V1)
    assert limits.limiter(1, Family.V1) is a
    assert limits.limiter(2, Family.V1) is not a
    assert limits.limiter(1, Family.V4) is not a


async def test_app_slots_per_app_and_family() -> None:
    limits = RateLimits(per_app=2)
    slots = limits.app_slots(1, Family.V4)
    assert limits.app_slots(1, Family.V4) is slots
    assert limits.app_slots(1, Family.V1) is not slots
    assert limits.app_slots(2, Family.V4) is not slots
    await slots.acquire()
    await slots.acquire()
    assert slots.locked()  # only per_app requests of one app in flight
    assert not limits.app_slots(2, Family.V4).locked()


async def test_default_slots() -> None:
    assert PER_APP_IN_FLIGHT == 4
    slots = RateLimits().app_slots(1, Family.V1)
    for _ in range(PER_APP_IN_FLIGHT - 1):
        await slots.acquire()
    assert not slots.locked()
    await slots.acquire()
    assert slots.locked()


@pytest.mark.looptime
async def test_paced_evenly_in_loop_time() -> None:
    """Five v1 requests of one app at 8/s take 4 intervals of 1/8 s (fake loop clock)."""
    limiter = RateLimits().limiter(1, Family.V1)
    loop = asyncio.get_running_loop()
    start = loop.time()
    stamps = []
    for _ in range(5):
        await limiter.acquire()
        stamps.append(loop.time() - start)
    assert stamps[0] == pytest.approx(0.0, abs=1e-3)
    assert stamps[-1] == pytest.approx(0.5, abs=0.02)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(g == pytest.approx(0.125, abs=0.02) for g in gaps)


@pytest.mark.looptime
async def test_a_long_wait_for_the_rate_limit_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    limits = RateLimits({Family.V1: 2.0, Family.V4: 200.0})
    with caplog.at_level(logging.INFO, logger="reconciler.api.limits"):
        for _ in range(3):  # 0.5 s apart: short waits, not logged
            await limits.acquire(7, Family.V1)
        assert caplog.records == []
        await asyncio.gather(*(limits.acquire(7, Family.V1) for _ in range(4)))
    lines = [r.getMessage() for r in caplog.records]
    assert lines, "a wait of 1.5 s or more was not logged"
    assert all(line.startswith("rate limit: sdkappid 7 waited ") for line in lines)
    assert all("for a v1 request (at most 2/s per app)" in line for line in lines)
