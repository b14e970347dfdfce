"""The in-process emulator: start, stop, persistence, seeding."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import pytest

from reconciler.emulator.app import emulator_of
from reconciler.emulator.embedded import EmulatorStartError, start_emulator
from reconciler.emulator.seed import Seed, SeedApp
from reconciler.errors import ConfigError

from .helpers import APP, CALL_WORDS, OTHER, SEED, URL, Api, v4_code

FIXTURES = Path(__file__).parent / "fixtures"
SET = "/v4/call_config/set_callback"
GET = "/v4/call_config/get_callback"


def test_base_url_and_stop() -> None:
    emu = start_emulator(SEED)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.base_url)
    assert emu.port > 0 and emu.base_url.endswith(f":{emu.port}")
    assert emu.running
    assert emu.secret_keys() == SEED.secret_keys()
    assert emu.seed is SEED
    with httpx.Client(base_url=emu.base_url) as client:
        assert v4_code(Api(client).call(GET)) == 100301
    emu.stop()
    emu.stop()  # idempotent
    assert not emu.running
    with pytest.raises(httpx.ConnectError):
        httpx.post(emu.base_url + GET, content=b"{}")


def test_no_seed_means_no_apps() -> None:
    with start_emulator() as emu:
        assert emu.secret_keys() == {}
        assert emu.seed == Seed()


def test_seed_file_path_is_loaded() -> None:
    with start_emulator(FIXTURES / "seed.yaml") as emu:
        assert set(emu.secret_keys()) == {1400000001, 1400000002}


def test_bad_seed_file_raises_config_error() -> None:
    with pytest.raises(ConfigError, match=r"bad-seed\.yaml:7:18: unknown command word"):
        start_emulator(FIXTURES / "bad-seed.yaml")


def test_port_in_use_is_a_start_error() -> None:
    with start_emulator(SEED) as emu, pytest.raises(EmulatorStartError, match="cannot listen"):
        start_emulator(SEED, port=emu.port)


def test_state_persists_across_restarts_and_seed_is_ignored(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    with start_emulator(SEED, db=db) as emu, httpx.Client(base_url=emu.base_url) as client:
        body = {"Url": URL, "CallbackCommandList": CALL_WORDS}
        assert v4_code(Api(client).call(SET, body)) == 0

    other_seed = Seed(apps=(SeedApp(999, "another-key"),))
    with start_emulator(other_seed, db=db) as emu, httpx.Client(base_url=emu.base_url) as client:
        assert set(emu.secret_keys()) == set(SEED.secret_keys())  # the new seed was ignored
        got = Api(client).call(GET)
        assert got["Response"] == {"Url": URL, "CallbackCommandList": CALL_WORDS}
        assert v4_code(Api(client).call(GET, sdkappid=OTHER)) == 100301


def test_seed_fills_an_empty_db_file(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    with start_emulator(FIXTURES / "seed.yaml", db=str(db)):
        pass
    assert db.exists()
    with start_emulator(db=str(db)) as emu:
        assert set(emu.secret_keys()) == {1400000001, 1400000002}


def test_stop_ends_a_hanging_request_quickly() -> None:
    emu = start_emulator(SEED, fault_rate=1.0, fault_kinds=["hang"], hang_seconds=60)
    outcome: list[object] = []

    def call() -> None:
        with httpx.Client(base_url=emu.base_url) as client:
            try:
                outcome.append(Api(client).call(GET, timeout=30))
            except httpx.HTTPError as exc:
                outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    faults = emulator_of(emu.app).faults
    deadline = time.monotonic() + 10
    while faults.hanging == 0 and time.monotonic() < deadline:
        time.sleep(0.01)  # wait until the request hangs
    assert faults.hanging == 1
    started = time.monotonic()
    emu.stop()
    caller.join(timeout=10)
    assert not caller.is_alive()
    assert time.monotonic() - started < 10  # far below the 60 s hang
    assert outcome and isinstance(outcome[0], dict)
    assert outcome[0]["ErrorCode"] == 100001


def test_repr_shows_the_url_not_secrets() -> None:
    with start_emulator(SEED) as emu:
        shown = repr(emu)
        assert emu.base_url in shown
        assert all(key not in shown for key in SEED.secret_keys().values())
        assert APP
