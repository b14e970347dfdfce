"""-v, -q and --no-color work before or after the subcommand (Terraform/kubectl habits)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize("place", ["before", "after"])
def test_quiet_before_or_after_the_command(
    cli: Any, env: dict[str, str], desired: Path, place: str
) -> None:
    loud = cli("validate", desired)
    assert loud.code == 0
    assert "valid: 3 app(s)" in loud.err
    args = ["-q", "validate", desired] if place == "before" else ["validate", desired, "-q"]
    quiet = cli(*args)
    assert quiet.code == 0, quiet.err
    assert quiet.err == ""


def test_quiet_after_plan_keeps_the_result_and_drops_progress(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "p.json"
    loud = cli("plan", desired, "--out", saved)
    assert "saved the plan" in loud.err
    result = cli("plan", desired, "--out", saved, "-q")
    assert result.code == 0, result.err
    assert "~ call {" in result.out
    assert "saved the plan" not in result.err


@pytest.mark.parametrize(
    "args",
    [
        ("-vv", "plan", "{dir}"),
        ("plan", "{dir}", "-vv"),
        ("plan", "{dir}", "-v", "-v"),
        ("-v", "plan", "{dir}", "-v"),  # counts add up across both places
    ],
)
def test_verbose_anywhere_turns_on_request_logs(
    cli: Any,
    env: dict[str, str],
    desired: Path,
    args: tuple[str, ...],
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = cli(*(str(desired) if a == "{dir}" else a for a in args))
    assert result.code == 0, result.err
    lines = [r.getMessage() for r in caplog.records if r.name == "reconciler.api.client"]
    assert any(m.startswith("HTTP Request: POST http") for m in lines)
    assert all("usersig=(sensitive)" in m for m in lines if m.startswith("HTTP Request"))


def test_one_v_is_not_debug(
    cli: Any, env: dict[str, str], desired: Path, caplog: pytest.LogCaptureFixture
) -> None:
    result = cli("plan", desired, "-v")
    assert result.code == 0, result.err
    assert not [r for r in caplog.records if "HTTP Request" in r.getMessage()]


@pytest.mark.parametrize(
    "command", ["validate", "plan", "apply", "drift", "import", "schema", "completion", "emulator"]
)
def test_every_command_lists_the_global_options(cli: Any, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    for option in ("--verbose", "--quiet", "--no-color"):
        assert option in result.out


def test_unknown_option_after_the_command_is_still_an_error(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    result = cli("plan", desired, "--quietly")
    assert result.code == 1
    assert "--quietly" in result.err
