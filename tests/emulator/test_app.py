"""The request pipeline: common checks in order, rate limits, faults, log, latency.

All through real HTTP on loopback; clocks are injected where time matters.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.emulator.store import Store

from .helpers import (
    APP,
    CALL_WORDS,
    KEYS,
    NO_GROUP,
    OTHER,
    SEED,
    URL,
    V1_WORDS,
    Api,
    MakeApi,
    query,
    usersig,
    v1_code,
    v4_code,
)

V4_GET = "/v4/call_config/get_callback"
V4_SET = "/v4/call_config/set_callback"
V1_GET = "/v1/callback/get"
V1_SET = "/v1/callback/set"


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def local(api: Api) -> Api:
    """The shared emulator (no rate limit) for checks that change no state."""
    return api


def without(name: str) -> dict[str, str]:
    params = query()
    del params[name]
    return params


def with_(**changes: str) -> dict[str, str]:
    return {**query(), **changes}


# -- 1. path and method ---------------------------------------------------------


def test_unknown_v4_path_is_60009(local: Api) -> None:
    result = local.call("/v4/call_config/update_callback", {})
    assert v4_code(result) == 60009
    assert "unknown path" in result["ErrorInfo"]


def test_unknown_v1_path_is_60009_in_the_v1_envelope(local: Api) -> None:
    assert v1_code(local.call("/v1/callback/list", {})) == 60009


def test_unknown_path_elsewhere_is_60009(local: Api) -> None:
    assert v4_code(local.call("/", {})) == 60009
    assert v4_code(local.call("/v4/im_open_login_svc/account_import", {})) == 60009


def test_get_method_is_60009(local: Api) -> None:
    response = local.client.get(V4_GET, params=query())
    assert response.status_code == 200
    assert v4_code(response.json()) == 60009


# -- 2-4. the URL query -----------------------------------------------------------


@pytest.mark.parametrize("path", [V4_GET, V1_GET])
def test_missing_sdkappid_is_60012(local: Api, path: str) -> None:
    result = local.call(path, params=without("sdkappid"))
    assert result.get("ErrorCode", result.get("errorCode")) == 60012


@pytest.mark.parametrize("name", ["identifier", "usersig", "random", "contenttype"])
def test_missing_url_parameter_is_60025(local: Api, name: str) -> None:
    result = local.call(V4_GET, params=without(name))
    assert v4_code(result) == 60025
    assert name in result["ErrorInfo"]


BAD_URL_PARAMETERS = [
    {"random": "-1"},
    {"random": "4294967296"},
    {"random": "12a"},
    {"random": "１２"},
    {"contenttype": "JSON"},
    {"contenttype": "xml"},
    {"identifier": ""},
]


@pytest.mark.parametrize("bad", BAD_URL_PARAMETERS)
def test_bad_url_parameter_is_60025(local: Api, bad: dict[str, str]) -> None:
    assert v4_code(local.call(V4_GET, params=with_(**bad))) == 60025


def test_random_zero_is_fine(local: Api) -> None:
    assert v4_code(local.call(V4_GET, params=with_(random="0"))) == 100301


def test_v1_bad_url_parameter_is_60025_in_v1_envelope(local: Api) -> None:
    assert v1_code(local.call(V1_GET, params=without("random"))) == 60025


@pytest.mark.parametrize("value", ["abc", "14e8", "-1400000001", "1400000001.0"])
def test_non_integer_sdkappid_is_60006(local: Api, value: str) -> None:
    assert v4_code(local.call(V4_GET, params=with_(sdkappid=value))) == 60006


def test_60025_comes_before_60006(local: Api) -> None:
    params = with_(sdkappid="abc")
    del params["usersig"]
    assert v4_code(local.call(V4_GET, params=params)) == 60025


# -- 5-7. app, UserSig, admin -----------------------------------------------------


def test_unknown_sdkappid_is_70020(local: Api) -> None:
    params = with_(sdkappid="1400009999", usersig="garbage")
    assert v4_code(local.call(V4_GET, params=params)) == 70020


def test_garbled_usersig_is_70003(local: Api) -> None:
    assert v4_code(local.call(V4_GET, params=with_(usersig="not-a-sig"))) == 70003


def test_other_apps_usersig_is_70014(local: Api) -> None:
    assert v4_code(local.call(V4_GET, params=with_(usersig=usersig(OTHER)))) == 70014


def test_usersig_of_another_identifier_is_70013(local: Api) -> None:
    params = with_(identifier="ops-bot", usersig=usersig(APP, "administrator"))
    assert v4_code(local.call(V4_GET, params=params)) == 70013


def test_usersig_made_with_the_wrong_key_is_70009(local: Api) -> None:
    params = with_(usersig=usersig(APP, key=KEYS[OTHER]))
    assert v4_code(local.call(V4_GET, params=params)) == 70009


def test_expired_usersig_is_70001(make_api: MakeApi) -> None:
    api = make_api(wall_clock=lambda: time.time() + 2 * 86400)
    assert v4_code(api.call(V4_GET)) == 70001
    assert v1_code(api.call(V1_GET)) == 70001


def test_identifier_that_is_not_an_admin_is_60010(local: Api) -> None:
    result = local.call(V4_GET, identifier="alice")
    assert v4_code(result) == 60010
    assert "alice" in result["ErrorInfo"]


def test_every_listed_admin_may_call(local: Api) -> None:
    assert v4_code(local.call(V4_GET, identifier="ops-bot")) == 100301


# -- 8. rate limits -----------------------------------------------------------------


def test_v1_rate_limit_is_10_per_second_per_app(make_api: MakeApi) -> None:
    clock = FakeClock(500.0)
    api = make_api(clock=clock)
    codes = [v1_code(api.call(V1_GET)) for _ in range(11)]
    assert codes == [0] * 10 + [60011]
    assert v1_code(api.call(V1_GET, sdkappid=OTHER)) == 0  # other app: own bucket
    assert v4_code(api.call(V4_GET)) == 100301  # v4: own bucket
    clock.now += 0.1
    assert [v1_code(api.call(V1_GET)) for _ in range(2)] == [0, 60011]


def test_v4_rate_limit_is_200_per_second_per_app(make_api: MakeApi) -> None:
    clock = FakeClock(500.0)
    api = make_api(clock=clock)
    codes = [v4_code(api.call(V4_GET)) for _ in range(201)]
    assert codes == [100301] * 200 + [60011]
    result = api.call(V4_GET)
    assert "back off" in result["ErrorInfo"]
    clock.now += 1
    assert v4_code(api.call(V4_GET)) == 100301


def test_refused_requests_do_not_count_against_the_limit(make_api: MakeApi) -> None:
    api = make_api(clock=FakeClock(500.0))
    for _ in range(20):
        assert v1_code(api.call(V1_GET, params=with_(usersig="bad"))) == 70003
    assert [v1_code(api.call(V1_GET)) for _ in range(10)] == [0] * 10


def test_rate_limit_can_be_disabled(make_api: MakeApi) -> None:
    api = make_api(clock=FakeClock(500.0), rate_limit=False)
    assert {v1_code(api.call(V1_GET)) for _ in range(40)} == {0}


# -- 9. body ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"", b"   ", b"not json", b"[]", b'"x"', b"1", b"{", b"\xff\xfe{}"]
)
def test_bad_body_is_60003(local: Api, content: bytes) -> None:
    response = local.post(V4_SET, content=content)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert v4_code(response.json()) == 60003
    assert v1_code(local.call(V1_SET, content=content)) == 60003


def test_body_is_checked_after_the_usersig(local: Api) -> None:
    assert v4_code(local.call(V4_SET, content=b"", params=with_(usersig="x"))) == 70003


# -- 11. group call package (v1) ------------------------------------------------------


@pytest.mark.parametrize("command", ["set", "get", "update", "delete"])
def test_v1_app_without_group_call_is_50001(local: Api, command: str) -> None:
    body = {"address": URL, "actions": V1_WORDS}
    result = local.call(f"/v1/callback/{command}", body, sdkappid=NO_GROUP)
    assert v1_code(result) == 50001
    assert result["errorMessage"] == "app must buy the TUICallKit Group Call package"


def test_app_without_group_call_still_uses_v4(local: Api) -> None:
    body = {"Url": URL, "CallbackCommandList": CALL_WORDS}
    assert v4_code(local.call(V4_SET, body, sdkappid=NO_GROUP)) == 0


# -- envelopes and robustness -------------------------------------------------------------


def test_request_ids_are_fresh(local: Api) -> None:
    ids = {local.call(V4_GET)["RequestId"] for _ in range(20)}
    ids |= {local.call(V1_GET)["requestId"] for _ in range(20)}
    assert len(ids) == 40


def test_an_internal_bug_is_answered_with_an_envelope(
    make_api: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = make_api()

    def boom(*args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(Store, "get_app", boom)
    response = api.post(V4_GET)
    monkeypatch.undo()
    assert response.status_code == 200
    assert v4_code(response.json()) == 70500


def test_usersig_is_never_echoed(local: Api) -> None:
    sig = usersig(APP, "alice")
    for path in (V4_GET, V1_GET, "/v4/nope"):
        response = local.post(path, params=with_(identifier="alice", usersig=sig))
        assert sig not in response.text


def test_latency_delays_answers(make_api: MakeApi) -> None:
    api = make_api(latency_ms=150)
    started = time.monotonic()
    api.call(V4_GET)
    assert time.monotonic() - started >= 0.15


# -- the request log -------------------------------------------------------------------------


def test_request_log_has_one_line_per_request_and_no_secrets(
    make_api: MakeApi, tmp_path: Path
) -> None:
    log = tmp_path / "requests.jsonl"
    api = make_api(request_log=log)
    sig = usersig()
    params = query(sig=sig)
    api.call(V4_SET, {"Url": URL, "CallbackCommandList": CALL_WORDS}, params=params)
    api.call(V4_GET, params=params)
    api.call(
        "/v4/live_config/set_callback_token",
        {"Token": "tok-secret-123", "IsTokenEnable": True},
        params=params,
    )
    api.call("/v4/live_config/get_callback_token", params=params)
    api.call(V1_GET, params=with_(usersig="garbage"))
    api.call("/v4/nope", params={})
    api.call(V4_GET, params=with_(sdkappid="x"))

    text = log.read_text()
    for secret in (sig, "garbage", "tok-secret-123", KEYS[APP]):
        assert secret not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert [(r["command"], r["code"], r["write"]) for r in records] == [
        ("set_callback", 0, True),
        ("get_callback", 0, False),
        ("set_callback_token", 0, True),
        ("get_callback_token", 0, False),
        ("get", 70003, False),
        ("nope", 60009, False),
        ("get_callback", 60006, False),
    ]
    first = records[0]
    assert set(first) == {
        "time",
        "path",
        "command",
        "family",
        "sdkappid",
        "identifier",
        "code",
        "write",
    }
    assert first["path"] == V4_SET
    assert first["family"] == "v4"
    assert first["sdkappid"] == APP
    assert first["identifier"] == "administrator"
    assert first["time"].endswith("+00:00")
    assert records[4]["family"] == "v1"
    assert records[5]["sdkappid"] is None and records[5]["identifier"] is None
    assert records[6]["sdkappid"] is None


# -- 10. faults, through a real server --------------------------------------------------------


def _faulty(kind: str, **options: Any) -> RunningEmulator:
    return start_emulator(
        SEED, fault_rate=1.0, fault_seed=3, fault_kinds=[kind], rate_limit=False, **options
    )


def test_fault_100001_in_both_envelopes_and_no_state_change() -> None:
    with _faulty("100001") as emu, httpx.Client(base_url=emu.base_url) as client:
        api = Api(client)
        result = api.call(V4_SET, {"Url": URL, "CallbackCommandList": CALL_WORDS})
        assert v4_code(result) == 100001
        assert "retry" in result["ErrorInfo"]
        assert v1_code(api.call(V1_SET, {"address": URL, "actions": V1_WORDS})) == 100001
        assert emu.store.get_callback(APP, "call") is None
        assert emu.store.get_callback(APP, "call_legacy") is None
        # faults come after the checks: a bad UserSig is still 70003
        assert v4_code(api.call(V4_GET, params=with_(usersig="x"))) == 70003


def test_fault_502_is_a_non_json_gateway_page(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    with _faulty("502", request_log=log) as emu, httpx.Client(base_url=emu.base_url) as client:
        response = Api(client).post(V4_GET)
        assert response.status_code == 502
        assert "502 Bad Gateway" in response.text
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.text)
    assert json.loads(log.read_text())["code"] == 502


def test_fault_hang_answers_100001_after_hang_seconds() -> None:
    with _faulty("hang", hang_seconds=0.3) as emu, httpx.Client(base_url=emu.base_url) as client:
        api = Api(client)
        started = time.monotonic()
        assert v4_code(api.call(V4_GET)) == 100001
        assert time.monotonic() - started >= 0.3
        with pytest.raises(httpx.ReadTimeout):
            api.post(V4_GET, timeout=0.05)


def test_faults_follow_the_seed() -> None:
    def run() -> list[int]:
        with (
            start_emulator(
                SEED, fault_rate=0.5, fault_seed=11, fault_kinds=["100001", "502"]
            ) as emu,
            httpx.Client(base_url=emu.base_url) as client,
        ):
            outcomes = []
            for _ in range(20):
                response = Api(client).post(V4_GET)
                ok = response.status_code == 200
                outcomes.append(v4_code(response.json()) if ok else response.status_code)
            return outcomes

    first = run()
    assert first == run()
    assert {100001, 502, 100301} == set(first)


def test_body_over_one_mebibyte_is_60003(local: Api) -> None:
    content = b'{"Url": "' + b"x" * (1 << 20) + b'"}'
    result = local.call(V4_SET, content=content)
    assert v4_code(result) == 60003
    assert "too large" in result["ErrorInfo"]
