"""Small plans shared by the renderer tests."""

from __future__ import annotations

from reconciler.plan.change import Action, Change, Plan
from tests.plan.factories import SG, TOKEN, US, cb, res, tok

OLD_TOKEN = "old-live-token-do-not-print"


def small_plan() -> Plan:
    """One of each: update (url + events), token update, delete, create; plus extras."""
    return Plan(
        (
            Change(
                res("live", US),
                Action.CREATE,
                None,
                cb("https://h.example/live", "Live.CallbackAfterCreateRoom"),
            ),
            Change(
                res("conference"),
                Action.DELETE,
                cb("https://h.example/room", "Room.CallbackAfterCreateRoom"),
                None,
            ),
            Change(
                res("call"),
                Action.UPDATE,
                cb(
                    "https://old.example.com/cb",
                    "Call.CallbackAfterEndCall",
                    "Call.CallbackAfterMemberChanged",
                ),
                cb(
                    "https://hooks.example.com/trtc/call",
                    "Call.CallbackAfterStartCall",
                    "Call.CallbackAfterEndCall",
                ),
            ),
            Change(res("live_token"), Action.UPDATE, tok(OLD_TOKEN, True), tok(TOKEN, False)),
        ),
        unchanged=(res("call_legacy"),),
        unmanaged=(res("live"),),
    )


SECRETS = (TOKEN, OLD_TOKEN)
__all__ = ["SECRETS", "SG", "small_plan"]
