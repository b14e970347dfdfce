"""Where text goes, GitHub annotations and the Actions step summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli.output import Output, append_step_summary, github_annotation, in_github_actions
from reconciler.errors import ConfigError, ConfigErrors, Location, ReconcilerError


@pytest.fixture
def actions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def test_annotation_exact_format() -> None:
    error = ConfigError(Location("a.yaml", 3, 5), "msg")
    assert github_annotation(error) == "::error file=a.yaml,line=3,col=5::msg"


def test_annotation_level() -> None:
    error = ConfigError(Location("a.yaml", 3, 5), "msg")
    assert github_annotation(error, "warning") == "::warning file=a.yaml,line=3,col=5::msg"


def test_annotation_without_line_or_column() -> None:
    assert github_annotation(ConfigError(Location("a.yaml"), "m")) == "::error file=a.yaml::m"
    assert github_annotation(ConfigError(Location("a.yaml", 7), "m")) == (
        "::error file=a.yaml,line=7::m"
    )


def test_annotation_escapes_message_and_file() -> None:
    error = ConfigError(Location("dir,x/a:b%.yaml", 1, 2), "100% bad\r\nnext: a, b")
    assert github_annotation(error) == (
        "::error file=dir%2Cx/a%3Ab%25.yaml,line=1,col=2::100%25 bad%0D%0Anext: a, b"
    )


def test_in_github_actions_only_when_exactly_true(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert in_github_actions()
    for value in ("1", "True", "yes", ""):
        monkeypatch.setenv("GITHUB_ACTIONS", value)
        assert not in_github_actions()
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert not in_github_actions()


def test_step_summary_appended_in_actions(actions: Path) -> None:
    append_step_summary("## one\n\n\n")
    append_step_summary("## two")
    assert actions.read_text(encoding="utf-8") == "## one\n\n## two\n\n"


def test_step_summary_not_written_outside_actions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    for value in ("false", "1"):
        monkeypatch.setenv("GITHUB_ACTIONS", value)
        append_step_summary("## nope")
    monkeypatch.delenv("GITHUB_ACTIONS")
    append_step_summary("## nope")
    assert not summary.exists()


def test_step_summary_without_target_is_a_no_op(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    append_step_summary("## x")
    assert list(tmp_path.iterdir()) == []


def test_step_summary_write_failure_only_warns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "s.md"))
    append_step_summary("## x")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("warning: cannot write the step summary to ")


def test_result_to_stdout_messages_to_stderr(
    local: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = Output()
    out.result("plan text\n")
    out.result("no newline")
    out.info("progress")
    out.warn("careful")
    captured = capsys.readouterr()
    assert captured.out == "plan text\nno newline\n"
    assert captured.err == "progress\nwarning: careful\n"


def test_quiet_silences_info_and_warnings_but_not_results_or_errors(
    local: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = Output(quiet=True)
    out.info("progress")
    out.warn("careful")
    out.config_warning(Location("a.yaml", 1, 1), "http")
    out.result("plan\n")
    out.error(ReconcilerError("boom"))
    captured = capsys.readouterr()
    assert captured.out == "plan\n"
    assert captured.err == "error: boom\n"


def test_multi_line_error_is_indented(local: None, capsys: pytest.CaptureFixture[str]) -> None:
    Output().error(ReconcilerError("could not read 2:\n  a: x\nb: y"))
    assert capsys.readouterr().err == "error: could not read 2:\n  a: x\n  b: y\n"


def test_config_errors_one_line_each_and_annotated_in_actions(
    actions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    errors = ConfigErrors(
        [ConfigError(Location("b.yaml", 2, 1), "two"), ConfigError(Location("a.yaml", 3, 5), "one")]
    )
    Output().error(errors)
    assert capsys.readouterr().err == (
        "error: a.yaml:3:5: one\n"
        "error: b.yaml:2:1: two\n"
        "::error file=a.yaml,line=3,col=5::one\n"
        "::error file=b.yaml,line=2,col=1::two\n"
    )


def test_config_error_not_annotated_locally(
    local: None, capsys: pytest.CaptureFixture[str]
) -> None:
    Output().error(ConfigError(Location("a.yaml", 3, 5), "one"))
    assert capsys.readouterr().err == "error: a.yaml:3:5: one\n"


def test_config_warning_annotated_in_actions(
    actions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Output().config_warning(Location("apps/dev.yaml", 4, 10), "plain http")
    assert capsys.readouterr().err == (
        "apps/dev.yaml:4:10: warning: plain http\n"
        "::warning file=apps/dev.yaml,line=4,col=10::plain http\n"
    )


def test_plain_errors_never_annotated(actions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Output().error("just text")
    assert capsys.readouterr().err == "error: just text\n"
