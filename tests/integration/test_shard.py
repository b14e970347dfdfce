"""``--shard K/N``: a deterministic split of a fleet, so N CI jobs cover it exactly once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from tests.integration.fixtures.ops.fleet import FLEET_KEY, Fleet, clean_env, make_fleet

SIZE = 40
SHARDS = 4


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    # nothing live yet: every app has one create, so every app shows in the plan
    return make_fleet(tmp_path_factory.mktemp("shard") / "fleet", SIZE, live=False)


@pytest.fixture
def fleet_env(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningEmulator]:
    with start_emulator(fleet.seed) as running:
        clean_env(monkeypatch, TRTC_ENDPOINT=running.base_url, TRTC_SECRET_KEY=FLEET_KEY)
        yield running


def planned_apps(result: Any) -> list[str]:
    assert result.code == 0, result.err
    return [c["app"] for c in result.json()["changes"]]


def validated_count(result: Any) -> int:
    assert result.code == 0, result.err
    match = re.search(r"valid: (\d+) app\(s\)", result.err)
    assert match, result.err
    return int(match[1])


def validate_shards(cli: Any, fleet: Fleet, n: int = SHARDS) -> list[int]:
    return [
        validated_count(cli("validate", fleet.desired, "--shard", f"{k}/{n}"))
        for k in range(1, n + 1)
    ]


def test_validate_shards_add_up_to_the_fleet(cli: Any, fleet: Fleet) -> None:
    counts = validate_shards(cli, fleet)
    assert sum(counts) == SIZE
    assert all(counts), counts  # 40 apps: no shard is empty
    assert validate_shards(cli, fleet, 1) == [SIZE]
    assert validate_shards(cli, fleet) == counts


def plan_shard(cli: Any, fleet: Fleet, k: int) -> list[str]:
    # --product call: the shard split is by app; one read per app keeps this quick
    return planned_apps(
        cli(
            "plan",
            fleet.desired,
            "--format",
            "json",
            "--product",
            "call",
            "--shard",
            f"{k}/{SHARDS}",
        )
    )


def test_plan_shards_partition_the_fleet_deterministically(
    cli: Any, fleet: Fleet, fleet_env: RunningEmulator
) -> None:
    shards = [plan_shard(cli, fleet, k) for k in range(1, SHARDS + 1)]
    seen = [app for shard in shards for app in shard]
    assert len(seen) == len(set(seen)), "an app is in two shards"
    assert sorted(seen) == fleet.names  # the union is the whole fleet
    assert all(shards), [len(s) for s in shards]

    # the same split on every run (and in every CI job)
    for k, shard in enumerate(shards, start=1):
        assert plan_shard(cli, fleet, k) == shard

    # validate and plan agree on the split
    assert validate_shards(cli, fleet) == [len(s) for s in shards]


def test_drift_shards_partition_the_drift(
    cli: Any, fleet: Fleet, fleet_env: RunningEmulator
) -> None:
    codes, apps = [], []
    for k in range(1, SHARDS + 1):
        # as drift.yml runs it (one shard per job); JSON to read it back
        result = cli(
            "drift", fleet.desired, "--shard", f"{k}/{SHARDS}", "--format", "json",
            "--product", "call",
        )  # fmt: skip
        codes.append(result.code)
        apps += [c["app"] for c in result.json()["changes"]]
    assert codes == [2] * SHARDS
    assert sorted(apps) == fleet.names


@pytest.mark.parametrize("shard", ["0/4", "5/4", "x", "1/0", "1/4/2", "-1/4", "1.5/4", "/4", ""])
@pytest.mark.parametrize("command", ["validate", "plan", "drift", "apply"])
def test_bad_shards_exit_1(cli: Any, fleet: Fleet, command: str, shard: str) -> None:
    result = cli(command, fleet.desired, f"--shard={shard}")
    assert result.code == 1, result.err
    assert "--shard" in result.err
    assert result.out == ""


def test_the_split_is_the_same_in_another_process(
    cli: Any, fleet: Fleet, fleet_env: RunningEmulator
) -> None:
    """CI shards are separate processes: the split must not depend on Python's hash seed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRTC_", "GITHUB_"))}
    env["PYTHONHASHSEED"] = "12345"  # this process runs with another (random) seed
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", str(fleet.desired), "--format", "json",
         "--product", "call", "--shard", f"2/{SHARDS}", "--emulator", str(fleet.seed)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    there = [c["app"] for c in json.loads(done.stdout)["changes"]]
    assert there  # not trivially equal
    assert there == plan_shard(cli, fleet, 2)
