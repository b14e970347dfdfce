"""TUIRoomKit conferences, v4 ``room_config``: create-only set, separate update."""

from __future__ import annotations

from reconciler.products.v4_callback import V4CallbackProduct


class ConferenceProduct(V4CallbackProduct):
    key = "conference"
    service = "room_config"
    set_is_upsert = False
