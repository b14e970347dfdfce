"""The product registry: every product's :class:`ProductSpec`, in display order.

A product is one module declaring ``SPEC`` (a :class:`ProductSpec`) and
``IMPLEMENTATION`` (a :class:`reconciler.products.base.Product`). The built-in
ones are listed in ``BUILT_IN`` below; a product from outside the package (a
plugin, a test) is added with :func:`register` (or the :func:`registered`
context manager) and removed with :func:`unregister`. Everything else reads
the registry: the desired-state models and JSON Schemas, the plan order, the
emulator's routes and the generated reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import overload

from reconciler.configs import Resource
from reconciler.facts.families import Family
from reconciler.facts.limits import MAX_SDKAPPID, MAX_TOKEN_LENGTH
from reconciler.products import call, call_legacy, conference, live, live_token
from reconciler.products.spec import Kind, ProductInfo, ProductSpec

BUILT_IN: tuple[ModuleType, ...] = (call, call_legacy, live, live_token, conference)
"""The package's products, in display order (plan and output sort by it)."""

_MODULES: list[ModuleType] = list(BUILT_IN)

PRODUCTS: dict[str, ProductSpec] = {}
"""Product key → spec, in registry order (updated in place by :func:`register`)."""

_ORDER: dict[str, int] = {}

_LISTENERS: list[Callable[[], None]] = []


class _Keys(Sequence[str]):
    """The registered product keys, in registry order: a live, read-only view."""

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return tuple(PRODUCTS)[index]

    def __len__(self) -> int:
        return len(PRODUCTS)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(PRODUCTS))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in PRODUCTS  # any value: a list is no key

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        if value in _ORDER and start == 0 and stop is None:
            return _ORDER[value]
        return tuple(PRODUCTS).index(value, start, len(PRODUCTS) if stop is None else stop)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Keys | tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(PRODUCTS))

    def __repr__(self) -> str:
        return repr(tuple(PRODUCTS))


PRODUCT_KEYS: Sequence[str] = _Keys()
"""The product keys in registry order (a live view: it follows :func:`register`)."""


def _spec(module: ModuleType) -> ProductSpec:
    spec = getattr(module, "SPEC", None)
    if not isinstance(spec, ProductSpec):
        raise TypeError(f"{module.__name__}.SPEC is not a ProductSpec")
    return spec


def _refresh() -> None:
    PRODUCTS.clear()
    PRODUCTS.update((_spec(m).key, _spec(m)) for m in _MODULES)
    _ORDER.clear()
    _ORDER.update((key, i) for i, key in enumerate(PRODUCTS))
    for listener in _LISTENERS:
        listener()


def modules() -> tuple[ModuleType, ...]:
    """The registered product modules, in registry order."""
    return tuple(_MODULES)


def register(module: ModuleType) -> None:
    """Add the product declared by ``module`` (its ``SPEC`` and ``IMPLEMENTATION``).

    It comes last in the registry order. Every table derived from the registry
    (the desired-state models and schemas, the client implementations, the
    emulator's routes built after this call) picks it up. Raises ``ValueError``
    when its key is taken, ``TypeError`` when ``SPEC`` is not a ``ProductSpec``.
    """
    key = _spec(module).key
    if key in PRODUCTS:
        raise ValueError(f"product {key!r} is already registered")
    _MODULES.append(module)
    try:
        _refresh()
    except Exception:
        _MODULES.remove(module)
        _refresh()
        raise


def unregister(key: str) -> None:
    """Remove the product ``key`` added with :func:`register` (a built-in one stays)."""
    if key not in PRODUCTS:
        raise ValueError(f"no product {key!r} is registered")
    if any(_spec(m).key == key for m in BUILT_IN):
        raise ValueError(f"product {key!r} is built in and cannot be removed")
    _MODULES[:] = [m for m in _MODULES if _spec(m).key != key]
    _refresh()


@contextmanager
def registered(module: ModuleType) -> Iterator[ProductSpec]:
    """``with registered(module):`` the product exists only inside the block."""
    register(module)
    try:
        yield _spec(module)
    finally:
        unregister(_spec(module).key)


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener()`` after every change of the registry (for derived tables)."""
    _LISTENERS.append(listener)


def resource_order(resource: Resource) -> tuple[int, int, str]:
    """Sort key of plans and reports: sdkappid, then the registry's product order."""
    return (resource.sdkappid, _ORDER.get(resource.product, len(_ORDER)), resource.product)


def of_kind(kind: Kind) -> tuple[str, ...]:
    """The keys of the registered products of ``kind``, in registry order."""
    return tuple(key for key, spec in PRODUCTS.items() if spec.kind is kind)


_refresh()

__all__ = [
    "BUILT_IN",
    "MAX_SDKAPPID",
    "MAX_TOKEN_LENGTH",
    "PRODUCTS",
    "PRODUCT_KEYS",
    "Family",
    "Kind",
    "ProductInfo",
    "ProductSpec",
    "modules",
    "of_kind",
    "on_change",
    "register",
    "registered",
    "resource_order",
    "unregister",
]
