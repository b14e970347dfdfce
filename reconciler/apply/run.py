"""One apply run: write-ahead audit, concurrent writes, the re-check for other
writers, progress, and a clean stop on Ctrl-C or SIGTERM.

The caller gives the prepared changes and a way to open a client; it gets the
results, or :class:`ApplyInterrupted` (exit 130, Ctrl-C) / :class:`ApplyTerminated`
(exit 143, SIGTERM, e.g. a cancelled CI job) once every change that had started
is reported (``unknown`` when its write may have been sent) and audited.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from reconciler.api import runner
from reconciler.api.client import TencentClient
from reconciler.apply.audit import AuditLog
from reconciler.apply.executor import ApplyItem, ChangeResult, Outcome, apply_all, recheck_written
from reconciler.apply.phases import phase
from reconciler.errors import ApplyInterrupted, ApplyTerminated
from reconciler.plan.change import Change

TICK_SECONDS = 1.0  # how often an idle progress line may be due (it prints every few s)


class StepProgress(Protocol):
    def step(self, failed: bool = False) -> None: ...

    def tick(self, *, final: bool = False) -> None: ...


@dataclass
class ApplyRun:
    """Runs ``items`` once; :attr:`finished` holds every result reported so far."""

    client: Callable[[], TencentClient]
    items: Sequence[ApplyItem]
    audit: AuditLog | None = None
    on_result: Callable[[ChangeResult], None] | None = None
    progress: StepProgress | None = None
    finished: list[ChangeResult] = field(default_factory=list)

    def _report(self, result: ChangeResult) -> None:
        self.finished.append(result)
        if self.progress is not None:
            self.progress.step(failed=not result.ok)
        if self.on_result is not None:
            self.on_result(result)
        if self.audit is not None:
            self.audit.append(result)

    async def _before_write(self, change: Change) -> None:
        if self.audit is not None:
            self.audit.intent(change)

    async def _tick(self) -> None:
        while self.progress is not None:
            await asyncio.sleep(TICK_SECONDS)
            self.progress.tick()

    async def _run(self, terminated: list[str]) -> list[ChangeResult]:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def on_sigterm() -> None:
            terminated.append("SIGTERM")
            task.cancel()

        handled = False
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGTERM, on_sigterm)  # main thread, POSIX only
            handled = True
        ticker = asyncio.create_task(self._tick())
        try:
            async with self.client() as client:
                with phase("apply"):
                    results = await apply_all(
                        client, self.items, on_result=self._report, before_write=self._before_write
                    )
                with phase("verify"):
                    checked = await recheck_written(client, self.items, results)
            for before, after in zip(results, checked, strict=True):
                if after.outcome is Outcome.OVERWRITTEN and before.outcome is not after.outcome:
                    if self.on_result is not None:
                        self.on_result(after)
                    if self.audit is not None:
                        self.audit.append(after)
            return checked
        finally:
            ticker.cancel()
            if handled:
                loop.remove_signal_handler(signal.SIGTERM)

    def execute(self) -> list[ChangeResult]:
        terminated: list[str] = []
        try:
            return runner.run(self._run(terminated))
        except KeyboardInterrupt:
            raise self._interrupted(ApplyInterrupted, "interrupted") from None
        except asyncio.CancelledError:
            if not terminated:
                raise
            raise self._interrupted(ApplyTerminated, "interrupted (SIGTERM)") from None
        finally:
            if self.audit is not None:
                self.audit.close()  # intents left open get `unknown`

    def _interrupted(self, kind: type[ApplyInterrupted], head: str) -> ApplyInterrupted:
        audit = self.audit
        done = sum(r.outcome is not Outcome.UNKNOWN for r in self.finished)
        recorded = ""
        if audit is not None and audit.problem is not None:
            recorded = f" ({audit.problem})"
        elif audit is not None and audit.written:
            recorded = f", recorded in {audit.path}"
        others = (
            "every write was answered"
            if done == len(self.items)
            else "the others may or may not have been written"
        )
        return kind(
            f"{head}: {done} of {len(self.items)} change(s) finished{recorded}; "
            f"{others}. Run `reconciler plan` to see "
            "where things stand, then apply again (it converges)"
        )
