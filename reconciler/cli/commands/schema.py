"""``reconciler schema``: the JSON Schema of desired-state files."""

from __future__ import annotations

import json

import click

from reconciler.cli.output import Output
from reconciler.desired.models import desired_state_json_schema


@click.command("schema")
@click.pass_obj
def schema_command(out: Output) -> int:
    """Print the JSON Schema of desired-state files (for editors and CI)."""
    out.result(json.dumps(desired_state_json_schema(), indent=2) + "\n")
    return 0
