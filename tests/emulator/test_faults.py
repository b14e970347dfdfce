"""Fault configuration and the seeded draw (HTTP behaviour is in test_app.py)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from reconciler.emulator.faults import (
    ALL_KINDS,
    FaultConfig,
    FaultInjector,
    FaultKind,
    parse_fault_kinds,
)


def test_parse_fault_kinds() -> None:
    assert parse_fault_kinds("100001,502,hang") == ALL_KINDS
    assert parse_fault_kinds(" hang , 502,hang") == (FaultKind.HANG, FaultKind.BAD_GATEWAY)


@pytest.mark.parametrize("text", ["", ",", "500", "100001,timeout"])
def test_parse_fault_kinds_refuses_unknown_or_empty(text: str) -> None:
    with pytest.raises(ValueError, match="100001"):
        parse_fault_kinds(text)


@pytest.mark.parametrize(
    "kwargs",
    [{"rate": -0.1}, {"rate": 1.5}, {"kinds": ()}, {"hang_seconds": -1}],
)
def test_config_validates(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FaultConfig(**kwargs)  # type: ignore[arg-type]


def test_of_accepts_kind_names() -> None:
    assert FaultConfig.of(0.5, kinds=["502"]).kinds == (FaultKind.BAD_GATEWAY,)


def test_zero_rate_never_faults() -> None:
    injector = FaultInjector(FaultConfig(rate=0.0, seed=1))
    assert all(injector.draw() is None for _ in range(1000))


def test_full_rate_always_faults_with_every_kind() -> None:
    injector = FaultInjector(FaultConfig(rate=1.0, seed=1))
    drawn = Counter(injector.draw() for _ in range(600))
    assert None not in drawn
    assert set(drawn) == set(ALL_KINDS)


def test_rate_is_roughly_respected_and_seeded() -> None:
    def sequence() -> list[FaultKind | None]:
        injector = FaultInjector(FaultConfig(rate=0.3, seed=42))
        return [injector.draw() for _ in range(2000)]

    first = sequence()
    assert first == sequence()
    share = sum(kind is not None for kind in first) / len(first)
    assert 0.25 < share < 0.35


async def test_hang_is_released_early() -> None:
    injector = FaultInjector(FaultConfig(rate=1.0, hang_seconds=60))
    task = asyncio.create_task(injector.hang())
    await asyncio.sleep(0)
    assert not task.done()
    injector.release()
    await asyncio.wait_for(task, timeout=5)
    await asyncio.wait_for(injector.hang(), timeout=5)  # after release: no wait at all
