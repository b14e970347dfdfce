"""Apply: run independent changes concurrently, each checked, written, and read back.

For each change: read live and refuse it as stale if it moved since the plan;
record the intent (``before_write``, the write-ahead audit); write with the
product's create/update/delete; read back and check live equals the desired
state. After all writes, :func:`recheck_written` reads every written resource
again to catch another writer. A failure is recorded and does not stop the others.
Running again after any failure or crash converges, because every run starts
from a fresh read.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from reconciler.api.client import AppTarget, TencentClient
from reconciler.api.requestids import recording_request_ids
from reconciler.configs import Config, managed_view
from reconciler.errors import ApiError, ReconcilerError, TransportError
from reconciler.plan.change import Action, Change
from reconciler.products.registry import product as product_impl

log = logging.getLogger(__name__)


class Outcome(str, enum.Enum):
    APPLIED = "applied"
    FAILED = "failed"
    STALE = "stale"
    # written, but the read-back failed or differs from the desired state
    UNVERIFIED = "unverified"
    # written and verified, but another writer changed it before the apply ended
    OVERWRITTEN = "overwritten"
    # the write may or may not have reached Tencent (no answer, or interrupted)
    UNKNOWN = "unknown"


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


BeforeWrite = Callable[[Change], Awaitable[None]]
"""Awaited after the stale check and before the first request that writes (the
write-ahead audit records its intent there); raising a ReconcilerError stops the
change before anything is sent."""

INTERRUPTED = (
    "interrupted while being written: it may or may not have been applied; "
    "run plan to see where it stands"
)
UNREAD = (
    "written (the server answered), but interrupted before it was read back; run plan to check it"
)


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


def _failed(change: Change, exc: ReconcilerError) -> ChangeResult:
    if isinstance(exc, ApiError):
        return ChangeResult(
            change, Outcome.FAILED, str(exc), exc.code, exc.info, exc.request_id or None
        )
    return ChangeResult(change, Outcome.FAILED, str(exc))


async def apply_one(
    client: TencentClient,
    item: ApplyItem,
    *,
    before_write: BeforeWrite | None = None,
    on_interrupted: Callable[[ChangeResult], None] | None = None,
) -> ChangeResult:
    """Check, write and read back one change.

    ``on_interrupted`` gets an ``unknown`` result when the task is cancelled (Ctrl-C,
    SIGTERM) once the write may have been sent; the cancellation then goes on.
    """
    change = item.change
    impl = product_impl(change.resource.product)
    try:
        live = await impl.read(client, item.target)
    except ReconcilerError as exc:
        return _failed(change, exc)
    if not item.is_current(live):
        return ChangeResult(
            change,
            Outcome.STALE,
            "live state changed since the plan was made; nothing written. Plan again.",
        )
    # what was really there (a saved plan only carries its fingerprint)
    change = replace(change, before=live)
    try:
        if before_write is not None:
            await before_write(change)
    except ReconcilerError as exc:
        return _failed(change, exc)
    request_id: str | None = None
    answered = False  # the server answered the write: never `unknown` after that
    try:
        with recording_request_ids() as ids:
            try:
                await _write(client, replace(item, change=change))
                answered = True
            except TransportError as exc:
                return ChangeResult(
                    change,
                    Outcome.UNKNOWN,
                    f"{exc}; the write may or may not have been applied: run plan to see",
                )
            except ReconcilerError as exc:
                return _failed(change, exc)
            finally:
                request_id = ids[-1] if ids else None
        try:
            after = await impl.read(client, item.target)
        except ReconcilerError as exc:
            return ChangeResult(
                change,
                Outcome.UNVERIFIED,
                f"written, but reading it back failed: {exc}",
                exc.code if isinstance(exc, ApiError) else None,
                exc.info if isinstance(exc, ApiError) else None,
                request_id,
            )
    except asyncio.CancelledError:
        if on_interrupted is not None:
            on_interrupted(
                ChangeResult(change, Outcome.UNVERIFIED, UNREAD, None, None, request_id)
                if answered
                else ChangeResult(change, Outcome.UNKNOWN, INTERRUPTED, None, None, request_id)
            )
        raise
    if managed_view(after, change.after) != change.after:
        return ChangeResult(
            change,
            Outcome.UNVERIFIED,
            "written, but reading it back does not match the desired state "
            "(Tencent may have normalised it, or another writer changed it); "
            "run plan to see the difference",
            request_id=request_id,
        )
    return ChangeResult(change, Outcome.APPLIED, request_id=request_id)


async def apply_all(
    client: TencentClient,
    items: Sequence[ApplyItem],
    *,
    on_result: Callable[[ChangeResult], None] | None = None,
    before_write: BeforeWrite | None = None,
) -> list[ChangeResult]:
    """Apply every item concurrently (the client bounds rate and concurrency).

    When cancelled, ``on_result`` still gets an ``unknown`` result for each change
    whose write may have been sent, before the cancellation propagates.
    """

    async def run(item: ApplyItem) -> ChangeResult:
        result = await apply_one(client, item, before_write=before_write, on_interrupted=on_result)
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(run(i) for i in items)))


OVERWRITTEN = (
    "changed by another writer during the apply: it no longer holds what this apply "
    "wrote. Applies must be serialised (see docs/plan-and-apply.md); run plan to see where "
    "it stands"
)


async def recheck_written(
    client: TencentClient, items: Sequence[ApplyItem], results: Sequence[ChangeResult]
) -> list[ChangeResult]:
    """Detect concurrent writers: after all writes, read again every resource this apply
    wrote and verified; one that no longer holds what was written becomes ``overwritten``.

    A re-read that fails leaves the result as it was (it was verified right after its
    write) and is logged.
    """
    targets = {item.change.resource: item.target for item in items}

    async def check(result: ChangeResult) -> ChangeResult:
        if result.outcome is not Outcome.APPLIED:
            return result
        change = result.change
        try:
            live = await product_impl(change.resource.product).read(
                client, targets[change.resource]
            )
        except ReconcilerError as exc:
            log.warning("could not re-read %s to check for other writers: %s", change.resource, exc)
            return result
        if managed_view(live, change.after) == change.after:
            return result
        return replace(result, outcome=Outcome.OVERWRITTEN, message=OVERWRITTEN)

    return list(await asyncio.gather(*(check(r) for r in results)))
