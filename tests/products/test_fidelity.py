"""The client against the answers docs/tencent-api.md section 9 says Tencent may give (scripted wire).

Each test here failed before the fidelity fixes of issue 10.
"""

from __future__ import annotations

import pytest

from reconciler.api.client import AppTarget, TencentClient
from reconciler.configs import CallbackConfig
from reconciler.errors import ApiError, MalformedResponseError
from reconciler.products.registry import product
from reconciler.secret import Secret
from tests.api.scripted import Scripted, v1, v4

TARGET = AppTarget(1400000001, "singapore", "administrator", Secret("k"))


async def run(script: Scripted, key: str, op: str, *args: object) -> object:
    async with TencentClient(transport=script.transport) as client:
        return await getattr(product(key), op)(client, TARGET, *args)


async def test_legacy_get_999_reads_as_absent() -> None:
    script = Scripted(v1(999, "没有配置信息"))
    assert await run(script, "call_legacy", "read") is None
    assert script.paths() == ["/v1/callback/get"]


async def test_legacy_delete_999_is_already_absent() -> None:
    script = Scripted(v1(999, "没有配置信息"))
    await run(script, "call_legacy", "delete")
    assert script.paths() == ["/v1/callback/delete"]


async def test_legacy_delete_other_errors_still_raise() -> None:
    with pytest.raises(ApiError) as caught:
        await run(Scripted(v1(100002, "bad")), "call_legacy", "delete")
    assert caught.value.code == 100002


@pytest.mark.parametrize(
    "data",
    [
        {"Address": "https://x.example", "Actions": ["normal_end"]},
        {"address": "https://x.example", "actions": ["normal_end"], "Extra": 1},
    ],
)
async def test_legacy_get_with_unknown_fields_is_an_error_naming_the_field(
    data: dict[str, object],
) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        await run(Scripted(v1(data=data)), "call_legacy", "read")
    for field in data:
        if field not in ("address", "actions"):
            assert repr(field) in str(caught.value)


@pytest.mark.parametrize(
    "response",
    [{"Url": "https://x.example"}, {"Url": "https://x.example", "CallbackCommandList": None}],
)
@pytest.mark.parametrize("key", ["call", "live", "conference"])
async def test_v4_get_url_only_reads_as_empty_event_set(key: str, response: object) -> None:
    config = await run(Scripted(v4(response=response)), key, "read")
    assert config == CallbackConfig("https://x.example", frozenset())


@pytest.mark.parametrize(
    ("key", "variant", "canonical"),
    [
        ("conference", "Room.CallbackUpdateRoomInfo", "Room.CallbackAfterUpdateRoomInfo"),
        ("live", "Live.CallbackMemberStateChanged", "Live.CallbackAfterMemberStateChanged"),
    ],
)
async def test_variant_spelling_is_normalised_on_read_back(
    key: str, variant: str, canonical: str
) -> None:
    answer = {"Url": "https://x.example", "CallbackCommandList": [variant]}
    config = await run(Scripted(v4(response=answer)), key, "read")
    assert config == CallbackConfig("https://x.example", frozenset({canonical}))
