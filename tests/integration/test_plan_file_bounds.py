"""Issue 22 (one reader of plan files) and issue 20 (bounds on what a PR may plant).

``apply --plan FILE`` and ``apply --plan FRESH --reviewed FILE`` read a saved plan
through the same bounded reader: each guard below refuses the same bad file on both
entry points, with the file named, what is wrong and what to do, exit code 1,
nothing sent and no traceback. Before, ``--plan`` read a file of any size, through a
link out of its folder, of any number of containers or nesting; ``--reviewed`` let
1e400 and NaN through to the model and answered a bad checksum or version vaguely.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.plan.planjson import MAX_PLAN_BYTES, MAX_PLAN_CONTAINERS, MAX_PLAN_DEPTH, checksum
from tests.integration.conftest import assert_no_secrets, read_log

ENVIRON_LIKE = "HOME=/root\nAWS_SECRET_ACCESS_KEY=planted-secret-value-123\n"


def _resigned(doc: dict[str, Any]) -> str:
    doc.pop("checksum", None)
    doc["checksum"] = checksum(doc)
    return json.dumps(doc)


def _oversize(good: str, folder: Path) -> Path:
    """A plan that applies as it stands, padded with JSON whitespace past the cap."""
    path = folder / "big.json"
    path.write_text(good + " " * (MAX_PLAN_BYTES + 1 - len(good.encode())))
    return path


def _link_out(good: str, folder: Path) -> Path:
    """A link to a file outside the plan's folder (standing for /proc/self/environ)."""
    outside = folder.parent / "runner-environ"
    outside.write_text(ENVIRON_LIKE)
    path = folder / "linked.json"
    path.symlink_to(outside)
    return path


def _containers(good: str, folder: Path) -> Path:
    path = folder / "many.json"
    path.write_text("[" + "{}," * MAX_PLAN_CONTAINERS + "{}]")
    return path


def _infinite(good: str, folder: Path) -> Path:
    """``existing`` written 1e400 (infinite as a float), the checksum of the file as read."""
    doc = json.loads(good)
    doc["existing"] = math.inf
    path = folder / "inf.json"
    path.write_text(_resigned(doc).replace("Infinity", "1e400"))
    return path


def _nan(good: str, folder: Path) -> Path:
    doc = json.loads(good)
    doc["existing"] = math.nan  # json.dumps writes NaN; the checksum matches as read
    path = folder / "nan.json"
    path.write_text(_resigned(doc))
    return path


def _deep(depth: int) -> Callable[[str, Path], Path]:
    def build(good: str, folder: Path) -> Path:
        """A plan that applies, plus a field of a later minor version: ``depth`` deep in
        all, its checksum right (a ``--plan`` of it applied), or, past what Python's
        JSON writes, ``[[[…]]]`` in place of the field (refused as JSON before)."""
        doc = json.loads(good)
        path = folder / f"deep{depth}.json"
        if depth < 100:
            nested: list[Any] = []  # the document is one level, this list another
            for _ in range(depth - 2):
                nested = [nested]
            doc["a_future_field"] = nested
            path.write_text(_resigned(doc))
        else:
            doc["a_future_field"] = "PLACEHOLDER"
            brackets = "[" * (depth - 1) + "]" * (depth - 1)
            path.write_text(_resigned(doc).replace('"PLACEHOLDER"', brackets))
        return path

    return build


def _yaml_nested(good: str, folder: Path) -> Path:
    """Not JSON, and YAML nested past Python's recursion limit: the reader that says
    what a file is instead must not crash on it (it raised RecursionError)."""
    path = folder / "nested.yaml"
    path.write_text("a: " + "{a: " * 5000 + "}" * 5000)
    return path


def _edited(good: str, folder: Path) -> Path:
    doc = json.loads(good)
    doc["changes"][0]["after"]["url"] = "https://evil.example/cb"  # checksum left as saved
    path = folder / "edited.json"
    path.write_text(json.dumps(doc))
    return path


def _version(good: str, folder: Path) -> Path:
    doc = json.loads(good)
    doc["format_version"] = "2.0"
    path = folder / "future.json"
    path.write_text(_resigned(doc))
    return path


