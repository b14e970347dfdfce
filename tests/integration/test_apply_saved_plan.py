"""Saved plans: ``plan --out FILE`` then ``apply --plan FILE`` (docs/plan-and-apply.md and docs/formats.md).

Apply does exactly what was planned, refuses changes whose live state moved (stale),
refuses an edited file (checksum, and HMAC fingerprints when the checksum is forged)
and a token that differs from the one planned, and the file holds no secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from reconciler.api.client import AppTarget, TencentClient
from reconciler.configs import CallbackConfig
from reconciler.emulator.embedded import RunningEmulator
from reconciler.emulator.store import CallbackRecord
from reconciler.products.registry import product
from reconciler.secret import Secret
from tests.integration.conftest import DEMO_TOKEN, EXAMPLES, assert_no_secrets, read_log

PROD_SG, PROD_CN, STAGING_US = 1400000001, 1400000002, 1400000003

PLANNED = {
    (PROD_SG, "call"),
    (PROD_SG, "live"),
    (PROD_SG, "live_token"),
    (PROD_CN, "live"),
    (PROD_CN, "conference"),
    (STAGING_US, "call"),
    (STAGING_US, "conference"),
}


def product_of(path: str) -> str:
    if path.startswith("/v1/callback/"):
        return "call_legacy"
    if path.startswith("/v4/call_config/"):
        return "call"
    if path.startswith("/v4/room_config/"):
        return "conference"
    assert path.startswith("/v4/live_config/"), path
    return "live_token" if path.endswith("_callback_token") else "live"


def written(records: list[dict[str, Any]]) -> set[tuple[int, str]]:
    return {(r["sdkappid"], product_of(r["path"])) for r in records if r["write"]}


def checksum(doc: dict[str, Any]) -> str:
    """The documented checksum: SHA-256 over the canonical JSON of the rest of the file."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def live_state(emulator: RunningEmulator) -> dict[tuple[int, str], Any]:
    """Everything the emulator holds, to compare before/after a refused apply."""
    state: dict[tuple[int, str], Any] = {}
    for app in emulator.store.list_apps():
        for key in ("call", "call_legacy", "live", "conference"):
            record = emulator.store.get_callback(app.sdkappid, key)
            state[(app.sdkappid, key)] = (
                None if record is None else (record.url, frozenset(record.events))
            )
        token = emulator.store.get_token(app.sdkappid)
        state[(app.sdkappid, "live_token")] = (
            None if token is None else (token.token, token.enabled)
        )
    return state


