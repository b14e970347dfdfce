"""Safety thresholds of ``apply``: refuse a plan that touches too much of a fleet.

A generated fleet of managed ``call`` configs (all live and converged) is
changed in the desired state; the emulator's request log shows whether
anything was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from tests.integration.conftest import read_log
from tests.integration.fixtures.ops.fleet import FLEET_KEY, Fleet, clean_env, make_fleet, sdkappid

NEW_URL = "https://new-hooks.example.com/call"


@pytest.fixture
def fleet(tmp_path: Path) -> Fleet:
    return make_fleet(tmp_path / "fleet", 10)


@pytest.fixture
def fleet_emulator(
    fleet: Fleet, request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningEmulator]:
    with start_emulator(fleet.seed, request_log=request_log) as running:
        clean_env(monkeypatch, TRTC_ENDPOINT=running.base_url, TRTC_SECRET_KEY=FLEET_KEY)
        yield running


def refusal(n: int, action: str, pct: int, existing: int, threshold: str = "30") -> re.Pattern[str]:
    """The refusal names the count, its share (40% or 40.0%), the base and the threshold."""
    return re.compile(
        rf"{n} {action}s are {pct}(\.0)?% of {existing} existing managed configs "
        rf"\(threshold {re.escape(threshold)}%\)"
    )


def writes(log: Path) -> list[dict[str, Any]]:
    return [r for r in read_log(log) if r["write"]]


def plan_summary(cli: Any, fleet: Fleet) -> dict[str, int]:
    """What live looks like now (only `call` is managed: no need to probe the rest)."""
    result = cli("plan", fleet.desired, "--format", "json", "--product", "call")
    assert result.code == 0, result.err
    summary: dict[str, int] = result.json()["summary"]
    return summary


def test_too_many_updates_are_refused_and_nothing_is_written(
    cli: Any, fleet: Fleet, fleet_emulator: RunningEmulator, request_log: Path
) -> None:
    assert plan_summary(cli, fleet) == {"create": 0, "update": 0, "delete": 0, "unchanged": 10}
    fleet.set_call(range(4), NEW_URL)  # 4 of 10 = 40% > 30%

    refused = cli("apply", fleet.desired, "--auto-approve")
    assert refused.code == 1
    assert refusal(4, "update", 40, 10).search(refused.err), refused.err
    assert "--force" in refused.err
    assert "nothing applied" in refused.err
    assert "\napplied: " not in refused.err and refused.out == ""
    assert writes(request_log) == []
    assert plan_summary(cli, fleet)["update"] == 4  # live unchanged

    forced = cli("apply", fleet.desired, "--auto-approve", "--force")
    assert forced.code == 0, forced.err
    assert "Apply: 4 applied, 0 failed, 0 stale, 0 unverified." in forced.out
    assert {r["sdkappid"] for r in writes(request_log)} == {sdkappid(i) for i in range(4)}
    assert plan_summary(cli, fleet)["update"] == 0


def test_a_raised_update_threshold_lets_the_plan_through(
    cli: Any, fleet: Fleet, fleet_emulator: RunningEmulator, request_log: Path
) -> None:
    fleet.set_call(range(4), NEW_URL)
    tight = cli("apply", fleet.desired, "--auto-approve", "--max-update-pct", "39.9")
    assert tight.code == 1
    assert "(threshold 39.9%)" in tight.err
    assert writes(request_log) == []

    result = cli("apply", fleet.desired, "--auto-approve", "--max-update-pct", "50")
    assert result.code == 0, result.err
    assert "Apply: 4 applied" in result.out
    assert len(writes(request_log)) == 4


def test_exactly_at_the_threshold_is_allowed(
    cli: Any, fleet: Fleet, fleet_emulator: RunningEmulator, request_log: Path
) -> None:
    fleet.set_call(range(3), NEW_URL)  # 3 of 10 = 30%: not more than 30%
    result = cli("apply", fleet.desired, "--auto-approve")
    assert result.code == 0, result.err
    assert len(writes(request_log)) == 3


def test_too_many_deletes_are_refused(
    cli: Any, fleet: Fleet, fleet_emulator: RunningEmulator, request_log: Path
) -> None:
    fleet.set_absent(range(4))
    refused = cli("apply", fleet.desired, "--auto-approve", "--max-update-pct", "100")
    assert refused.code == 1
    assert refusal(4, "delete", 40, 10).search(refused.err), refused.err
    assert "--force" in refused.err
    assert writes(request_log) == []

    # the delete threshold is its own: raising the update one does not help, this does
    result = cli("apply", fleet.desired, "--auto-approve", "--max-delete-pct", "50")
    assert result.code == 0, result.err
    assert "Apply: 4 applied" in result.out
    assert {r["command"] for r in writes(request_log)} == {"delete_callback"}
    assert plan_summary(cli, fleet) == {"create": 0, "update": 0, "delete": 0, "unchanged": 10}


def test_updates_and_deletes_both_over_are_both_named(
    cli: Any, fleet: Fleet, fleet_emulator: RunningEmulator, request_log: Path
) -> None:
    fleet.set_call(range(4), NEW_URL)
    fleet.set_absent(range(4, 8))
    refused = cli("apply", fleet.desired, "--auto-approve")
    assert refused.code == 1
    assert refusal(4, "update", 40, 10).search(refused.err), refused.err
    assert refusal(4, "delete", 40, 10).search(refused.err), refused.err
    assert writes(request_log) == []
    forced = cli("apply", fleet.desired, "--auto-approve", "--force")
    assert forced.code == 0, forced.err
    assert len(writes(request_log)) == 8


def test_creates_do_not_count(
    cli: Any, tmp_path: Path, request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = make_fleet(tmp_path / "new", 12, live=False)  # nothing exists: 12 creates
    with start_emulator(fleet.seed, request_log=request_log) as running:
        clean_env(monkeypatch, TRTC_ENDPOINT=running.base_url, TRTC_SECRET_KEY=FLEET_KEY)
        result = cli("apply", fleet.desired, "--auto-approve")
    assert result.code == 0, result.err
    assert "Apply: 12 applied" in result.out


def test_below_min_existing_nothing_is_refused(
    cli: Any, fleet: Fleet, fleet_emulator: RunningEmulator, request_log: Path
) -> None:
    fleet.set_call(range(10), NEW_URL)  # 100% of 10
    refused = cli("apply", fleet.desired, "--auto-approve")
    assert refused.code == 1
    result = cli("apply", fleet.desired, "--auto-approve", "--min-existing", "11")
    assert result.code == 0, result.err
    assert "Apply: 10 applied" in result.out


def test_a_small_fleet_is_below_the_default_min_existing(
    cli: Any, tmp_path: Path, request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = make_fleet(tmp_path / "small", 9)
    fleet.set_call(range(9), NEW_URL)  # 9 of 9 existing, but fewer than 10 exist
    with start_emulator(fleet.seed, request_log=request_log) as running:
        clean_env(monkeypatch, TRTC_ENDPOINT=running.base_url, TRTC_SECRET_KEY=FLEET_KEY)
        result = cli("apply", fleet.desired, "--auto-approve")
    assert result.code == 0, result.err
    assert "Apply: 9 applied" in result.out


def test_a_saved_plan_is_held_to_the_same_thresholds(
    cli: Any, fleet: Fleet, fleet_emulator: RunningEmulator, request_log: Path, tmp_path: Path
) -> None:
    fleet.set_call(range(4), NEW_URL)
    fleet.set_absent([9])
    saved = tmp_path / "plan.json"
    planned = cli("plan", fleet.desired, "--out", saved)
    assert planned.code == 0, planned.err

    refused = cli("apply", "--plan", saved, "--auto-approve")
    assert refused.code == 1
    assert refusal(4, "update", 40, 10).search(refused.err), refused.err
    assert "--force" in refused.err
    assert writes(request_log) == []

    raised = cli("apply", "--plan", saved, "--auto-approve", "--max-update-pct", "50")
    assert raised.code == 0, raised.err
    assert "Apply: 5 applied" in raised.out
    assert len(writes(request_log)) == 5


def test_a_saved_plan_applies_with_force(
    cli: Any, fleet: Fleet, fleet_emulator: RunningEmulator, request_log: Path, tmp_path: Path
) -> None:
    fleet.set_absent(range(5))
    saved = tmp_path / "plan.json"
    assert cli("plan", fleet.desired, "--out", saved).code == 0
    refused = cli("apply", "--plan", saved, "--auto-approve")
    assert refused.code == 1
    assert refusal(5, "delete", 50, 10).search(refused.err), refused.err
    assert writes(request_log) == []
    forced = cli("apply", "--plan", saved, "--auto-approve", "--force")
    assert forced.code == 0, forced.err
    assert len(writes(request_log)) == 5
