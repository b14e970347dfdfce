"""``reconciler plan DIR``: fetch live state, diff, render. Never writes to Tencent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.output import Output, append_step_summary
from reconciler.cli.session import load_selected, make_client, make_plan, open_backend, resolve
from reconciler.plan.change import Plan
from reconciler.plan.planfile import plan_document, write_plan_file
from reconciler.plan.safety import check_protect
from reconciler.render.jsonfmt import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text


def render(plan: Plan, fmt: str, *, title: str = "plan") -> str:
    if fmt == "json":
        return render_json(plan)
    if fmt == "markdown":
        return render_markdown(plan, title=title)
    return render_text(plan, title=title)


@click.command("plan")
@options.desired_dir
@options.filters
@options.backend
@options.render_format
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan (JSON, no secrets) for `reconciler apply --plan FILE`.",
)
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0: none, 1: error)."
)
@click.pass_obj
def plan_command(
    out: Output,
    directory: Path,
    apps: tuple[str, ...],
    products: tuple[str, ...],
    shard: tuple[int, int] | None,
    lenient: bool,
    endpoint: str | None,
    emulator_seed: Path | None,
    parallelism: int,
    timeout: float,
    fmt: str,
    out_file: Path | None,
    detailed_exitcode: bool,
) -> int:
    """Show what apply would change to make live callbacks match DIRECTORY.

    Reads the live configuration through Tencent's query APIs only.
    """
    selected = load_selected(out, directory, apps=apps, shard=shard, lenient=lenient)
    with open_backend(out, endpoint, emulator_seed) as backend:
        resolved = resolve(selected, backend, products)

        async def run() -> Plan:
            async with make_client(backend, parallelism, timeout, read_only=True) as client:
                return await make_plan(out, client, resolved, products)

        plan = asyncio.run(run())
    check_protect(plan, {a.sdkappid for a in selected if a.protect})
    out.result(render(plan, fmt))
    append_step_summary(render_markdown(plan))
    if out_file is not None:
        write_plan_file(out_file, plan_document(plan, resolved))
        out.info(f"saved the plan to {out_file}; apply it with: reconciler apply --plan {out_file}")
    return 2 if detailed_exitcode and plan.has_changes else 0
