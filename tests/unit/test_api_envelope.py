"""Both answer envelopes: v1 camelCase (callkit hosts) and v4 PascalCase (Chat domains).

Sample answers are written as the docs/tencent-api.md () documents them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.api.envelope import Answer, ServerFault, parse_answer
from reconciler.errors import ApiError, MalformedResponseError, TransportError
from reconciler.facts.families import Family


def parse(family: Family, body: Any, status: int = 200, command: str = "v4/x/get") -> Answer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_answer(family, status, raw, command=command, sdkappid=1400000001)


# --- v4 (section 2-5: ActionStatus, ErrorCode, ErrorInfo, RequestId, Response) ---


def test_v4_get_callback_success() -> None:
    body = {
        "ActionStatus": "OK",
        "ErrorInfo": "",
        "ErrorCode": 0,
        "RequestId": "Id-8f3c0b3e6a1d4f7c-O-Seq-52316",
        "Response": {
            "Url": "https://www.example.com/callback",
            "CallbackCommandList": ["Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"],
        },
    }
    answer = parse(Family.V4, body, command="v4/call_config/get_callback")
    assert answer == Answer(
        request_id="Id-8f3c0b3e6a1d4f7c-O-Seq-52316",
        data={
            "Url": "https://www.example.com/callback",
            "CallbackCommandList": ["Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"],
        },
    )


def test_v4_write_success_without_response_or_request_id() -> None:
    # older answers carry only ActionStatus/ErrorCode/ErrorInfo
    answer = parse(Family.V4, {"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0})
    assert answer == Answer(request_id="", data=None)


def test_v4_token_get_success() -> None:
    body = {
        "ActionStatus": "OK",
        "ErrorCode": 0,
        "ErrorInfo": "",
        "RequestId": "r-1",
        "Response": {"Token": "abc", "IsTokenEnable": True},
    }
    assert parse(Family.V4, body).data == {"Token": "abc", "IsTokenEnable": True}


@pytest.mark.parametrize(
    ("code", "info"),
    [
        (100301, "callback config does not exist"),
        (100300, "callback config already exists"),
        (100302, "token config does not exist"),
    ],
)
def test_v4_private_codes_raise_api_error_without_hint(code: int, info: str) -> None:
    body = {"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info, "RequestId": "rq-7"}
    with pytest.raises(ApiError) as caught:
        parse(Family.V4, body, command="v4/live_config/get_callback")
    error = caught.value
    assert (error.code, error.info, error.request_id, error.hint) == (code, info, "rq-7", "")
    assert (error.command, error.sdkappid) == ("v4/live_config/get_callback", 1400000001)
    assert str(error) == (
        f"v4/live_config/get_callback for sdkappid 1400000001 failed: ErrorCode {code}: {info} "
        "(RequestId rq-7)"
    )


def test_v4_error_with_hint() -> None:
    body = {"ActionStatus": "FAIL", "ErrorCode": 70001, "ErrorInfo": "usersig expired"}
    with pytest.raises(ApiError) as caught:
        parse(Family.V4, body, command="v4/call_config/set_callback")
    assert caught.value.request_id == ""
    assert str(caught.value) == (
        "v4/call_config/set_callback for sdkappid 1400000001 failed: ErrorCode 70001: "
        "usersig expired; the UserSig expired even after renewal: check this machine's clock"
    )


def test_v4_error_without_error_info() -> None:
    with pytest.raises(ApiError, match=r"ErrorCode 60006: \(no ErrorInfo\); the SDKAppID"):
        parse(Family.V4, {"ActionStatus": "FAIL", "ErrorCode": 60006})


def test_v4_does_not_read_v1_fields() -> None:
    with pytest.raises(MalformedResponseError, match="no integer 'ErrorCode'"):
        parse(Family.V4, {"errorCode": 0, "errorMessage": "Success", "requestId": "r", "data": ""})


# --- v1 (section 1: errorCode, errorMessage, requestId, data) ---


def test_v1_set_success_data_is_the_address() -> None:
    body = {
        "errorCode": 0,
        "errorMessage": "Success",
        "requestId": "b1d7e8a0-42c4",
        "data": "https://www.example.com/callback",
    }
    answer = parse(Family.V1, body, command="v1/callback/set")
    assert answer == Answer(request_id="b1d7e8a0-42c4", data="https://www.example.com/callback")


def test_v1_get_success() -> None:
    body = {
        "errorCode": 0,
        "errorMessage": "Success",
        "requestId": "e6a5b3c0",
        "data": {"actions": ["normal_end", "call_busy"], "address": "https://example.com/cb"},
    }
    answer = parse(Family.V1, body, command="v1/callback/get")
    assert answer.data == {
        "actions": ["normal_end", "call_busy"],
        "address": "https://example.com/cb",
    }


def test_v1_delete_success_data_empty() -> None:
    body = {"errorCode": 0, "errorMessage": "Success", "requestId": "r", "data": ""}
    assert parse(Family.V1, body, command="v1/callback/delete").data == ""


def test_v1_70001_is_a_bad_address() -> None:
    body = {
        "errorCode": 70001,
        "errorMessage": "callback address must start with http or https",
        "requestId": "r-70001",
        "data": "",
    }
    with pytest.raises(ApiError) as caught:
        parse(Family.V1, body, command="v1/callback/set")
    assert caught.value.code == 70001
    assert caught.value.info == "callback address must start with http or https"
    assert caught.value.request_id == "r-70001"
    assert caught.value.hint == "the callback address must start with http:// or https://"


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        (999, ""),
        (50001, "the app must have the TUICallKit Group Call package for legacy call callbacks"),
    ],
)
def test_v1_private_codes(code: int, hint: str) -> None:
    body = {"errorCode": code, "errorMessage": "x", "requestId": "r", "data": ""}
    with pytest.raises(ApiError) as caught:
        parse(Family.V1, body, command="v1/callback/update")
    assert (caught.value.code, caught.value.hint) == (code, hint)


def test_v1_does_not_read_v4_fields() -> None:
    with pytest.raises(MalformedResponseError, match="no integer 'errorCode'"):
        parse(Family.V1, {"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""})


def test_v1_non_string_message_and_request_id_are_ignored() -> None:
    body = {"errorCode": 50001, "errorMessage": None, "requestId": 42}
    with pytest.raises(ApiError) as caught:
        parse(Family.V1, body)
    assert (caught.value.info, caught.value.request_id) == ("", "")


# --- not an envelope ---


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_faults_are_transient_transport_errors(status: int) -> None:
    with pytest.raises(ServerFault, match=f"HTTP {status} from the server") as caught:
        parse(Family.V4, b"<html>bad gateway</html>", status=status)
    assert isinstance(caught.value, TransportError)


@pytest.mark.parametrize("status", [301, 400, 403, 404])
def test_other_http_statuses_are_malformed(status: int) -> None:
    with pytest.raises(MalformedResponseError, match=f"unexpected HTTP {status}.*--endpoint"):
        parse(Family.V4, {"ErrorCode": 0}, status=status)


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"<html>login</html>", "the answer is not JSON ('<html>login</html>')"),
        (b"\xff\xfe", "the answer is not JSON"),
        (b"", "the answer is not JSON"),
        (b"[1, 2]", "the answer is not a JSON object"),
        (b'"OK"', "the answer is not a JSON object"),
        (b'{"ErrorCode": "0"}', "no integer 'ErrorCode'"),
        (b'{"ErrorCode": true}', "no integer 'ErrorCode'"),
        (b'{"ErrorCode": 0.0}', "no integer 'ErrorCode'"),
        (b'{"ErrorCode": null}', "no integer 'ErrorCode'"),
    ],
)
def test_malformed_answers(body: bytes, what: str) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        parse(Family.V4, body, command="v4/room_config/get_callback")
    message = str(caught.value)
    assert message.startswith("v4/room_config/get_callback for sdkappid 1400000001: ")
    assert what in message


def test_long_non_json_body_is_cut_in_the_message() -> None:
    with pytest.raises(MalformedResponseError) as caught:
        parse(Family.V4, b"x" * 500)
    assert "x" * 80 in str(caught.value)
    assert "x" * 81 not in str(caught.value)


def test_deeply_nested_json_is_malformed_not_a_crash() -> None:
    with pytest.raises(MalformedResponseError, match="the answer is not JSON"):
        parse(Family.V4, b"[" * 100_000 + b"]" * 100_000)


def test_given_secrets_are_scrubbed_from_error_info_and_snippets() -> None:
    body = {"ErrorCode": 90001, "ErrorInfo": "bad Token sekret-1 for usersig=eJyrVkos"}
    with pytest.raises(ApiError) as caught:
        parse_answer(
            Family.V4, 200, json.dumps(body).encode(), command="c", sdkappid=1, secrets=["sekret-1"]
        )
    assert caught.value.info == "bad Token (sensitive) for usersig=(sensitive)"
    with pytest.raises(MalformedResponseError) as malformed:
        parse_answer(
            Family.V4, 200, b"<html>sekret-1</html>", command="c", sdkappid=1, secrets=["sekret-1"]
        )
    assert "sekret-1" not in str(malformed.value)
    assert "<html>(sensitive)</html>" in str(malformed.value)
