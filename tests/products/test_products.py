"""Each product's read/create/update/delete semantics and fallbacks, on a scripted wire."""

from __future__ import annotations

import pytest

from reconciler.api.client import AppTarget, TencentClient
from reconciler.configs import CallbackConfig, TokenConfig
from reconciler.errors import (
    ApiError,
    MalformedResponseError,
    ProductUnavailableError,
    UnplannableError,
)
from reconciler.products.registry import product
from reconciler.secret import Secret
from tests.api.scripted import Scripted, v1, v4

TARGET = AppTarget(1400000001, "singapore", "administrator", Secret("k"))
CFG = CallbackConfig("https://hooks.example.com/cb", frozenset({"b", "a"}))


async def run(script: Scripted, key: str, op: str, *args: object) -> object:
    async with TencentClient(transport=script.transport) as client:
        return await getattr(product(key), op)(client, TARGET, *args)


@pytest.mark.parametrize(
    ("key", "service"),
    [("call", "call_config"), ("live", "live_config"), ("conference", "room_config")],
)
async def test_v4_read_present_and_absent(key: str, service: str) -> None:
    present = Scripted(
        v4(response={"Url": "https://x.example", "CallbackCommandList": ["e2", "e1"]})
    )
    assert await run(present, key, "read") == CallbackConfig(
        "https://x.example", frozenset({"e1", "e2"})
    )
    assert present.paths() == [f"/v4/{service}/get_callback"]
    assert await run(Scripted(v4(100301, "not exist")), key, "read") is None


async def test_call_set_is_upsert_for_create_and_update() -> None:
    for op in ("create", "update"):
        script = Scripted(v4())
        await run(script, "call", op, CFG)
        assert script.paths() == ["/v4/call_config/set_callback"]
        assert script.bodies() == [{"Url": CFG.url, "CallbackCommandList": ["a", "b"]}]


@pytest.mark.parametrize(
    ("key", "service"), [("live", "live_config"), ("conference", "room_config")]
)
async def test_create_only_set_falls_back_to_update(key: str, service: str) -> None:
    script = Scripted(v4(100300, "exists"), v4())
    await run(script, key, "create", CFG)
    assert script.paths() == [f"/v4/{service}/set_callback", f"/v4/{service}/update_callback"]


@pytest.mark.parametrize(
    ("key", "service"), [("live", "live_config"), ("conference", "room_config")]
)
async def test_update_of_nothing_falls_back_to_set(key: str, service: str) -> None:
    script = Scripted(v4(100301, "not exist"), v4())
    await run(script, key, "update", CFG)
    assert script.paths() == [f"/v4/{service}/update_callback", f"/v4/{service}/set_callback"]


async def test_other_errors_do_not_fall_back() -> None:
    script = Scripted(v4(100002, "bad word"), v4())
    with pytest.raises(ApiError):
        await run(script, "live", "create", CFG)
    assert len(script.requests) == 1


async def test_legacy_read_absent_forms() -> None:
    for data in ({}, None, "", {"address": "", "actions": []}):
        assert await run(Scripted(v1(data=data)), "call_legacy", "read") is None
    present = Scripted(v1(data={"actions": ["normal_end"], "address": "https://x.example"}))
    assert await run(present, "call_legacy", "read") == CallbackConfig(
        "https://x.example", frozenset({"normal_end"})
    )


async def test_legacy_update_999_falls_back_to_set() -> None:
    script = Scripted(v1(999, "no config"), v1(data=CFG.url))
    await run(script, "call_legacy", "update", CFG)
    assert script.paths() == ["/v1/callback/update", "/v1/callback/set"]
    assert script.bodies()[1] == {"address": CFG.url, "actions": ["a", "b"]}


async def test_token_read_write_delete() -> None:
    read = Scripted(v4(response={"Token": "tok", "IsTokenEnable": True}))
    assert await run(read, "live_token", "read") == TokenConfig(Secret("tok"), True)
    assert await run(Scripted(v4(100302, "none")), "live_token", "read") is None
    write = Scripted(v4())
    await run(write, "live_token", "update", TokenConfig(Secret("new"), False))
    assert write.paths() == ["/v4/live_config/set_callback_token"]
    assert write.bodies() == [{"Token": "new", "IsTokenEnable": False}]
    delete = Scripted(v4(100302, "none"))
    await run(delete, "live_token", "delete")  # absent is fine


async def test_switch_only_token_update_sends_the_switch_alone() -> None:
    # set_callback_token patches only the fields it is given once a token config exists:
    # the token Tencent holds is neither read back into the request nor replaced
    write = Scripted(v4())
    await run(write, "live_token", "update", TokenConfig(None, False))
    assert write.paths() == ["/v4/live_config/set_callback_token"]
    assert write.bodies() == [{"IsTokenEnable": False}]


async def test_switch_only_token_cannot_be_created() -> None:
    script = Scripted(v4())
    with pytest.raises(UnplannableError, match="add `token_env: NAME`"):
        await run(script, "live_token", "create", TokenConfig(None, True))
    assert script.requests == []  # nothing sent


@pytest.mark.parametrize(
    "response",
    [
        {"Url": 5, "CallbackCommandList": []},
        {"Url": "https://x", "CallbackCommandList": "e1"},
        "a string",
        None,
    ],
)
async def test_malformed_get_answers(response: object) -> None:
    script = Scripted(v4(response=response) if response is not None else v4())
    with pytest.raises(MalformedResponseError):
        await run(script, "live", "read")


async def test_delete_paths() -> None:
    for key, path in [
        ("call", "/v4/call_config/delete_callback"),
        ("live", "/v4/live_config/delete_callback"),
        ("conference", "/v4/room_config/delete_callback"),
        ("live_token", "/v4/live_config/delete_callback_token"),
    ]:
        script = Scripted(v4())
        await run(script, key, "delete")
        assert script.paths() == [path]
    legacy = Scripted(v1())
    await run(legacy, "call_legacy", "delete")
    assert legacy.paths() == ["/v1/callback/delete"]


async def test_legacy_read_without_group_call_package_is_not_absent() -> None:
    """50001 means "this app cannot have call_legacy" (docs/tencent-api.md §10 item 3): a read
    that returned None (absent) would plan a create that Tencent refuses."""
    script = Scripted(v1(50001, "buy the Group Call package", data=None))
    with pytest.raises(ProductUnavailableError) as unavailable:
        await run(script, "call_legacy", "read")
    assert len(script.requests) == 1  # not retried
    error = unavailable.value
    assert (error.product, error.sdkappid) == ("call_legacy", TARGET.sdkappid)
    assert "50001" in error.reason and "Group Call package" in error.reason
    assert "remove `call_legacy:`" in error.remedy
    write = Scripted(v1(50001, "buy the Group Call package", data=None))
    with pytest.raises(ApiError) as caught:
        await run(write, "call_legacy", "create", CFG)
    assert "Group Call package" in str(caught.value)
