"""``reconciler import --factor``: where the DRY layout goes, and writing it.

The layout itself is worked out by :mod:`reconciler.render.factor`; this module checks
before any request that it can be written without touching anything else, and
writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.cli.import_list import ImportTarget
from reconciler.cli.output import Output
from reconciler.desired.layout import SUFFIXES
from reconciler.errors import UsageError
from reconciler.render.factor import ROOT_DEFAULTS, FleetApp, app_file_name, choose, flat_lines


def planned_files(directory: Path, targets: Sequence[ImportTarget]) -> list[Path]:
    """Every file ``--factor`` may write for ``targets`` (the defaults files whether or not
    they turn out to be needed)."""
    files = [directory / ROOT_DEFAULTS]
    for region in dict.fromkeys(t.region for t in targets):
        files.append(directory / region / "defaults.yaml")
    for target in targets:
        files.append(directory / target.region / app_file_name(target.name, target.sdkappid))
    return files


def check_target(
    directory: Path | None,
    targets: Sequence[ImportTarget],
    force: bool,
    templates: Sequence[str] = (),
) -> None:
    """Refuse, before any request: stdout (None) or ``--template``, overwriting without
    ``--force``, or defaults files that would also apply to desired-state files already
    in ``directory``."""
    if directory is None or templates:
        raise UsageError(
            "--factor writes a folder of files and makes its own templates: "
            "give --out DIR, without --template"
        )
    planned = planned_files(directory, targets)
    existing = [p for p in planned if p.exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:5])
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise UsageError(f"{shown}{more} exists; pass --force to overwrite")
    if not directory.is_dir():
        return
    mine = {p.resolve() for p in planned}
    others = sorted(
        p
        for p in directory.rglob("*")
        if p.suffix in SUFFIXES
        and p.resolve() not in mine
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )
    if others:
        shown = ", ".join(str(p) for p in others[:3])
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        raise UsageError(
            f"--factor writes defaults.yaml files that would apply to {shown}{more} too: "
            "import into an empty folder (or one holding only an earlier --factor import)"
        )


def write_factored(out: Output, directory: Path, apps: Sequence[FleetApp]) -> None:
    """Write the shortest layout that loads to the same apps as the flat import."""
    if not apps:
        return  # every app failed: nothing to factor (the failures are reported)
    layout = choose(apps)
    written = {directory / relative for relative, _ in layout.files}
    regions = dict.fromkeys(app.region for app in apps)
    # a defaults file of an earlier import (--force) that this layout does not need
    # would still apply to every app below it
    stale = [directory / ROOT_DEFAULTS, *(directory / r / "defaults.yaml" for r in regions)]
    try:
        for path in stale:
            if path not in written and path.is_file():
                path.unlink()
        for relative, text in layout.files:
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write into {directory}: {exc.strerror}; choose another --out"
        ) from None
    where = dict(layout.app_paths)
    for app in apps:
        found = [p for p, c in app.configs.items() if c is not None]
        out.info(
            f"wrote {directory / where[app.name]} ({len(found)} configured product(s): "
            f"{', '.join(found) or 'none'})"
        )
    before = flat_lines(apps)
    shape = "flat files (nothing is shared)" if layout.strategy.flat else "a DRY layout"
    out.info(
        f"factored {len(apps)} app(s) into {shape}: {len(layout.files)} file(s), "
        f"{layout.lines} YAML lines (the flat import: {before})"
    )
