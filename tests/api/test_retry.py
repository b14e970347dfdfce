"""RetryPolicy.call: the first attempt outside tenacity, the rest exactly as tenacity runs them."""

from __future__ import annotations

import logging

import pytest

from reconciler.api import retry as retry_module
from reconciler.api.retry import RetryPolicy
from reconciler.errors import ApiError, TransportError


def api_error(code: int) -> ApiError:
    return ApiError(code=code, info="busy", request_id="r", command="x/y", sdkappid=7, hint="")


class Attempts:
    """An operation that fails with the given errors, in turn, then answers ``"ok"``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.count = 0

    async def __call__(self) -> str:
        self.count += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_a_first_success_never_builds_a_tenacity_controller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(self: RetryPolicy, sleep: object = None) -> None:
        raise AssertionError("tenacity was set up for a request that succeeded at once")

    monkeypatch.setattr(RetryPolicy, "retrying", refuse)
    attempt = Attempts()
    assert await RetryPolicy().call(attempt) == "ok"
    assert attempt.count == 1


async def test_a_final_error_is_raised_at_once() -> None:
    attempt, sleeps = Attempts(api_error(100002)), Sleeps()
    with pytest.raises(ApiError):
        await RetryPolicy().call(attempt, sleeps)
    assert (attempt.count, sleeps.waits) == (1, [])


async def test_after_a_first_failure_waits_grow_as_if_tenacity_ran_from_the_start() -> None:
    attempt = Attempts(TransportError("a"), api_error(100001), TransportError("c"))
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=5, initial_wait=0.5, max_wait=8.0, jitter=0.0)
    assert await policy.call(attempt, sleeps) == "ok"
    assert attempt.count == 4
    assert sleeps.waits == [0.5, 1.0, 2.0]  # attempt numbers 1, 2, 3


async def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    errors = [TransportError(f"fault {i}") for i in range(6)]
    attempt, sleeps = Attempts(*errors), Sleeps()
    with pytest.raises(TransportError, match="fault 2"):
        await RetryPolicy(attempts=3, jitter=0.0).call(attempt, sleeps)
    assert attempt.count == 3
    assert sleeps.waits == [0.5, 1.0]


async def test_one_attempt_means_no_retry() -> None:
    attempt, sleeps = Attempts(TransportError("once")), Sleeps()
    with pytest.raises(TransportError, match="once"):
        await RetryPolicy(attempts=1).call(attempt, sleeps)
    assert (attempt.count, sleeps.waits) == (1, [])


async def test_each_retry_is_logged_with_code_attempt_and_delay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attempt = Attempts(api_error(100001), TransportError("sdkappid 7: network error"))
    with caplog.at_level(logging.INFO, logger=retry_module.__name__):
        await RetryPolicy(jitter=0.0).call(attempt, Sleeps())
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0] == (
        "retrying after attempt 1 failed (x/y for sdkappid 7: code 100001: busy); "
        "next attempt in 0.50 s"
    )
    assert lines[1].startswith("retrying after attempt 2 failed (TransportError: sdkappid 7")
    assert lines[1].endswith("; next attempt in 1.00 s")
