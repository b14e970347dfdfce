"""TUICallKit calls, v4 ``call_config``: set overwrites, there is no update API."""

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
    key="call",
    title="TUICallKit calls (v4 call_config)",
    family=Family.V4,
    kind=Kind.CALLBACK,
    paths=Paths(
        read="v4/call_config/get_callback",
        create="v4/call_config/set_callback",
        update=None,
        delete="v4/call_config/delete_callback",
    ),
    body=Body(url_field="Url", events_field="CallbackCommandList"),
    absent={"read": frozenset({codes.NOT_FOUND}), "delete": frozenset({codes.NOT_FOUND})},
    fallbacks=Fallbacks(set_is_upsert=True),
    vocabulary=Vocabulary(
        frozenset(
            {
                "Call.CallbackAfterStartCall",
                "Call.CallbackAfterEndCall",
                "Call.CallbackAfterMemberChanged",
                # call recording state changed: trtc.io/document/80345 (docs/tencent-api.md
                # §10 item 1); the list pages still show three words
                "Call.CallbackAfterRecordChanged",
            }
        )
    ),
    regions=("china", "singapore", "korea"),
    emulator=EmulatorHooks(missing_code=codes.NOT_FOUND),
)


class CallProduct(V4CallbackProduct):
    spec = SPEC


IMPLEMENTATION = CallProduct()
