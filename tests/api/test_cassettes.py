"""The client against recorded emulator traffic (vcrpy), replayed offline.

Cassettes are recorded against the real emulator on loopback:

    RECORD_CASSETTES=1 pytest tests/api/test_cassettes.py

and replayed with ``record_mode="none"`` (any request not in the cassette fails).
``usersig`` and ``random`` are stripped from recorded URLs and every token is
scrubbed from bodies, both when recording and when matching.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr

from reconciler.api.client import AppTarget, TencentClient
from reconciler.configs import CallbackConfig, TokenConfig
from reconciler.emulator.embedded import start_emulator
from reconciler.emulator.seed import parse_seed
from reconciler.products.registry import product
from reconciler.secret import Secret

CASSETTES = Path(__file__).parent / "cassettes"
RECORDING = os.environ.get("RECORD_CASSETTES") == "1"
KEY = "cassette-demo-key"
TOKEN = "cassette-token-value"
NEW_TOKEN = "cassette-token-rotated"
TARGET = AppTarget(1400000042, "singapore", "administrator", Secret(KEY))
SEED = f"""
apps:
  - sdkappid: 1400000042
    secret_key: {KEY}
    admins: [administrator]
"""
SCRUBBED = "(scrubbed)"
_TOKEN_FIELD = re.compile(rb'("Token"\s*:\s*)"[^"]*"')


def _scrub(body: bytes | str | None) -> bytes | str | None:
    if body is None:
        return None
    raw = body.encode() if isinstance(body, str) else body
    cleaned = _TOKEN_FIELD.sub(rb'\1"' + SCRUBBED.encode() + rb'"', raw)
    return cleaned.decode() if isinstance(body, str) else cleaned


def _scrub_request(request: Any) -> Any:
    request.body = _scrub(request.body)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("content") or response.get("body", {}).get("string")
    if "content" in response:
        response["content"] = _scrub(response["content"])
    elif body is not None:
        response["body"]["string"] = _scrub(body)
    return response


RECORDER = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="all" if RECORDING else "none",
    # the emulator's port differs per run; usersig/random are filtered out
    match_on=["method", "scheme", "host", "path", "query", "body"],
    filter_query_parameters=["usersig", "random"],
    before_record_request=_scrub_request,
    before_record_response=_scrub_response,
    decode_compressed_response=True,
)


@pytest.fixture
def endpoint() -> Iterator[str]:
    if RECORDING:
        with start_emulator(parse_seed(SEED)) as running:
            yield running.base_url
    else:
        yield "http://127.0.0.1:9"  # nothing listens: replay must not touch the network


CALLBACK_CASES = [
    (
        "call",
        ["Call.CallbackAfterStartCall"],
        ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
    ),
    ("call_legacy", ["normal_end"], ["call_busy", "normal_end"]),
    ("live", ["Live.CallbackAfterCreateRoom"], ["Mic.CallbackAfterSeatInfoChanged"]),
    ("conference", ["Room.CallbackAfterCreateRoom"], ["Room.CallbackAfterMemberEnter"]),
]


@pytest.mark.parametrize(("key", "first", "second"), CALLBACK_CASES)
async def test_callback_lifecycle_replayed(
    endpoint: str, key: str, first: list[str], second: list[str]
) -> None:
    impl = product(key)
    created = CallbackConfig("https://hooks.example.com/a", frozenset(first))
    updated = CallbackConfig("https://hooks.example.com/b", frozenset(second))
    # port-independent cassettes: the endpoint's port is not matched
    with RECORDER.use_cassette(f"{key}-lifecycle.yaml"):
        async with TencentClient(endpoint=endpoint) as client:
            assert await impl.read(client, TARGET) is None
            await impl.create(client, TARGET, created)
            assert await impl.read(client, TARGET) == created
            await impl.update(client, TARGET, updated)
            assert await impl.read(client, TARGET) == updated
            await impl.delete(client, TARGET)
            assert await impl.read(client, TARGET) is None


async def test_token_lifecycle_replayed(endpoint: str) -> None:
    impl = product("live_token")
    with RECORDER.use_cassette("live_token-lifecycle.yaml"):
        async with TencentClient(endpoint=endpoint) as client:
            assert await impl.read(client, TARGET) is None
            await impl.create(client, TARGET, TokenConfig(Secret(TOKEN), True))
            read = await impl.read(client, TARGET)
            assert isinstance(read, TokenConfig) and read.enabled is True
            await impl.update(client, TARGET, TokenConfig(Secret(NEW_TOKEN), False))
            read = await impl.read(client, TARGET)
            assert isinstance(read, TokenConfig) and read.enabled is False
            await impl.delete(client, TARGET)
            assert await impl.read(client, TARGET) is None


def test_cassettes_hold_no_secret() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) == 5, (
        "record the cassettes: RECORD_CASSETTES=1 pytest tests/api/test_cassettes.py"
    )
    for path in files:
        text = path.read_text()
        for secret in (KEY, TOKEN, NEW_TOKEN):
            assert secret not in text, f"{path.name} holds a secret"
        assert "usersig" not in text.lower(), f"{path.name} holds a UserSig"
        assert "random=" not in text
        assert "127.0.0.1" in text  # recorded against the local emulator, nothing else
        assert SCRUBBED in text or "live_token" not in path.name


def test_recorded_answers_are_documented_envelopes() -> None:
    """What the cassettes hold parses as the documented envelopes."""
    for path in sorted(CASSETTES.glob("*.yaml")):
        import yaml

        doc = yaml.safe_load(path.read_text())
        for interaction in doc["interactions"]:
            body = (
                interaction["response"].get("content") or interaction["response"]["body"]["string"]
            )
            payload = json.loads(body)
            assert ("ErrorCode" in payload) or ("errorCode" in payload)