@pytest.fixture
def saved(cli: Any, env: dict[str, str], tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    result = cli("plan", EXAMPLES, "--out", path)
    assert result.code == 0, result.err
    assert f"reconciler apply {path}" in result.err
    assert path.exists()
    return path


def test_saved_plan_is_the_documented_json_plus_apply_data(
    cli: Any, env: dict[str, str], saved: Path
) -> None:
    doc = json.loads(saved.read_text())
    shown = cli("plan", EXAMPLES, "--format", "json").json()
    assert doc["format_version"] == "1.4"
    assert doc["summary"] == shown["summary"]
    # stays readable as the documented plan: same changes, only fields added
    assert len(doc["changes"]) == len(shown["changes"]) == 7
    for stored, public in zip(doc["changes"], shown["changes"], strict=True):
        assert {k: stored[k] for k in public} == public
        assert re.fullmatch(r"hmac-sha256:[0-9a-f]{64}", stored["fingerprint"]["before"])
        assert re.fullmatch(r"hmac-sha256:[0-9a-f]{64}", stored["fingerprint"]["after"])
    token_change = next(c for c in doc["changes"] if c["product"] == "live_token")
    assert token_change["token_env"] == "LIVE_WEBHOOK_TOKEN_PROD_SG"
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", doc["checksum"])
    assert checksum(doc) == doc["checksum"]  # our reading of the documented checksum holds


def test_saved_plan_holds_no_secret_and_no_usersig(env: dict[str, str], saved: Path) -> None:
    text = saved.read_text()
    assert_no_secrets(text)
    assert "usersig" not in text.lower()
    # no unkeyed digest of a secret either (a token's fingerprint must not be brute-forceable)
    for secret in (DEMO_TOKEN, "demo-token-old", "demo-key-not-secret-1"):
        for algo in ("sha256", "sha1", "md5"):
            assert hashlib.new(algo, secret.encode()).hexdigest() not in text
    token_change = next(c for c in json.loads(text)["changes"] if c["product"] == "live_token")
    material = {
        "sdkappid": PROD_SG,
        "product": "live_token",
        "state": {"token": DEMO_TOKEN, "enabled": True},
    }
    plain = hashlib.sha256(
        json.dumps(material, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert plain not in token_change["fingerprint"]["after"]


def test_apply_saved_plan_applies_exactly_the_planned_changes(
    cli: Any,
    env: dict[str, str],
    saved: Path,
    desired: Path,
    request_log: Path,
    emulator: RunningEmulator,
) -> None:
    # The desired state moves on after the plan was saved: the saved plan still wins.
    prod_sg = desired / "apps" / "prod-sg.yaml"
    prod_sg.write_text(
        prod_sg.read_text().replace(
            "https://hooks.example.com/trtc/call\n", "https://elsewhere.example.com/call\n"
        )
    )
    before = len(read_log(request_log))
    result = cli("apply", "--plan", saved, "--auto-approve")
    assert result.code == 0, result.err
    assert "Apply: 7 applied, 0 failed, 0 stale, 0 unverified." in result.out
    log = read_log(request_log)[before:]
    assert written(log) == PLANNED
    call = emulator.store.get_callback(PROD_SG, "call")
    assert call is not None
    assert call.url == "https://hooks.example.com/trtc/call"  # the plan's, not the new desired
    assert set(call.events) == {"Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"}
    assert emulator.store.get_callback(STAGING_US, "conference") is None
    token = emulator.store.get_token(PROD_SG)
    assert token is not None and token.token == DEMO_TOKEN and token.enabled
    # untouched: unmanaged and unchanged configs
    assert emulator.store.get_callback(PROD_CN, "call_legacy") == CallbackRecord(
        "https://legacy.example.cn/cb", ("normal_end",)
    )
    # now live matches the desired state the plan was made from
    again = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert again.code == 0, again.out
    assert_no_secrets(result.out, result.err)


def _change_live(
    emulator: RunningEmulator, sdkappid: int, key: str, secret: str, config: CallbackConfig
) -> None:
    """Change one live config through the real API, as a console user would."""

    async def run() -> None:
        target = AppTarget(sdkappid, "china", "administrator", Secret(secret))
        async with TencentClient(endpoint=emulator.base_url) as client:
            await product(key).update(client, target, config)

    asyncio.run(run())


def test_stale_changes_are_skipped_and_the_others_applied(
    cli: Any,
    env: dict[str, str],
    saved: Path,
    request_log: Path,
    emulator: RunningEmulator,
) -> None:
    moved = CallbackConfig(
        "https://console-edit.example.cn/live", frozenset({"Live.CallbackAfterCreateRoom"})
    )
    _change_live(emulator, PROD_CN, "live", "demo-key-not-secret-2", moved)  # an update moved
    emulator.store.put_callback(  # a planned create: someone created it meanwhile
        PROD_SG,
        "live",
        CallbackRecord("https://manual.example.com/live", ("Live.CallbackAfterCreateRoom",)),
    )
    before = len(read_log(request_log))
    result = cli("apply", "--plan", saved, "--auto-approve")
    assert result.code == 1
    assert "Apply: 5 applied, 0 failed, 2 stale, 0 unverified." in result.out
    lines = result.out.splitlines()
    assert any(line.startswith("stale: prod-cn (1400000002) live update") for line in lines)
    assert any(line.startswith("stale: prod-sg (1400000001) live create") for line in lines)
    assert "applied: staging-us (1400000003) conference delete" in lines
    log = read_log(request_log)[before:]
    assert written(log) == PLANNED - {(PROD_CN, "live"), (PROD_SG, "live")}
    # the stale resources were only read
    stale_reads = [
        r
        for r in log
        if (r["sdkappid"], product_of(r["path"])) in {(PROD_CN, "live"), (PROD_SG, "live")}
    ]
    assert stale_reads and all(r["command"] == "get_callback" for r in stale_reads)
    assert emulator.store.get_callback(PROD_CN, "live") == CallbackRecord(
        "https://console-edit.example.cn/live", ("Live.CallbackAfterCreateRoom",)
    )
    assert emulator.store.get_callback(PROD_SG, "live") == CallbackRecord(
        "https://manual.example.com/live", ("Live.CallbackAfterCreateRoom",)
    )


def test_applying_the_same_saved_plan_twice_is_all_stale(
    cli: Any, env: dict[str, str], saved: Path, request_log: Path
) -> None:
    first = cli("apply", "--plan", saved, "--auto-approve")
    assert first.code == 0, first.err
    before = len(read_log(request_log))
    second = cli("apply", "--plan", saved, "--auto-approve")
    assert second.code == 1
    assert "Apply: 0 applied, 0 failed, 7 stale, 0 unverified." in second.out
    assert written(read_log(request_log)[before:]) == set()


def _refused_without_any_request(
    cli: Any, path: Path, request_log: Path, emulator: RunningEmulator
) -> Any:
    state = live_state(emulator)
    before = len(read_log(request_log))
    result = cli("apply", "--plan", path, "--auto-approve")
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("error: ")
    assert "Traceback" not in result.err
    assert read_log(request_log)[before:] == []
    assert live_state(emulator) == state
    return result


def test_edited_after_url_is_refused_by_the_checksum(
    cli: Any, env: dict[str, str], saved: Path, request_log: Path, emulator: RunningEmulator
) -> None:
    doc = json.loads(saved.read_text())
    doc["changes"][0]["after"]["url"] = "https://attacker.example.net/cb"
    saved.write_text(json.dumps(doc, indent=2))
    result = _refused_without_any_request(cli, saved, request_log, emulator)
    assert "edited" in result.err and "checksum" in result.err


def test_a_flipped_byte_is_refused(
    cli: Any, env: dict[str, str], saved: Path, request_log: Path, emulator: RunningEmulator
) -> None:
    data = bytearray(saved.read_bytes())
    at = data.index(b"https://hooks.example.cn/trtc/conference") + len(b"https://hooks.example.")
    data[at] ^= 0x01  # 'c' -> 'b': still valid JSON, another URL
    saved.write_bytes(bytes(data))
    result = _refused_without_any_request(cli, saved, request_log, emulator)
    assert "edited" in result.err and "checksum" in result.err


def _forge(doc: dict[str, Any], edit: str) -> None:
    by_key = {(c["sdkappid"], c["product"]): c for c in doc["changes"]}
    if edit == "url":
        by_key[(PROD_CN, "conference")]["after"]["url"] = "https://attacker.example.net/cb"
    elif edit == "events":
        by_key[(STAGING_US, "call")]["after"]["events"].append("Call.CallbackAfterStartCall")
    elif edit == "enabled":
        by_key[(PROD_SG, "live_token")]["after"]["enabled"] = False
    elif edit == "action":  # turn an update into a delete
        change = by_key[(PROD_SG, "call")]
        change["action"], change["after"] = "delete", None
    else:  # move a change to another app
        change = by_key[(PROD_CN, "conference")]
        change["app"], change["sdkappid"] = "staging-us", STAGING_US
    doc["checksum"] = checksum(doc)


def test_forged_checksum_is_still_refused_by_the_fingerprints(
    cli: Any,
    env: dict[str, str],
    saved: Path,
    request_log: Path,
    emulator: RunningEmulator,
) -> None:
    original = saved.read_text()
    for edit in ("url", "events", "enabled", "action", "app"):
        doc = json.loads(original)
        _forge(doc, edit)
        saved.write_text(json.dumps(doc, indent=2))
        result = _refused_without_any_request(cli, saved, request_log, emulator)
        assert "nothing was applied" in result.err, edit
        # every app signs the whole plan body with its key: any edit breaks a signature
        assert "signature for" in result.err and "edited" in result.err, edit
    # the untouched file still applies: the refusals were about the edits
    saved.write_text(original)
    assert cli("apply", "--plan", saved, "--auto-approve").code == 0


@pytest.mark.parametrize("token", ["another-token", None])
def test_a_different_token_at_apply_time_is_refused(
    cli: Any,
    env: dict[str, str],
    saved: Path,
    request_log: Path,
    emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
    token: str | None,
) -> None:
    if token is None:
        monkeypatch.delenv("LIVE_WEBHOOK_TOKEN_PROD_SG")
    else:
        monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_SG", token)
    result = _refused_without_any_request(cli, saved, request_log, emulator)
    assert "LIVE_WEBHOOK_TOKEN_PROD_SG" in result.err
    assert "another-token" not in result.err
    assert_no_secrets(result.err)


def test_another_secret_key_at_apply_time_is_refused(
    cli: Any,
    env: dict[str, str],
    saved: Path,
    request_log: Path,
    emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRTC_SECRET_KEY_STAGING_US", "not-the-key-the-plan-was-made-with")
    result = _refused_without_any_request(cli, saved, request_log, emulator)
    assert "staging-us" in result.err
    assert "not-the-key" not in result.err


def test_missing_secret_key_at_apply_time_names_the_variables(
    cli: Any,
    env: dict[str, str],
    saved: Path,
    request_log: Path,
    emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a missing key fails only its app: the other apps' changes are applied
    monkeypatch.delenv("TRTC_SECRET_KEY_1400000002")
    before = len(read_log(request_log))
    result = cli("apply", "--plan", saved, "--auto-approve")
    assert result.code == 1
    failed = [line for line in result.out.splitlines() if line.startswith("failed: ")]
    assert failed and all("prod-cn (1400000002)" in line for line in failed)
    assert all("TRTC_SECRET_KEY_1400000002, TRTC_SECRET_KEY" in line for line in failed)
    assert f"Apply: 5 applied, {len(failed)} failed, 0 stale" in result.out
    sent = read_log(request_log)[before:]
    assert sent and all(r["sdkappid"] != 1400000002 for r in sent)


def test_unusable_plan_files_are_refused(
    cli: Any,
    env: dict[str, str],
    saved: Path,
    request_log: Path,
    emulator: RunningEmulator,
) -> None:
    raw = saved.read_bytes()
    for damage in ("truncate", "not-utf8", "no-checksum", "version-2", "not-an-object"):
        doc = json.loads(raw)
        if damage == "truncate":
            saved.write_bytes(raw[: len(raw) // 2])
        elif damage == "not-utf8":
            saved.write_bytes(b"\xff\xfe" + raw)
        elif damage == "no-checksum":
            del doc["checksum"]
            saved.write_text(json.dumps(doc))
        elif damage == "version-2":
            doc["format_version"] = "2.0"
            doc["checksum"] = checksum(doc)
            saved.write_text(json.dumps(doc))
        else:
            saved.write_text(json.dumps([doc]))
        result = _refused_without_any_request(cli, saved, request_log, emulator)
        assert str(saved) in result.err, damage
        assert "reconciler plan" in result.err, damage  # says how to get a good one


def test_filters_do_not_combine_with_a_saved_plan(
    cli: Any, env: dict[str, str], saved: Path, request_log: Path, emulator: RunningEmulator
) -> None:
    for extra in (("--app", "prod-sg"), ("--product", "call"), ("--shard", "1/2")):
        state = live_state(emulator)
        result = cli("apply", "--plan", saved, "--auto-approve", *extra)
        assert result.code == 1
        assert "saved plan" in result.err
        assert live_state(emulator) == state
    assert not [r for r in read_log(request_log) if r["write"]]


def test_a_saved_plan_without_changes_does_nothing(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    assert cli("apply", EXAMPLES, "--auto-approve").code == 0
    empty = tmp_path / "empty.json"
    planned = cli("plan", EXAMPLES, "--out", empty)
    assert planned.code == 0, planned.err
    before = len(read_log(request_log))
    result = cli("apply", "--plan", empty)  # no --auto-approve needed: nothing to confirm
    assert result.code == 0, result.err
    assert "No changes in the saved plan" in result.out
    assert read_log(request_log)[before:] == []


def test_saved_plan_creates_and_deletes_tokens(
    cli: Any,
    env: dict[str, str],
    desired: Path,
    tmp_path: Path,
    emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reconciler.emulator.store import TokenRecord

    emulator.store.put_token(STAGING_US, TokenRecord("staging-token-live", True))
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_CN", "prod-cn-new-token")
    (desired / "apps" / "prod-cn" / "live_token.yaml").write_text(
        "token_env: LIVE_WEBHOOK_TOKEN_CN\nenabled: false\n"
    )
    staging = desired / "apps" / "staging-us.yaml"
    staging.write_text(staging.read_text() + "  live_token:\n    ensure: absent\n")
    plan_file = tmp_path / "tokens.json"
    planned = cli(
        "plan", desired, "--product", "live_token", "--format", "json", "--out", plan_file
    )
    assert planned.code == 0, planned.err
    assert [(c["sdkappid"], c["action"], c["after"]) for c in planned.json()["changes"]] == [
        (PROD_SG, "update", {"token": "(sensitive value changed)", "enabled": True}),
        (PROD_CN, "create", {"token": "(sensitive)", "enabled": False}),
        (STAGING_US, "delete", None),
    ]
    text = plan_file.read_text()
    for secret in ("staging-token-live", "prod-cn-new-token"):
        assert secret not in text + planned.out + planned.err
    applied = cli("apply", "--plan", plan_file, "--auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply: 3 applied, 0 failed, 0 stale, 0 unverified." in applied.out
    assert emulator.store.get_token(PROD_CN) == TokenRecord("prod-cn-new-token", False)
    assert emulator.store.get_token(STAGING_US) is None
    assert "prod-cn-new-token" not in applied.out + applied.err
