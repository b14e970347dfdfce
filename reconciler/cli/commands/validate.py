"""``reconciler validate DIR`` (or ``FILE...``): load and validate; no network, no credentials."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.output import Output
from reconciler.cli.session import CliEvents
from reconciler.credentials import credential_source
from reconciler.desired.loader import load_desired
from reconciler.engine.loading import load_selected
from reconciler.engine.options import Selection
from reconciler.engine.selection import select_apps
from reconciler.errors import UsageError


@click.command("validate")
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    metavar="DIRECTORY | FILE...",
    type=click.Path(exists=True, path_type=Path),
)
@options.filters
@click.pass_obj
def validate_command(out: Output, paths: tuple[Path, ...], selection: Selection) -> int:
    """Check the desired-state YAML in DIRECTORY without touching the network.

    Given FILEs instead (as a pre-commit hook passes them), checks the apps those
    files belong to: a file next to an app.yaml stands for its app folder. Dot-files
    and files that are not YAML are skipped.

    Exit 0 when valid, 1 with `file:line:col: message` lines when not.
    """
    directories = [p for p in paths if p.is_dir()]
    if directories and len(paths) > 1:
        raise UsageError("give one DIRECTORY, or one or more FILEs, not both")
    if directories:
        selected = load_selected(directories[0], selection, credential_source(), CliEvents(out))
    else:
        state = load_desired(
            Path("."), lenient=selection.lenient, files=paths, policy=selection.policy
        )
        for warning in state.warnings:
            out.config_warning(warning.location, warning.shown)
        selected = select_apps(state.apps, selection.apps, selection.shard, selection.exclude_apps)
    wanted = set(selection.products)
    managed = sum(1 for a in selected for p in a.products if not wanted or p in wanted)
    out.info(f"valid: {len(selected)} app(s), {managed} managed configuration(s)")
    return 0
