"""Commands run their coroutine on uvloop when it is installed, asyncio's loop on request."""

from __future__ import annotations

import asyncio

import pytest

from reconciler.api import runner


async def loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_uvloop_runs_the_command_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("uvloop")
    monkeypatch.delenv(runner.LOOP_ENV, raising=False)
    assert runner.run(loop_module()).startswith("uvloop")


def test_the_standard_loop_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runner.LOOP_ENV, "asyncio")
    assert runner.run(loop_module()).startswith("asyncio")
