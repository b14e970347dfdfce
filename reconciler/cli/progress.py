"""Progress of long reads and applies, on stderr.

On a terminal: a one-line counter rewritten in place (``\\r``). Off a terminal
(CI logs): one plain line every ``interval`` seconds while work is going on, with
done/total, percent, elapsed time and failures so far, and a last line when a run
that logged progress ends; a run shorter than ``interval`` logs nothing. The
clock is injectable so that tests need no real time.

A counter left on a terminal line would run into the next line printed there
(``applying: 1/17applied: …``): :func:`clear_line` blanks it first, and every
writer of the CLI (:mod:`reconciler.cli.output`) calls it before it prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_INTERVAL = 5.0


class _Shown:
    """The counter now on a terminal line: how wide, and how to write over it."""

    width = 0
    write: Callable[[str], None] | None = None


def clear_line() -> None:
    """Blank the terminal line a counter is on (if any), cursor at its start: the next
    text printed gets a line of its own, and the next step writes the counter again."""
    if _Shown.width and _Shown.write is not None:
        _Shown.write("\r" + " " * _Shown.width + "\r")
    _Shown.width = 0


class Progress:
    """Counts finished steps of one phase (``label``) and reports them."""

    TTY_THRESHOLD = 5  # on a terminal, only for more than a handful of apps

    def __init__(
        self,
        label: str,
        total: int,
        *,
        write: Callable[[str], None],
        tty: bool,
        enabled: bool = True,
        apps: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self.label, self.total = label, total
        self.done = self.failed = 0
        self.tty = tty
        self.enabled = enabled and total > 0
        if tty and apps is not None and apps <= self.TTY_THRESHOLD:
            self.enabled = False
        self._write = write
        self._clock = clock
        self._interval = interval
        self._start = clock()
        self._last = self._start
        self._logged = False

    def line(self) -> str:
        """``label: done/total (pct%), elapsed, failures`` (the off-terminal line)."""
        pct = 100.0 * self.done / self.total if self.total else 100.0
        elapsed = self._clock() - self._start
        return (
            f"{self.label}: {self.done}/{self.total} ({pct:.0f}%), "
            f"{elapsed:.0f}s elapsed, {self.failed} failed so far"
        )

    def step(self, failed: bool = False) -> None:
        """One more step finished (``failed``: it did not succeed)."""
        self.done += 1
        self.failed += failed
        if not self.enabled:
            return
        if self.tty:
            text = f"{self.label}: {self.done}/{self.total}"
            last = self.done == self.total
            self._write(f"\r{text}" + ("\n" if last else ""))
            _Shown.width, _Shown.write = (0, None) if last else (len(text), self._write)
            return
        self.tick(final=self.done == self.total)

    def tick(self, *, final: bool = False) -> None:
        """Off a terminal: log a line when ``interval`` has passed since the last one
        (a final line only when the run logged progress before)."""
        if not self.enabled or self.tty:
            return
        now = self._clock()
        if now - self._last >= self._interval or (final and self._logged):
            self._last = now
            self._logged = True
            self._write(self.line() + "\n")
