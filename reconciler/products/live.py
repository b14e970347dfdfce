"""TUILiveKit live rooms, v4 ``live_config``: create-only set, separate update."""

from __future__ import annotations

from reconciler.products.v4_callback import V4CallbackProduct


class LiveProduct(V4CallbackProduct):
    key = "live"
    service = "live_config"
    set_is_upsert = False
