"""``reconciler validate DIR`` (or ``FILE…``): load and validate; no network, no credentials."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli import options
from reconciler.cli.output import Output
from reconciler.cli.session import engine
from reconciler.desired.layout import SUFFIXES
from reconciler.desired.loader import load_desired_files
from reconciler.desired.result import DesiredApp
from reconciler.engine import Connection, Selection
from reconciler.engine.selection import select_apps
from reconciler.errors import UsageError


def _load_files(out: Output, files: list[Path], selection: Selection) -> list[DesiredApp]:
    not_yaml = [str(f) for f in files if f.suffix not in SUFFIXES]
    if not_yaml:
        raise UsageError(
            f"not a desired-state file: {', '.join(not_yaml)}; give *.yaml/*.yml app files "
            "or the folder holding them"
        )
    state = load_desired_files(files, lenient=selection.lenient)
    for warning in state.warnings:
        out.config_warning(warning.location, warning.message)
    return select_apps(state.apps, selection.apps, selection.shard, selection.exclude_apps)


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@options.filters
@click.pass_obj
def validate_command(out: Output, paths: tuple[Path, ...], selection: Selection) -> int:
    """Check the desired-state YAML in DIRECTORY (or just these FILES) without the network.

    Give one folder, or one or more app files (as a pre-commit hook does: a product
    file inside an app folder checks that whole folder). Exit 0 when valid, 1 with
    `file:line:col: message` lines when not.
    """
    dirs = [p for p in paths if p.is_dir()]
    if dirs and len(paths) > 1:
        raise UsageError("give one DIRECTORY, or one or more FILES, not both or several folders")
    if dirs:
        selected = engine(out, Connection()).load(dirs[0], selection)  # no backend needed
    else:
        selected = _load_files(out, list(paths), selection)
    wanted = set(selection.products)
    managed = sum(1 for a in selected for p in a.products if not wanted or p in wanted)
    out.info(f"valid: {len(selected)} app(s), {managed} managed configuration(s)")
    return 0
