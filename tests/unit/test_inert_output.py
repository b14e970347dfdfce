"""The terminal and annotation escapes of issue 20 (M1): whatever text a file name, a
file or a server holds, what reaches stdout, stderr or a log line is inert."""

from __future__ import annotations

import json
import logging

import pytest

from reconciler.api.redact import ScrubSecretsFilter
from reconciler.cli.output import Output, github_annotation
from reconciler.errors import ConfigError, Location
from reconciler.escape import annotation_data, annotation_property, escape, terminal_lines

HOSTILE = "x\n::warning title=FAKE::owned\n\x1b]0;title\x07\x1b[2J\u202eabc\u200b##[error]z"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31m", "\\x1b[31m"),
        ("\x9b31m", "\\x9b31m"),  # the C1 control sequence introducer
        ("\x7f", "\\x7f"),
        ("a\u200bb\u200dc\u2060d\ufeffe", "a\\u200bb\\u200dc\\u2060d\\ufeffe"),
        ("\u202e\u2066\u200f", "\\u202e\\u2066\\u200f"),
        ("\U000e0041", "\\U000e0041"),  # a tag character
        ("   ::error::x", "   \\x3a:error::x"),
        ("see ##[error]x", "see #\\u0023[error]x"),
        ("prod-sg ⚠️ é 中", "prod-sg ⚠️ é 中"),
    ],
)
def test_escape_shows_what_would_act_on_a_terminal(raw: str, shown: str) -> None:
    assert escape(raw) == shown


def test_terminal_lines_keeps_line_breaks_and_defuses_each_line() -> None:
    text = terminal_lines(f"plan line\n{HOSTILE}\n")
    lines = text.split("\n")
    assert lines[0] == "plan line" and lines[-1] == ""
    assert lines[2] == "\\x3a:warning title=FAKE::owned"
    assert "\x1b" not in text and "\u202e" not in text and "##[" not in text


def test_annotation_escapes_esc_and_github_escapes() -> None:
    assert annotation_property("a\nb:c,d%\x1b[2J") == "a%0Ab%3Ac%2Cd%25\\x1b[2J"
    assert annotation_data("m\r\n%\x1b\u202e") == "m%0D%0A%25\\x1b\\u202e"
    error = ConfigError(Location(HOSTILE, 1, 2), HOSTILE)
    line = github_annotation(error)
    assert "\n" not in line and "\x1b" not in line
    assert line.startswith("::error file=x%0A%3A%3Awarning title=FAKE%3A%3Aowned%0A")


def test_a_location_shows_its_path_escaped() -> None:
    assert str(Location("a\n::error::b\x1b.yaml", 3, 4)) == "a\\n::error::b\\x1b.yaml:3:4"


def test_output_makes_what_a_caller_forgot_to_escape_inert(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = Output(no_color=True)
    out.result(f"stdout {HOSTILE}\n")
    out.warn(HOSTILE)
    out.error(HOSTILE)
    out.info(HOSTILE)
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert "\x1b" not in text and "\u202e" not in text and "\u200b" not in text
        assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]


def test_log_lines_are_inert() -> None:
    record = logging.LogRecord("reconciler", logging.WARNING, "f", 1, "%s", (HOSTILE,), None)
    ScrubSecretsFilter().filter(record)
    message = record.getMessage()
    assert "\x1b" not in message and "\u202e" not in message
    assert "\n\\x3a:warning title=FAKE" in message


def test_json_on_stdout_stays_valid_and_equal(capsys: pytest.CaptureFixture[str]) -> None:
    from reconciler.apply.executor import ChangeResult, Outcome
    from reconciler.apply.report import render_results_json
    from reconciler.plan.change import Action, Change
    from tests.plan.factories import cb, res

    change = Change(res("call", app="prod-sg"), Action.CREATE, None, cb("https://h.example/c"))
    failed = ChangeResult(change, Outcome.FAILED, message=HOSTILE + "\x85\U000e0041 é")
    document = render_results_json([failed])
    Output(no_color=True).result(document)
    shown = capsys.readouterr().out
    assert json.loads(shown) == json.loads(document)
    assert "\x1b" not in shown and "\u202e" not in shown and "\x85" not in shown
