"""Plan and Change: immutable value objects, the one in-memory form of a plan.

As in octoDNS, a Change says what happens to one resource; a Plan is the sorted
list of real changes plus what was found unchanged and what is unmanaged.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from reconciler.configs import (
    SENSITIVE_CHANGED,
    CallbackConfig,
    Config,
    Resource,
    TokenConfig,
    Unreadable,
)
from reconciler.escape import escape
from reconciler.products.catalog import resource_order

if TYPE_CHECKING:
    from reconciler.plan.recurring import RecurringDrift
    from reconciler.plan.safety import SafetyVerdict
    from reconciler.plan.urlcheck import UrlCheck

__all__ = ["SYMBOLS", "Action", "Change", "FieldDiff", "Plan", "Resource", "Unreadable"]


class Action(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}


@dataclass(frozen=True)
class FieldDiff:
    """One field of a change, for renderers. ``before``/``after`` are display values."""

    name: str
    before: Any
    after: Any
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    resource: Resource
    action: Action
    before: Config | None
    after: Config | None
    cause: str | None = None
    """``plan --base``: "edit" (this change of the desired state) or "drift" (live moved
    away from the base's desired state; applying reverts it); None when not told apart."""

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return resource_order(self.resource)

    @property
    def reverts_drift(self) -> bool:
        return self.cause == "drift"

    def public_before(self) -> dict[str, Any] | None:
        return None if self.before is None else self.before.to_public()

    def public_after(self) -> dict[str, Any] | None:
        if self.after is None:
            return None
        public = self.after.to_public()
        if (
            isinstance(self.after, TokenConfig)
            and isinstance(self.before, TokenConfig)
            and self.after.manages_token
            and self.after.token != self.before.token
        ):
            public["token"] = SENSITIVE_CHANGED
        return public

    def field_diffs(self) -> list[FieldDiff]:
        """What differs, field by field (all fields for a create or a delete)."""
        return field_diffs(self.before, self.after)


def field_diffs(before: Config | None, after: Config | None) -> list[FieldDiff]:
    if isinstance(before, CallbackConfig) or isinstance(after, CallbackConfig):
        return _callback_diffs(
            before if isinstance(before, CallbackConfig) else None,
            after if isinstance(after, CallbackConfig) else None,
        )
    return _token_diffs(
        before if isinstance(before, TokenConfig) else None,
        after if isinstance(after, TokenConfig) else None,
    )


def _callback_diffs(before: CallbackConfig | None, after: CallbackConfig | None) -> list[FieldDiff]:
    diffs: list[FieldDiff] = []
    old_url = before.url if before else None
    new_url = after.url if after else None
    if old_url != new_url:
        diffs.append(FieldDiff("url", old_url, new_url))
    old_events = before.events if before else frozenset()
    new_events = after.events if after else frozenset()
    if old_events != new_events:
        diffs.append(
            FieldDiff(
                "events",
                sorted(old_events) if before else None,
                sorted(new_events) if after else None,
                added=tuple(sorted(new_events - old_events)),
                removed=tuple(sorted(old_events - new_events)),
            )
        )
    return diffs


def _token_diffs(before: TokenConfig | None, after: TokenConfig | None) -> list[FieldDiff]:
    diffs: list[FieldDiff] = []
    # a switch-only token (not managed) has no token diff: only the switch is compared
    switch_only = (after is not None and not after.manages_token) or (
        before is not None and not before.manages_token
    )
    if not switch_only and (before is None or after is None or before.token != after.token):
        old = "(sensitive)" if before else None
        new = (SENSITIVE_CHANGED if before else "(sensitive)") if after else None
        diffs.append(FieldDiff("token", old, new))
    old_enabled = before.enabled if before else None
    new_enabled = after.enabled if after else None
    if old_enabled != new_enabled:
        diffs.append(FieldDiff("enabled", old_enabled, new_enabled))
    return diffs


@dataclass(frozen=True)
class Plan:
    """Real changes (sorted by sdkappid, then product), plus the rest for the summary."""

    changes: tuple[Change, ...]
    unchanged: tuple[Resource, ...] = ()
    unmanaged: tuple[Resource, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    existing: int = 0  # managed resources configured live (the base of the safety thresholds)
    errors: tuple[Unreadable, ...] = ()  # unreadable resources; their apps are left out
    # resources not planned because a secret they need (a live token variable) is
    # missing; the rest of their app is planned as usual
    skipped: tuple[Unreadable, ...] = ()

    @property
    def unreadable_apps(self) -> list[tuple[str, int]]:
        """(name, sdkappid) of every app left out because a read failed, in order."""
        return sorted(
            {(e.resource.app, e.resource.sdkappid) for e in self.errors}, key=lambda a: a[1]
        )

    def errors_message(self) -> str:
        """The error for the unreadable apps (every failed read listed), or ``""``."""
        if not self.errors:
            return ""
        apps = self.unreadable_apps
        return (
            f"could not read the live state of {len(self.errors)} resource(s) in "
            f"{len(apps)} app(s); nothing was changed in "
            f"{'that app' if len(apps) == 1 else 'those apps'} (left out of the plan): "
            + ", ".join(f"{escape(name)} ({i})" for name, i in apps)
            + "\n"
            + "\n".join(f"  {e}" for e in self.errors)
        )

    ignored: tuple[Resource, ...] = ()  # differences accepted by --ignore / .driftignore
    safety: SafetyVerdict | None = None  # the safety rails' verdict, when evaluated
    live_source: str | None = None  # where the live state came from, when not read just now
    apps: tuple[tuple[str, int], ...] = ()
    """(name, sdkappid) of every app planned, whether or not it has a resource (an app
    declared with ``callbacks: {}`` is still an app of the fleet: reports list it)."""
    # drift --audit-log: the drifted resources this tool already set back (None: no log read)
    recurring: tuple[RecurringDrift, ...] | None = None
    # plan --check-urls: each URL a change would write, probed (None: not checked)
    url_checks: tuple[UrlCheck, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", tuple(sorted(self.changes, key=lambda c: c.sort_key)))
        object.__setattr__(self, "unchanged", tuple(sorted(self.unchanged, key=resource_order)))
        object.__setattr__(self, "unmanaged", tuple(sorted(self.unmanaged, key=resource_order)))
        object.__setattr__(
            self, "errors", tuple(sorted(self.errors, key=lambda e: resource_order(e.resource)))
        )
        object.__setattr__(self, "ignored", tuple(sorted(self.ignored, key=resource_order)))

    def without(self, resources: set[Resource]) -> Plan:
        """The same plan minus changes and unmanaged entries for ``resources``, which are
        listed as ignored instead (accepted differences are never dropped silently)."""
        dropped = {c.resource for c in self.changes} | set(self.unmanaged)
        return replace(
            self,
            changes=tuple(c for c in self.changes if c.resource not in resources),
            unmanaged=tuple(r for r in self.unmanaged if r not in resources),
            ignored=tuple(set(self.ignored) | (dropped & set(resources))),
        )

    @property
    def drift_reverts(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.reverts_drift)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def summary(self) -> dict[str, int]:
        counts = Counter(c.action for c in self.changes)
        return {
            "create": counts[Action.CREATE],
            "update": counts[Action.UPDATE],
            "delete": counts[Action.DELETE],
            "unchanged": len(self.unchanged),
        }

    def summary_line(self) -> str:
        s = self.summary()
        return (
            f"Plan: {s['create']} to create, {s['update']} to update, "
            f"{s['delete']} to delete, {s['unchanged']} unchanged."
        )
