"""The steps commands share: load and filter the desired state, open a backend
(real hosts, --endpoint or an embedded emulator), resolve credentials, fetch, plan."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.api.client import TencentClient
from reconciler.api.endpoint import check_endpoint
from reconciler.cli.options import Connection, Selection
from reconciler.cli.output import Output
from reconciler.cli.progress import DEFAULT_INTERVAL
from reconciler.cli.progress import Progress as ProgressLine
from reconciler.desired.loader import DesiredApp, load_desired
from reconciler.errors import UsageError
from reconciler.fetch import fetch_live
from reconciler.phases import phase
from reconciler.plan.build import build_plan, reads_for
from reconciler.plan.change import Plan
from reconciler.targets import ResolvedApp, resolve_apps


def in_shard(sdkappid: int, shard: tuple[int, int] | None) -> bool:
    """Deterministic split by a hash of the sdkappid (balanced whatever the numbering)."""
    if shard is None:
        return True
    k, n = shard
    digest = hashlib.sha256(str(sdkappid).encode()).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def select_apps(
    apps: Sequence[DesiredApp], names: Sequence[str], shard: tuple[int, int] | None
) -> list[DesiredApp]:
    if names:
        known = {a.name for a in apps} | {str(a.sdkappid) for a in apps}
        unknown = [n for n in names if n not in known]
        if unknown:
            listing = ", ".join(sorted(a.name for a in apps)[:20])
            raise UsageError(
                f"--app {', '.join(unknown)}: no such app in the desired state (known: {listing})"
            )
        apps = [a for a in apps if a.name in names or str(a.sdkappid) in names]
    return [a for a in apps if in_shard(a.sdkappid, shard)]


def load_selected(out: Output, directory: Path, selection: Selection) -> list[DesiredApp]:
    state = load_desired(directory, lenient=selection.lenient)
    for warning in state.warnings:
        out.config_warning(warning.location, warning.message)
    return select_apps(state.apps, selection.apps, selection.shard)


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
def open_backend(out: Output, connection: Connection) -> Iterator[Backend]:
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
        out.info(f"embedded emulator from {seed_path} at {emulator.base_url}")
        yield Backend(connection, emulator.base_url, seed.secret_keys())


def _to_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


class Progress(ProgressLine):
    """Progress on stderr: a counter on a terminal (for more than a handful of apps),
    a line every few seconds off a terminal (CI logs); nothing under ``-q``."""

    THRESHOLD = ProgressLine.TTY_THRESHOLD

    def __init__(
        self,
        out: Output,
        label: str,
        total: int,
        apps: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = DEFAULT_INTERVAL,
    ) -> None:
        super().__init__(
            label,
            total,
            write=_to_stderr,
            tty=out.stderr_is_tty,
            enabled=not out.quiet,
            apps=apps,
            clock=clock,
            interval=interval,
        )


async def make_plan(
    out: Output,
    client: TencentClient,
    apps: Sequence[ResolvedApp],
    products: Sequence[str],
    *,
    probe_unmanaged: bool = True,
) -> Plan:
    wanted = products or None
    reads = reads_for(apps, wanted, probe_unmanaged=probe_unmanaged)
    progress = Progress(out, "reading live state", len(reads), len(apps))
    with phase("fetch"):
        live = await fetch_live(client, reads, on_done=progress.step)
    with phase("plan"):
        plan = build_plan(apps, live, wanted)
    for warning in plan.warnings:
        out.warn(warning)
    return plan


@dataclass(frozen=True)
class Planned:
    """A plan of DIRECTORY and what it was made from; the backend stays open."""

    apps: list[DesiredApp]
    resolved: list[ResolvedApp]
    backend: Backend
    plan: Plan

    @property
    def protected(self) -> set[int]:
        return {a.sdkappid for a in self.apps if a.protect}


@contextmanager
def planned(
    out: Output, directory: Path, selection: Selection, connection: Connection
) -> Iterator[Planned]:
    """load → resolve credentials → fetch (read-only client) → diff."""
    with phase("load"):
        apps = load_selected(out, directory, selection)
    with open_backend(out, connection) as backend:
        with phase("credentials"):
            resolved = resolve_apps(
                apps,
                os.environ,
                secret_keys=backend.secret_keys,
                products=frozenset(selection.products) if selection.products else None,
            )

        async def run() -> Plan:
            async with backend.client(read_only=True) as client:
                return await make_plan(out, client, resolved, selection.products)

        yield Planned(apps, resolved, backend, asyncio.run(run()))
