"""``reconciler render DIR``: the fully expanded desired state, as YAML; no network."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.output import Output
from reconciler.cli.session import engine
from reconciler.engine import Connection, Selection
from reconciler.render.desiredyaml import render_desired


@click.command("render")
@options.desired_dir
@options.filters
@click.pass_obj
def render_command(out: Output, directory: Path, selection: Selection) -> int:
    """Print the desired state of DIRECTORY with defaults, templates and placeholders applied.

    One YAML document per app (in the `import` layout), so a reviewer sees what a
    change to defaults.yaml does to each app. The output loads back to the same
    desired state, the warnings each app acknowledges included. Checks the policy
    like validate.
    """
    selected = engine(out, Connection()).load(directory, selection)  # no backend needed
    out.result(render_desired(selected, selection.products) if selected else "")
    out.info(f"rendered {len(selected)} app(s)")
    return 0
