"""Issue 12, item 1: ``reconciler apply FILE`` applies a saved plan as ``--plan FILE`` does,
and a wrong argument is answered with what was expected and what was found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.conftest import EXAMPLES, assert_no_secrets, read_log

EXPECTED = "expected a desired-state directory or a file written by `reconciler plan --out`"


def assert_refused(result: Any, request_log: Path) -> None:
    assert result.code == 1, result.err
    assert result.out == ""
    assert "Traceback" not in result.err
    assert not [r for r in read_log(request_log) if r["write"]]
    assert_no_secrets(result.out, result.err)


def test_a_yaml_file_is_named_as_yaml(cli: Any, env: dict[str, str], request_log: Path) -> None:
    path = EXAMPLES / "apps" / "prod-sg.yaml"
    result = cli("apply", path)
    assert_refused(result, request_log)
    assert f"{path}: not a saved plan (it is YAML (a desired-state file?" in result.err
    assert EXPECTED in result.err


def test_printed_json_is_not_a_saved_plan(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    printed = cli("plan", EXAMPLES, "--format", "json")
    path = tmp_path / "plan.json"
    path.write_text(printed.out)
    result = cli("apply", path, "--auto-approve")
    assert_refused(result, request_log)
    assert "it is plan JSON without a checksum, like `plan --format json` prints" in result.err
    assert EXPECTED in result.err


def test_a_file_of_something_else(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("{{{ not json: [ nor yaml")
    result = cli("apply", path)
    assert_refused(result, request_log)
    assert "not a saved plan (it is neither JSON nor YAML" in result.err
    json_list = tmp_path / "list.json"
    json_list.write_text('{"a": 1}')
    result = cli("apply", json_list)
    assert_refused(result, request_log)
    assert "not a saved plan (it has no format_version; no checksum)" in result.err


def test_no_argument_and_two_arguments(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    result = cli("apply")
    assert_refused(result, request_log)
    assert "give a desired-state directory or a saved plan file" in result.err
    plan_file = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", plan_file).code == 0
    result = cli("apply", EXAMPLES, "--plan", plan_file)
    assert_refused(result, request_log)
    assert "give either DIR_OR_PLANFILE or --plan FILE, not both" in result.err


def test_apply_file_and_apply_plan_file_are_the_same(
    cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", plan_file).code == 0
    first = cli("apply", plan_file)
    assert first.code == 0, first.err
    assert "Apply: 7 applied, 0 failed, 0 stale, 0 unverified." in first.out
    again = cli("apply", "--plan", plan_file)  # same file, same checks: now all stale
    assert "7 stale" in again.out


def test_help_says_both_forms(cli: Any) -> None:
    result = cli("apply", "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "DIR_OR_PLANFILE" in text
    assert "without asking: it was reviewed when it was made" in text
