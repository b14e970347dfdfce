"""``reconciler schema``: the JSON Schema of desired-state files."""

from __future__ import annotations

import json

import click

from reconciler.cli.output import Output
from reconciler.desired.schemas import SCHEMAS


@click.command("schema")
@click.option(
    "--kind",
    type=click.Choice(sorted(SCHEMAS)),
    default="app",
    show_default=True,
    help="Which file: an app (or product) file, a defaults.yaml, or a policy.yaml.",
)
@click.pass_obj
def schema_command(out: Output, kind: str) -> int:
    """Print the JSON Schema of desired-state files (for editors and CI)."""
    out.result(json.dumps(SCHEMAS[kind](), indent=2) + "\n")
    return 0
