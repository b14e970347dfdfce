"""How the CLI shows what the engine reports: notes, warnings, a progress counter."""

from __future__ import annotations

import sys
from collections.abc import Callable

from reconciler.cli.output import Output
from reconciler.engine import Connection, Events, Reconciler
from reconciler.errors import Location
from reconciler.plan.change import Plan


class Progress:
    """A one-line counter on stderr, only on a terminal and for more than a handful of apps."""

    THRESHOLD = 5

    def __init__(self, out: Output, label: str, total: int, apps: int) -> None:
        self.enabled = out.stderr_is_tty and not out.quiet and apps > self.THRESHOLD
        self.label, self.total, self.done = label, total, 0

    def step(self) -> None:
        self.done += 1
        if self.enabled:
            sys.stderr.write(f"\r{self.label}: {self.done}/{self.total}")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


class CliEvents(Events):
    """Engine events, printed through :class:`Output`."""

    def __init__(self, out: Output) -> None:
        self.out = out

    def info(self, message: str) -> None:
        self.out.info(message)

    def warning(self, message: str) -> None:
        self.out.warn(message)

    def config_warning(self, location: Location, message: str) -> None:
        self.out.config_warning(location, message)

    def reading(self, total: int, apps: int) -> Callable[[], None]:
        return Progress(self.out, "reading live state", total, apps).step


def engine(out: Output, connection: Connection) -> Reconciler:
    """The engine for one command, reporting through ``out``."""
    return Reconciler(connection, events=CliEvents(out))


def report_unreadable(out: Output, plan: Plan) -> int:
    """Print the apps that could not be read, and the resources a missing secret kept
    out of the plan; the exit code they force (1), else 0."""
    if plan.errors:
        out.error(plan.errors_message())
    if plan.skipped:
        out.error(
            f"{len(plan.skipped)} resource(s) not planned, the rest of their app(s) was: "
            "a secret they need is missing\n" + "\n".join(f"  {e}" for e in plan.skipped)
        )
    return 1 if plan.errors or plan.skipped else 0
