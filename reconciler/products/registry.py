"""Product key → implementation (the client-side read/create/update/delete)."""

from __future__ import annotations

from types import ModuleType

from reconciler.products.base import Product
from reconciler.products.catalog import MODULES


def _implementation(module: ModuleType) -> Product:
    implementation = module.IMPLEMENTATION
    if not isinstance(implementation, Product):
        raise TypeError(f"{module.__name__}.IMPLEMENTATION is not a Product")
    return implementation


IMPLEMENTATIONS: dict[str, Product] = {_implementation(m).key: _implementation(m) for m in MODULES}


def product(key: str) -> Product:
    return IMPLEMENTATIONS[key]
