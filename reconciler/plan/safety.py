"""Safety rails: ``protect: true`` and the update/delete thresholds.

:func:`evaluate` gives the verdict that ``plan`` shows (text, Markdown, JSON) and
that ``apply`` enforces before anything is written; the ``check_*`` functions raise
:class:`SafetyError` for a verdict that forbids the apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import SafetyError
from reconciler.plan.change import Action, Plan
from reconciler.thresholds import DEFAULTS, NAMES

FLAGS = {name: "--" + name.replace("_", "-") for name in NAMES}
"""Each threshold's setting (``safety:`` in policy.yaml) and its command-line flag."""


@dataclass(frozen=True)
class Thresholds:
    """As octoDNS: refuse when updates or deletes exceed a share of what exists."""

    max_update_pct: float = DEFAULTS.max_update_pct
    max_delete_pct: float = DEFAULTS.max_delete_pct
    min_existing: int = DEFAULTS.min_existing
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Where a setting came from (``set at policy.yaml:3:19``, ``set by --max-update-pct``);
    a setting not listed is the default."""

    def origin(self, name: str) -> str:
        """Where the setting ``name`` came from, and how to change it."""
        found = self.origins.get(name)
        if found:
            return found
        return f"the default; set `safety: {name}:` in policy.yaml, or pass {FLAGS[name]}"


@dataclass(frozen=True)
class SafetyVerdict:
    """What the safety rails say about one plan.

    ``breaches``: thresholds exceeded (an override, ``--force``, lets them through);
    ``protected``: deletes in ``protect: true`` apps (nothing lets them through).
    """

    breaches: tuple[str, ...]
    protected: tuple[str, ...]
    forced: bool
    thresholds: Thresholds

    @property
    def status(self) -> str:
        """``safe``, ``overridden`` (breaches let through by --force), ``unsafe``, ``blocked``."""
        if self.protected:
            return "blocked"
        if not self.breaches:
            return "safe"
        return "overridden" if self.forced else "unsafe"

    @property
    def allowed(self) -> bool:
        return self.status in ("safe", "overridden")

    def protect_message(self) -> str:
        return (
            f"the plan deletes {', '.join(self.protected)}, but the app is marked "
            "`protect: true`; remove `ensure: absent` there, or set `protect: false` in a "
            "reviewed change first"
        )

    def threshold_message(self) -> str:
        return "; ".join(self.breaches)

    def summary(self) -> str:
        """One line for people: the verdict and why."""
        status = self.status
        if status == "blocked":
            return f"BLOCKED: {self.protect_message()}"
        if status == "safe":
            t = self.thresholds
            return (
                f"safe: within the thresholds (updates ≤ {t.max_update_pct:g}%, "
                f"deletes ≤ {t.max_delete_pct:g}% of the managed configs)"
            )
        if status == "overridden":
            return f"UNSAFE, OVERRIDDEN by --force: {self.threshold_message()}"
        return (
            f"UNSAFE: {self.threshold_message()}. Apply will refuse it unless the override "
            "is given (--force; in the shipped workflows, the PR label)"
        )

    def to_dict(self) -> dict[str, Any]:
        t = self.thresholds
        return {
            "verdict": self.status,
            "problems": [*(f"protect: {p}" for p in self.protected), *self.breaches],
            "override": self.forced,
            "thresholds": {
                "max_update_pct": t.max_update_pct,
                "max_delete_pct": t.max_delete_pct,
                "min_existing": t.min_existing,
            },
        }


def protect_violations(plan: Plan, protected: Set[int]) -> tuple[str, ...]:
    return tuple(
        f"{c.resource.app}/{c.resource.product}"
        for c in plan.changes
        if c.action is Action.DELETE and c.resource.sdkappid in protected
    )


def threshold_breaches(
    counts: Mapping[str, int], existing: int, thresholds: Thresholds
) -> tuple[str, ...]:
    if existing == 0 or existing < thresholds.min_existing:
        return ()  # nothing exists that an update or a delete could hurt
    problems = []
    for action, name, limit in (
        ("update", "max_update_pct", thresholds.max_update_pct),
        ("delete", "max_delete_pct", thresholds.max_delete_pct),
    ):
        n = counts[action]
        if n * 100 > limit * existing:
            share = 100 * n / existing
            problems.append(
                f"{n} {action}s are {share:.1f}% of {existing} existing managed "
                f"configs (threshold {limit:g}%): {share - limit:.1f} points over {name} "
                f"({thresholds.origin(name)})"
            )
    return tuple(problems)


def evaluate(
    plan: Plan, protected: Set[int], thresholds: Thresholds, *, forced: bool = False
) -> SafetyVerdict:
    return SafetyVerdict(
        threshold_breaches(plan.summary(), plan.existing, thresholds),
        protect_violations(plan, protected),
        forced,
        thresholds,
    )


def check_protect(plan: Plan, protected: Set[int]) -> None:
    """``protect: true`` on an app makes any planned delete there an error."""
    verdict = evaluate(plan, protected, Thresholds())
    if verdict.protected:
        raise SafetyError(verdict.protect_message())


def check_thresholds(counts: Mapping[str, int], existing: int, thresholds: Thresholds) -> None:
    """Raise :class:`SafetyError` when a plan (its summary ``counts``) touches too much
    of the ``existing`` managed configs."""
    problems = threshold_breaches(counts, existing, thresholds)
    if problems:
        raise SafetyError(_unsafe_message(problems))


def enforce(verdict: SafetyVerdict) -> None:
    """Raise :class:`SafetyError` unless ``verdict`` lets the plan be applied: a delete
    in a ``protect: true`` app, or thresholds exceeded without ``--force``."""
    if verdict.protected:
        raise SafetyError(verdict.protect_message())
    if verdict.breaches and not verdict.forced:
        raise SafetyError(_unsafe_message(verdict.breaches))


def _unsafe_message(problems: tuple[str, ...]) -> str:
    return (
        "unsafe plan, nothing applied: "
        + "; ".join(problems)
        + ". Check the plan; if it is intended, pass --force (or raise the threshold "
        "under `safety:` in policy.yaml, or with --max-update-pct / --max-delete-pct)"
    )


def change_warnings(plan: Plan) -> tuple[str, ...]:
    """Warnings about what the changes do: a callback URL that goes from https:// to
    plain http:// (callbacks, and whatever they carry, would travel in clear text)."""
    warnings = []
    for change in plan.changes:
        before, after = change.before, change.after
        old = getattr(before, "url", None)
        new = getattr(after, "url", None)
        if (
            isinstance(old, str)
            and isinstance(new, str)
            and old.lower().startswith("https://")
            and new.lower().startswith("http://")
        ):
            r = change.resource
            warnings.append(
                f"{r.app}/{r.product}: the callback URL goes from https:// to plain http://; "
                "callbacks would travel in clear text"
            )
    return tuple(warnings)


def drift_warnings(plan: Plan) -> tuple[str, ...]:
    """The warnings :func:`change_warnings` gives, in a drift report's words: live was →
    now (the plan's ``after`` is what was declared, ``before`` what is live)."""
    warnings = []
    for change in plan.changes:
        live = getattr(change.before, "url", None)
        declared = getattr(change.after, "url", None)
        if not (isinstance(live, str) and isinstance(declared, str)):
            continue
        r = change.resource
        if _scheme(declared) == "https" and _scheme(live) == "http":
            warnings.append(
                f"{r.app}/{r.product}: changed live (was → now): the callback URL went from "
                "https:// to plain http://; callbacks travel in clear text"
            )
        elif _scheme(declared) == "http" and _scheme(live) == "https":
            warnings.append(
                f"{r.app}/{r.product}: changed live (was → now): the declared callback URL is "
                "plain http:// and live is https://; applying the declared one would send "
                "callbacks in clear text"
            )
    return tuple(warnings)


def _scheme(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return scheme.lower() if sep else ""
