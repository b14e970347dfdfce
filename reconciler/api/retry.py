"""Which failures are retried, and how: exponential backoff with jitter (tenacity)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from reconciler.errors import ApiError, TransportError
from reconciler.facts.codes import is_transient


def is_retryable(exc: BaseException) -> bool:
    """Network errors, timeouts, HTTP 5xx and Tencent's transient codes; nothing else."""
    if isinstance(exc, TransportError):
        return exc.retryable
    return isinstance(exc, ApiError) and is_transient(exc.code)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded in attempts and in total time; waits grow 0.5, 1, 2, 4 … s (+ jitter)."""

    attempts: int = 5
    max_total_seconds: float = 60.0
    initial_wait: float = 0.5
    max_wait: float = 8.0
    jitter: float = 0.5

    def retrying(self, sleep: Callable[[float], Awaitable[None]] | None = None) -> AsyncRetrying:
        kwargs = {"sleep": sleep} if sleep is not None else {}
        return AsyncRetrying(
            retry=retry_if_exception(is_retryable),
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.max_total_seconds),
            # exponential (0.5, 1, 2, … capped) plus uniform jitter; both stable tenacity APIs
            wait=wait_exponential(multiplier=self.initial_wait, max=self.max_wait)
            + wait_random(0, self.jitter),
            reraise=True,
            **kwargs,  # type: ignore[arg-type]
        )
