"""TUILiveKit live rooms, v4 ``live_config``: create-only set, separate update."""

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

LIVE_WORDS: frozenset[str] = frozenset(
    {
        "Live.CallbackAfterCreateRoom",
        "Live.CallbackAfterDestroyRoom",
        "Live.CallbackAfterUpdateRoomInfo",
        "Live.CallbackAfterSetMetadata",
        "Live.CallbackAfterDelMetadata",
        "Live.CallbackAfterCreateRoomReachingThreshold",
        "Live.CallbackAfterMemberStateChanged",
        "Live.CallbackAfterChangeOwner",
        "Live.CallbackAfterModifyAdmin",
        "Mic.CallbackAfterSeatInfoChanged",
        "Live.CallbackAfterCreateBattle",
        "Live.CallbackAfterStartBattle",
        "Live.CallbackAfterEndBattle",
        "Live.CallbackBeforeSendGift",
        "Live.CallbackBeforeCallBackNotBlock",
        "Live.CallbackAfterCloudRecordingChanged",  # 2026 docs (docs/tencent-api.md §9 item 3)
    }
)

CHAT_SHARED: frozenset[str] = frozenset(
    {
        # Chat-shared words of the documented Live command list (docs/tencent-api.md §9 item 3).
        # The console says social-interaction events share the Chat webhook (§10 item 5):
        # whether live_config accepts them and delivers them to the Live URL is [U].
        "Group.CallbackAfterSendMsg",
        "Group.CallbackBeforeSendMsg",
        "Follow.CallbackAfterFollowAdd",
        "Follow.CallbackAfterFollowDelete",
    }
)

SPEC = ProductSpec(
    key="live",
    title="TUILiveKit live rooms (v4 live_config)",
    family=Family.V4,
    kind=Kind.CALLBACK,
    paths=Paths(
        read="v4/live_config/get_callback",
        create="v4/live_config/set_callback",
        update="v4/live_config/update_callback",
        delete="v4/live_config/delete_callback",
    ),
    body=Body(url_field="Url", events_field="CallbackCommandList"),
    absent={"read": frozenset({codes.NOT_FOUND}), "delete": frozenset({codes.NOT_FOUND})},
    fallbacks=Fallbacks(
        set_is_upsert=False, exists_code=codes.ALREADY_EXISTS, missing_code=codes.NOT_FOUND
    ),
    vocabulary=Vocabulary(
        LIVE_WORDS | CHAT_SHARED,
        aliases={
            # one page's prose spells it without "After" (docs/tencent-api.md §9 item 4)
            "Live.CallbackMemberStateChanged": "Live.CallbackAfterMemberStateChanged",
            # the English event page spells the recording event so (docs/tencent-api.md §10 item 2)
            "Follow.CallbackAfterCloudRecordingChanged": "Live.CallbackAfterCloudRecordingChanged",
        },
        shared=CHAT_SHARED,
    ),
    regions=("china", "singapore", "usa"),
    emulator=EmulatorHooks(missing_code=codes.NOT_FOUND),
)


class LiveProduct(V4CallbackProduct):
    spec = SPEC


IMPLEMENTATION = LiveProduct()
