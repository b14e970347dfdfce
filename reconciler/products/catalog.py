"""What each product is: its YAML key, API family, kind of config and vocabulary.

Pure data, importable from every layer (loader, planner, emulator).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from reconciler.products import vocabulary

MAX_SDKAPPID = 2**32 - 1
"""SDKAppIDs are unsigned 32-bit integers (and 0 is none)."""

MAX_TOKEN_LENGTH = 128
"""A Live webhook signing token is 1-128 characters (set_callback_token)."""


class Family(str, enum.Enum):
    """API family: decides host, envelope and rate limit."""

    V1 = "v1"  # callkit hosts, camelCase envelope, 10 requests/s per app
    V4 = "v4"  # Chat REST domains, PascalCase envelope, 200 requests/s per app


class Kind(str, enum.Enum):
    CALLBACK = "callback"  # url + events
    TOKEN = "token"  # noqa: S105 - a kind of config, not a password


@dataclass(frozen=True)
class ProductInfo:
    key: str
    title: str
    family: Family
    kind: Kind
    events: frozenset[str]


PRODUCTS: dict[str, ProductInfo] = {
    p.key: p
    for p in (
        ProductInfo(
            "call",
            "TUICallKit calls (v4 call_config)",
            Family.V4,
            Kind.CALLBACK,
            vocabulary.CALL_EVENTS,
        ),
        ProductInfo(
            "call_legacy",
            "TUICallKit legacy calls (v1 callback)",
            Family.V1,
            Kind.CALLBACK,
            vocabulary.CALL_LEGACY_EVENTS,
        ),
        ProductInfo(
            "live",
            "TUILiveKit live rooms (v4 live_config)",
            Family.V4,
            Kind.CALLBACK,
            vocabulary.LIVE_EVENTS,
        ),
        ProductInfo(
            "live_token", "TUILiveKit webhook signing token", Family.V4, Kind.TOKEN, frozenset()
        ),
        ProductInfo(
            "conference",
            "TUIRoomKit conferences (v4 room_config)",
            Family.V4,
            Kind.CALLBACK,
            vocabulary.CONFERENCE_EVENTS,
        ),
    )
}

PRODUCT_KEYS: tuple[str, ...] = tuple(PRODUCTS)
