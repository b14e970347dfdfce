"""The steps commands share: load and filter the desired state, open a backend
(real hosts, --endpoint or an embedded emulator), resolve credentials, fetch, plan."""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.api.client import TencentClient
from reconciler.api.endpoint import check_endpoint
from reconciler.cli.options import Connection, Selection
from reconciler.cli.output import Output
from reconciler.desired.loader import DesiredApp, load_desired
from reconciler.errors import UsageError
from reconciler.fetch import fetch_live
from reconciler.plan.build import build_plan, reads_for
from reconciler.plan.change import Plan
from reconciler.targets import ResolvedApp, resolve_apps


def in_shard(sdkappid: int, shard: tuple[int, int] | None) -> bool:
    """Deterministic split by a hash of the sdkappid (balanced whatever the numbering)."""
    return shard is None or shard_of(sdkappid, shard[1]) == shard[0]


def shard_of(sdkappid: int, n: int) -> int:
    """The K (1-based) of the shard ``sdkappid`` falls in, out of ``n``."""
    digest = hashlib.sha256(str(sdkappid).encode()).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def _matches(app: DesiredApp, pattern: str) -> bool:
    """A shell glob (``*``, ``?``, ``[...]``) on the app's name or its sdkappid."""
    return fnmatch.fnmatchcase(app.name, pattern) or fnmatch.fnmatchcase(str(app.sdkappid), pattern)


def _known(apps: Sequence[DesiredApp]) -> str:
    names = sorted(a.name for a in apps)
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    return ", ".join(names[:20]) + more


def select_apps(
    apps: Sequence[DesiredApp],
    names: Sequence[str],
    shard: tuple[int, int] | None,
    exclude: Sequence[str] = (),
) -> list[DesiredApp]:
    """``--app`` globs, minus ``--exclude-app`` globs, then ``--shard``.

    A selection that matches nothing, or that the shard empties, is an error that
    says why (never a quiet "No changes"). Without --app/--exclude-app an empty
    shard is not an error: a small fleet leaves some of N CI shards empty.
    """
    selected = list(apps)
    if names:
        unmatched = [p for p in names if not any(_matches(a, p) for a in apps)]
        if unmatched:
            raise UsageError(
                f"--app {', '.join(unmatched)}: no such app: it matches no app name or "
                f"sdkappid in the desired state (known: {_known(apps)}); shell wildcards "
                "work, e.g. 'prod-*'"
            )
        selected = [a for a in apps if any(_matches(a, p) for p in names)]
    if exclude:
        unmatched = [p for p in exclude if not any(_matches(a, p) for a in selected)]
        if unmatched:
            among = "the apps --app selected" if names else "the desired state"
            raise UsageError(
                f"--exclude-app {', '.join(unmatched)}: matches no app among {among}; "
                "check the spelling (shell wildcards work, e.g. 'staging-*')"
            )
        selected = [a for a in selected if not any(_matches(a, p) for p in exclude)]
        if not selected:
            raise UsageError("--exclude-app excludes every selected app: nothing is left to run on")
    in_this_shard = [a for a in selected if in_shard(a.sdkappid, shard)]
    if shard is not None and not in_this_shard and (names or exclude):
        k, n = shard
        where = ", ".join(f"{a.name} in {shard_of(a.sdkappid, n)}/{n}" for a in selected[:10])
        more = f" and {len(selected) - 10} more" if len(selected) > 10 else ""
        raise UsageError(
            f"--shard {k}/{n} holds none of the {len(selected)} selected app(s) "
            f"({where}{more}); drop --shard, or run the shard that holds them"
        )
    return in_this_shard


def load_selected(out: Output, directory: Path, selection: Selection) -> list[DesiredApp]:
    state = load_desired(directory, lenient=selection.lenient)
    for warning in state.warnings:
        out.config_warning(warning.location, warning.message)
    return select_apps(state.apps, selection.apps, selection.shard, selection.exclude_apps)


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


class Progress:
    """A one-line counter on stderr, only on a terminal and for more than a handful of apps."""

    THRESHOLD = 5

    def __init__(self, out: Output, label: str, total: int, apps: int) -> None:
        self.enabled = out.stderr_is_tty and not out.quiet and apps > self.THRESHOLD
        self.label, self.total, self.done = label, total, 0

    def step(self) -> None:
        self.done += 1
        if self.enabled:
            sys.stderr.write(f"\r{self.label}: {self.done}/{self.total}")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


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
    live = await fetch_live(client, reads, on_done=progress.step)
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
    apps = load_selected(out, directory, selection)
    with open_backend(out, connection) as backend:
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
