"""The one reader of ignore files: ``.reconcilerignore`` and ``.driftignore`` keep the
same bounds (link guard, byte cap, pattern cap, comments, located errors) because both
are read by :func:`reconciler.desired.ignorefile.read_ignore_file`; what a pattern
means stays each file's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.desired import ignorefile
from reconciler.desired.ignorefile import (
    IGNORE_MAX_BYTES,
    MAX_IGNORE_PATTERNS,
    PatternLine,
    read_ignore_file,
)
from reconciler.desired.layout import RECONCILERIGNORE, load_exclusions
from reconciler.errors import ConfigError, ConfigErrors, Location
from reconciler.plan.ignore import DRIFTIGNORE, load_rules

SECRET = "runner-secret-never-shown"


def _exclusions(folder: Path) -> list[str]:
    return load_exclusions(folder)


def _rules(folder: Path) -> list[str]:
    return [f"{rule.app}/{rule.product}" for rule in load_rules(folder, [])]


# (file name, its loader, a valid pattern for it, that pattern as the loader gives it)
FILES = [
    pytest.param(RECONCILERIGNORE, _exclusions, "drafts/", "drafts", id="reconcilerignore"),
    pytest.param(DRIFTIGNORE, _rules, "*/call", "*/call", id="driftignore"),
]
Loader = Callable[[Path], list[str]]


def _error(load: Loader, folder: Path) -> ConfigError:
    """The located error of the loader: .reconcilerignore's come as ConfigErrors (with
    the walk's others), .driftignore's as its first ConfigError."""
    with pytest.raises((ConfigError, ConfigErrors)) as caught:
        load(folder)
    error = caught.value
    if isinstance(error, ConfigErrors):
        assert len(error.errors) == 1
        return error.errors[0]
    assert isinstance(error, ConfigError)
    return error


@pytest.mark.parametrize(("name", "load", "pattern", "loaded"), FILES)
def test_comments_and_blank_lines_are_skipped(
    tmp_path: Path, name: str, load: Loader, pattern: str, loaded: str
) -> None:
    (tmp_path / name).write_text(f"# header\n\n   \n{pattern}   # why\n#{pattern}\n")
    assert load(tmp_path) == [loaded]


@pytest.mark.parametrize(("name", "load", "pattern", "loaded"), FILES)
def test_no_file_no_patterns(
    tmp_path: Path, name: str, load: Loader, pattern: str, loaded: str
) -> None:
    assert load(tmp_path) == []


@pytest.mark.parametrize(("name", "load", "pattern", "loaded"), FILES)
def test_the_pattern_cap_holds_and_is_located(
    tmp_path: Path, name: str, load: Loader, pattern: str, loaded: str
) -> None:
    (tmp_path / name).write_text(f"{pattern}\n" * MAX_IGNORE_PATTERNS)
    assert load(tmp_path) == [loaded] * MAX_IGNORE_PATTERNS  # at the cap: read
    (tmp_path / name).write_text(f"# many\n{pattern}\n" * MAX_IGNORE_PATTERNS + f"  {pattern}\n")
    error = _error(load, tmp_path)
    assert error.location == Location(str(tmp_path / name), 2 * MAX_IGNORE_PATTERNS + 1, 3)
    assert f"more than {MAX_IGNORE_PATTERNS} patterns in an ignore file" in error.message


@pytest.mark.parametrize(("name", "load", "pattern", "loaded"), FILES)
def test_the_byte_cap_holds_before_any_line_is_read(
    tmp_path: Path, name: str, load: Loader, pattern: str, loaded: str
) -> None:
    (tmp_path / name).write_text("# padding\n" * (IGNORE_MAX_BYTES // 10 + 1))
    error = _error(load, tmp_path)
    assert error.location.path == str(tmp_path / name)
    assert "over the 65,536-byte limit for an ignore file" in error.message


@pytest.mark.parametrize(("name", "load", "pattern", "loaded"), FILES)
def test_a_link_out_of_the_folder_is_refused_unread(
    tmp_path: Path, name: str, load: Loader, pattern: str, loaded: str
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{SECRET}\n")
    folder = tmp_path / "desired"
    folder.mkdir()
    (folder / name).symlink_to(outside)
    error = _error(load, folder)
    assert error.location == Location(str(folder / name), 1, 1)
    assert "symbolic link that leads out of the desired-state folder" in error.message
    assert SECRET not in str(error) and "outside.txt" not in str(error)


@pytest.mark.parametrize(("name", "load", "pattern", "loaded"), FILES)
def test_a_link_inside_the_folder_is_read(
    tmp_path: Path, name: str, load: Loader, pattern: str, loaded: str
) -> None:
    (tmp_path / "list.txt").write_text(f"{pattern}\n")
    (tmp_path / name).symlink_to(tmp_path / "list.txt")
    assert load(tmp_path) == [loaded]


@pytest.mark.parametrize(("name", "load", "pattern", "loaded"), FILES)
def test_a_file_that_is_not_utf8_is_located(
    tmp_path: Path, name: str, load: Loader, pattern: str, loaded: str
) -> None:
    (tmp_path / name).write_bytes(b"caf\xe9\n")
    error = _error(load, tmp_path)
    assert error.location.path == str(tmp_path / name)
    assert "UTF-8" in error.message


@pytest.mark.parametrize(("name", "load", "pattern", "loaded"), FILES)
def test_both_files_take_their_bounds_from_the_one_reader(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    load: Loader,
    pattern: str,
    loaded: str,
) -> None:
    """The cap is the shared reader's: lowered there, it holds for both files."""
    monkeypatch.setattr(ignorefile, "MAX_IGNORE_PATTERNS", 2)
    (tmp_path / name).write_text(f"{pattern}\n" * 3)
    error = _error(load, tmp_path)
    assert error.location == Location(str(tmp_path / name), 3, 1)
    assert "more than 2 patterns" in error.message


def test_the_reader_gives_each_pattern_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / ".anyignore"
    path.write_text("a\n\n  b/c # note\n\t#d\n")
    shown = str(path)
    assert read_ignore_file(path, tmp_path) == [
        PatternLine("a", Location(shown, 1, 1)),
        PatternLine("b/c", Location(shown, 3, 3)),
    ]


def test_a_driftignore_over_the_cap_is_refused_before_any_pattern_is_judged(
    tmp_path: Path,
) -> None:
    """The cap is the reader's, checked before a pattern means anything: a file of 101
    patterns is refused for its length even when its first pattern is also wrong (the
    old loop parsed each rule as it counted, and named the first bad pattern instead)."""
    (tmp_path / DRIFTIGNORE).write_text("not-a-rule\n" + "*/call\n" * MAX_IGNORE_PATTERNS)
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path, [])
    error = caught.value
    assert error.location == Location(str(tmp_path / DRIFTIGNORE), MAX_IGNORE_PATTERNS + 1, 1)
    assert f"more than {MAX_IGNORE_PATTERNS} patterns in an ignore file" in error.message
    (tmp_path / DRIFTIGNORE).write_text("not-a-rule\n" + "*/call\n" * (MAX_IGNORE_PATTERNS - 1))
    with pytest.raises(ConfigError, match="'not-a-rule' is not APP/PRODUCT"):
        load_rules(tmp_path, [])  # at the cap: read, then judged
