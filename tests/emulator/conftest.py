from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.emulator.seed import CALLBACK_PRODUCTS

from .helpers import SEED, Api, MakeApi


@pytest.fixture(scope="module")
def shared_emu() -> Iterator[RunningEmulator]:
    """One emulator per test module (no rate limit); ``api`` wipes its configs per test."""
    with start_emulator(SEED, rate_limit=False) as running:
        yield running


@pytest.fixture(scope="module")
def shared_client(shared_emu: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shared_emu.base_url) as client:
        yield client


@pytest.fixture
def api(shared_emu: RunningEmulator, shared_client: httpx.Client) -> Api:
    """A client of the shared emulator, with every callback config deleted first."""
    for app in SEED.apps:
        for product in CALLBACK_PRODUCTS:
            shared_emu.store.delete_callback(app.sdkappid, product)
        shared_emu.store.delete_token(app.sdkappid)
    return Api(shared_client)


@pytest.fixture
def make_api() -> Iterator[MakeApi]:
    """Start a dedicated emulator with any ``start_emulator`` options; returns its client."""
    with ExitStack() as stack:

        def make(**options: Any) -> Api:
            options.setdefault("seed", SEED)
            running = stack.enter_context(start_emulator(**options))
            client = stack.enter_context(httpx.Client(base_url=running.base_url))
            return Api(client)

        yield make
