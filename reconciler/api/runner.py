"""Run a command's coroutine on uvloop when it is installed.

uvloop (a dependency off Windows, and the emulator's loop) runs the event loop in
C. The client has up to ``--parallelism`` requests in flight, each with its
semaphores, its rate-limit wait and its deadline timer: on asyncio's own loop, in
Python, that bookkeeping cost a sixth of the client's CPU per request
(``benchmarks/fleet.py``). Without uvloop (Windows), or with
``RECONCILER_EVENT_LOOP=asyncio`` (to compare, or to debug on the standard loop), it
is :func:`asyncio.run`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

LOOP_ENV = "RECONCILER_EVENT_LOOP"


def run(main: Coroutine[Any, Any, T]) -> T:
    """:func:`asyncio.run` of ``main``, on uvloop when it is installed."""
    if os.environ.get(LOOP_ENV, "").strip().lower() != "asyncio":
        try:
            import uvloop
        except ImportError:  # pragma: no cover - Windows, or an install without it
            pass
        else:
            return uvloop.run(main)
    return asyncio.run(main)
