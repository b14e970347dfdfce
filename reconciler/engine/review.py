"""The steps of a reviewed plan (GitOps): plan live or against a snapshot, then the
post-plan pipeline (:mod:`reconciler.engine.pipeline`: edits told from drift with
``--base``, accepted differences left out, safety, warnings); and the live-state
snapshot that a key-less pull-request job plans against.

The CLI calls these and renders; nothing here prints (events carry the notes).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from reconciler.api import runner
from reconciler.desired.gitbase import desired_at
from reconciler.desired.loader import DesiredApp, load_desired
from reconciler.engine.core import PlanResult, Reconciler
from reconciler.engine.events import Events
from reconciler.engine.options import Connection, Selection
from reconciler.engine.pipeline import Review, finish, rules_of
from reconciler.errors import ConfigErrors, UsageError
from reconciler.fetch import LiveSnapshot, fetch_live
from reconciler.plan.build import reads_for
from reconciler.plan.livefile import plan_against_snapshot, snapshot_document
from reconciler.resolve import resolve_partial


def review_plan(
    connection: Connection,
    events: Events,
    directory: Path,
    selection: Selection,
    live_file: Path | None,
    review: Review,
) -> PlanResult:
    """``reconciler plan``: the plan of ``directory`` against live state, or against a
    snapshot file (no key), through the post-plan pipeline (``review``)."""
    rules = rules_of(review)  # a broken .driftignore stops here, before any request
    if live_file is None:
        with Reconciler(connection, events=events) as reconciler:
            run = reconciler.plan(directory, selection)
    else:
        if connection.emulator_seed is not None:
            raise UsageError("--live plans against a snapshot: drop --emulator")
        no_backend = Reconciler(connection, events=events)
        loaded = no_backend.load_selection(directory, selection)
        resolved, plan = plan_against_snapshot(loaded.apps, live_file, selection.products)
        for warning in plan.warnings:
            events.warning(warning)
        run = PlanResult(loaded.apps, resolved, plan, loaded.warnings, loaded.safety)
    return finish(run, events, review, rules).run


def base_apps(directory: Path, ref: str, lenient: bool) -> list[DesiredApp]:
    """The desired state of ``directory`` at git revision ``ref`` (empty if it is new)."""
    with desired_at(directory, ref) as base:
        if not any(p.suffix in (".yaml", ".yml") for p in base.rglob("*")):
            return []  # the desired state is new in this change: everything is an edit
        try:
            return list(load_desired(base, lenient=lenient).apps)
        except ConfigErrors as errors:
            raise UsageError(
                f"--base {ref}: the desired state at {ref} is not valid "
                f"({len(errors.errors)} error(s)), so edits cannot be told from drift; "
                "plan without --base, or fix the base first"
            ) from None


def take_snapshot(
    reconciler: Reconciler, directory: Path, selection: Selection
) -> tuple[dict[str, Any], LiveSnapshot, int]:
    """Read every managed and unmanaged config of the selected apps: the snapshot
    document (no secret), what was read, and how many apps were read.

    An app that cannot be read (no secret key, a read that failed) fails alone: it is
    recorded in the document's ``unreadable`` (and the returned snapshot's
    ``failures``), every other app is saved.
    """
    apps = reconciler.load(directory, selection)
    resolved, keyless = resolve_partial(apps, reconciler.credentials)
    reads = reads_for(resolved, None, probe_unmanaged=True)
    done = reconciler.events.reading(len(reads), len(resolved))

    async def run() -> LiveSnapshot:
        async with reconciler.backend.client(read_only=True) as client:
            return await fetch_live(client, reads, on_done=done, partial=True)

    live = runner.run(run())
    live = replace(live, failures=(*live.failures, *keyless))
    read = [a for a in resolved if a.target.sdkappid not in live.unreadable_apps]
    return snapshot_document(resolved, live), live, len(read)
