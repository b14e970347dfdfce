"""Safety thresholds per repository: ``safety:`` in policy.yaml, as octoDNS sets them per
provider. A fleet-wide edit from one ``defaults.yaml`` change passes once the
repository raises its threshold; the unsafe message says which threshold, by how
much, and where to change it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.desired import yamlsource
from reconciler.emulator.embedded import RunningEmulator, start_emulator
from tests.integration.conftest import read_log

KEY = "fleet-key-not-secret"
IDS = [1400400001 + i for i in range(12)]
EVENTS = "[Call.CallbackAfterEndCall]"


@pytest.fixture
def dry_fleet(tmp_path: Path) -> Path:
    """12 one-line apps whose call comes from the root defaults.yaml (converged live)."""
    seed = {
        "apps": [
            {
                "sdkappid": i,
                "secret_key": KEY,
                "callbacks": {
                    "call": {
                        "url": f"https://hooks.example.com/call/{i}",
                        "events": ["Call.CallbackAfterEndCall"],
                    }
                },
            }
            for i in IDS
        ]
    }
    (tmp_path / "seed.yaml").write_text(yaml.safe_dump(seed))
    desired = tmp_path / "desired"
    (desired / "apps").mkdir(parents=True)
    (desired / "defaults.yaml").write_text(
        "region: singapore\ncallbacks:\n  call:\n"
        "    url: https://hooks.example.com/call/{sdkappid}\n"
        f"    events: {EVENTS}\n"
    )
    for n, i in enumerate(IDS):
        (desired / "apps" / f"app-{n:02d}.yaml").write_text(f"sdkappid: {i}\n")
    return desired


@pytest.fixture
def emulator(
    dry_fleet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningEmulator]:
    for name in ("TRTC_ENDPOINT", "TRTC_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with start_emulator(tmp_path / "seed.yaml", request_log=tmp_path / "log.jsonl") as running:
        monkeypatch.setenv("TRTC_ENDPOINT", running.base_url)
        monkeypatch.setenv("TRTC_SECRET_KEY", KEY)
        yield running


def fleet_wide_edit(desired: Path) -> None:
    """One line of defaults.yaml changes the call URL of all 12 apps: 100 % updates."""
    path = desired / "defaults.yaml"
    path.write_text(path.read_text().replace("hooks.example.com", "new-hooks.example.com"))


def writes(tmp_path: Path) -> int:
    return sum(1 for r in read_log(tmp_path / "log.jsonl") if r["write"])


def test_default_thresholds_refuse_and_say_where_to_change_them(
    dry_fleet: Path, emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    fleet_wide_edit(dry_fleet)
    plan = cli("plan", dry_fleet, "--format", "json")
    assert plan.code == 0, plan.err
    safety = plan.json()["safety"]
    assert safety["verdict"] == "unsafe"
    assert safety["problems"] == [
        "12 updates are 100.0% of 12 existing managed configs (threshold 30%): 70.0 points "
        "over max_update_pct (the default; set `safety: max_update_pct:` in policy.yaml, "
        "or pass --max-update-pct)"
    ]
    refused = cli("apply", dry_fleet, "--auto-approve")
    assert refused.code == 1
    assert "70.0 points over max_update_pct (the default; set `safety: max_update_pct:`" in (
        refused.err
    )
    assert writes(tmp_path) == 0


def test_the_repository_raises_its_threshold_and_the_fleet_wide_edit_applies(
    dry_fleet: Path, emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    (dry_fleet / "policy.yaml").write_text("safety:\n  max_update_pct: 50\n")
    fleet_wide_edit(dry_fleet)
    unsafe = cli("plan", dry_fleet, "--format", "json")
    (problem,) = unsafe.json()["safety"]["problems"]
    assert problem.startswith(
        "12 updates are 100.0% of 12 existing managed configs (threshold 50%): 50.0 points "
        "over max_update_pct (set at "
    )
    assert problem.endswith("policy.yaml:2:19)")  # the setting's line and column
    assert unsafe.json()["safety"]["thresholds"]["max_update_pct"] == 50.0

    (dry_fleet / "policy.yaml").write_text("safety:\n  max_update_pct: 100\n  min_existing: 5\n")
    safe = cli("plan", dry_fleet, "--format", "json", "--out", tmp_path / "plan.json")
    assert safe.code == 0, safe.err
    assert safe.json()["safety"]["verdict"] == "safe"
    assert safe.json()["safety"]["thresholds"] == {
        "max_update_pct": 100.0,
        "max_delete_pct": 30.0,
        "min_existing": 5,
    }
    # a flag still wins over the repository's setting, and says so
    flagged = cli("apply", dry_fleet, "--auto-approve", "--max-update-pct", "90")
    assert flagged.code == 1
    assert "10.0 points over max_update_pct (set by --max-update-pct)" in flagged.err
    assert writes(tmp_path) == 0

    # the saved plan is applied under the thresholds it was judged by
    applied = cli("apply", tmp_path / "plan.json")
    assert applied.code == 0, applied.err
    assert "Apply: 12 applied" in applied.out
    assert cli("plan", dry_fleet, "--detailed-exitcode").code == 0


def test_a_saved_plan_names_itself_as_where_its_threshold_came_from(
    dry_fleet: Path, emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    fleet_wide_edit(dry_fleet)
    saved = tmp_path / "plan.json"
    assert cli("plan", dry_fleet, "--out", saved).code == 0
    refused = cli("apply", saved)
    assert refused.code == 1
    assert f"over max_update_pct (as recorded in {saved} when it was planned" in refused.err
    assert writes(tmp_path) == 0


def test_bad_safety_settings_are_located_errors(
    dry_fleet: Path, emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    (dry_fleet / "policy.yaml").write_text(
        "safety:\n  max_update_pct: 150\n  min_existing: -1\n  max_delet_pct: 5\n"
        "  max_delete_pct: true\n"
    )
    for command in ("validate", "plan"):
        result = cli(command, dry_fleet)
        assert result.code == 1, result.err
        assert (
            "policy.yaml:2:19: `safety.max_update_pct`: Input should be less than or equal to 100"
            in result.err
        )
        assert (
            "policy.yaml:3:17: `safety.min_existing`: Input should be greater than or equal to 0"
            in result.err
        )
        assert (
            "policy.yaml:4:3: unknown policy rule 'max_delet_pct' (did you mean "
            "'max_delete_pct'?); rules: max_update_pct, max_delete_pct, min_existing"
        ) in result.err
        assert "policy.yaml:5:19: `safety.max_delete_pct`:" in result.err
        assert "Traceback" not in result.err
    assert read_log(tmp_path / "log.jsonl") == []  # nothing sent


def test_a_plan_reads_the_policy_once_and_judges_by_what_it_read(
    dry_fleet: Path,
    emulator: RunningEmulator,
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The policy's rules and its ``safety:`` thresholds come from one read: a file
    that changes after it was read cannot give the run two different policies."""
    policy = dry_fleet / "policy.yaml"
    policy.write_text("safety:\n  max_update_pct: 50\n")
    fleet_wide_edit(dry_fleet)
    reads: list[Path] = []
    read_bytes = yamlsource._read_bytes

    def reading(path: Path, limit: int) -> bytes:
        raw = read_bytes(path, limit)
        if Path(path).name == "policy.yaml":
            reads.append(Path(path))
            policy.write_text("safety:\n  max_update_pct: 100\n")  # safe, if read again
        return raw

    monkeypatch.setattr(yamlsource, "_read_bytes", reading)
    plan = cli("plan", dry_fleet, "--format", "json")
    assert plan.code == 0, plan.err
    assert reads == [policy]
    safety = plan.json()["safety"]
    assert safety["verdict"] == "unsafe"
    assert safety["thresholds"]["max_update_pct"] == 50.0
    (problem,) = safety["problems"]
    assert "(threshold 50%): 50.0 points over max_update_pct (set at " in problem
    assert problem.endswith("policy.yaml:2:19)")
    assert writes(tmp_path) == 0


def test_a_plan_against_a_snapshot_is_judged_by_the_policy_it_loaded(
    dry_fleet: Path, emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    snapshot = tmp_path / "live.json"
    assert cli("snapshot", dry_fleet, "--out", snapshot).code == 0
    (dry_fleet / "policy.yaml").write_text("safety:\n  max_update_pct: 100\n  min_existing: 5\n")
    fleet_wide_edit(dry_fleet)
    plan = cli("plan", dry_fleet, "--live", snapshot, "--format", "json")
    assert plan.code == 0, plan.err
    safety = plan.json()["safety"]
    assert safety["verdict"] == "safe"
    assert safety["thresholds"] == {
        "max_update_pct": 100.0,
        "max_delete_pct": 30.0,
        "min_existing": 5,
    }
