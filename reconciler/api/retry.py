"""Which failures are retried, and how: exponential backoff with jitter (tenacity).

The first attempt runs outside tenacity: tenacity's async loop inspects every one of
its callbacks on every attempt (about 0.1 ms of CPU), and nearly every request
succeeds at once. Only after a retryable failure does tenacity take over, replaying
that failure as its own first attempt, so attempt numbers, waits and bounds are the
same as if it had run from the start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from reconciler.errors import ApiError, TransportError
from reconciler.facts.codes import is_transient

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


def is_retryable(exc: BaseException) -> bool:
    """Network errors, timeouts, HTTP 5xx and Tencent's transient codes; nothing else."""
    if isinstance(exc, TransportError):
        return exc.retryable
    return isinstance(exc, ApiError) and is_transient(exc.code)


def _log_retry(state: RetryCallState) -> None:
    """``-v``: one line per retry: what failed, which attempt, how long until the next.

    Error messages never hold a secret (the client scrubs them); no URL is logged.
    """
    outcome = state.outcome
    exc = outcome.exception() if outcome is not None else None
    delay = state.next_action.sleep if state.next_action is not None else 0.0
    if isinstance(exc, ApiError):  # its text ends with advice for when retries run out
        what = f"{exc.command} for sdkappid {exc.sdkappid}: code {exc.code}"
        detail = exc.info or "(no ErrorInfo)"
    else:
        what, detail = type(exc).__name__, str(exc)
    log.info(
        "retrying after attempt %d failed (%s: %s); next attempt in %.2f s",
        state.attempt_number,
        what,
        detail,
        delay,
    )


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded in attempts and in total time; waits grow 0.5, 1, 2, 4 … s (+ jitter).

    The time bound counts from the first failure.
    """

    attempts: int = 5
    max_total_seconds: float = 60.0
    initial_wait: float = 0.5
    max_wait: float = 8.0
    jitter: float = 0.5
    _strategies: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # built once per policy, not per request
        object.__setattr__(
            self,
            "_strategies",
            {
                "retry": retry_if_exception(is_retryable),
                "stop": stop_after_attempt(self.attempts)
                | stop_after_delay(self.max_total_seconds),
                # exponential (0.5, 1, 2, … capped) plus uniform jitter; stable tenacity APIs
                "wait": wait_exponential(multiplier=self.initial_wait, max=self.max_wait)
                + wait_random(0, self.jitter),
                "before_sleep": _log_retry,
                "reraise": True,
            },
        )

    def retrying(self, sleep: Sleep | None = None) -> AsyncRetrying:
        """A fresh tenacity controller with this policy (one per call: it holds state)."""
        kwargs: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        return AsyncRetrying(**self._strategies, **kwargs)

    async def call(self, attempt: Callable[[], Awaitable[T]], sleep: Sleep | None = None) -> T:
        """``await attempt()``; retried by this policy when it fails with a retryable error."""
        try:
            return await attempt()
        except Exception as exc:
            if not is_retryable(exc):
                raise
            first: Exception = exc
        replayed = False
        async for trying in self.retrying(sleep):
            with trying:
                if not replayed:
                    replayed = True
                    raise first
                return await attempt()
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover
