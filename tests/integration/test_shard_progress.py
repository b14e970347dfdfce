"""The progress counter for fleets (``Progress`` in reconciler/cli/session.py).

It goes to stderr only, never under ``-q``. On a terminal it is a counter, for
more than 5 apps; off a terminal (CI logs, pipes) it is a line every few seconds,
so a run shorter than that logs nothing (tests/unit/test_cli_progress.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli.output import Output
from reconciler.cli.session import Progress
from reconciler.emulator.embedded import start_emulator
from tests.integration.fixtures.ops.fleet import FLEET_KEY, Fleet, clean_env, make_fleet


@dataclass
class FakeOutput(Output):
    tty: bool = True

    @property
    def stderr_is_tty(self) -> bool:
        return self.tty


def run_steps(progress: Progress, n: int) -> None:
    for _ in range(n):
        progress.step()


def test_counter_on_a_terminal_for_more_than_five_apps(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(FakeOutput(tty=True), "reading live state", total=3, apps=6)
    assert progress.enabled
    run_steps(progress, 3)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "\rreading live state: 1/3\rreading live state: 2/3\rreading live state: 3/3\n"
    )


@pytest.mark.parametrize(
    ("output", "apps"),
    [
        (FakeOutput(tty=True), 5),  # a handful of apps: no counter
        (FakeOutput(quiet=True, tty=True), 50),  # -q
        (FakeOutput(quiet=True, tty=False), 50),
    ],
    ids=["five-apps", "quiet", "quiet-not-a-tty"],
)
def test_no_counter(capsys: pytest.CaptureFixture[str], output: Output, apps: int) -> None:
    progress = Progress(output, "reading live state", total=4, apps=apps, clock=lambda: 0.0)
    assert not progress.enabled
    run_steps(progress, 4)
    assert progress.done == 4
    assert capsys.readouterr() == ("", "")


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.written: list[str] = []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("tty", [True, False])
def test_the_terminal_test_is_on_stderr(monkeypatch: pytest.MonkeyPatch, tty: bool) -> None:
    stderr, stdout = _Stream(tty), _Stream(not tty)  # stdout's tty-ness must not matter
    monkeypatch.setattr("sys.stderr", stderr)
    monkeypatch.setattr("sys.stdout", stdout)
    assert Output().stderr_is_tty is tty
    ticks = iter([0.0, 100.0, 100.0])  # start, then one step long after
    progress = Progress(Output(), "x", total=1, apps=6, clock=lambda: next(ticks))
    progress.step()
    if tty:
        assert stderr.written == ["\rx: 1/1\n"]
    else:
        assert stderr.written == ["x: 1/1 (100%), 100s elapsed, 0 failed so far\n"]
    assert stdout.written == []


@pytest.fixture
def six_apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    fleet = make_fleet(tmp_path / "six", 6, live=False)
    with start_emulator(fleet.seed) as running:
        clean_env(monkeypatch, TRTC_ENDPOINT=running.base_url, TRTC_SECRET_KEY=FLEET_KEY)
        yield fleet


def test_plan_shows_the_counter_on_a_terminal_only(
    cli: Any, six_apps: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("plan", six_apps.desired, "--format", "json", "--product", "call")
    plain = cli(*args)  # captured: stderr is not a terminal
    assert plain.code == 0, plain.err
    assert "reading live state" not in plain.err

    monkeypatch.setattr(Output, "stderr_is_tty", property(lambda self: True))
    on_tty = cli(*args)
    assert on_tty.code == 0, on_tty.err
    assert "\rreading live state: 6/6\n" in on_tty.err
    assert on_tty.err.count("\rreading live state: ") == 6
    assert json.loads(on_tty.out)["summary"]["create"] == 6  # stdout untouched

    quiet = cli("-q", *args)
    assert "reading live state" not in quiet.err
    five = cli(*args, *(a for name in six_apps.names[:5] for a in ("--app", name)))
    assert five.code == 0, five.err
    assert "reading live state" not in five.err
