"""TUIRoomKit conferences, v4 ``room_config``: create-only set, separate update."""

from __future__ import annotations

from reconciler.facts import codes
from reconciler.facts.families import Family
from reconciler.products.spec import (
    Body,
    EmulatorHooks,
    Fallbacks,
    Kind,
    Paths,
    ProductSpec,
    Vocabulary,
)
from reconciler.products.v4_callback import V4CallbackProduct

SPEC = ProductSpec(
    key="conference",
    title="TUIRoomKit conferences (v4 room_config)",
    family=Family.V4,
    kind=Kind.CALLBACK,
    paths=Paths(
        read="v4/room_config/get_callback",
        create="v4/room_config/set_callback",
        update="v4/room_config/update_callback",
        delete="v4/room_config/delete_callback",
    ),
    body=Body(url_field="Url", events_field="CallbackCommandList"),
    absent={"read": frozenset({codes.NOT_FOUND}), "delete": frozenset({codes.NOT_FOUND})},
    fallbacks=Fallbacks(
        set_is_upsert=False, exists_code=codes.ALREADY_EXISTS, missing_code=codes.NOT_FOUND
    ),
    vocabulary=Vocabulary(
        frozenset(
            {
                "Room.CallbackAfterCreateRoom",
                "Room.CallbackAfterDestroyRoom",
                "Room.CallbackAfterUpdateRoomInfo",
                "Room.CallbackAfterMemberEnter",
                "Room.CallbackAfterMemberLeave",
                "Mic.CallbackAfterSeatInfoChanged",
            }
        ),
        # the Room get sample answer (trtc.io 60730) spells it without "After"
        aliases={"Room.CallbackUpdateRoomInfo": "Room.CallbackAfterUpdateRoomInfo"},
    ),
    regions=("singapore", "china"),
    emulator=EmulatorHooks(missing_code=codes.NOT_FOUND),
)


class ConferenceProduct(V4CallbackProduct):
    spec = SPEC


IMPLEMENTATION = ConferenceProduct()
