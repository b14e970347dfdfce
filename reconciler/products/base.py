"""The one small interface every product implements: read / create / update / delete.

A product knows its paths, body shapes, which answers mean "absent", and the
fallbacks between create and update. It talks through :class:`TencentClient`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, TypeVar

from reconciler.configs import CallbackConfig, Config, TokenConfig
from reconciler.errors import MalformedResponseError, ProductUnavailableError
from reconciler.products.live_bounds import live_callback_problem
from reconciler.products.spec import ProductSpec

if TYPE_CHECKING:  # the client is only named here: loading the desired state
    # (validate) does not import the HTTP stack
    from reconciler.api.client import AppTarget, TencentClient

C = TypeVar("C", CallbackConfig, TokenConfig)


class Product(ABC):
    """One product's callback configuration API for one app (a singleton resource)."""

    spec: ProductSpec

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def info(self) -> ProductSpec:
        return self.spec

    @abstractmethod
    async def read(self, client: TencentClient, target: AppTarget) -> Config | None:
        """The live configuration, or None when nothing is configured."""

    @abstractmethod
    async def create(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        """Configure a product that had no configuration."""

    @abstractmethod
    async def update(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        """Replace an existing configuration."""

    @abstractmethod
    async def delete(self, client: TencentClient, target: AppTarget) -> None:
        """Remove the configuration (succeeds when there is none)."""

    def unavailable(
        self, target: AppTarget, code: int, request_id: str = ""
    ) -> ProductUnavailableError:
        """The error for a read answered ``code``, one of ``spec.unavailable``."""
        rid = f", RequestId {request_id}" if request_id else ""
        unavailable = self.spec.unavailable[code]
        return ProductUnavailableError(
            self.key,
            target.sdkappid,
            f"{self.key} cannot be managed for sdkappid {target.sdkappid} "
            f"({self.spec.paths.read} answered {code}{rid}): {unavailable.reason}",
            unavailable.remedy,
        )

    def malformed(self, target: AppTarget, what: str) -> MalformedResponseError:
        return MalformedResponseError(
            f"{self.key} read for sdkappid {target.sdkappid}: {what}; is --endpoint a Tencent API?"
        )


def expect_callback(config: Config) -> CallbackConfig:
    return _expect(config, CallbackConfig)


def expect_token(config: Config) -> TokenConfig:
    return _expect(config, TokenConfig)


def _expect(config: Config, kind: type[C]) -> C:
    """``config`` as the kind of config a product takes; anything else is a bug."""
    if not isinstance(config, kind):
        raise TypeError(f"expected a {kind.__name__}, got {type(config).__name__}")
    return config


def parse_callback(
    product: Product, target: AppTarget, data: Any, *, events_may_be_missing: bool = False
) -> CallbackConfig:
    """Build a :class:`CallbackConfig` from a get answer, checking its shape.

    Field names come from the product's spec; event words are brought to their
    canonical spelling, so a variant the server returns plans as unchanged.
    ``events_may_be_missing``: a null or missing event list is an empty set (a
    URL-only v4 config) rather than an error.
    """
    url_field, events_field = product.spec.body.url_field, product.spec.body.events_field
    if not isinstance(data, dict):
        raise product.malformed(target, "the answer has no configuration object")
    url = data.get(url_field)
    events = data.get(events_field)
    if not isinstance(url, str):
        raise product.malformed(target, f"{url_field!r} is missing or not a string")
    if events is None and events_may_be_missing:
        events = []
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise product.malformed(target, f"{events_field!r} is missing or not a list of strings")
    problem = live_callback_problem(url, events)
    if problem is not None:
        raise product.malformed(target, problem)
    vocabulary = product.spec.vocabulary
    return CallbackConfig(url=url, events=frozenset(vocabulary.canonical(e) for e in events))
