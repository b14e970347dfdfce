"""Product key → implementation."""

from __future__ import annotations

from reconciler.products.base import Product
from reconciler.products.call import CallProduct
from reconciler.products.call_legacy import CallLegacyProduct
from reconciler.products.conference import ConferenceProduct
from reconciler.products.live import LiveProduct
from reconciler.products.live_token import LiveTokenProduct

IMPLEMENTATIONS: dict[str, Product] = {
    p.key: p
    for p in (
        CallProduct(),
        CallLegacyProduct(),
        LiveProduct(),
        LiveTokenProduct(),
        ConferenceProduct(),
    )
}


def product(key: str) -> Product:
    return IMPLEMENTATIONS[key]
