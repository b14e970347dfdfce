"""Tencent's RequestId of each successful write, collected for whoever asked.

A product's create/update/delete may send one or two requests (e.g. a create that
falls back to update); the apply executor wants the RequestId of what was written
without every product passing it through. The client notes the RequestId of each
successful write here; :func:`recording_request_ids` collects those of the current
asyncio task (a context variable, so concurrent changes do not mix).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_recorder: ContextVar[list[str] | None] = ContextVar("write_request_ids", default=None)


@contextmanager
def recording_request_ids() -> Iterator[list[str]]:
    """Collect, in order, the RequestIds of the writes made inside the ``with`` block."""
    ids: list[str] = []
    token = _recorder.set(ids)
    try:
        yield ids
    finally:
        _recorder.reset(token)


def note_request_id(request_id: str) -> None:
    """Called by the client after each successful write."""
    ids = _recorder.get()
    if ids is not None and request_id:
        ids.append(request_id)
