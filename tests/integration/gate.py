"""A test-only gate in the emulator's request pipeline: hold chosen requests until the
test lets them go, so that CLI processes can be made to overlap in an exact order
without any sleep or timing assumption.

:func:`install_gate` patches :meth:`Emulator.handle` (before the emulator starts):
every request first awaits ``gate.before(seen)``, then is answered as usual, then
``gate.after(seen)`` runs. Both run on the emulator's event loop, one request at a
time between awaits, so a gate's bookkeeping needs no lock.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response

from reconciler.emulator.app import Emulator

POLL = 0.005  # how often a held request looks at its release event (not a timing assumption)


@dataclass(frozen=True)
class Seen:
    """One request as the gate sees it."""

    service: str  # e.g. "call_config", "live_config", "callback" (v1)
    command: str  # last path segment: get_callback, set_callback, ...
    sdkappid: int
    body: dict[str, Any]

    @property
    def write(self) -> bool:
        return not self.command.startswith("get")


class Gate:
    """Lets everything through; subclasses hold what they want."""

    async def before(self, seen: Seen) -> None:
        """Awaited before the request is answered."""

    def after(self, seen: Seen) -> None:
        """Called once the answer is ready (the state change, if any, is committed)."""


async def wait_for(event: threading.Event) -> None:
    """Await a threading.Event set by the test thread, without blocking the loop."""
    while not event.is_set():  # noqa: ASYNC110 - set from another thread and loop
        await asyncio.sleep(POLL)


def install_gate(monkeypatch: pytest.MonkeyPatch, gate: Gate) -> None:
    original = Emulator.handle

    async def handle(self: Emulator, request: Request) -> Response:
        raw = await request.body()  # cached on the request: the real handler reads it again
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        parts = request.url.path.strip("/").split("/")
        seen = Seen(
            service=parts[-2] if len(parts) >= 2 else "",
            command=parts[-1],
            sdkappid=int(request.query_params.get("sdkappid", "0") or 0),
            body=body if isinstance(body, dict) else {},
        )
        await gate.before(seen)
        response = await original(self, request)
        gate.after(seen)
        return response

    monkeypatch.setattr(Emulator, "handle", handle)
