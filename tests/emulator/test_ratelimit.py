"""Token buckets with an injected clock: no sleeps."""

from __future__ import annotations

import pytest

from reconciler.emulator.ratelimit import DEFAULT_RATES, RateLimiter, TokenBucket
from reconciler.facts.families import Family


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_documented_rates() -> None:
    assert DEFAULT_RATES == {Family.V1: 10.0, Family.V4: 200.0}


def test_bucket_starts_full_then_refuses() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, clock)
    assert all(bucket.try_take() for _ in range(10))
    assert bucket.try_take() is False


def test_bucket_refills_at_rate_per_second() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, clock)
    for _ in range(10):
        bucket.try_take()
    clock.now += 0.05  # half a token
    assert bucket.try_take() is False
    clock.now += 0.05  # one token
    assert bucket.try_take() is True
    assert bucket.try_take() is False


def test_bucket_never_holds_more_than_its_capacity() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, clock)
    clock.now += 3600
    assert sum(bucket.try_take() for _ in range(30)) == 10


def test_bucket_ignores_a_clock_going_backwards() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1, clock)
    assert bucket.try_take()
    clock.now -= 100
    assert bucket.try_take() is False


def test_bucket_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(0)


def test_limiter_has_one_bucket_per_app_and_family() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    assert sum(limiter.allow(1, Family.V1) for _ in range(15)) == 10
    assert sum(limiter.allow(1, Family.V4) for _ in range(250)) == 200
    assert sum(limiter.allow(2, Family.V1) for _ in range(15)) == 10
    clock.now += 1
    assert sum(limiter.allow(1, Family.V1) for _ in range(15)) == 10


def test_disabled_limiter_allows_everything() -> None:
    limiter = RateLimiter(enabled=False, clock=FakeClock())
    assert all(limiter.allow(1, Family.V1) for _ in range(1000))


def test_custom_rates() -> None:
    limiter = RateLimiter(rates={Family.V1: 2, Family.V4: 3}, clock=FakeClock())
    assert limiter.rate(Family.V4) == 3
    assert sum(limiter.allow(1, Family.V4) for _ in range(10)) == 3
