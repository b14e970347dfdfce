"""``reconciler validate DIR``: load and validate; no network, no credentials."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.output import Output
from reconciler.cli.session import engine
from reconciler.engine import Connection, Selection


@click.command("validate")
@options.desired_dir
@options.filters
@click.pass_obj
def validate_command(out: Output, directory: Path, selection: Selection) -> int:
    """Check the desired-state YAML in DIRECTORY without touching the network.

    Exit 0 when valid, 1 with `file:line:col: message` lines when not.
    """
    selected = engine(out, Connection()).load(directory, selection)  # no backend needed
    wanted = set(selection.products)
    managed = sum(1 for a in selected for p in a.products if not wanted or p in wanted)
    out.info(f"valid: {len(selected)} app(s), {managed} managed configuration(s)")
    return 0
