"""``--app`` and ``--exclude-app`` take shell globs on names and sdkappids; a selection
that matches nothing, or that ``--shard`` empties, is an error that says why.

The example fleet: prod-sg 1400000001 (shard 2/4), prod-cn 1400000002 (1/4),
staging-us 1400000003 (2/4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import EXAMPLES


def _planned(result: Any) -> list[str]:
    assert result.code == 0, result.err
    return sorted({c["app"] for c in result.json()["changes"]})


def _validated(cli: Any, *args: str) -> Any:
    return cli("validate", EXAMPLES, *args)


@pytest.mark.parametrize(
    ("args", "apps"),
    [
        (("--app", "prod-*"), ["prod-cn", "prod-sg"]),
        (("--app", "*-us"), ["staging-us"]),
        (("--app", "14000000?1"), ["prod-sg"]),
        (("--app", "1400000002"), ["prod-cn"]),
        (("--app", "prod-[sc]?"), ["prod-cn", "prod-sg"]),
        (("--exclude-app", "staging-*"), ["prod-cn", "prod-sg"]),
        (("--app", "prod-*", "--exclude-app", "1400000002"), ["prod-sg"]),
        (("--exclude-app", "prod-sg", "--exclude-app", "prod-cn"), ["staging-us"]),
    ],
)
def test_globs_on_names_and_sdkappids(
    cli: Any, env: dict[str, str], args: tuple[str, ...], apps: list[str]
) -> None:
    assert _planned(cli("plan", EXAMPLES, "--format", "json", *args)) == apps


def test_validate_and_drift_take_the_same_selection(cli: Any, env: dict[str, str]) -> None:
    result = _validated(cli, "--app", "prod-*", "--exclude-app", "prod-cn")
    assert result.code == 0, result.err
    assert "valid: 1 app(s)" in result.err
    drift = cli("drift", EXAMPLES, "--format", "json", "--exclude-app", "prod-*")
    assert drift.code == 2
    assert {c["app"] for c in drift.json()["changes"]} == {"staging-us"}


def test_a_pattern_that_matches_nothing_is_an_error(cli: Any, env: dict[str, str]) -> None:
    result = cli("plan", EXAMPLES, "--app", "stagin-*")
    assert result.code == 1
    assert "--app stagin-*: no such app: it matches no app name or sdkappid" in result.err
    assert "known: prod-cn, prod-sg, staging-us" in result.err
    assert result.out == ""


def test_an_exclusion_that_matches_nothing_is_an_error(cli: Any, env: dict[str, str]) -> None:
    result = _validated(cli, "--app", "prod-*", "--exclude-app", "staging-us")
    assert result.code == 1
    assert "--exclude-app staging-us: matches no app among the apps --app selected" in result.err


def test_excluding_everything_is_an_error(cli: Any, env: dict[str, str]) -> None:
    result = cli("plan", EXAMPLES, "--exclude-app", "*")
    assert result.code == 1
    assert "excludes every selected app" in result.err


def test_a_shard_that_empties_the_selection_is_an_error_naming_the_right_shard(
    cli: Any, env: dict[str, str]
) -> None:
    result = cli("plan", EXAMPLES, "--app", "prod-cn", "--shard", "2/4")
    assert result.code == 1
    assert "--shard 2/4 holds none of the 1 selected app(s) (prod-cn in 1/4)" in result.err
    assert "No changes" not in result.out + result.err
    right = cli("plan", EXAMPLES, "--app", "prod-cn", "--shard", "1/4", "--format", "json")
    assert _planned(right) == ["prod-cn"]


def test_a_shard_without_a_selection_may_be_empty(cli: Any, env: dict[str, str]) -> None:
    # three apps over four CI shards: one shard has nothing to do, and that is fine
    counts = []
    for k in range(1, 5):
        result = _validated(cli, "--shard", f"{k}/4")
        assert result.code == 0, result.err
        counts.append(int(result.err.split("valid: ")[1].split(" ")[0]))
    assert sum(counts) == 3 and 0 in counts


def test_help_documents_globs(cli: Any, tmp_path: Path) -> None:
    result = cli("plan", "--help")
    assert "--exclude-app" in result.out
    assert "wildcards" in result.out
