"""Run one coroutine per item with a bounded number alive at once.

``asyncio.gather`` over every read of a fleet creates every task up front: for
10,000 apps that is 50,000 tasks, each parked on a semaphore, about 150 MB more
at the peak. A few workers per request slot keep the wire just as busy (a task
waiting on its app's rate limit does not hold a slot) in a few MB.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS_PER_SLOT = 4
"""Coroutines alive per request slot (``--parallelism``)."""


async def fan_out(fn: Callable[[T], Awaitable[R]], items: Sequence[T], slots: int) -> list[R]:
    """``[await fn(item) for item in items]``, at most ``slots * WORKERS_PER_SLOT`` at a time.

    Results come in the order of ``items``, as from ``asyncio.gather``; the first
    exception ``fn`` raises is raised (``fn`` should catch what it expects).
    """
    done: dict[int, R] = {}
    pending = iter(enumerate(items))

    async def worker() -> None:
        for index, item in pending:  # one shared iterator: each item is taken once
            done[index] = await fn(item)

    await asyncio.gather(*(worker() for _ in range(min(len(items), slots * WORKERS_PER_SLOT))))
    return [done[index] for index in range(len(items))]
