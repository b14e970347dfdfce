"""The one bounded reader of plan files (:mod:`reconciler.plan.planjson`): its limits
at their edges, and the trusted comment reading plan.json within them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import PlanFileError
from reconciler.github.comment_body import plan_section
from reconciler.plan.planjson import (
    MAX_PLAN_BYTES,
    MAX_PLAN_CONTAINERS,
    MAX_PLAN_DEPTH,
    check_plan_header,
    checksum,
    load_plan_json,
    parse_plan_json,
    read_plan_json,
)

HERE = Path("plan.json")


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_nesting_up_to_the_limit_is_read_one_more_is_refused() -> None:
    assert parse_plan_json(_nested(MAX_PLAN_DEPTH), HERE, "fix it") is not None
    with pytest.raises(PlanFileError) as caught:
        parse_plan_json(_nested(MAX_PLAN_DEPTH + 1), HERE, "fix it")
    assert str(caught.value) == (
        f"plan.json: not a plan file (JSON nested more than {MAX_PLAN_DEPTH} deep); fix it"
    )


def test_containers_up_to_the_limit_are_read_one_more_is_refused() -> None:
    at_limit = "[" + "{}," * (MAX_PLAN_CONTAINERS - 2) + "{}]"
    assert len(parse_plan_json(at_limit, HERE, "fix it")) == MAX_PLAN_CONTAINERS - 1
    with pytest.raises(PlanFileError, match="more than 400,000 JSON objects and arrays"):
        parse_plan_json("[{}," + at_limit[1:], HERE, "fix it")


def test_size_up_to_the_limit_is_read_one_more_byte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{}" + " " * (MAX_PLAN_BYTES - 2))
    assert read_plan_json(path, what="a saved plan", remedy="fix it") == {}
    path.write_text("{}" + " " * (MAX_PLAN_BYTES - 1))
    with pytest.raises(PlanFileError, match="16,777,217 bytes, over the 16,777,216-byte limit"):
        read_plan_json(path, what="a saved plan", remedy="fix it")


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_a_number_no_plan_holds_is_named(number: str) -> None:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_json(f'{{"existing": {number}}}', HERE, "fix it")
    assert f"not a plan file (the number {number} is out of range); fix it" in str(caught.value)


def test_a_hostile_file_name_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "a\x1b[31m\nerror: forged.json"
    path.write_text("[]")
    with pytest.raises(PlanFileError) as caught:
        load_plan_json(path, what="a saved plan", remedy="fix it")
    message = str(caught.value)
    assert "\x1b" not in message and "\n" not in message
    assert "a\\x1b[31m\\nerror: forged.json: not a saved plan" in message


def test_the_version_is_checked_before_the_checksum_and_quoted_short() -> None:
    doc: dict[str, Any] = {"format_version": "2" + "\u202e" * 100, "checksum": "sha256:0"}
    with pytest.raises(PlanFileError) as caught:
        check_plan_header(doc, HERE, "fix it")
    message = str(caught.value)
    assert "is not supported (this tool reads 1.x)" in message
    assert "\u202e" not in message and len(message) < 400
    doc = {"format_version": "1.4", "checksum": ""}
    doc["checksum"] = checksum(doc)
    assert check_plan_header(doc, HERE, "fix it") is doc


def _plan_json(**extra: Any) -> bytes:
    doc = {"format_version": "1.4", "changes": [], "safety": {"verdict": "safe"}, **extra}
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "raw",
    [
        b"[" + b"{}," * MAX_PLAN_CONTAINERS + b"{}]",
        _plan_json(deep=json.loads(_nested(MAX_PLAN_DEPTH))),
        _plan_json().replace(b'"changes": []', b'"changes": [], "existing": 1e400'),
        b"\xff\xfe{}",
    ],
    ids=["containers", "nesting", "1e400", "not-utf8"],
)
def test_the_trusted_comment_reads_plan_json_within_the_same_bounds(raw: bytes) -> None:
    assert plan_section(raw, None) == "**plan.json is unreadable: the apply on merge will refuse.**"


def test_the_trusted_comment_still_reads_a_plan_json_without_a_checksum() -> None:
    """The comment shows what plan.json says; whether it applies is the apply's to say."""
    section = plan_section(_plan_json(), None)
    assert "**0 change(s) the apply on merge may make**" in section


def test_only_a_short_file_is_parsed_as_yaml_to_say_what_it_is() -> None:
    """PyYAML takes seconds for a MiB: a long file that is not JSON is just that."""
    short = "apps:\n" + "  - a\n" * 100
    with pytest.raises(PlanFileError, match=r"not a saved plan \(it is YAML \(a desired-state"):
        parse_plan_json(short, HERE, "fix it")
    long = "apps:\n" + "  - a\n" * 20_000  # 120 KiB
    with pytest.raises(PlanFileError, match=r"not a saved plan \(it is not JSON; invalid JSON"):
        parse_plan_json(long, HERE, "fix it")
