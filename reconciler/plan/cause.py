"""Tell a pull request's edits from the live drift its apply would revert.

As Terraform's "Objects have changed outside of Terraform": a change is an
``edit`` when the desired state of its resource differs between the pull request
and its base (as written in git: URL, events, token variable, enabled, ensure),
and ``drift`` when the desired state is the same at both, so the change only
undoes what someone changed live behind the tool's back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from reconciler.desired.loader import DesiredApp, DesiredProduct
from reconciler.plan.change import Plan

Key = tuple[int, str]


def _as_written(product: DesiredProduct) -> tuple[Any, ...]:
    return (product.ensure, product.config, product.token_env, product.enabled)


def desired_as_written(apps: Iterable[DesiredApp]) -> dict[Key, tuple[Any, ...]]:
    return {
        (app.sdkappid, key): _as_written(product)
        for app in apps
        for key, product in app.products.items()
    }


def with_causes(plan: Plan, head: Iterable[DesiredApp], base: Iterable[DesiredApp]) -> Plan:
    """``plan`` (of the head's desired state) with each change's ``cause`` set."""
    now = desired_as_written(head)
    before = desired_as_written(base)
    changes = []
    for change in plan.changes:
        key = (change.resource.sdkappid, change.resource.product)
        edited = key not in before or before[key] != now.get(key)
        changes.append(replace(change, cause="edit" if edited else "drift"))
    return replace(plan, changes=tuple(changes))
