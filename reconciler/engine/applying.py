"""What ``apply`` decides before it writes, apart from the CLI: the thresholds a saved
plan is applied under, and which of its changes go out (keys present, matching the
reviewed plan). A plan of a directory is checked by its own verdict instead (see
:mod:`reconciler.engine.pipeline` and :meth:`Reconciler.check_plan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.apply.executor import ApplyItem, ChangeResult
from reconciler.apply.reviewed import Key, ReviewedChange, match_reviewed
from reconciler.engine.core import Reconciler
from reconciler.engine.options import SafetyRails
from reconciler.plan.planfile import SavedPlan
from reconciler.plan.safety import FLAGS, Thresholds


def saved_thresholds(saved: SavedPlan, plan_file: Path, rails: SafetyRails) -> Thresholds | None:
    """The thresholds a saved plan is applied under: a flag given now, else the setting
    recorded in the plan when it was made, else the default; None with ``--force``."""
    if rails.force:
        return None
    recorded = {
        name: (
            value,
            f"as recorded in {plan_file} when it was planned; plan again, or pass {FLAGS[name]}",
        )
        for name, value in saved.thresholds.items()
        if name in FLAGS  # the thresholds this version knows (resolve reads no other)
    }
    return rails.resolve(recorded)


def check_saved_plan(saved: SavedPlan, plan_file: Path, rails: SafetyRails) -> None:
    """Refuse a saved plan over its thresholds (see :func:`saved_thresholds`)."""
    Reconciler.check_saved(saved, saved_thresholds(saved, plan_file, rails))


@dataclass(frozen=True)
class SavedChanges:
    """A saved plan's changes, sorted before anything is sent."""

    items: list[ApplyItem]
    """To apply: signed, fingerprinted, keys present (and listed in the reviewed plan)."""
    refused: list[ChangeResult]
    """Not applied: the app's secret key is missing, or the reviewed plan does not list
    the change identically."""
    done: list[str]
    """Reviewed changes no longer needed: live already matches."""


def prepare_saved(
    reconciler: Reconciler, saved: SavedPlan, reviewed: dict[Key, ReviewedChange] | None
) -> SavedChanges:
    """Verify a saved plan and sort its changes (a missing key fails its app alone).

    With ``reviewed`` (a pull request's ``plan --out``, read with
    :func:`~reconciler.apply.reviewed.read_reviewed`), only changes it lists with the
    same live state before and after are kept (see :mod:`reconciler.apply.reviewed`).
    """
    items, keyless = reconciler.prepare_partial(saved)
    if reviewed is None:
        return SavedChanges(items, list(keyless), [])
    matched = match_reviewed(items, reviewed)
    return SavedChanges(matched.apply, [*keyless, *matched.refused], matched.done)