GUARDS: dict[str, tuple[Callable[[str, Path], Path], str]] = {
    "oversize": (_oversize, f"over the {MAX_PLAN_BYTES:,}-byte limit for a "),
    "link-out-of-folder": (_link_out, ":1:1: a symbolic link that leads out of its folder"),
    "containers": (_containers, f"more than {MAX_PLAN_CONTAINERS:,} JSON objects and arrays"),
    "1e400": (_infinite, "not a plan file (the number 1e400 is out of range)"),
    "NaN": (_nan, "not a plan file (the number NaN is out of range)"),
    "nested-33": (
        _deep(MAX_PLAN_DEPTH + 1),
        f"not a plan file (JSON nested more than {MAX_PLAN_DEPTH} deep)",
    ),
    "nested-5000": (_deep(5000), f"not a plan file (JSON nested more than {MAX_PLAN_DEPTH} deep)"),
    "yaml-nested": (_yaml_nested, "not a saved plan (it is neither JSON nor YAML; invalid JSON"),
    "checksum": (_edited, "the plan file was edited after it was saved (checksum mismatch)"),
    "format_version": (_version, "format_version '2.0' is not supported (this tool reads 1.x)"),
}


def _fresh(cli: Any, desired: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A good saved plan (it would apply) and an empty folder for a bad one."""
    fresh = tmp_path / "fresh.json"
    made = cli("plan", desired, "--out", fresh)
    assert made.code == 0, made.err
    folder = tmp_path / "artifact"
    folder.mkdir()
    return fresh, folder


def _apply(cli: Any, entry: str, fresh: Path, bad: Path) -> Any:
    if entry == "--plan":
        return cli("apply", "--plan", bad, "--auto-approve")
    return cli("apply", "--plan", fresh, "--reviewed", bad, "--auto-approve")


def _assert_refused(result: Any, bad: Path, request_log: Path) -> None:
    assert result.code == 1, (result.out, result.err)
    assert "Traceback" not in result.err
    assert f"error: {bad}" in result.err
    assert not [r for r in read_log(request_log) if r["write"]], "nothing is sent"
    assert "Apply:" not in result.out
    assert "planted-secret-value" not in result.out + result.err
    assert "runner-environ" not in result.out + result.err
    assert_no_secrets(result.out, result.err)


@pytest.mark.parametrize("entry", ["--plan", "--reviewed"])
@pytest.mark.parametrize("guard", list(GUARDS))
def test_every_plan_file_guard_refuses_on_both_entry_points(
    cli: Any,
    env: dict[str, str],
    desired: Path,
    tmp_path: Path,
    request_log: Path,
    guard: str,
    entry: str,
) -> None:
    fresh, folder = _fresh(cli, desired, tmp_path)
    build, expected = GUARDS[guard]
    bad = build(fresh.read_text(), folder)
    result = _apply(cli, entry, fresh, bad)
    _assert_refused(result, bad, request_log)
    assert expected in result.err, result.err
    if entry == "--reviewed":
        assert "nothing was applied" in result.err
    else:
        assert f"make a new one with `reconciler plan DIR --out {bad.name}`" in result.err
    # the good plan was not the problem: it still applies
    assert cli("apply", "--plan", fresh).code == 0


@pytest.mark.parametrize("guard", list(GUARDS))
def test_both_entry_points_say_the_same_of_the_same_bad_file(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path, guard: str
) -> None:
    fresh, folder = _fresh(cli, desired, tmp_path)
    bad = GUARDS[guard][0](fresh.read_text(), folder)
    said = [_apply(cli, entry, fresh, bad).err for entry in ("--plan", "--reviewed")]
    # `FILE: what is wrong; what to do`: the same up to what each command expected (and
    # the size cap names the file as its command does: "a saved/reviewed plan")
    problems = [text.split("; ")[0].replace("a reviewed plan", "a saved plan") for text in said]
    assert problems[0] == problems[1], said
    assert said[0].startswith(f"error: {bad}"), said


def test_a_link_inside_the_plans_folder_is_read(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    fresh, folder = _fresh(cli, desired, tmp_path)
    (folder / "plan.json").write_text(fresh.read_text())
    (folder / "latest.json").symlink_to("plan.json")
    result = cli("apply", "--plan", fresh, "--reviewed", folder / "latest.json")
    assert result.code == 0, result.err
    assert "Apply: 7 applied" in result.out


def test_a_reviewed_only_plan_is_refused_by_plan_but_read_by_reviewed(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    """The one extra rule each keeps: a reviewed plan may be reviewed-only."""
    fresh, folder = _fresh(cli, desired, tmp_path)
    doc = json.loads(fresh.read_text())
    doc["reviewed_only"] = True
    reviewed = folder / "reviewed.json"
    reviewed.write_text(_resigned(doc))
    refused = cli("apply", "--plan", reviewed)
    assert refused.code == 1 and "it cannot be applied" in refused.err
    assert "Traceback" not in refused.err
    applied = cli("apply", "--plan", fresh, "--reviewed", reviewed)
    assert applied.code == 0, applied.err
