"""Saved plans: round trip, refusal of edited / foreign / malformed files, no secret."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.configs import TokenConfig
from reconciler.errors import PlanFileError
from reconciler.fetch import LiveSnapshot
from reconciler.plan.build import build_plan
from reconciler.plan.change import Action, Resource
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.planfile import SavedChange, plan_document, read_plan_file, write_plan_file
from reconciler.secret import Secret
from tests.plan.factories import (
    KEY,
    SG,
    TOKEN,
    US,
    absent,
    app,
    cb,
    present,
    resolved,
    tok,
    token_present,
)

CALL = cb("https://hooks.example.com/trtc/call", "Call.CallbackAfterStartCall")
OLD_CALL = cb("https://old.example.com/cb", "Call.CallbackAfterEndCall")
ROOM = cb("https://x.example/room", "Room.CallbackAfterCreateRoom")


def make_doc() -> dict[str, Any]:
    apps = resolved(
        app(
            "prod-sg",
            SG,
            present("call", CALL),
            token_present("LIVE_TOKEN"),
            absent("conference"),
            secret_key_env="KEY_SG",
        ),
        app(
            "staging-us",
            US,
            present("live", cb("https://h.example/l", "Live.CallbackAfterCreateRoom")),
        ),
        env={"KEY_SG": KEY, "TRTC_SECRET_KEY": "us-" + KEY, "LIVE_TOKEN": TOKEN},
    )
    live = LiveSnapshot(
        {
            (SG, "call"): OLD_CALL,
            (SG, "live_token"): tok("old-token-value"),
            (SG, "conference"): ROOM,
            (US, "live"): cb("https://h.example/l", "Live.CallbackAfterCreateRoom"),
        }
    )
    return plan_document(build_plan(apps, live), apps)


def recompute_checksum(doc: dict[str, Any]) -> None:
    body = {k: v for k, v in doc.items() if k != "checksum"}
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    doc["checksum"] = "sha256:" + hashlib.sha256(blob).hexdigest()


def save(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    write_plan_file(path, doc)
    return path


def test_document_is_the_documented_plan_plus_apply_fields() -> None:
    doc = make_doc()
    assert doc["format_version"] == "1.4"
    assert doc["summary"] == {"create": 0, "update": 2, "delete": 1, "unchanged": 1}
    call = doc["changes"][0]
    assert {k: call[k] for k in ("app", "sdkappid", "product", "action", "before", "after")} == {
        "app": "prod-sg",
        "sdkappid": SG,
        "product": "call",
        "action": "update",
        "before": {"url": "https://old.example.com/cb", "events": ["Call.CallbackAfterEndCall"]},
        "after": {
            "url": "https://hooks.example.com/trtc/call",
            "events": ["Call.CallbackAfterStartCall"],
        },
    }
    assert call["fingerprint"] == {
        "before": fingerprint(Secret(KEY), SG, "call", OLD_CALL),
        "after": fingerprint(Secret(KEY), SG, "call", CALL),
    }
    assert "token_env" not in call
    token = doc["changes"][1]
    assert token["product"] == "live_token"
    assert token["token_env"] == "LIVE_TOKEN"
    assert token["after"] == {"token": "(sensitive value changed)", "enabled": True}
    # only apps with changes are listed; how to reach them, no secret
    assert doc["apps"] == [
        {
            "app": "prod-sg",
            "sdkappid": SG,
            "region": "singapore",
            "identifier": "administrator",
            "secret_key_env": "KEY_SG",
        }
    ]
    assert doc["existing"] == 4  # SG call, live_token, conference; US live
    assert doc["checksum"].startswith("sha256:")


def test_round_trip(tmp_path: Path) -> None:
    saved = read_plan_file(save(tmp_path, make_doc()))
    assert saved.counts() == {"create": 0, "update": 2, "delete": 1}
    assert saved.existing == 4
    assert set(saved.apps) == {SG}
    assert saved.apps[SG].secret_key_env == "KEY_SG"
    assert saved.apps[SG].region == "singapore"
    assert [(c.resource, c.action) for c in saved.changes] == [
        (Resource("prod-sg", SG, "call"), Action.UPDATE),
        (Resource("prod-sg", SG, "live_token"), Action.UPDATE),
        (Resource("prod-sg", SG, "conference"), Action.DELETE),
    ]
    call, token, room = saved.changes
    assert call.after_callback() == CALL
    assert call.before_fingerprint == fingerprint(Secret(KEY), SG, "call", OLD_CALL)
    assert call.token_env is None
    assert token.token_env == "LIVE_TOKEN"
    assert token.after_callback() is None
    assert room.after_public is None and room.after_callback() is None
    assert room.after_fingerprint == fingerprint(Secret(KEY), SG, "conference", None)


def test_saved_change_as_change_rebuilds_the_planned_before(tmp_path: Path) -> None:
    call, token, room = read_plan_file(save(tmp_path, make_doc())).changes
    change = call.as_change(CALL)
    assert (change.resource, change.action, change.before, change.after) == (
        Resource("prod-sg", SG, "call"),
        Action.UPDATE,
        OLD_CALL,
        CALL,
    )
    assert room.as_change(None).before is not None
    # The token's old value is not in the file: a stand-in that still reads as changed.
    desired = tok(TOKEN)
    token_change = token.as_change(desired)
    assert isinstance(token_change.before, TokenConfig)
    assert token_change.before.token != desired.token
    assert token_change.public_before() == {"token": "(sensitive)", "enabled": True}
    assert token_change.public_after() == {"token": "(sensitive value changed)", "enabled": True}


def test_unchanged_token_value_stays_unchanged_in_the_rebuilt_before() -> None:
    saved = SavedChange(
        Resource("prod-sg", SG, "live_token"),
        Action.UPDATE,
        {"token": "(sensitive)", "enabled": True},
        {"token": "(sensitive)", "enabled": False},
        "fp-before",
        "fp-after",
        "LIVE_TOKEN",
    )
    change = saved.as_change(tok(TOKEN, False))
    assert change.before == tok(TOKEN, True)
    assert change.public_after() == {"token": "(sensitive)", "enabled": False}


def test_file_never_holds_a_secret(tmp_path: Path) -> None:
    text = save(tmp_path, make_doc()).read_text(encoding="utf-8")
    for secret in (KEY, "us-" + KEY, TOKEN, "old-token-value"):
        assert secret not in text
    assert "(sensitive value changed)" in text


def test_checksum_mismatch_refused(tmp_path: Path) -> None:
    doc = make_doc()
    doc["changes"][0]["after"]["url"] = "https://evil.example/cb"
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(save(tmp_path, doc))
    message = str(caught.value)
    assert "checksum mismatch" in message
    assert "reconciler plan DIR --out plan.json" in message


def test_checksum_covers_apply_fields(tmp_path: Path) -> None:
    doc = make_doc()
    doc["apps"][0]["secret_key_env"] = "SOMETHING_ELSE"
    with pytest.raises(PlanFileError, match="checksum mismatch"):
        read_plan_file(save(tmp_path, doc))


@pytest.mark.parametrize("version", ["2.0", "0.9", "", "10.0"])
def test_wrong_major_version_refused(tmp_path: Path, version: str) -> None:
    doc = make_doc()
    doc["format_version"] = version
    recompute_checksum(doc)
    with pytest.raises(PlanFileError, match=r"is not supported \(this tool reads 1\.x\)") as caught:
        read_plan_file(save(tmp_path, doc))
    assert "--out plan.json" in str(caught.value)


def test_minor_version_accepted(tmp_path: Path) -> None:
    doc = make_doc()
    doc["format_version"] = "1.7"
    doc["a_future_field"] = {"x": 1}
    recompute_checksum(doc)
    assert len(read_plan_file(save(tmp_path, doc)).changes) == 3


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "no checksum"),
        ('{"format_version": "1.3", "summary": {}, "changes": []}', "no checksum"),
        ("", "invalid JSON"),
    ],
)
def test_not_a_plan_file(tmp_path: Path, text: str, what: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path)
    assert what in str(caught.value)
    assert "make a new one with `reconciler plan DIR --out p.json`" in str(caught.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(PlanFileError, match="not UTF-8"):
        read_plan_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match=r"nope\.json: cannot read the file: No such file"):
        read_plan_file(tmp_path / "nope.json")


def _drop_apps(d: dict[str, Any]) -> None:
    del d["apps"]


def _bad_action(d: dict[str, Any]) -> None:
    d["changes"][0]["action"] = "replace"


def _no_fingerprint(d: dict[str, Any]) -> None:
    d["changes"][0]["fingerprint"] = None


def _apps_not_objects(d: dict[str, Any]) -> None:
    d["apps"] = ["prod-sg"]


def _summary_list(d: dict[str, Any]) -> None:
    d["summary"] = [1, 2]


def _existing_text(d: dict[str, Any]) -> None:
    d["existing"] = "many"


def _orphan_change(d: dict[str, Any]) -> None:
    d["apps"] = []


@pytest.mark.parametrize(
    "edit",
    [
        _drop_apps,
        _bad_action,
        _no_fingerprint,
        _apps_not_objects,
        _summary_list,
        _existing_text,
        _orphan_change,
    ],
)
def test_malformed_structure_with_valid_checksum(tmp_path: Path, edit: Any) -> None:
    doc = make_doc()
    edit(doc)
    recompute_checksum(doc)
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(save(tmp_path, doc))
    assert "make a new one with `reconciler plan DIR --out plan.json`" in str(caught.value)


def test_write_error_is_a_plan_file_error(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot write the plan"):
        write_plan_file(tmp_path / "missing-dir" / "plan.json", make_doc())
