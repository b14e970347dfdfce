"""Desired-state discovery inside a real repository: dot-entries, .reconcilerignore,
symlinks that lead out of the folder, and ``validate FILE...`` (a pre-commit hook)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import EXAMPLES

RUNNER_SECRET = "TRTC_SECRET_KEY=runner-file-content-1234"


def _count(result: Any) -> str:
    line = [x for x in result.err.splitlines() if x.startswith("valid:")]
    assert line, result.err
    return line[0]


def test_dot_folders_and_dot_files_are_never_read_as_apps(cli: Any, desired: Path) -> None:
    (desired / ".github" / "workflows").mkdir(parents=True)
    (desired / ".github" / "workflows" / "plan.yml").write_text("on: [pull_request]\njobs: {}\n")
    (desired / ".pre-commit-config.yaml").write_text("repos: []\n")
    (desired / "apps" / ".hidden.yaml").write_text("not: an app\n")
    result = cli("validate", desired)
    assert result.code == 0, result.err
    assert _count(result) == "valid: 3 app(s), 9 managed configuration(s)"


def test_reconcilerignore_excludes_paths(cli: Any, desired: Path) -> None:
    (desired / "drafts").mkdir()
    (desired / "drafts" / "broken.yaml").write_text("name: [unclosed\n")
    (desired / "apps" / "template.example.yaml").write_text("not: an app\n")
    assert cli("validate", desired).code == 1  # read without the ignore file
    (desired / ".reconcilerignore").write_text("# not apps\ndrafts/\n*.example.yaml\n")
    result = cli("validate", desired)
    assert result.code == 0, result.err
    assert _count(result) == "valid: 3 app(s), 9 managed configuration(s)"


def test_reconcilerignore_with_a_path_pattern(cli: Any, desired: Path) -> None:
    (desired / ".reconcilerignore").write_text("apps/prod-cn\n")
    result = cli("validate", desired)
    assert result.code == 0, result.err
    assert _count(result) == "valid: 2 app(s), 6 managed configuration(s)"


def test_a_symlink_out_of_the_folder_is_an_error_that_quotes_nothing_of_it(
    cli: Any, desired: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "ci.env"
    outside.write_text(RUNNER_SECRET + "\n")
    (desired / "x.yaml").symlink_to(os.path.relpath(outside, desired))
    result = cli("validate", desired)
    assert result.code == 1
    assert "x.yaml:1:1: a symbolic link that leads out of the desired-state folder" in result.err
    assert "runner-file-content" not in result.out + result.err
    assert "ci.env" not in result.out + result.err


def test_a_symlinked_folder_out_of_the_root_is_an_error(
    cli: Any, desired: Path, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "app.yaml").write_text(RUNNER_SECRET + "\n")
    (desired / "linked").symlink_to(secrets, target_is_directory=True)
    result = cli("validate", desired)
    assert result.code == 1
    assert "linked:1:1: a symbolic link that leads out" in result.err
    assert "runner-file-content" not in result.err
    assert str(secrets) not in result.err


def test_a_symlink_inside_the_folder_is_read(cli: Any, desired: Path) -> None:
    (desired / "apps" / "prod-sg.yaml").rename(desired / "prod-sg.real")
    (desired / "apps" / "prod-sg.yaml").symlink_to("../prod-sg.real")
    result = cli("validate", desired)
    assert result.code == 0, result.err
    assert _count(result) == "valid: 3 app(s), 9 managed configuration(s)"


def test_a_dangling_symlink_is_an_error(cli: Any, desired: Path) -> None:
    (desired / "gone.yaml").symlink_to("nowhere.yaml")
    result = cli("validate", desired)
    assert result.code == 1
    assert "gone.yaml:1:1: a symbolic link whose target does not exist" in result.err


def test_validate_accepts_files_as_a_pre_commit_hook_passes_them(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES)
    result = cli("validate", "apps/prod-cn/call.yaml", "apps/prod-sg.yaml", "apps/prod-sg.yaml")
    assert result.code == 0, result.err
    # call.yaml stands for the whole prod-cn folder (3 products), prod-sg has 4
    assert _count(result) == "valid: 2 app(s), 7 managed configuration(s)"


def test_validate_files_skips_dot_files_and_non_yaml(cli: Any, desired: Path) -> None:
    (desired / ".pre-commit-config.yaml").write_text("repos: []\n")
    (desired / "README.md").write_text("# apps\n")
    result = cli(
        "validate",
        desired / ".pre-commit-config.yaml",
        desired / "README.md",
        desired / "apps" / "staging-us.yaml",
    )
    assert result.code == 0, result.err
    assert _count(result).startswith("valid: 1 app(s)")


def test_validate_files_reports_errors_located_in_the_file(cli: Any, desired: Path) -> None:
    bad = desired / "apps" / "prod-cn" / "call.yaml"
    bad.write_text(bad.read_text().replace("url:", "ur1:"))
    result = cli("validate", bad)
    assert result.code == 1
    assert "call.yaml:" in result.err


def test_validate_refuses_a_directory_mixed_with_files(cli: Any, desired: Path) -> None:
    result = cli("validate", desired, desired / "apps" / "prod-sg.yaml")
    assert result.code == 1
    assert "one DIRECTORY, or one or more FILEs" in result.err
