"""Product key → implementation (the client-side read/create/update/delete)."""

from __future__ import annotations

from types import ModuleType

from reconciler.products import catalog
from reconciler.products.base import Product


def _implementation(module: ModuleType) -> Product:
    implementation = getattr(module, "IMPLEMENTATION", None)
    if not isinstance(implementation, Product):
        raise TypeError(f"{module.__name__}.IMPLEMENTATION is not a Product")
    if implementation.spec is not module.SPEC:
        raise TypeError(f"{module.__name__}.IMPLEMENTATION.spec is not its SPEC")
    return implementation


IMPLEMENTATIONS: dict[str, Product] = {}
"""Product key → implementation, in registry order (follows ``catalog.register``)."""


def _refresh() -> None:
    found = {_implementation(m).key: _implementation(m) for m in catalog.modules()}
    IMPLEMENTATIONS.clear()
    IMPLEMENTATIONS.update(found)


_refresh()
catalog.on_change(_refresh)


def product(key: str) -> Product:
    return IMPLEMENTATIONS[key]
