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
from reconciler.escape import escape
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
    live state back to it. Read-only: it cannot write. An
    app that cannot be read (its secret key missing or refused, a read that failed)
    fails alone: the others are saved, it is recorded as unreadable (a plan against
    the snapshot reports it so, never as new), and the exit code is 1.
    """
    with engine(out, connection) as reconciler:
        document, live, apps = take_snapshot(reconciler, directory, selection)
    for warning in live.warnings:
        out.warn(warning)
    write_snapshot(out_file, document)
    reads = len(document["configs"])
    out.info(f"saved the live state of {apps} app(s) ({reads} configs) to {out_file}")
    if live.failures:
        failed = sorted({(f.resource.app, f.resource.sdkappid) for f in live.failures})
        out.error(
            f"{len(failed)} app(s) could not be read, recorded in {out_file} as unreadable: "
            + ", ".join(f"{escape(name)} ({i})" for name, i in failed)
            + "\n"
            + "\n".join(f"  {f}" for f in live.failures)
        )
        return 1
    return 0
