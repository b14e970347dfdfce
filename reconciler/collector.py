"""How the process uses Python's cycle collector: less often, and never on what lasts.

A run makes few reference cycles, but many objects: tens of thousands of parsed
documents while loading, and the answers of tens of thousands of requests while
fetching. Each full collection walks every live object again, and at exit the
interpreter makes one more walk of everything. ``benchmarks/fleet.py`` measured the
collector at 0.4 s of the CPU of a 2,000-app plan (10,000 reads); with these three
settings, 0.1 s, and the exit 0.2 s shorter.

- :func:`paused` while loading the desired state, which makes no garbage cycles;
  what it made is then moved to the oldest generation without a walk.
- :func:`relaxed` from the end of loading to the end of the requests: what exists
  before (modules, the loaded state) is frozen, so no collection walks it, and the
  youngest generation is collected every :data:`RELAXED_THRESHOLD` allocations
  instead of 700.
- :func:`settle_for_exit` once the command is done: the final walk has nothing left
  to look at; the objects are still freed.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

RELAXED_THRESHOLD = 10_000
"""Allocations between two collections of the youngest generation during a network run."""


@contextmanager
def paused() -> Iterator[None]:
    """The collector off inside the block (as it was, after).

    What the block made is put in the oldest generation, unexamined: it lasts (a
    loaded desired state), and the youngest generation's next collection would
    otherwise walk all of it (15 ms after 10,000 one-line apps).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # else: the host program's freeze stays as it is
            gc.freeze()
            gc.unfreeze()  # back into the oldest generation, not the youngest
        gc.enable()


_relaxed_lock = threading.Lock()
_relaxed_depth = 0
_saved_threshold: tuple[int, int, int] = gc.get_threshold()
_freezing = False
"""Whether the blocks freeze: not when the host program had frozen objects itself (a
pre-fork server embedding the engine), whose ``gc.freeze()`` ours must not undo."""


@contextmanager
def relaxed() -> Iterator[None]:
    """Inside the block, what already exists is not collected, and the rest less often.

    Re-entrant (and across threads): an inner block freezes what was made since the
    outer one began (the loaded desired state, when the engine's fetch begins), and
    the last block to end restores the threshold and unfreezes.
    """
    global _relaxed_depth, _saved_threshold, _freezing
    with _relaxed_lock:
        if _relaxed_depth == 0:
            _saved_threshold = gc.get_threshold()
            first, *rest = _saved_threshold
            gc.set_threshold(max(first, RELAXED_THRESHOLD), *rest)
            _freezing = gc.get_freeze_count() == 0
        _relaxed_depth += 1
        if _freezing:
            gc.freeze()
    try:
        yield
    finally:
        with _relaxed_lock:
            _relaxed_depth -= 1
            if _relaxed_depth == 0:
                gc.set_threshold(*_saved_threshold)
                if _freezing:
                    gc.unfreeze()


def settle_for_exit() -> None:
    """Nothing the process made is walked by the collector again (call it last)."""
    gc.freeze()
