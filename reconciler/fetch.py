"""Fetch: read the live configuration of many (app, product) pairs concurrently."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from reconciler.api.client import AppTarget, TencentClient
from reconciler.api.fanout import fan_out
from reconciler.configs import Config, Resource, Unreadable
from reconciler.errors import ProductUnavailableError, ReconcilerError
from reconciler.products.registry import product as product_impl

Key = tuple[int, str]  # (sdkappid, product)


@dataclass(frozen=True)
class Read:
    target: AppTarget
    app: str
    product: str
    required: bool = True  # False: a probe for unmanaged configs; failures only warn


@dataclass(frozen=True)
class CannotHave:
    """A resource its app cannot have at all (v1 50001: no Group Call package)."""

    resource: Resource
    reason: str
    remedy: str  # what to do where the product is declared


class FetchError(ReconcilerError):
    """Some live configurations could not be read; no plan can be made."""


@dataclass(frozen=True)
class LiveSnapshot:
    configs: dict[Key, Config | None]
    warnings: tuple[str, ...] = ()
    failures: tuple[Unreadable, ...] = ()  # required reads that failed (``partial=True``)
    unavailable: tuple[CannotHave, ...] = ()
    """Resources the app cannot have at all (v1 50001: no Group Call package): read as
    not configured, and a declared one is not planned (see :meth:`why_unavailable`)."""

    @property
    def unreadable_apps(self) -> frozenset[int]:
        return frozenset(f.resource.sdkappid for f in self.failures)

    def get(self, sdkappid: int, product: str) -> Config | None:
        return self.configs.get((sdkappid, product))

    def why_unavailable(self, sdkappid: int, product: str) -> CannotHave | None:
        """Why the app cannot have this product's configuration, or None when it can."""
        if not self.unavailable:
            return None
        return self._unavailable_by_key.get((sdkappid, product))

    @cached_property
    def _unavailable_by_key(self) -> dict[Key, CannotHave]:
        return {(u.resource.sdkappid, u.resource.product): u for u in self.unavailable}


def _in_rounds(reads: Sequence[Read]) -> list[int]:
    """The indexes of ``reads`` in rounds: each app's first read, then each app's second…

    Reads come grouped by app (an app's 5 products in a row). Sent in that order, the
    reads in flight would be a few apps' and each would wait on its app's rate limit
    (v4: 160/s, so 6 ms apart) while holding a request slot. In rounds, the reads in
    flight are of as many different apps, and no rate limit makes them wait.
    """
    seen: dict[int, int] = {}
    rounds = []
    for read in reads:
        sdkappid = read.target.sdkappid
        rounds.append(seen.get(sdkappid, 0))
        seen[sdkappid] = rounds[-1] + 1
    return sorted(range(len(reads)), key=rounds.__getitem__)  # stable: app order kept


async def fetch_live(
    client: TencentClient,
    reads: Sequence[Read],
    *,
    on_done: Callable[[], None] | None = None,
    partial: bool = False,
) -> LiveSnapshot:
    """Read every requested config; raise :class:`FetchError` listing each failed required read.

    With ``partial``, failed required reads are returned in ``failures`` instead, so
    that one unreadable app does not stop the others (its app is then left out).
    """

    async def one(read: Read) -> tuple[Read, Config | None, ReconcilerError | None]:
        try:
            config = await product_impl(read.product).read(client, read.target)
        except ReconcilerError as exc:
            # kept until the report: without its traceback, which holds the frames of
            # the read, and so the (up to 1 MiB) answer and all it parsed into
            return read, None, exc.with_traceback(None)
        finally:
            if on_done is not None:
                on_done()
        return read, config, None

    order = _in_rounds(reads)
    done = await fan_out(one, [reads[i] for i in order], client.max_in_flight)
    results = list(done)
    for position, index in enumerate(order):  # back in the order of ``reads``
        results[index] = done[position]
    configs: dict[Key, Config | None] = {}
    failures: list[Unreadable] = []
    unavailable: list[CannotHave] = []
    warnings: list[str] = []
    # an app whose required read failed is reported as unreadable and left out: its
    # probes' failures (the same wrong key, most often) would only repeat that error
    unreadable = {
        read.target.sdkappid
        for read, _, error in results
        if read.required and error is not None and not isinstance(error, ProductUnavailableError)
    }
    for read, config, error in results:
        if error is None:
            configs[(read.target.sdkappid, read.product)] = config
        elif isinstance(error, ProductUnavailableError):  # not a failure: cannot exist
            configs[(read.target.sdkappid, read.product)] = None
            resource = Resource(read.app, read.target.sdkappid, read.product)
            unavailable.append(CannotHave(resource, error.reason, error.remedy))
        elif read.required:
            resource = Resource(read.app, read.target.sdkappid, read.product)
            failures.append(Unreadable(resource, str(error)))
        elif read.target.sdkappid not in unreadable:
            warnings.append(
                f"could not check {read.app} ({read.target.sdkappid}) {read.product} "
                f"for unmanaged configuration: {error}"
            )
    if failures and not partial:
        raise FetchError(
            f"could not read the live state of {len(failures)} resource(s); nothing was "
            "changed:\n" + "\n".join(f"  {f}" for f in failures)
        )
    return LiveSnapshot(configs, tuple(warnings), tuple(failures), tuple(unavailable))
