"""The emulator and the third docs audit (docs/tencent-api.md section 10, issue 19): the call
recording event, the English spelling of the Live recording event, and the v1 API
of an app without the Group Call package."""

from __future__ import annotations

from reconciler.emulator.operations import Behaviour
from reconciler.emulator.seed import SeedCallback, parse_seed

from .helpers import URL, Api, MakeApi, v4_code

FOLLOW = "Follow.CallbackAfterCloudRecordingChanged"
RECORDING = "Live.CallbackAfterCloudRecordingChanged"
CALL_RECORDING = "Call.CallbackAfterRecordChanged"


def test_call_config_accepts_the_recording_event(api: Api) -> None:
    body = {"Url": URL, "CallbackCommandList": ["Call.CallbackAfterEndCall", CALL_RECORDING]}
    assert v4_code(api.call("/v4/call_config/set_callback", body)) == 0
    answer = api.call("/v4/call_config/get_callback")["Response"]
    assert answer["CallbackCommandList"] == ["Call.CallbackAfterEndCall", CALL_RECORDING]


def test_live_config_accepts_the_follow_spelling_and_answers_it_as_stored(api: Api) -> None:
    body = {"Url": URL, "CallbackCommandList": [FOLLOW]}
    assert v4_code(api.call("/v4/live_config/set_callback", body)) == 0
    assert api.call("/v4/live_config/get_callback")["Response"]["CallbackCommandList"] == [FOLLOW]
    update = {"Url": URL, "CallbackCommandList": [RECORDING]}
    assert v4_code(api.call("/v4/live_config/update_callback", update)) == 0


def test_variant_spellings_answer_the_follow_spelling(make_api: MakeApi) -> None:
    api = make_api(rate_limit=False, behaviour=Behaviour(variant_spellings=True))
    body = {"Url": URL, "CallbackCommandList": [RECORDING, "Live.CallbackAfterMemberStateChanged"]}
    assert v4_code(api.call("/v4/live_config/set_callback", body)) == 0
    answered = api.call("/v4/live_config/get_callback")["Response"]["CallbackCommandList"]
    assert answered == [FOLLOW, "Live.CallbackMemberStateChanged"]  # each its own variant


def test_the_follow_spelling_is_still_a_live_word_only(api: Api) -> None:
    body = {"Url": URL, "CallbackCommandList": [FOLLOW]}
    answer = api.call("/v4/room_config/set_callback", body)
    assert v4_code(answer) == 100002
    assert FOLLOW in answer["ErrorInfo"]


def test_a_seed_holds_the_new_words() -> None:
    seed = parse_seed(
        "apps:\n"
        "  - sdkappid: 1400000001\n"
        "    secret_key: k\n"
        "    callbacks:\n"
        f"      call: {{url: {URL}, events: [{CALL_RECORDING}]}}\n"
        f"      live: {{url: {URL}, events: [{FOLLOW}, {RECORDING}]}}\n"
    )
    (app,) = seed.apps
    assert app.callbacks["call"] == SeedCallback(URL, (CALL_RECORDING,))
    assert app.callbacks["live"] == SeedCallback(URL, (FOLLOW, RECORDING))


# An app seeded with ``group_call: false`` answering 50001 to get/set/update/delete is
# tests/emulator/test_app.py::test_v1_app_without_group_call_is_50001.
