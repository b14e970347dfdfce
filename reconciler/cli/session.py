"""How the CLI shows what the engine reports: notes, warnings, progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from reconciler.cli.output import Output
from reconciler.cli.progress import DEFAULT_INTERVAL
from reconciler.cli.progress import Progress as ProgressLine
from reconciler.engine.events import Events
from reconciler.engine.options import Connection
from reconciler.errors import Location
from reconciler.plan.change import Plan

if TYPE_CHECKING:
    from reconciler.engine.core import Reconciler


def _to_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


class Progress(ProgressLine):
    """Progress on stderr: a counter on a terminal (for more than a handful of apps),
    a line every few seconds off a terminal (CI logs); nothing under ``-q``."""

    THRESHOLD = ProgressLine.TTY_THRESHOLD

    def __init__(
        self,
        out: Output,
        label: str,
        total: int,
        apps: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = DEFAULT_INTERVAL,
    ) -> None:
        super().__init__(
            label,
            total,
            write=_to_stderr,
            tty=out.stderr_is_tty,
            enabled=not out.quiet,
            apps=apps,
            clock=clock,
            interval=interval,
        )


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


def engine(out: Output, connection: Connection, events: CliEvents | None = None) -> Reconciler:
    """The engine for one command, reporting through ``out``."""
    from reconciler.engine.core import Reconciler  # validate does without (engine.loading)

    return Reconciler(connection, events=events or CliEvents(out))


def report_unreadable(out: Output, plan: Plan) -> int:
    """Print the apps that could not be read, and the resources a missing secret kept
    out of the plan; the exit code they force (1), else 0."""
    if plan.errors:
        out.error(plan.errors_message())
    if plan.skipped:
        out.error(
            f"{len(plan.skipped)} resource(s) not planned, the rest of their app(s) was "
            "(why: a secret they need is missing, or no change can reach them):\n"
            + "\n".join(f"  {e}" for e in plan.skipped)
        )
    return 1 if plan.errors or plan.skipped else 0
