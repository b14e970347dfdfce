"""``reconciler schema``: the JSON Schema of desired-state files, or (``--plan``) of the
plan and apply-result documents."""

from __future__ import annotations

import json

import click

from reconciler.apply.schema import documents_schema
from reconciler.cli.output import Output
from reconciler.desired.models import desired_state_json_schema


@click.command("schema")
@click.option(
    "--plan",
    "plan_documents",
    is_flag=True,
    help="The schema of the plan JSON (--format json, plan --out) and of apply's "
    "--audit-log lines instead (#/$defs/plan, #/$defs/apply_result).",
)
@click.pass_obj
def schema_command(out: Output, plan_documents: bool) -> int:
    """Print the JSON Schema of desired-state files (for editors and CI).

    With --plan: the schema of the documents this tool writes for other programs.
    The repository keeps copies in schema/.
    """
    schema = documents_schema() if plan_documents else desired_state_json_schema()
    out.result(json.dumps(schema, indent=2) + "\n")
    return 0
