"""``reconciler schema``: the JSON Schema of desired-state files (an app, a defaults.yaml,
a policy.yaml), or (``--plan``) of the plan and apply-result documents."""

from __future__ import annotations

import json

import click

from reconciler.apply.schema import documents_schema
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
@click.option(
    "--plan",
    "plan_documents",
    is_flag=True,
    help="The schema of the plan JSON (--format json, plan --out) and of apply's "
    "--audit-log lines instead (#/$defs/plan, #/$defs/apply_result).",
)
@click.pass_obj
def schema_command(out: Output, kind: str, plan_documents: bool) -> int:
    """Print the JSON Schema of desired-state files (for editors and CI).

    --kind picks the file (app, defaults, policy). With --plan: the schema of the
    documents this tool writes for other programs. The repository keeps copies in
    schema/.
    """
    schema = documents_schema() if plan_documents else SCHEMAS[kind]()
    out.result(json.dumps(schema, indent=2) + "\n")
    return 0
