"""Which files make up which app."""

from __future__ import annotations

from pathlib import Path

from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.layout import AppSource, discover


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x: 1\n")


def test_single_files_and_folders(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "b.yml",
        "a.yaml",
        "notes.txt",
        "team/eu/app.yaml",
        "team/eu/live.yaml",
        "team/eu/call.yml",
        "team/us.yaml",
    )
    diagnostics = Diagnostics()
    assert discover(tmp_path, diagnostics) == [
        AppSource(tmp_path / "a.yaml", False, "a"),
        AppSource(tmp_path / "b.yml", False, "b"),
        AppSource(
            tmp_path / "team/eu/app.yaml",
            True,
            "eu",
            (("call", tmp_path / "team/eu/call.yml"), ("live", tmp_path / "team/eu/live.yaml")),
        ),
        AppSource(tmp_path / "team/us.yaml", False, "us"),
    ]
    assert diagnostics.errors == []


def test_misplaced_files_are_reported_and_left_out(tmp_path: Path) -> None:
    touch(tmp_path, "eu/app.yaml", "eu/readme.yaml", "eu/old/call.yaml", "eu/old/app.yaml")
    diagnostics = Diagnostics()
    sources = discover(tmp_path, diagnostics)
    assert sources == [AppSource(tmp_path / "eu/app.yaml", True, "eu")]
    assert [e.location.path.rsplit("/", 2)[-2:] for e in diagnostics.errors] == [
        ["old", "app.yaml"],
        ["old", "call.yaml"],
        ["eu", "readme.yaml"],
    ]
    assert "(did you mean" not in diagnostics.errors[2].message  # nothing close to "readme"


def test_apps_come_in_path_order(tmp_path: Path) -> None:
    # Path order compares component by component: "a/..." before "a-b/..." (as a string,
    # "a-b" sorts first), and a folder's files among its subfolders by name
    names = ["a-b/x.yaml", "a/b.yaml", "a.yaml", "a/a-b.yml", "B.yaml", "b.yaml", "a/c/d.yaml"]
    touch(tmp_path, *names)
    sources = discover(tmp_path, Diagnostics())
    assert [s.app_file for s in sources] == sorted(tmp_path / name for name in names)
    assert [s.app_file.relative_to(tmp_path).as_posix() for s in sources][:4] == [
        "B.yaml",
        "a/a-b.yml",
        "a/b.yaml",
        "a/c/d.yaml",
    ]
