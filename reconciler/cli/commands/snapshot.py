"""``reconciler snapshot DIR --out FILE``: write the live state, without secrets, for
``plan --live FILE`` in a job that holds no key."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.output import Output
from reconciler.cli.session import engine
from reconciler.engine import Connection, Selection
from reconciler.engine.review import take_snapshot
from reconciler.plan.livefile import write_snapshot


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
    against it: `reconciler plan DIR --live FILE`; `reconciler restore FILE` puts the
    live state back to it. Read-only: it cannot write. Any
    read that fails fails the snapshot (exit 1): a partial snapshot is never written.
    """
    with engine(out, connection) as reconciler:
        document, live, apps = take_snapshot(reconciler, directory, selection)
    for warning in live.warnings:
        out.warn(warning)
    write_snapshot(out_file, document)
    reads = len(document["configs"])
    out.info(f"saved the live state of {apps} app(s) ({reads} configs) to {out_file}")
    return 0
