"""API fidelity cases of docs/tencent-api.md section 9, through the real CLI against the real emulator.

The emulator answers the open choices either way (``Behaviour``); the CLI must
converge in every case.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.emulator.operations import Behaviour, V1Missing
from reconciler.emulator.store import CallbackRecord

from .conftest import SEED

APP = 1400000003
KEY = "demo-key-not-secret-3"


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    started: list[RunningEmulator] = []

    def make(behaviour: Behaviour) -> RunningEmulator:
        running = start_emulator(SEED, rate_limit=False, behaviour=behaviour)
        started.append(running)
        for name in ("TRTC_SECRET_KEY", "TRTC_SECRET_KEY_STAGING_US"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("TRTC_ENDPOINT", running.base_url)
        monkeypatch.setenv(f"TRTC_SECRET_KEY_{APP}", KEY)
        return running

    yield make
    for running in started:
        running.stop()


def write_app(root: Path, region: str, callbacks: str) -> Path:
    root.mkdir(exist_ok=True)
    (root / "app.yaml").write_text(
        f"name: fidelity\nsdkappid: {APP}\nregion: {region}\ncallbacks:\n{callbacks}",
        encoding="utf-8",
    )
    return root


LEGACY = "  call_legacy:\n    url: https://hooks.example.com/v1\n    events: [normal_end]\n"


@pytest.mark.parametrize("mode", ["empty", "999"])
def test_call_legacy_converges_whichever_way_a_missing_config_is_answered(
    cli: Any, start: Any, tmp_path: Path, mode: V1Missing
) -> None:
    start(Behaviour(v1_missing=mode))
    desired = write_app(tmp_path / "desired", "usa", LEGACY)
    plan = cli("plan", desired, "--detailed-exitcode")
    assert plan.code == 2, plan.err
    assert "fidelity (1400000003) call_legacy will be created" in plan.out
    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.err + applied.out
    again = cli("plan", desired, "--detailed-exitcode")
    assert again.code == 0, again.err


@pytest.mark.parametrize("mode", ["empty", "999"])
def test_import_reads_a_missing_legacy_config_as_absent(
    cli: Any, start: Any, tmp_path: Path, mode: V1Missing
) -> None:
    start(Behaviour(v1_missing=mode))
    out = tmp_path / "imported"
    result = cli("import", "--sdkappid", str(APP), "--region", "usa", "--name", "fid", "--out", out)
    assert result.code == 0, result.err
    assert "call_legacy" not in "".join(p.read_text() for p in out.rglob("*.yaml"))


@pytest.mark.parametrize(
    ("region", "product", "canonical", "variant"),
    [
        ("usa", "live", "Live.CallbackAfterMemberStateChanged", "Live.CallbackMemberStateChanged"),
        ("china", "conference", "Room.CallbackAfterUpdateRoomInfo", "Room.CallbackUpdateRoomInfo"),
    ],
)
def test_apply_verifies_when_the_server_answers_the_other_spelling(
    cli: Any, start: Any, tmp_path: Path, region: str, product: str, canonical: str, variant: str
) -> None:
    emulator = start(Behaviour(variant_spellings=True))
    block = f"  {product}:\n    url: https://hooks.example.com/x\n    events: [{canonical}]\n"
    desired = write_app(tmp_path / "desired", region, block)
    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.err + applied.out
    assert " 0 unverified" in applied.out + applied.err
    # the emulator stored the canonical word, and answers the variant
    assert emulator.store.get_callback(APP, product).events == (canonical,)
    again = cli("plan", desired, "--detailed-exitcode")
    assert again.code == 0, again.out
    assert variant not in again.out


@pytest.mark.parametrize(
    ("region", "product", "canonical", "variant"),
    [
        ("usa", "live", "Live.CallbackAfterMemberStateChanged", "Live.CallbackMemberStateChanged"),
        ("china", "conference", "Room.CallbackAfterUpdateRoomInfo", "Room.CallbackUpdateRoomInfo"),
    ],
)
def test_live_config_holding_the_variant_plans_as_unchanged(
    cli: Any, start: Any, tmp_path: Path, region: str, product: str, canonical: str, variant: str
) -> None:
    emulator = start(Behaviour())
    url = "https://hooks.example.com/x"
    emulator.store.put_callback(APP, product, CallbackRecord(url=url, events=(variant,)))
    # declared in either spelling: nothing to change, and the plan shows the canonical one
    for word in (canonical, variant):
        block = f"  {product}:\n    url: {url}\n    events: [{word}]\n"
        desired = write_app(tmp_path / f"desired-{word}", region, block)
        plan = cli("plan", desired, "--detailed-exitcode", "--format", "json")
        assert plan.code == 0, plan.out + plan.err
        assert variant not in plan.out
