"""Shared test helpers: demo apps, official-signer UserSigs, a small API client."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable
from typing import Any

import httpx
from TLSSigAPIv2 import TLSSigAPIv2

from reconciler.emulator.seed import Seed, SeedApp

APP = 1400000001
APP_KEY = "demo-key-one-not-secret"
NO_GROUP = 1400000002
NO_GROUP_KEY = "demo-key-two-not-secret"
OTHER = 1400000003
OTHER_KEY = "demo-key-three-not-secret"

SEED = Seed(
    apps=(
        SeedApp(APP, APP_KEY, admins=("administrator", "ops-bot")),
        SeedApp(NO_GROUP, NO_GROUP_KEY, group_call=False),
        SeedApp(OTHER, OTHER_KEY),
    )
)
KEYS = SEED.secret_keys()

URL = "https://hooks.example.com/trtc"
CALL_WORDS = ["Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"]
LIVE_WORDS = ["Live.CallbackAfterCreateRoom", "Mic.CallbackAfterSeatInfoChanged"]
ROOM_WORDS = ["Room.CallbackAfterCreateRoom", "Room.CallbackAfterMemberEnter"]
V1_WORDS = ["normal_end", "call_busy"]


def usersig(
    sdkappid: int = APP,
    identifier: str = "administrator",
    *,
    key: str | None = None,
    expire: int = 86400,
) -> str:
    """A UserSig from Tencent's official signer."""
    return str(TLSSigAPIv2(sdkappid, key or KEYS[sdkappid]).gen_sig(identifier, expire))


def encode_sig(document: object) -> str:
    """Pack any JSON value the way TLSSigAPIv2 packs its document (for crafted sigs)."""
    raw = zlib.compress(json.dumps(document).encode())
    return base64.b64encode(raw).decode().translate(str.maketrans("+/=", "*-_"))


def decode_sig(sig: str) -> dict[str, Any]:
    raw = base64.b64decode(sig.translate(str.maketrans("*-_", "+/=")))
    document: dict[str, Any] = json.loads(zlib.decompress(raw))
    return document


def query(
    sdkappid: int = APP, identifier: str = "administrator", sig: str | None = None
) -> dict[str, str]:
    return {
        "sdkappid": str(sdkappid),
        "identifier": identifier,
        "usersig": sig if sig is not None else usersig(sdkappid, identifier),
        "random": "4294967295",
        "contenttype": "json",
    }


class Api:
    """Calls the emulator like a client would (POST, query credentials, JSON body)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def post(
        self,
        path: str,
        body: object = None,
        *,
        sdkappid: int = APP,
        identifier: str = "administrator",
        params: dict[str, str] | None = None,
        content: bytes | None = None,
        timeout: float = 10.0,
    ) -> httpx.Response:
        if params is None:
            params = query(sdkappid, identifier)
        if content is None:
            content = json.dumps({} if body is None else body).encode()
        return self.client.post(path, params=params, content=content, timeout=timeout)

    def call(self, path: str, body: object = None, **kwargs: Any) -> dict[str, Any]:
        """POST and return the JSON envelope (asserting HTTP 200)."""
        response = self.post(path, body, **kwargs)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


MakeApi = Callable[..., Api]
"""The ``make_api`` fixture: start a dedicated emulator with options, get its client."""


def v4_code(result: dict[str, Any]) -> int:
    code = result["ErrorCode"]
    assert result["ActionStatus"] == ("OK" if code == 0 else "FAIL")
    assert isinstance(result["ErrorInfo"], str) and isinstance(result["RequestId"], str)
    assert isinstance(code, int)
    return code


def v1_code(result: dict[str, Any]) -> int:
    assert set(result) == {"errorCode", "errorMessage", "requestId", "data"}
    code = result["errorCode"]
    assert isinstance(code, int)
    return code
