"""The one post-plan pipeline: what happens to a plan once it is built.

    (--base: edits told from drift) → ignore rules → safety verdict → warnings → result

``plan``, ``drift``, ``apply DIR``, ``restore`` and the Python API
(:meth:`Reconciler.review`, :meth:`Reconciler.drift`) all finish their plan here, so
they leave out the same accepted differences, give the same verdict and the same
warnings. Each step adds to the plan itself (``ignored``, ``safety``, ``warnings``),
so that every output shows it. Nothing here prints: notes and warnings go to the
run's :class:`Events`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reconciler.engine.events import Events
from reconciler.engine.options import SafetyRails
from reconciler.errors import Location
from reconciler.plan.change import Change, Plan, Resource
from reconciler.plan.ignore import IgnoreRule, ignored, load_rules, parse_rule
from reconciler.plan.safety import change_warnings, drift_warnings, evaluate

if TYPE_CHECKING:
    from reconciler.engine.core import PlanResult

Accepted = tuple[Change | Resource, ...]


@dataclass(frozen=True)
class Review:
    """How a plan is finished: where its ignore file is, and the flags (the policy's
    ``safety:`` thresholds come with the run: :attr:`PlanResult.safety_settings`)."""

    directory: Path | None = None
    """The desired-state directory: its ``.driftignore`` counts (its policy's ``safety:``
    thresholds came with the run, :attr:`PlanResult.safety_settings`). None: a plan
    with no directory (``restore``): no ignore file, the flags alone."""
    ignores: tuple[str, ...] = ()
    """``--ignore`` rules, before those of ``.driftignore``."""
    rails: SafetyRails | None = field(default_factory=SafetyRails)
    """The safety thresholds and ``--force``; None: no verdict (a drift report)."""
    base_ref: str | None = None
    """``--base REF``: tell this desired state's edits from the drift an apply reverts."""
    lenient: bool = False
    """Load the desired state at ``base_ref`` leniently (as the head was)."""
    words: Literal["plan", "drift"] = "plan"
    """Warnings in a plan's words (what apply would do) or a drift report's (what
    happened live)."""


@dataclass(frozen=True)
class Finished:
    """A plan through the pipeline, and the differences its ignore rules accepted."""

    run: PlanResult
    accepted: Accepted = ()
    """Changes and unmanaged configs left out by the ignore rules."""

    @property
    def plan(self) -> Plan:
        return self.run.plan


def finish(
    run: PlanResult, events: Events, review: Review, rules: list[IgnoreRule] | None = None
) -> Finished:
    """``run`` through every post-plan step; the result's plan carries what was
    ignored, the safety verdict (unless ``review.rails`` is None) and every warning:
    the desired state's, the plan's own and those about its changes.

    ``rules``: the ignore rules, read with :func:`rules_of` before planning so that a
    broken ``.driftignore`` stops the run before any request (default: read now)."""
    plan = run.plan
    if review.base_ref is not None and review.directory is not None:
        plan = _with_causes(run, review)
    plan, accepted = _without_accepted(plan, rules_of(review) if rules is None else rules, events)
    verdict = None
    if review.rails is not None:
        # a flag given, else the policy's setting loaded with the apps, else the default
        thresholds = review.rails.resolve(run.safety_settings)
        verdict = evaluate(plan, run.protected, thresholds, forced=review.rails.force)
    extra = drift_warnings(plan) if review.words == "drift" else change_warnings(plan)
    for warning in extra:
        events.warning(warning)
    warnings = (*run.config_warnings, *plan.warnings, *extra)
    plan = replace(plan, safety=verdict, warnings=warnings)
    return Finished(replace(run, plan=plan), accepted)


def _with_causes(run: PlanResult, review: Review) -> Plan:
    from reconciler.engine.review import base_apps  # git is needed with --base only
    from reconciler.plan.cause import with_causes

    assert review.directory is not None and review.base_ref is not None
    base = base_apps(review.directory, review.base_ref, review.lenient)
    return with_causes(run.plan, run.apps, base)


def rules_of(review: Review) -> list[IgnoreRule]:
    """The ignore rules of a run: ``--ignore``, then DIR/.driftignore."""
    if review.directory is None:
        return [parse_rule(f, Location("--ignore")) for f in review.ignores]
    return load_rules(review.directory, review.ignores)


def _without_accepted(plan: Plan, rules: list[IgnoreRule], events: Events) -> tuple[Plan, Accepted]:
    skipped = ignored([*(c.resource for c in plan.changes), *plan.unmanaged], rules)
    if not skipped:
        return plan, ()
    accepted: Accepted = (
        *(c for c in plan.changes if c.resource in skipped),
        *(r for r in plan.unmanaged if r in skipped),
    )
    events.info(f"ignored {len(skipped)} accepted difference(s) (--ignore / .driftignore)")
    return plan.without(skipped), accepted
