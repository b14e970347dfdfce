"""``reconciler restore SNAPSHOT``: plan the way back to a live-state snapshot.

The snapshot's apps become the desired state (:mod:`reconciler.plan.restore`); from
there the plan is read, checked and applied exactly as ``apply DIR`` does.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reconciler.credentials import remember_secrets
from reconciler.engine.core import PlanResult, Reconciler
from reconciler.engine.options import SafetyRails, Selection
from reconciler.engine.pipeline import Review, finish
from reconciler.engine.selection import select_apps
from reconciler.errors import UsageError
from reconciler.plan.livefile import read_snapshot
from reconciler.plan.restore import restore_source


def plan_restore(
    reconciler: Reconciler,
    snapshot_file: Path,
    selection: Selection,
    rails: SafetyRails | None = None,
) -> PlanResult:
    """A plan that makes the selected apps' live state match ``snapshot_file``, through
    the post-plan pipeline as ``apply DIR``'s (no directory: no ignore file, and the
    thresholds of ``rails`` alone).

    What restore cannot do (a token value, a masked URL, an unread product, an old
    snapshot's missing fields) is in the plan's warnings, so every output says it.
    """
    snapshot = read_snapshot(snapshot_file)
    source = restore_source(snapshot, snapshot_file)
    if not source.apps:
        raise UsageError(f"{snapshot_file}: the snapshot holds no app: nothing to restore")
    remember_secrets(source.apps, reconciler.credentials)
    apps = select_apps(source.apps, selection.apps, selection.shard, selection.exclude_apps)
    chosen, wanted = {a.sdkappid for a in apps}, set(selection.products)
    notes = tuple(n.text for n in source.notes if n.concerns(chosen, wanted))
    run = reconciler.plan_apps(apps, selection.products)
    run = replace(run, plan=replace(run.plan, warnings=(*notes, *run.plan.warnings)))
    return finish(run, reconciler.events, Review(rails=rails or SafetyRails())).run
