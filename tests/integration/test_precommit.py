"""The ``reconciler-validate`` hook of .pre-commit-hooks.yaml, run the way users run it:
``pre-commit try-repo`` against this repository, in a sample desired-state git repo.

pre-commit builds the hook's environment from this repository (one install per module),
so this test also proves the package installs and that its ``reconciler`` entry point runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.integration.conftest import EXAMPLES, ROOT

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def test_hook_manifest_declares_reconciler_validate() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "reconciler-validate"]
    assert hook["entry"] == "reconciler validate"
    assert hook["language"] == "python"
    assert hook.get("pass_filenames", True) is True  # it validates the changed files


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@localhost", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shutil.which("git"), "pre-commit try-repo needs git on PATH"
    assert PRE_COMMIT.exists(), "install the test extra: pip install -e '.[test]'"
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def this_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository as it is on disk, new files included, committed in a copy.

    try-repo on the working tree itself would leave out files not yet added to git.
    """
    copy = tmp_path_factory.mktemp("this-repo")
    listed = _git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    _git(copy, "init", "-q")
    _git(copy, "add", ".")
    _git(copy, "commit", "-q", "-m", "snapshot for pre-commit try-repo")
    return copy


@pytest.fixture
def sample_repo(tmp_path: Path) -> Iterator[Path]:
    repo = tmp_path / "desired-repo"
    shutil.copytree(EXAMPLES, repo)
    # Not apps: dot-folders and dot-files must never be passed to the hook.
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "plan.yml").write_text("on: [pull_request]\njobs: {}\n")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    yield repo


def _try_repo(hooks: Path, repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    args = ["--files", *files] if files else ["--all-files"]
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(hooks), "reconciler-validate", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_valid_repo_passes(this_repo: Path, sample_repo: Path, pre_commit_home: Path) -> None:
    result = _try_repo(this_repo, sample_repo, pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "reconciler validate" in result.stdout
    assert "Passed" in result.stdout


def test_a_broken_changed_file_fails_with_its_location(
    this_repo: Path, sample_repo: Path, pre_commit_home: Path
) -> None:
    bad = sample_repo / "apps" / "staging-us.yaml"
    text = bad.read_text()
    broken = re.sub(r"(?m)^region: \w+", "region: mars", text)
    assert broken != text
    bad.write_text(broken)
    result = _try_repo(this_repo, sample_repo, pre_commit_home, "apps/staging-us.yaml")
    assert result.returncode == 1
    assert "Failed" in result.stdout
    assert "apps/staging-us.yaml:" in result.stdout
    assert "region" in result.stdout


def test_a_product_file_is_checked_with_its_app_folder(
    this_repo: Path, sample_repo: Path, pre_commit_home: Path
) -> None:
    product = sample_repo / "apps" / "prod-cn" / "call.yaml"
    product.write_text(product.read_text() + "\nunknown_key: 1\n")
    result = _try_repo(this_repo, sample_repo, pre_commit_home, "apps/prod-cn/call.yaml")
    assert result.returncode == 1
    assert "apps/prod-cn/call.yaml:" in result.stdout
    assert "unknown_key" in result.stdout
