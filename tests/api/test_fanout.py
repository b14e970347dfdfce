"""fan_out: gather's results, with a bounded number of coroutines alive."""

from __future__ import annotations

import asyncio

import pytest

from reconciler.api.fanout import WORKERS_PER_SLOT, fan_out


async def test_results_in_order_and_concurrency_bounded() -> None:
    alive = peak = 0

    async def work(n: int) -> int:
        nonlocal alive, peak
        alive += 1
        peak = max(peak, alive)
        await asyncio.sleep(0.001 * (n % 3))
        alive -= 1
        return n * n

    items = list(range(200))
    assert await fan_out(work, items, slots=2) == [n * n for n in items]
    assert peak == 2 * WORKERS_PER_SLOT


async def test_no_items_and_fewer_items_than_workers() -> None:
    async def double(n: int) -> int:
        return 2 * n

    assert await fan_out(double, [], slots=8) == []
    assert await fan_out(double, [1, 2], slots=8) == [2, 4]


async def test_an_error_is_raised() -> None:
    async def fail_on_three(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    with pytest.raises(ValueError, match="three"):
        await fan_out(fail_on_three, list(range(10)), slots=1)
