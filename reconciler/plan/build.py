"""Diff: desired resources against a live snapshot → one :class:`Plan`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reconciler.configs import Config, TokenConfig, Unreadable, managed_view
from reconciler.errors import Location
from reconciler.fetch import LiveSnapshot, Read
from reconciler.plan.change import Action, Change, Plan, Resource
from reconciler.products.catalog import PRODUCT_KEYS
from reconciler.resolve import DesiredResource, ResolvedApp


def diff_resource(item: DesiredResource, live: LiveSnapshot) -> Change | None:
    """The change that makes live equal desired, or None when they already agree.

    Events compare as sets (CallbackConfig holds a frozenset); tokens compare by value,
    except a switch-only token (no ``token_env``), of which only ``enabled`` is compared
    (and shown: the change's ``before`` holds no token either). A switch-only token
    that is off is satisfied by no token config at all (nothing is signed either way);
    one that is on cannot be created (see :func:`unplannable`).
    """
    r = item.resource
    current = live.get(r.sdkappid, r.product)
    if item.desired is None:
        return None if current is None else Change(r, Action.DELETE, current, None)
    if _switch_only(item.desired) and current is None:
        return None  # enabled: false, nothing configured live: nothing is signed
    if current is None:
        return Change(r, Action.CREATE, None, item.desired)
    current = managed_view(current, item.desired)
    if current != item.desired:
        return Change(r, Action.UPDATE, current, item.desired)
    return None


def _switch_only(desired: Config | None) -> bool:
    return isinstance(desired, TokenConfig) and not desired.manages_token


def unplannable(item: DesiredResource, live: LiveSnapshot, where: Location) -> str | None:
    """Why no change can bring ``item`` about, or None: a switch-only live token that
    is on, where no token config exists live (Tencent creates one only with a token)."""
    desired = item.desired
    r = item.resource
    if not (_switch_only(desired) and live.get(r.sdkappid, r.product) is None):
        return None
    assert isinstance(desired, TokenConfig)
    if not desired.enabled:
        return None
    return (
        f"{where}: `enabled: true` without `token_env` cannot be applied: no token config "
        "exists live, and Tencent creates one only with a token value; add "
        "`token_env: NAME` (the environment variable holding the token), or set the token "
        "in the Tencent console first"
    )


def reads_for(
    apps: Sequence[ResolvedApp], products: Iterable[str] | None, *, probe_unmanaged: bool
) -> list[Read]:
    """Reads for every managed resource, and probes of the other products of those apps."""
    wanted = set(products) if products is not None else set(PRODUCT_KEYS)
    reads: list[Read] = []
    for app in apps:
        managed = {d.resource.product for d in app.resources}
        skipped = {s.resource.product for s in app.skipped}  # declared, secret missing
        for key in PRODUCT_KEYS:
            if key not in wanted or key in skipped:
                continue
            if key in managed:
                reads.append(Read(app.target, app.app.name, key, required=True))
            elif probe_unmanaged:
                reads.append(Read(app.target, app.app.name, key, required=False))
    return reads


def build_plan(
    apps: Sequence[ResolvedApp], live: LiveSnapshot, products: Iterable[str] | None = None
) -> Plan:
    wanted = set(products) if products is not None else set(PRODUCT_KEYS)
    changes: list[Change] = []
    unchanged: list[Resource] = []
    unmanaged: list[Resource] = []
    existing = 0
    impossible: list[Unreadable] = []  # declared, but no change can reach them
    unreadable = live.unreadable_apps
    for app in apps:
        if app.target.sdkappid in unreadable:
            continue  # not fully read: nothing is planned (or changed) for this app
        managed = set()
        for item in app.resources:
            if item.resource.product not in wanted:
                continue
            managed.add(item.resource.product)
            if live.get(item.resource.sdkappid, item.resource.product) is not None:
                existing += 1
            spec = app.app.products.get(item.resource.product)
            cannot = live.why_unavailable(item.resource.sdkappid, item.resource.product)
            if cannot is not None:  # the app cannot have it: no create, nothing written
                if item.desired is None:
                    unchanged.append(item.resource)  # declared absent, and it cannot exist
                else:
                    where = f"{spec.location}: " if spec is not None else ""
                    reason = f"{where}{cannot.reason}; {cannot.remedy}"
                    impossible.append(Unreadable(item.resource, reason))
                continue
            if spec is not None:
                why = unplannable(item, live, spec.location)
                if why is not None:
                    impossible.append(Unreadable(item.resource, why))
                    continue
            change = diff_resource(item, live)
            if change is None:
                unchanged.append(item.resource)
            else:
                changes.append(change)
        for key in PRODUCT_KEYS:
            present = live.get(app.target.sdkappid, key) is not None
            if key in wanted and key not in managed and present:
                unmanaged.append(Resource(app.app.name, app.target.sdkappid, key))
    skipped = (
        *(s for app in apps for s in app.skipped if s.resource.product in wanted),
        *impossible,
    )
    return Plan(
        tuple(changes),
        tuple(unchanged),
        tuple(unmanaged),
        live.warnings,
        existing,
        live.failures,
        skipped,
        apps=tuple(sorted({(a.app.name, a.target.sdkappid) for a in apps}, key=lambda a: a[1])),
    )
