"""Progress off a terminal: a line every few seconds, driven by an injected clock."""

from __future__ import annotations

import pytest

from reconciler.cli.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(total: int = 10, *, tty: bool = False, **kw: object) -> tuple[Progress, list[str], Clock]:
    lines: list[str] = []
    clock = Clock()
    progress = Progress(
        "applying", total, write=lines.append, tty=tty, clock=clock, interval=5.0, **kw
    )  # type: ignore[arg-type]
    return progress, lines, clock


def test_a_run_shorter_than_the_interval_logs_nothing() -> None:
    progress, lines, clock = make(3)
    for _ in range(3):
        clock.now += 1.0
        progress.step()
    assert lines == []


def test_one_line_per_interval_with_done_percent_elapsed_and_failures() -> None:
    progress, lines, clock = make(8)
    for i in range(8):
        clock.now += 2.0  # a step every 2 s: a line at 6 s, 12 s and the final at 16 s
        progress.step(failed=i in (1, 4))
    assert lines == [
        "applying: 3/8 (38%), 6s elapsed, 1 failed so far\n",
        "applying: 6/8 (75%), 12s elapsed, 2 failed so far\n",
        "applying: 8/8 (100%), 16s elapsed, 2 failed so far\n",
    ]


def test_tick_logs_while_nothing_finishes() -> None:
    progress, lines, clock = make(4)
    progress.step()
    clock.now += 4.9
    progress.tick()
    assert lines == []
    clock.now += 0.1
    progress.tick()
    progress.tick()  # not again within the interval
    assert lines == ["applying: 1/4 (25%), 5s elapsed, 0 failed so far\n"]


def test_disabled_logs_nothing() -> None:
    progress, lines, clock = make(2, enabled=False)
    clock.now += 60
    progress.step()
    progress.tick()
    assert lines == [] and progress.done == 1


@pytest.mark.parametrize(("apps", "shown"), [(5, False), (6, True)])
def test_on_a_terminal_a_counter_for_more_than_five_apps(apps: int, shown: bool) -> None:
    progress, lines, _ = make(2, tty=True, apps=apps)
    progress.step()
    progress.step()
    progress.tick()  # never a periodic line on a terminal
    assert lines == (["\rapplying: 1/2", "\rapplying: 2/2\n"] if shown else [])
