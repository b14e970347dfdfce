"""A saved plan back into apply items: edited, foreign or unresolvable plans are refused."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply.saved import items_from_saved_plan
from reconciler.errors import CredentialsError, PlanFileError
from reconciler.fetch import LiveSnapshot
from reconciler.plan.build import build_plan
from reconciler.plan.change import Action
from reconciler.plan.planfile import SavedPlan, plan_document, read_plan_file, write_plan_file
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
    res,
    resolved,
    switch,
    tok,
    token_present,
)

US_KEY = "us-" + KEY
CALL = cb("https://hooks.example.com/trtc/call", "Call.CallbackAfterStartCall")
OLD_CALL = cb("https://old.example.com/cb", "Call.CallbackAfterEndCall")
ROOM = cb("https://x.example/room", "Room.CallbackAfterCreateRoom")
LIVE = cb("https://h.example/l", "Live.CallbackAfterCreateRoom")
ENV = {"KEY_SG": KEY, "TRTC_SECRET_KEY_1400000002": US_KEY, "LIVE_TOKEN": TOKEN}


def make_doc() -> dict[str, Any]:
    apps = resolved(
        app(
            "prod-sg",
            SG,
            present("call", CALL),
            token_present("LIVE_TOKEN", enabled=True),
            absent("conference"),
            secret_key_env="KEY_SG",
        ),
        app("staging-us", US, present("live", LIVE)),
        env=ENV,
    )
    live = LiveSnapshot(
        {
            (SG, "call"): OLD_CALL,
            (SG, "live_token"): None,
            (SG, "conference"): ROOM,
            (US, "live"): None,
        }
    )
    return plan_document(build_plan(apps, live), apps)


def saved(tmp_path: Path, doc: dict[str, Any] | None = None, *, rehash: bool = False) -> SavedPlan:
    doc = make_doc() if doc is None else doc
    if rehash:  # an edit that also fixes the checksum: the fingerprints must still catch it
        body = {k: v for k, v in doc.items() if k != "checksum"}
        blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        doc["checksum"] = "sha256:" + hashlib.sha256(blob.encode()).hexdigest()
    path = tmp_path / "plan.json"
    write_plan_file(path, doc)
    return read_plan_file(path)


def test_items_rebuilt_from_the_saved_plan(tmp_path: Path) -> None:
    items = items_from_saved_plan(saved(tmp_path), ENV)
    assert [(i.change.resource, i.change.action) for i in items] == [
        (res("call"), Action.UPDATE),
        (res("live_token"), Action.CREATE),
        (res("conference"), Action.DELETE),
        (res("live", US), Action.CREATE),
    ]
    call, token, room, live = items
    # the plan's view of before, rebuilt from its public form (stale checks use fingerprints)
    assert call.change.before == OLD_CALL
    assert room.change.before == ROOM
    assert token.change.before is None and live.change.before is None
    assert call.change.after == CALL
    assert token.change.after == tok(TOKEN, True)
    assert room.change.after is None
    assert live.change.after == LIVE
    assert call.target.secret_key == Secret(KEY)
    assert live.target.secret_key == Secret(US_KEY)
    assert (call.target.sdkappid, call.target.region, call.target.identifier) == (
        SG,
        "singapore",
        "administrator",
    )


def test_is_current_checks_the_before_fingerprint(tmp_path: Path) -> None:
    call, token, room, live = items_from_saved_plan(saved(tmp_path), ENV)
    assert call.is_current(OLD_CALL)
    assert not call.is_current(CALL)
    assert not call.is_current(None)
    assert token.is_current(None)
    assert not token.is_current(tok(TOKEN))
    assert room.is_current(ROOM)
    assert not room.is_current(cb(ROOM.url, "Room.CallbackAfterDestroyRoom"))
    assert live.is_current(None)
    assert not live.is_current(LIVE)


def test_seed_keys_take_precedence(tmp_path: Path) -> None:
    plan = saved(tmp_path)
    with pytest.raises(PlanFileError, match=r"signature for prod-sg \(1400000001\) does not"):
        items_from_saved_plan(plan, ENV, secret_keys={SG: "seed-key"})
    items = items_from_saved_plan(plan, {"LIVE_TOKEN": TOKEN}, secret_keys={SG: KEY, US: US_KEY})
    assert len(items) == 4


def test_edited_after_refused_even_with_a_fixed_checksum(tmp_path: Path) -> None:
    doc = make_doc()
    doc["changes"][0]["after"]["url"] = "https://evil.example/cb"
    plan = saved(tmp_path, doc, rehash=True)
    with pytest.raises(PlanFileError) as caught:
        items_from_saved_plan(plan, ENV)
    message = str(caught.value)
    assert message.startswith(
        "the saved plan's signature for prod-sg (1400000001) does not match: the file was edited"
    )
    assert "nothing was applied. Plan again." in message


def test_edited_events_refused(tmp_path: Path) -> None:
    doc = make_doc()
    doc["changes"][3]["after"]["events"].append("Live.CallbackAfterDestroyRoom")
    with pytest.raises(PlanFileError, match=r"signature for .* does not match: the file was"):
        items_from_saved_plan(saved(tmp_path, doc, rehash=True), ENV)


def test_another_secret_key_refused(tmp_path: Path) -> None:
    env = {**ENV, "KEY_SG": "some-other-key"}
    with pytest.raises(PlanFileError, match="secret key is not the one the plan was made with"):
        items_from_saved_plan(saved(tmp_path), env)


def test_token_env_holding_another_token_refused(tmp_path: Path) -> None:
    env = {**ENV, "LIVE_TOKEN": "a-different-token"}
    with pytest.raises(PlanFileError) as caught:
        items_from_saved_plan(saved(tmp_path), env)
    message = str(caught.value)
    assert message == (
        "prod-sg (1400000001) live_token: the token in $LIVE_TOKEN is not the one the plan "
        "was made with; nothing was applied. Plan again."
    )
    assert TOKEN not in message and "a-different-token" not in message


def test_token_env_renamed_in_the_file_refused(tmp_path: Path) -> None:
    doc = make_doc()
    doc["changes"][1]["token_env"] = "OTHER_TOKEN"
    with pytest.raises(PlanFileError, match=r"signature for .* does not match: the file was"):
        items_from_saved_plan(saved(tmp_path, doc, rehash=True), {**ENV, "OTHER_TOKEN": "zzz"})


def test_token_variable_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if k != "LIVE_TOKEN"}
    with pytest.raises(CredentialsError, match="LIVE_TOKEN, which is not set"):
        items_from_saved_plan(saved(tmp_path), env)


def test_missing_keys_named_for_every_app_at_once(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError) as caught:
        items_from_saved_plan(saved(tmp_path), {"LIVE_TOKEN": TOKEN})
    message = str(caught.value)
    assert "prod-sg (sdkappid 1400000001)" in message
    assert "secret_key_env names KEY_SG, but KEY_SG is not set" in message
    assert "staging-us (sdkappid 1400000002)" in message
    assert "TRTC_SECRET_KEY_1400000002, TRTC_SECRET_KEY" in message
    assert len(message.splitlines()) == 2


def test_empty_key_variable_is_named(tmp_path: Path) -> None:
    env = {**ENV, "KEY_SG": "", "TRTC_SECRET_KEY_1400000002": US_KEY}
    with pytest.raises(CredentialsError, match=r"KEY_SG is set but empty"):
        items_from_saved_plan(saved(tmp_path), env)


def test_after_missing_on_a_create_refused(tmp_path: Path) -> None:
    doc = make_doc()
    doc["changes"][3]["after"] = None
    with pytest.raises(PlanFileError, match=r"signature for .* does not match: the file was"):
        items_from_saved_plan(saved(tmp_path, doc, rehash=True), ENV)


@pytest.mark.parametrize(
    "edit",
    [
        lambda doc: doc["changes"].pop(0),  # drop a change
        lambda doc: doc.__setitem__("existing", 0),  # dodge the safety thresholds
        lambda doc: doc["apps"][0].__setitem__("region", "china"),  # another data center
        lambda doc: doc["apps"][0].__setitem__("identifier", "intruder"),
    ],
    ids=["drop-change", "existing", "region", "identifier"],
)
def test_whole_plan_is_signed_by_every_app(tmp_path: Path, edit: Any) -> None:
    doc = make_doc()
    edit(doc)
    with pytest.raises(PlanFileError, match=r"signature for .* does not match: the file was"):
        items_from_saved_plan(saved(tmp_path, doc, rehash=True), ENV)


def test_removing_a_signature_is_an_edit(tmp_path: Path) -> None:
    doc = make_doc()
    del doc["signatures"]["1400000001"]
    with pytest.raises(PlanFileError, match="edited after it was saved"):
        saved(tmp_path, doc, rehash=True)


def _switch_only_plan(tmp_path: Path, live_token: str) -> tuple[dict[str, Any], SavedPlan]:
    """A saved switch-only change (enabled true → false) over a live token nobody holds."""
    apps = resolved(
        app("prod-sg", SG, token_present(None, enabled=False), secret_key_env="KEY_SG"),
        env={"KEY_SG": KEY},
    )
    live = LiveSnapshot({(SG, "live_token"): tok(live_token, True)})
    doc = plan_document(build_plan(apps, live), apps)
    return doc, saved(tmp_path, doc)


def test_a_switch_only_change_is_saved_without_any_token(tmp_path: Path) -> None:
    held_by_tencent = "held-by-tencent-not-by-us"
    doc, plan = _switch_only_plan(tmp_path, held_by_tencent)
    text = (tmp_path / "plan.json").read_text()
    assert held_by_tencent not in text
    (change,) = doc["changes"]
    assert "token_env" not in change  # nothing to read at apply time
    assert change["before"] == {"token": "(not managed)", "enabled": True}
    assert change["after"] == {"token": "(not managed)", "enabled": False}
    # no token variable at all: the item is rebuilt without one
    (item,) = items_from_saved_plan(plan, {"KEY_SG": KEY})
    assert item.change.after == switch(False)
    assert item.change.action is Action.UPDATE


def test_a_switch_only_change_is_stale_only_when_the_switch_moved(tmp_path: Path) -> None:
    _, plan = _switch_only_plan(tmp_path, "held-by-tencent-not-by-us")
    (item,) = items_from_saved_plan(plan, {"KEY_SG": KEY})
    assert item.is_current(tok("held-by-tencent-not-by-us", True))
    assert item.is_current(tok("rotated-in-the-console", True))  # the token is not managed
    assert not item.is_current(tok("held-by-tencent-not-by-us", False))
    assert not item.is_current(None)


def test_a_switch_only_change_whose_marker_was_edited_is_refused(tmp_path: Path) -> None:
    doc, _ = _switch_only_plan(tmp_path, "held-by-tencent-not-by-us")
    doc["changes"][0]["after"]["token"] = "(sensitive)"
    plan = saved(tmp_path, doc, rehash=True)
    with pytest.raises(PlanFileError, match=r"signature for .* does not match"):
        items_from_saved_plan(plan, {"KEY_SG": KEY})
