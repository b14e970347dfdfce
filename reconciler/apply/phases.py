"""``-v`` logs how long each phase of a run took (load, credentials, fetch, plan,
apply, verify), so a slow CI job shows where its time went."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("reconciler.phases")


@contextmanager
def phase(name: str, *, clock: Callable[[], float] = time.perf_counter) -> Iterator[None]:
    """Log ``phase NAME: S s`` at INFO (shown with ``-v``) when the block ends."""
    start = clock()
    try:
        yield
    finally:
        log.info("phase %s: %.2f s", name, clock() - start)
