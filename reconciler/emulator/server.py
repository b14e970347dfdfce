"""Run the emulator app on uvicorn, on a socket we bind ourselves.

Binding first means ``port=0`` yields a known free port before uvicorn starts,
and the caller learns the URL only once uvicorn accepts connections. Access
logs are off: request URLs carry UserSigs.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Generator
from types import FrameType
from typing import Any, Final

import uvicorn
from starlette.applications import Starlette

from reconciler.emulator.app import emulator_of
from reconciler.emulator.guard import HEAD_TIMEOUT_SECONDS, guarded_protocol

GRACEFUL_SHUTDOWN_SECONDS: Final = 3


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port=0``: a free port). Raises OSError."""
    host = host.strip("[]")
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(host: str, port: int) -> str:
    """``http://host:port``, with brackets around an IPv6 address."""
    host = host.strip("[]")
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class EmulatorServer(uvicorn.Server):
    """uvicorn's server, plus: a started hook, hangs released at shutdown, and
    (when ``handle_signals``) SIGINT/SIGTERM handlers that just stop serving, so
    the process exits 0 instead of re-raising the signal after shutdown."""

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        app: Starlette,
        handle_signals: bool,
        on_started: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(config)
        self._app = app
        self._handle_signals = handle_signals
        self._on_started = on_started
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()

    def request_exit(self) -> None:
        """Stop serving; safe to call from any thread."""
        self.should_exit = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._wake.set)

    async def main_loop(self) -> None:
        # uvicorn's loop polls should_exit every 0.1 s; we also wake up at once
        # when request_exit() is called, so an embedded emulator stops quickly.
        self._loop = asyncio.get_running_loop()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=0.1)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self._on_started is not None:
            self._on_started()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        emulator_of(self._app).release_hangs()
        await super().shutdown(sockets=sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if not self._handle_signals or threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._stop_on_signal) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop_on_signal(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True  # a second signal: stop waiting for connections
        self.should_exit = True


def make_server(
    app: Starlette,
    *,
    handle_signals: bool,
    on_started: Callable[[], None] | None = None,
    configure_logging: bool = False,
    head_timeout: float = HEAD_TIMEOUT_SECONDS,
) -> EmulatorServer:
    """An :class:`EmulatorServer` for ``app``; run it with ``server.run(sockets=[sock])``.

    ``configure_logging=False`` (embedded use) leaves the host process's logging
    configuration alone; the CLI sets uvicorn's own stderr handlers. ``head_timeout``:
    seconds a client has to send a request head (see :mod:`reconciler.emulator.guard`).
    """
    log_config: dict[str, Any] | None = uvicorn.config.LOGGING_CONFIG if configure_logging else None
    config = uvicorn.Config(
        app,
        # each request head bounded in size and time (uvicorn has neither for httptools)
        http=guarded_protocol(head_timeout),
        log_level="warning",
        access_log=False,
        log_config=log_config,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    return EmulatorServer(config, app=app, handle_signals=handle_signals, on_started=on_started)
