"""TUICallKit calls, v4 ``call_config``: set overwrites, there is no update API."""

from __future__ import annotations

from reconciler.products.v4_callback import V4CallbackProduct


class CallProduct(V4CallbackProduct):
    key = "call"
    service = "call_config"
    set_is_upsert = True
