"""Command ("event") words each product accepts, from ../shared/tencent-callback-api.md.

Where doc versions disagree on a spelling, both spellings are accepted (marked
below); the server's answer on read-back is what finally counts.
"""

from __future__ import annotations

import difflib

CALL_EVENTS: frozenset[str] = frozenset(
    {
        "Call.CallbackAfterStartCall",
        "Call.CallbackAfterEndCall",
        "Call.CallbackAfterMemberChanged",
    }
)

CALL_LEGACY_EVENTS: frozenset[str] = frozenset(
    {
        # call status (result) callbacks
        "cancel",
        "reject",
        "not_answer",
        "normal_end",
        "call_busy",
        "interrupt",
        # caller events
        "caller_start_call",
        "caller_call_accepted",
        "caller_call_missed",
        "caller_call_rejected",
        "caller_call_busy",
        "caller_cancel_call",
        "caller_call_failed",
        "caller_call_end",
        "caller_call_interrupted",
        # callee events
        "callee_receive_call",
        "callee_accept_call",
        "callee_not_answer_call",
        "callee_reject_call",
        "callee_ignore_call",
        "callee_call_canceled",
        "callee_call_end",
        "callee_call_interrupted",
        # group calls
        "invite_user",
        "join_in_group_call",
    }
)

LIVE_EVENTS: frozenset[str] = frozenset(
    {
        "Live.CallbackAfterCreateRoom",
        "Live.CallbackAfterDestroyRoom",
        "Live.CallbackAfterUpdateRoomInfo",
        "Live.CallbackAfterSetMetadata",
        "Live.CallbackAfterDelMetadata",
        "Live.CallbackAfterCreateRoomReachingThreshold",
        "Live.CallbackAfterMemberStateChanged",
        "Live.CallbackMemberStateChanged",  # [X] spelling in one page's text
        "Live.CallbackAfterChangeOwner",
        "Live.CallbackAfterModifyAdmin",
        "Mic.CallbackAfterSeatInfoChanged",
        "Live.CallbackAfterCreateBattle",
        "Live.CallbackAfterStartBattle",
        "Live.CallbackAfterEndBattle",
        "Live.CallbackBeforeSendGift",
        "Live.CallbackBeforeCallBackNotBlock",
    }
)

CONFERENCE_EVENTS: frozenset[str] = frozenset(
    {
        "Room.CallbackAfterCreateRoom",
        "Room.CallbackAfterDestroyRoom",
        "Room.CallbackAfterUpdateRoomInfo",
        "Room.CallbackUpdateRoomInfo",  # [X] spelling of the IM-hosted copy
        "Room.CallbackAfterMemberEnter",
        "Room.CallbackAfterMemberLeave",
        "Mic.CallbackAfterSeatInfoChanged",
    }
)


def suggest(word: str, vocabulary: frozenset[str]) -> str | None:
    """The closest known word, for a "did you mean" hint, or None."""
    matches = difflib.get_close_matches(word, sorted(vocabulary), n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {w.lower(): w for w in vocabulary}
    return lowered.get(word.lower())
