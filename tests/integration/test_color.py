"""Colour through the real CLI: on with FORCE_COLOR, off with NO_COLOR, --no-color or off a
terminal; never in Markdown or JSON. ``+`` green, ``~`` yellow, ``-`` red; warnings
yellow, errors red."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from reconciler.render.color import use_color

ESC = "\x1b["
GREEN, YELLOW, RED = "\x1b[32m", "\x1b[33m", "\x1b[31m"


@pytest.fixture(autouse=True)
def _no_colour_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def _line(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line)


def test_force_color_paints_the_plan_by_action(
    cli: Any, env: dict[str, str], desired: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = cli("plan", desired)
    assert result.code == 0, result.err
    assert _line(result.out, '+ "Call.CallbackAfterStartCall"').startswith(GREEN)
    assert _line(result.out, "~ call {").startswith(YELLOW)
    assert _line(result.out, '- "Live.CallbackAfterEndBattle"').startswith(RED)
    assert _line(result.out, "+ live {").startswith(GREEN)
    # the words are unchanged under the paint
    assert "prod-sg (1400000001) call will be updated in place" in result.out


@pytest.mark.parametrize(
    ("variables", "flags"),
    [
        ({"NO_COLOR": "1"}, ()),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, ()),  # the opt-out wins
        ({"FORCE_COLOR": "1"}, ("--no-color",)),
        ({}, ()),  # captured output is not a terminal
        ({"FORCE_COLOR": "0"}, ()),
    ],
)
def test_no_colour_when_turned_off_or_off_a_terminal(
    cli: Any,
    env: dict[str, str],
    desired: Path,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    flags: tuple[str, ...],
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    result = cli("plan", desired, *flags)
    assert result.code == 0, result.err
    assert "~ call {" in result.out
    assert ESC not in result.out + result.err


@pytest.mark.parametrize("where", ["before", "after"])
def test_no_color_flag_works_before_or_after_the_command(
    cli: Any, env: dict[str, str], desired: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    args = ["--no-color", "plan", desired] if where == "before" else ["plan", desired, "--no-color"]
    result = cli(*args)
    assert result.code == 0, result.err
    assert ESC not in result.out + result.err


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_markdown_and_json_never_carry_escapes(
    cli: Any, env: dict[str, str], desired: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    for command in ("plan", "drift"):
        result = cli(command, desired, "--format", fmt)
        assert result.code in (0, 2), result.err
        assert result.out.strip()
        assert ESC not in result.out


def test_errors_red_and_warnings_yellow_on_stderr(
    cli: Any, tmp_path: Path, desired: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "a.yaml").write_text("name: a\nsdkappid: abc\nregion: singapore\n")
    result = cli("validate", broken)
    assert result.code == 1
    assert result.err.startswith(RED + "error: ")
    plain = desired / "apps" / "staging-us.yaml"
    text = plain.read_text()
    assert "https://" in text
    plain.write_text(text.replace("https://", "http://", 1))
    result = cli("validate", desired)
    assert result.code == 0, result.err
    assert YELLOW in _line(result.err, "warning:")
    monkeypatch.setenv("NO_COLOR", "1")
    result = cli("validate", desired)
    assert "warning:" in result.err
    assert ESC not in result.err


def test_apply_report_is_painted_by_outcome(
    cli: Any, env: dict[str, str], desired: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = cli("apply", desired, "--auto-approve", "--force")
    assert result.code == 0, result.err
    assert _line(result.out, "applied: ").startswith(GREEN)
    assert _line(result.err, "~ call {").startswith(YELLOW)  # the preview on stderr


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "env", "flag", "expected"),
    [
        (True, {}, False, True),  # a terminal: on
        (True, {"NO_COLOR": "1"}, False, False),
        (True, {"NO_COLOR": ""}, False, True),  # empty counts as unset
        (True, {}, True, False),
        (False, {}, False, False),
        (False, {"FORCE_COLOR": "1"}, False, True),
        (False, {"FORCE_COLOR": "true"}, False, True),
        (False, {"FORCE_COLOR": "false"}, False, False),
    ],
)
def test_use_color_decision(tty: bool, env: dict[str, str], flag: bool, expected: bool) -> None:
    assert use_color(_Stream(tty), no_color_flag=flag, env=env) is expected
