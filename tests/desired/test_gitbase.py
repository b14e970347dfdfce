"""The desired state at a git revision (``plan --base``): copied out of git, never a
symlink, never outside the folder; a folder that did not exist yet is empty."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reconciler.desired.gitbase import desired_at
from reconciler.desired.layout import excluded
from reconciler.errors import UsageError


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "desired" / "apps").mkdir(parents=True)
    (repo / "desired" / "apps" / "a.yaml").write_text("base\n")
    (repo / "other.yaml").write_text("not in the folder\n")
    (repo / "desired" / "link.yaml").symlink_to("../other.yaml")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "desired" / "apps" / "a.yaml").write_text("head\n")
    return repo


def test_the_folder_at_the_revision_without_symlinks(repo: Path) -> None:
    with desired_at(repo / "desired", "main") as base:
        files = sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())
        assert files == ["apps/a.yaml"]
        assert (base / "apps" / "a.yaml").read_text() == "base\n"
    assert not base.exists()  # a temporary copy, removed afterwards


def test_the_repository_root_as_the_folder(repo: Path) -> None:
    with desired_at(repo, "main") as base:
        assert (base / "other.yaml").read_text() == "not in the folder\n"
        assert (base / "desired" / "apps" / "a.yaml").read_text() == "base\n"
        assert not (base / "desired" / "link.yaml").exists()


def test_a_folder_new_since_the_revision_is_empty(repo: Path) -> None:
    (repo / "newer").mkdir()
    with desired_at(repo / "newer", "main") as base:
        assert list(base.iterdir()) == []


@pytest.mark.parametrize("ref", ["", "-x", "a b", "nope", "main\n"])
def test_a_bad_revision_is_a_usage_error(repo: Path, ref: str) -> None:
    with pytest.raises(UsageError, match="--base"), desired_at(repo / "desired", ref):
        pass


def test_outside_a_git_checkout(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="inside a git checkout"), desired_at(tmp_path, "main"):
        pass


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("drafts/a.yaml", ["drafts"], True),
        ("apps/drafts/a.yaml", ["drafts"], True),
        ("apps/a.example.yaml", ["*.example.yaml"], True),
        ("legacy/a.yaml", ["legacy/*.yaml"], True),
        ("apps/legacy/a.yaml", ["legacy/*.yaml"], False),
        ("apps/prod-cn/call.yaml", ["apps/prod-cn"], True),
        ("apps/prod-sg.yaml", ["apps/prod-cn"], False),
        ("apps/prod-sg.yaml", [], False),
    ],
)
def test_reconcilerignore_patterns(path: str, patterns: list[str], expected: bool) -> None:
    assert excluded(path, patterns) is expected
