"""What every path does, through real HTTP on loopback (shared emulator, wiped per test)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from reconciler.emulator.embedded import start_emulator

from .helpers import (
    CALL_WORDS,
    LIVE_WORDS,
    OTHER,
    ROOM_WORDS,
    URL,
    V1_WORDS,
    Api,
    query,
    usersig,
    v1_code,
    v4_code,
)

FIXTURES = Path(__file__).parent / "fixtures"
URL2 = "http://other.example.com:8080/hook?x=1"

# -- call_config (v4): set is an upsert, no update path ----------------------------

CALL = "/v4/call_config"


def test_call_config_lifecycle(api: Api) -> None:
    assert v4_code(api.call(f"{CALL}/get_callback")) == 100301
    body = {"Url": URL, "CallbackCommandList": CALL_WORDS}
    result = api.call(f"{CALL}/set_callback", body)
    assert v4_code(result) == 0
    assert result["ErrorInfo"] == ""
    assert "Response" not in result
    got = api.call(f"{CALL}/get_callback")
    assert v4_code(got) == 0
    assert got["Response"] == {"Url": URL, "CallbackCommandList": CALL_WORDS}
    assert v4_code(api.call(f"{CALL}/delete_callback")) == 0
    assert v4_code(api.call(f"{CALL}/get_callback")) == 100301


def test_call_config_set_overwrites(api: Api) -> None:
    api.call(f"{CALL}/set_callback", {"Url": URL, "CallbackCommandList": CALL_WORDS})
    new = {"Url": URL2, "CallbackCommandList": ["Call.CallbackAfterMemberChanged"]}
    assert v4_code(api.call(f"{CALL}/set_callback", new)) == 0
    assert api.call(f"{CALL}/get_callback")["Response"] == {
        "Url": URL2,
        "CallbackCommandList": ["Call.CallbackAfterMemberChanged"],
    }


def test_call_config_has_no_update_path(api: Api) -> None:
    body = {"Url": URL, "CallbackCommandList": CALL_WORDS}
    assert v4_code(api.call(f"{CALL}/update_callback", body)) == 60009


def test_delete_of_nothing_is_fine(api: Api) -> None:
    assert v4_code(api.call(f"{CALL}/delete_callback")) == 0
    assert v4_code(api.call("/v4/live_config/delete_callback")) == 0
    assert v4_code(api.call("/v4/room_config/delete_callback")) == 0
    assert v4_code(api.call("/v4/live_config/delete_callback_token")) == 0


BAD_V4_BODIES = [
    ({"CallbackCommandList": CALL_WORDS}, "Url"),
    ({"Url": "", "CallbackCommandList": CALL_WORDS}, "Url"),
    ({"Url": 5, "CallbackCommandList": CALL_WORDS}, "Url"),
    ({"Url": "ftp://a.example.com/x", "CallbackCommandList": CALL_WORDS}, "http"),
    ({"Url": "hooks.example.com/x", "CallbackCommandList": CALL_WORDS}, "http"),
    ({"Url": "https:///x", "CallbackCommandList": CALL_WORDS}, "no host"),
    ({"Url": URL}, "CallbackCommandList"),
    ({"Url": URL, "CallbackCommandList": []}, "non-empty list"),
    ({"Url": URL, "CallbackCommandList": "Call.CallbackAfterEndCall"}, "non-empty list"),
    ({"Url": URL, "CallbackCommandList": [1]}, "only strings"),
    (
        {"Url": URL, "CallbackCommandList": ["Call.CallbackAfterStrtCall"]},
        "'Call.CallbackAfterStrtCall' (did you mean 'Call.CallbackAfterStartCall'?)",
    ),
    ({"Url": URL, "CallbackCommandList": LIVE_WORDS}, "Live.CallbackAfterCreateRoom"),
    ({"Url": URL, "CallbackCommandList": CALL_WORDS + CALL_WORDS[:1]}, "twice"),
]


@pytest.mark.parametrize(("body", "words"), BAD_V4_BODIES)
def test_call_config_set_refuses_bad_bodies_with_100002(
    api: Api, body: dict[str, object], words: str
) -> None:
    result = api.call(f"{CALL}/set_callback", body)
    assert v4_code(result) == 100002
    assert words in result["ErrorInfo"]
    assert v4_code(api.call(f"{CALL}/get_callback")) == 100301


# -- live_config and room_config: create-only set, update, 100300/100301 -------------

CREATE_ONLY = [("/v4/live_config", LIVE_WORDS), ("/v4/room_config", ROOM_WORDS)]


@pytest.mark.parametrize(("base", "words"), CREATE_ONLY)
def test_create_only_lifecycle(api: Api, base: str, words: list[str]) -> None:
    assert v4_code(api.call(f"{base}/get_callback")) == 100301
    first = {"Url": URL, "CallbackCommandList": words}
    assert v4_code(api.call(f"{base}/set_callback", first)) == 0

    second = {"Url": URL2, "CallbackCommandList": words[:1]}
    exists = api.call(f"{base}/set_callback", second)
    assert v4_code(exists) == 100300
    assert "update_callback" in exists["ErrorInfo"]
    assert api.call(f"{base}/get_callback")["Response"] == {
        "Url": URL,
        "CallbackCommandList": words,
    }

    assert v4_code(api.call(f"{base}/update_callback", second)) == 0
    assert api.call(f"{base}/get_callback")["Response"] == {
        "Url": URL2,
        "CallbackCommandList": words[:1],
    }
    assert v4_code(api.call(f"{base}/delete_callback")) == 0
    assert v4_code(api.call(f"{base}/get_callback")) == 100301


@pytest.mark.parametrize(("base", "words"), CREATE_ONLY)
def test_update_of_nothing_is_100301(api: Api, base: str, words: list[str]) -> None:
    body = {"Url": URL, "CallbackCommandList": words}
    result = api.call(f"{base}/update_callback", body)
    assert v4_code(result) == 100301
    assert "set_callback" in result["ErrorInfo"]
    assert v4_code(api.call(f"{base}/get_callback")) == 100301


@pytest.mark.parametrize(("base", "words"), CREATE_ONLY)
def test_invalid_update_of_nothing_is_100002(api: Api, base: str, words: list[str]) -> None:
    body = {"Url": "nope", "CallbackCommandList": words}
    assert v4_code(api.call(f"{base}/update_callback", body)) == 100002


@pytest.mark.parametrize(("base", "words"), CREATE_ONLY)
def test_invalid_update_keeps_the_config(api: Api, base: str, words: list[str]) -> None:
    api.call(f"{base}/set_callback", {"Url": URL, "CallbackCommandList": words})
    bad = {"Url": URL2, "CallbackCommandList": ["Nope.Word"]}
    assert v4_code(api.call(f"{base}/update_callback", bad)) == 100002
    assert api.call(f"{base}/get_callback")["Response"]["Url"] == URL


def test_each_product_has_its_own_vocabulary(api: Api) -> None:
    shared = ["Mic.CallbackAfterSeatInfoChanged"]
    for base in ("/v4/live_config", "/v4/room_config"):
        assert (
            v4_code(api.call(f"{base}/set_callback", {"Url": URL, "CallbackCommandList": shared}))
            == 0
        )
    room_only = {"Url": URL, "CallbackCommandList": ["Room.CallbackAfterMemberEnter"]}
    assert v4_code(api.call("/v4/live_config/update_callback", room_only)) == 100002
    chat_word = {"Url": URL, "CallbackCommandList": ["C2C.CallbackAfterSendMsg"]}
    assert v4_code(api.call("/v4/live_config/update_callback", chat_word)) == 100002
    # the Group/Follow words of the documented Live command list (docs/tencent-api.md section 9)
    live_chat = {"Url": URL, "CallbackCommandList": ["Group.CallbackAfterSendMsg"]}
    assert v4_code(api.call("/v4/live_config/update_callback", live_chat)) == 0
    assert v4_code(api.call("/v4/room_config/update_callback", live_chat)) == 100002
    both_spellings = ["Room.CallbackUpdateRoomInfo", "Room.CallbackAfterUpdateRoomInfo"]
    body = {"Url": URL, "CallbackCommandList": both_spellings}
    assert v4_code(api.call("/v4/room_config/update_callback", body)) == 0


def test_products_and_apps_are_independent(api: Api) -> None:
    api.call(f"{CALL}/set_callback", {"Url": URL, "CallbackCommandList": CALL_WORDS})
    assert v4_code(api.call("/v4/live_config/get_callback")) == 100301
    assert v4_code(api.call(f"{CALL}/get_callback", sdkappid=OTHER)) == 100301
    assert v1_code(api.call("/v1/callback/get")) == 0
    assert api.call("/v1/callback/get")["data"] == {}


def test_unknown_body_fields_are_ignored(api: Api) -> None:
    body = {"Url": URL, "CallbackCommandList": CALL_WORDS, "Extra": 1}
    assert v4_code(api.call(f"{CALL}/set_callback", body)) == 0
    assert v4_code(api.call(f"{CALL}/get_callback", {"anything": True})) == 0


# -- the Live webhook token ------------------------------------------------------------

TOKEN = "/v4/live_config"


def test_token_lifecycle_and_partial_update(api: Api) -> None:
    assert v4_code(api.call(f"{TOKEN}/get_callback_token")) == 100302
    body = {"Token": "first-token", "IsTokenEnable": True}
    assert v4_code(api.call(f"{TOKEN}/set_callback_token", body)) == 0
    got = api.call(f"{TOKEN}/get_callback_token")
    assert got["Response"] == {"Token": "first-token", "IsTokenEnable": True}

    assert v4_code(api.call(f"{TOKEN}/set_callback_token", {"IsTokenEnable": False})) == 0
    got = api.call(f"{TOKEN}/get_callback_token")
    assert got["Response"] == {"Token": "first-token", "IsTokenEnable": False}

    assert v4_code(api.call(f"{TOKEN}/set_callback_token", {"Token": "second"})) == 0
    got = api.call(f"{TOKEN}/get_callback_token")
    assert got["Response"] == {"Token": "second", "IsTokenEnable": False}

    assert v4_code(api.call(f"{TOKEN}/delete_callback_token")) == 0
    assert v4_code(api.call(f"{TOKEN}/get_callback_token")) == 100302


def test_token_and_callback_are_separate(api: Api) -> None:
    api.call(f"{TOKEN}/set_callback_token", {"Token": "t", "IsTokenEnable": True})
    assert v4_code(api.call(f"{TOKEN}/get_callback")) == 100301
    api.call(f"{TOKEN}/set_callback", {"Url": URL, "CallbackCommandList": LIVE_WORDS})
    api.call(f"{TOKEN}/delete_callback")
    assert v4_code(api.call(f"{TOKEN}/get_callback_token")) == 0


@pytest.mark.parametrize(
    "body",
    [{"Token": "t"}, {"IsTokenEnable": True}, {}],
    ids=["token only", "enable only", "nothing"],
)
def test_first_token_set_needs_both_fields(api: Api, body: dict[str, object]) -> None:
    result = api.call(f"{TOKEN}/set_callback_token", body)
    assert v4_code(result) == 100002
    assert "both required" in result["ErrorInfo"]
    assert v4_code(api.call(f"{TOKEN}/get_callback_token")) == 100302


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "give Token and/or IsTokenEnable"),
        ({"Token": ""}, "1-128"),
        ({"Token": "x" * 129}, "1-128"),
        ({"Token": 12345}, "string"),
        ({"Token": None}, "string"),
        ({"IsTokenEnable": "true"}, "true or false"),
        ({"IsTokenEnable": 1}, "true or false"),
    ],
)
def test_bad_token_bodies_are_100002(api: Api, body: dict[str, object], words: str) -> None:
    api.call(f"{TOKEN}/set_callback_token", {"Token": "keep", "IsTokenEnable": True})
    result = api.call(f"{TOKEN}/set_callback_token", body)
    assert v4_code(result) == 100002
    assert words in result["ErrorInfo"]
    got = api.call(f"{TOKEN}/get_callback_token")
    assert got["Response"] == {"Token": "keep", "IsTokenEnable": True}


def test_token_of_128_characters_is_fine(api: Api) -> None:
    body = {"Token": "x" * 128, "IsTokenEnable": False}
    assert v4_code(api.call(f"{TOKEN}/set_callback_token", body)) == 0


def test_token_value_is_not_echoed_in_errors(api: Api) -> None:
    secret = "s3cr3t-" * 20
    result = api.call(f"{TOKEN}/set_callback_token", {"Token": secret, "IsTokenEnable": True})
    assert v4_code(result) == 100002
    assert "s3cr3t" not in result["ErrorInfo"]


# -- v1 callback (call_legacy) -----------------------------------------------------------

V1 = "/v1/callback"


def test_v1_lifecycle(api: Api) -> None:
    got = api.call(f"{V1}/get")
    assert v1_code(got) == 0
    assert got["data"] == {}
    assert got["errorMessage"] == "Success"

    created = api.call(f"{V1}/set", {"address": URL, "actions": V1_WORDS})
    assert v1_code(created) == 0
    assert created["data"] == URL
    assert api.call(f"{V1}/get")["data"] == {"actions": V1_WORDS, "address": URL}

    updated = api.call(f"{V1}/update", {"address": URL2, "actions": ["cancel"]})
    assert v1_code(updated) == 0
    assert updated["data"] == URL2
    assert api.call(f"{V1}/get")["data"] == {"actions": ["cancel"], "address": URL2}

    deleted = api.call(f"{V1}/delete")
    assert v1_code(deleted) == 0
    assert deleted["data"] == ""
    assert api.call(f"{V1}/get")["data"] == {}


def test_v1_set_is_an_upsert(api: Api) -> None:
    api.call(f"{V1}/set", {"address": URL, "actions": V1_WORDS})
    assert v1_code(api.call(f"{V1}/set", {"address": URL2, "actions": ["reject"]})) == 0
    assert api.call(f"{V1}/get")["data"] == {"actions": ["reject"], "address": URL2}


def test_v1_update_of_nothing_is_999(api: Api) -> None:
    result = api.call(f"{V1}/update", {"address": URL, "actions": V1_WORDS})
    assert v1_code(result) == 999
    assert result["errorMessage"] == "callback configuration does not exist, call set first"
    assert result["data"] is None
    assert api.call(f"{V1}/get")["data"] == {}


def test_v1_delete_of_nothing_is_fine(api: Api) -> None:
    assert v1_code(api.call(f"{V1}/delete")) == 0


@pytest.mark.parametrize(
    "address", [None, "", "ftp://a.example.com", "www.example.com/cb", "https://"]
)
@pytest.mark.parametrize("command", ["set", "update"])
def test_v1_bad_address_is_70001(api: Api, command: str, address: object) -> None:
    body = {"actions": V1_WORDS} if address is None else {"address": address, "actions": V1_WORDS}
    result = api.call(f"{V1}/{command}", body)
    assert v1_code(result) == 70001
    assert result["errorMessage"].startswith("callback address must start with http or https")


@pytest.mark.parametrize(
    ("actions", "words"),
    [
        (None, "non-empty list"),
        ([], "non-empty list"),
        ("normal_end", "non-empty list"),
        (["normal_end", 7], "only strings"),
        (
            ["normal_end", "normal_ends"],
            "unknown action 'normal_ends' (did you mean 'normal_end'?)",
        ),
        (["Call.CallbackAfterEndCall"], "unknown action 'Call.CallbackAfterEndCall'"),
        (["cancel", "cancel"], "'cancel' twice"),
    ],
)
def test_v1_bad_actions_are_100002(api: Api, actions: object, words: str) -> None:
    body: dict[str, object] = {"address": URL}
    if actions is not None:
        body["actions"] = actions
    result = api.call(f"{V1}/set", body)
    assert v1_code(result) == 100002
    assert words in result["errorMessage"]
    assert api.call(f"{V1}/get")["data"] == {}


# -- seeded state ------------------------------------------------------------------------------


def test_seeded_configs_are_served() -> None:
    with (
        start_emulator(FIXTURES / "seed.yaml") as emu,
        httpx.Client(base_url=emu.base_url) as client,
    ):
        keys = emu.secret_keys()
        assert emu.seed.secret_keys() == keys
        api = Api(client)
        params = query(1400000001, sig=usersig(1400000001, key=keys[1400000001]))
        got = api.call(f"{CALL}/get_callback", params=params)
        assert got["Response"] == {
            "Url": "https://old.example.com/cb",
            "CallbackCommandList": ["Call.CallbackAfterEndCall"],
        }
        token = api.call(f"{TOKEN}/get_callback_token", params=params)
        assert token["Response"] == {"Token": "demo-token", "IsTokenEnable": False}
        legacy = api.call(f"{V1}/get", params=params)
        assert legacy["data"] == {
            "actions": ["normal_end", "call_busy"],
            "address": "http://legacy.example.com/v1",
        }
