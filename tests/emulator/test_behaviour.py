"""The emulator switches for answers the docs leave open (docs/tencent-api.md section 9)."""

from __future__ import annotations

import pytest

from reconciler.emulator.operations import Behaviour, V1Missing

from .helpers import URL, V1_WORDS, MakeApi, v1_code, v4_code


@pytest.mark.parametrize(("mode", "get_code"), [("empty", 0), ("999", 999)])
def test_v1_missing_config_answers_either_way(
    make_api: MakeApi, mode: V1Missing, get_code: int
) -> None:
    api = make_api(rate_limit=False, behaviour=Behaviour(v1_missing=mode))
    answer = api.call("/v1/callback/get")
    assert v1_code(answer) == get_code
    if get_code == 0:
        assert answer["data"] == {}
    assert v1_code(api.call("/v1/callback/delete")) == get_code
    # once configured, the mode makes no difference
    assert v1_code(api.call("/v1/callback/set", {"address": URL, "actions": V1_WORDS})) == 0
    assert api.call("/v1/callback/get")["data"]["address"] == URL
    assert v1_code(api.call("/v1/callback/delete")) == 0


@pytest.mark.parametrize(
    ("base", "sent", "answered"),
    [
        (
            "/v4/room_config",
            "Room.CallbackAfterUpdateRoomInfo",
            "Room.CallbackUpdateRoomInfo",
        ),
        (
            "/v4/live_config",
            "Live.CallbackAfterMemberStateChanged",
            "Live.CallbackMemberStateChanged",
        ),
    ],
)
def test_variant_spellings_answer_the_other_spelling(
    make_api: MakeApi, base: str, sent: str, answered: str
) -> None:
    api = make_api(rate_limit=False, behaviour=Behaviour(variant_spellings=True))
    body = {"Url": URL, "CallbackCommandList": [sent]}
    assert v4_code(api.call(f"{base}/set_callback", body)) == 0
    assert api.call(f"{base}/get_callback")["Response"]["CallbackCommandList"] == [answered]


@pytest.mark.parametrize(
    "word",
    [
        "Live.CallbackAfterCloudRecordingChanged",
        "Group.CallbackAfterSendMsg",
        "Group.CallbackBeforeSendMsg",
        "Follow.CallbackAfterFollowAdd",
        "Follow.CallbackAfterFollowDelete",
    ],
)
def test_live_accepts_the_documented_words(make_api: MakeApi, word: str) -> None:
    api = make_api(rate_limit=False)
    body = {"Url": URL, "CallbackCommandList": [word]}
    assert v4_code(api.call("/v4/live_config/set_callback", body)) == 0
