"""The soak harness (benchmarks/soak.py): its checks, and a small soak with two
SIGKILLs at fixed points (after the 2nd and the 3rd write seen in the request log)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak", ROOT / "benchmarks" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


soak = _load()


def write(time: str, path: str, code: int = 0, sdkappid: int = 1) -> dict[str, Any]:
    return {"time": time, "path": path, "sdkappid": sdkappid, "code": code, "write": True}


def audit(result: str, time: str, seq: int, product: str = "call") -> dict[str, Any]:
    return {
        "time": time,
        "result": result,
        "seq": seq,
        "run_id": "r",
        "sdkappid": 1,
        "product": product,
    }


T0, T1, T2 = "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00", "2026-01-01T00:00:02+00:00"


def test_product_of_request_paths() -> None:
    assert soak.product_of("/v1/callback/set") == "call_legacy"
    assert soak.product_of("/v4/call_config/set_callback") == "call"
    assert soak.product_of("/v4/live_config/update_callback") == "live"
    assert soak.product_of("/v4/live_config/set_callback_token") == "live_token"
    assert soak.product_of("/v4/room_config/delete_callback") == "conference"


def test_a_write_inside_an_open_intent_is_covered() -> None:
    requests = [write("2026-01-01T00:00:01.500+00:00", "/v4/call_config/set_callback")]
    assert soak.writes_without_intent(requests, [audit("intent", T1, 1)]) == 0  # killed
    closed = [audit("intent", T0, 1), audit("applied", T2, 1)]
    assert soak.writes_without_intent(requests, closed) == 0


@pytest.mark.parametrize(
    "rows",
    [
        [],  # no intent at all
        [audit("intent", T2, 1)],  # the intent came after the write
        [audit("intent", T0, 1), audit("applied", T0, 1)],  # closed before the write
        [audit("intent", T0, 1, product="live")],  # another resource's intent
    ],
    ids=["none", "late", "closed", "other-resource"],
)
def test_a_write_without_an_open_intent_is_counted(rows: list[dict[str, Any]]) -> None:
    requests = [write(T1, "/v4/call_config/set_callback")]
    assert soak.writes_without_intent(requests, rows) == 1


def test_needless_writes_are_successful_repeats_per_resource() -> None:
    requests = [
        write(T0, "/v4/call_config/set_callback", code=100001),  # a fault: not a write
        write(T0, "/v4/call_config/set_callback"),
        write(T1, "/v4/call_config/set_callback"),  # the same resource again: needless
        write(T1, "/v4/live_config/set_callback"),
        write(T1, "/v4/live_config/set_callback", sdkappid=2),
    ]
    assert soak.needless_writes(requests) == 1


def test_a_small_soak_with_two_kills_converges_with_a_complete_audit(tmp_path: Path) -> None:
    result = soak.run_soak(
        tmp_path / "soak", apps=3, fault_rate=0.2, kills=2, kill_after=[2, 3], max_runs=6
    )
    assert result.kills == 2, result.line()
    assert result.converged and result.final_state_ok, (result.line(), result.notes)
    assert result.writes > 0
    assert result.writes_without_intent == 0, result.line()
    assert result.needless_writes == 0, result.line()
    assert result.ok
