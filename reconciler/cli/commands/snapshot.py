"""``reconciler snapshot DIR --out FILE``: write the live state, without secrets, for
``plan --live FILE`` in a job that holds no key."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.options import Connection, Selection
from reconciler.cli.output import Output
from reconciler.cli.session import Progress, load_selected, open_backend
from reconciler.fetch import LiveSnapshot, fetch_live
from reconciler.plan.build import reads_for
from reconciler.plan.livefile import snapshot_document, write_snapshot
from reconciler.targets import resolve_apps


@click.command("snapshot")
@options.desired_dir
@options.filters
@options.backend
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the snapshot (JSON, no secret) to this file.",
)
@click.pass_obj
def snapshot_command(
    out: Output, directory: Path, selection: Selection, connection: Connection, out_file: Path
) -> int:
    """Read the live state of every app in DIRECTORY and save it without any secret.

    Callback URLs and events are saved as they are; a Live token only as whether it
    equals the token the desired state asks for. A job with no key can then plan
    against it: `reconciler plan DIR --live FILE`. Read-only: it cannot write.
    """
    apps = load_selected(out, directory, selection)
    with open_backend(out, connection) as backend:
        resolved = resolve_apps(apps, os.environ, secret_keys=backend.secret_keys)
        reads = reads_for(resolved, None, probe_unmanaged=True)
        progress = Progress(out, "reading live state", len(reads), len(resolved))

        async def run() -> LiveSnapshot:
            async with backend.client(read_only=True) as client:
                return await fetch_live(client, reads, on_done=progress.step)

        live = asyncio.run(run())
    for warning in live.warnings:
        out.warn(warning)
    write_snapshot(out_file, snapshot_document(resolved, live))
    out.info(f"saved the live state of {len(resolved)} app(s) ({len(reads)} configs) to {out_file}")
    return 0
