"""Where requests go: the regional hosts, an ``--endpoint``, or an embedded emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from reconciler.api.client import TencentClient
from reconciler.api.endpoint import check_endpoint
from reconciler.engine.options import Connection
from reconciler.errors import UsageError


@dataclass(frozen=True)
class Backend:
    """Where requests go, and the secret keys an emulator seed provides."""

    connection: Connection
    endpoint: str | None
    secret_keys: Mapping[int, str] | None = field(repr=False)

    def client(self, *, read_only: bool = False) -> TencentClient:
        return TencentClient(
            endpoint=self.endpoint,
            max_in_flight=self.connection.parallelism,
            timeout=self.connection.timeout,
            read_only=read_only,
        )


@contextmanager
def open_backend(
    connection: Connection, on_info: Callable[[str], None] | None = None
) -> Iterator[Backend]:
    endpoint, seed_path = connection.endpoint, connection.emulator_seed
    if seed_path is None:
        # refuse a bad --endpoint before credentials are looked up or anything is read
        yield Backend(connection, check_endpoint(endpoint) if endpoint else None, None)
        return
    if endpoint and not connection.endpoint_from_env:
        raise UsageError("--emulator and --endpoint exclude each other; drop one")
    # an endpoint from the TRTC_ENDPOINT environment gives way to an explicit --emulator
    from reconciler.emulator.embedded import start_emulator
    from reconciler.emulator.seed import load_seed

    seed = load_seed(seed_path)
    with start_emulator(seed) as emulator:
        if on_info is not None:
            on_info(f"embedded emulator from {seed_path} at {emulator.base_url}")
        yield Backend(connection, emulator.base_url, seed.secret_keys())
