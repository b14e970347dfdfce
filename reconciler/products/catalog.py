"""The product registry: every product's :class:`ProductSpec`, in display order.

Adding a product: write ``reconciler/products/<key>.py`` declaring ``SPEC`` and
``IMPLEMENTATION`` (see ``call.py``), then add the module to ``MODULES`` below.
"""

from __future__ import annotations

from types import ModuleType

from reconciler.configs import Resource
from reconciler.facts.families import Family
from reconciler.facts.limits import MAX_SDKAPPID, MAX_TOKEN_LENGTH
from reconciler.products import call, call_legacy, conference, live, live_token
from reconciler.products.spec import Kind, ProductInfo, ProductSpec

MODULES: tuple[ModuleType, ...] = (call, call_legacy, live, live_token, conference)
"""One module per product, in display order (plan and output sort by it)."""


def _spec(module: ModuleType) -> ProductSpec:
    spec = module.SPEC
    if not isinstance(spec, ProductSpec):
        raise TypeError(f"{module.__name__}.SPEC is not a ProductSpec")
    return spec


PRODUCTS: dict[str, ProductSpec] = {_spec(m).key: _spec(m) for m in MODULES}

PRODUCT_KEYS: tuple[str, ...] = tuple(PRODUCTS)

_ORDER: dict[str, int] = {key: i for i, key in enumerate(PRODUCT_KEYS)}


def resource_order(resource: Resource) -> tuple[int, int, str]:
    """Sort key of plans and reports: sdkappid, then the registry's product order."""
    return (resource.sdkappid, _ORDER.get(resource.product, len(_ORDER)), resource.product)


__all__ = [
    "MAX_SDKAPPID",
    "MAX_TOKEN_LENGTH",
    "PRODUCTS",
    "PRODUCT_KEYS",
    "Family",
    "Kind",
    "ProductInfo",
    "ProductSpec",
    "resource_order",
]
