"""Fixtures shared by every test package."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from importlib.metadata import version

import pytest

from reconciler.secret import run_secrets

LOOPTIME_STALLS = tuple(int(part) for part in version("looptime").split(".")[:2]) < (0, 8)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not LOOPTIME_STALLS:
        return
    for item in items:
        if item.get_closest_marker("looptime") is not None and isinstance(item, pytest.Function):
            item.fixturenames.append("_looptime_never_stalls")


@pytest.fixture
async def _looptime_never_stalls() -> AsyncIterator[None]:
    """Work around a stall of looptime 0.7, the last release for Python 3.10.

    looptime rounds its fake clock to 1e-6 s, while asyncio calls a timer due only
    within its clock resolution (1e-9 s). A timer due a fraction of a microsecond
    after the rounded "now" is then never due, and the loop spins forever (seen with
    the jittered retry waits). Letting asyncio treat timers within 1e-6 s as due
    matches looptime's own resolution; later looptime releases need no such help.
    """
    loop = asyncio.get_running_loop()
    loop._clock_resolution = max(loop._clock_resolution, 1e-6)  # type: ignore[attr-defined]
    yield


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test runs as on a laptop even inside GitHub Actions (the project's own CI): no
    step summary or annotations written for real, no secrets bundle of the caller. A
    test that needs one of these sets it itself."""
    for name in list(os.environ):
        if name.startswith("GITHUB_") or name == "RECONCILER_SECRETS":
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _fresh_known_secrets() -> Iterator[None]:
    """Each test is a run of its own: secrets of an earlier test are not scrubbed in it."""
    with run_secrets():
        yield
