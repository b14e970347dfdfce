"""An in-process emulator on a background thread, for tests and ``plan --emulator``.

```python
with start_emulator(Path("seed.yaml")) as emu:
    client = httpx.Client(base_url=emu.base_url)
    ...
```
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from starlette.applications import Starlette

from reconciler.emulator.app import create_app
from reconciler.emulator.faults import ALL_KINDS, FaultConfig, FaultKind
from reconciler.emulator.guard import HEAD_TIMEOUT_SECONDS
from reconciler.emulator.operations import DEFAULT_BEHAVIOUR, Behaviour
from reconciler.emulator.ratelimit import Clock
from reconciler.emulator.seed import Seed, load_seed
from reconciler.emulator.server import (
    GRACEFUL_SHUTDOWN_SECONDS,
    EmulatorServer,
    base_url,
    bind_socket,
    make_server,
)
from reconciler.emulator.store import Store
from reconciler.errors import ReconcilerError

STARTUP_TIMEOUT_SECONDS = 10.0


class EmulatorStartError(ReconcilerError):
    """The embedded emulator could not start (port in use, server error)."""


class RunningEmulator:
    """A started emulator. ``stop()`` (or leaving the ``with`` block) shuts it down."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        seed: Seed,
        store: Store,
        app: Starlette,
        server: EmulatorServer,
        thread: threading.Thread,
    ) -> None:
        self.host = host
        self.port = port
        self.base_url = base_url(host, port)
        self.seed = seed
        self.store = store
        self.app = app
        self._server = server
        self._thread = thread
        self._stopped = False

    def secret_keys(self) -> dict[int, str]:
        """``{sdkappid: secret_key}`` of the apps it serves (from its database)."""
        return self.store.secret_keys()

    @property
    def running(self) -> bool:
        return not self._stopped and self._thread.is_alive()

    def stop(self) -> None:
        """Stop serving, wait for the thread, close the database. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._server.request_exit()
        self._thread.join(timeout=GRACEFUL_SHUTDOWN_SECONDS + 5)
        self.store.close()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RunningEmulator(base_url={self.base_url!r}, running={self.running})"


def start_emulator(
    seed: Seed | Path | str | os.PathLike[str] | None = None,
    *,
    db: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    latency_ms: int = 0,
    fault_rate: float = 0.0,
    fault_seed: int | None = None,
    fault_kinds: Iterable[FaultKind | str] = ALL_KINDS,
    hang_seconds: float = 30.0,
    rate_limit: bool = True,
    request_log: Path | None = None,
    clock: Clock = time.monotonic,
    wall_clock: Clock = time.time,
    behaviour: Behaviour | None = None,
    head_timeout: float = HEAD_TIMEOUT_SECONDS,
) -> RunningEmulator:
    """Start an emulator on a background thread and return once it accepts connections.

    ``seed`` (a :class:`Seed` or a seed file) fills the database only when it is
    empty; ``db=None`` keeps state in memory. ``port=0`` picks a free port; read
    it from ``.base_url``. ``head_timeout``: seconds a client has to send a request
    head (:mod:`reconciler.emulator.guard`). Raises :class:`~reconciler.errors.ConfigError` for a
    bad seed file and :class:`EmulatorStartError` when the server cannot start.
    """
    if seed is None:
        seed_value = Seed()
    elif isinstance(seed, Seed):
        seed_value = seed
    else:
        seed_value = load_seed(Path(seed))
    faults = FaultConfig.of(
        fault_rate, seed=fault_seed, kinds=fault_kinds, hang_seconds=hang_seconds
    )

    store = Store(db)
    try:
        store.fill_from_seed(seed_value)
        app = create_app(
            store,
            rate_limit=rate_limit,
            faults=faults,
            latency_ms=latency_ms,
            request_log=request_log,
            clock=clock,
            wall_clock=wall_clock,
            behaviour=behaviour or seed_value.behaviour or DEFAULT_BEHAVIOUR,
        )
        try:
            sock = bind_socket(host, port)
        except OSError as exc:
            raise EmulatorStartError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None
    except BaseException:
        store.close()
        raise

    started = threading.Event()
    server = make_server(
        app, handle_signals=False, on_started=started.set, head_timeout=head_timeout
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="trtc-emulator", daemon=True
    )
    emulator = RunningEmulator(
        host=host,
        port=sock.getsockname()[1],
        seed=seed_value,
        store=store,
        app=app,
        server=server,
        thread=thread,
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not started.wait(0.01):
        if not thread.is_alive() or time.monotonic() > deadline:
            emulator.stop()
            sock.close()
            raise EmulatorStartError("the embedded emulator did not start; see the log above")
    return emulator
