"""Apply: run independent changes concurrently, each checked, written, and read back.

For each change: read live and refuse it as stale if it moved since the plan;
write with the product's create/update/delete; read back and check live equals
the desired state. A failure is recorded and does not stop the other changes.
Running again after any failure or crash converges, because every run starts
from a fresh read.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from reconciler.api.client import AppTarget, TencentClient
from reconciler.configs import Config
from reconciler.errors import ApiError, ReconcilerError
from reconciler.plan.change import Action, Change
from reconciler.products.registry import product as product_impl


class Outcome(str, enum.Enum):
    APPLIED = "applied"
    FAILED = "failed"
    STALE = "stale"
    UNVERIFIED = "unverified"  # written, but the read-back differs from the desired state


@dataclass(frozen=True)
class ApplyItem:
    change: Change
    target: AppTarget
    is_current: Callable[[Config | None], bool]  # stale check on the live state


@dataclass(frozen=True)
class ChangeResult:
    change: Change
    outcome: Outcome
    message: str = ""
    error_code: int | None = None
    error_info: str | None = None
    request_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.APPLIED


async def _write(client: TencentClient, item: ApplyItem) -> None:
    impl = product_impl(item.change.resource.product)
    change = item.change
    if change.action is Action.DELETE:
        await impl.delete(client, item.target)
        return
    assert change.after is not None
    if change.action is Action.CREATE:
        await impl.create(client, item.target, change.after)
    else:
        await impl.update(client, item.target, change.after)


async def apply_one(client: TencentClient, item: ApplyItem) -> ChangeResult:
    change = item.change
    impl = product_impl(change.resource.product)
    try:
        live = await impl.read(client, item.target)
        if not item.is_current(live):
            return ChangeResult(
                change,
                Outcome.STALE,
                "live state changed since the plan was made; nothing written. Plan again.",
            )
        # what was really there (a saved plan only carries its fingerprint)
        change = replace(change, before=live)
        await _write(client, replace(item, change=change))
        after = await impl.read(client, item.target)
    except ApiError as exc:
        return ChangeResult(
            change, Outcome.FAILED, str(exc), exc.code, exc.info, exc.request_id or None
        )
    except ReconcilerError as exc:
        return ChangeResult(change, Outcome.FAILED, str(exc))
    if after != change.after:
        return ChangeResult(
            change,
            Outcome.UNVERIFIED,
            "written, but reading it back does not match the desired state "
            "(Tencent may have normalised it); run plan to see the difference",
        )
    return ChangeResult(change, Outcome.APPLIED)


async def apply_all(
    client: TencentClient,
    items: Sequence[ApplyItem],
    *,
    on_result: Callable[[ChangeResult], None] | None = None,
) -> list[ChangeResult]:
    """Apply every item concurrently (the client bounds rate and concurrency)."""

    async def run(item: ApplyItem) -> ChangeResult:
        result = await apply_one(client, item)
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(run(i) for i in items)))
