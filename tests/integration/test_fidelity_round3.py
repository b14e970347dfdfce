"""The third docs audit (docs/tencent-api.md section 10, issue 19), through the real CLI against
the real emulator: the call recording event, the English spelling of the Live
recording event, and an app without the Group Call package (v1 50001).

Every test here fails on the code before issue 19: the seed with the new words
does not load, and 50001 read as "absent" planned a create that Tencent refuses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.emulator.operations import Behaviour
from reconciler.emulator.store import CallbackRecord
from tests.integration.conftest import read_log
from tests.integration.fixtures.ops.fleet import clean_env

REC = 1400000201  # has the new words live
NO_GROUP = 1400000202  # no Group Call package: v1 answers 50001
KEYS = {REC: "round3-key-not-secret-201", NO_GROUP: "round3-key-not-secret-202"}
HOOK = "https://hooks.example.com"

SEED_WORDS = f"""\
apps:
  - sdkappid: {REC}
    secret_key: {KEYS[REC]}
    callbacks:
      call:
        url: {HOOK}/call
        events: [Call.CallbackAfterRecordChanged, Call.CallbackAfterEndCall]
      live:
        url: {HOOK}/live
        events: [Follow.CallbackAfterCloudRecordingChanged, Live.CallbackAfterCreateRoom]
"""
SEED_NO_GROUP = f"""\
apps:
  - sdkappid: {NO_GROUP}
    secret_key: {KEYS[NO_GROUP]}
    group_call: false
    callbacks:
      call:
        url: {HOOK}/old-call
        events: [Call.CallbackAfterEndCall]
"""


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Start the emulator from ``text`` (a seed): one seed per point, so that each
    test fails on the old code for its own point's reason."""
    started: list[RunningEmulator] = []

    def make(text: str, behaviour: Behaviour | None = None) -> RunningEmulator:
        seed = tmp_path / "seed.yaml"
        seed.write_text(text, encoding="utf-8")
        running = start_emulator(
            seed, rate_limit=False, behaviour=behaviour, request_log=tmp_path / "requests.jsonl"
        )
        started.append(running)
        clean_env(monkeypatch)
        monkeypatch.setenv("TRTC_ENDPOINT", running.base_url)
        for sdkappid, key in KEYS.items():
            monkeypatch.setenv(f"TRTC_SECRET_KEY_{sdkappid}", key)
        return running

    yield make
    for running in started:
        running.stop()


def write_app(root: Path, sdkappid: int, region: str, callbacks: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.yaml").write_text(
        f"name: round3\nsdkappid: {sdkappid}\nregion: {region}\ncallbacks:\n{callbacks}",
        encoding="utf-8",
    )
    return root


def writes(log: Path) -> list[str]:
    return [r["path"] for r in read_log(log) if r.get("write")]


CALL_REC = (
    f"  call:\n    url: {HOOK}/call\n"
    "    events: [Call.CallbackAfterEndCall, Call.CallbackAfterRecordChanged]\n"
)


def live_block(word: str) -> str:
    return f"  live:\n    url: {HOOK}/live\n    events: [Live.CallbackAfterCreateRoom, {word}]\n"


# -- 1 and 2: the new words ---------------------------------------------------------


@pytest.mark.parametrize(
    "recording",
    ["Live.CallbackAfterCloudRecordingChanged", "Follow.CallbackAfterCloudRecordingChanged"],
)
def test_a_seed_with_the_new_words_plans_as_unchanged(
    cli: Any, start: Any, tmp_path: Path, recording: str
) -> None:
    start(SEED_WORDS)
    desired = write_app(tmp_path / "desired", REC, "singapore", CALL_REC + live_block(recording))
    plan = cli("plan", desired, "--detailed-exitcode", "--format", "json")
    assert plan.code == 0, plan.out + plan.err
    doc = plan.json()
    assert doc["summary"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 2}
    assert doc["warnings"] == []  # the recording words are known words: nothing to warn
    assert "Follow.CallbackAfterCloudRecordingChanged" not in plan.out  # canonical in output


def test_import_writes_the_recording_words_and_plans_no_changes(
    cli: Any, start: Any, tmp_path: Path
) -> None:
    start(SEED_WORDS)
    out = tmp_path / "imported"
    result = cli("import", "--sdkappid", str(REC), "--region", "singapore", "--name", "rec",
                 "--out", out)  # fmt: skip
    assert result.code == 0, result.err
    text = (out / "rec.yaml").read_text()
    callbacks = yaml.safe_load(text)["callbacks"]
    assert "Call.CallbackAfterRecordChanged" in callbacks["call"]["events"]
    assert "Live.CallbackAfterCloudRecordingChanged" in callbacks["live"]["events"]
    assert "Follow." not in text  # the canonical spelling is written
    assert "lenient" not in text  # every word is known
    plan = cli("plan", out, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 2 unchanged." in plan.out


def test_apply_of_the_call_recording_word_converges(cli: Any, start: Any, tmp_path: Path) -> None:
    emulator = start(SEED_WORDS)
    emulator.store.delete_callback(REC, "call")
    desired = write_app(tmp_path / "desired", REC, "singapore", CALL_REC)
    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.err + applied.out
    stored = emulator.store.get_callback(REC, "call")
    assert stored is not None and "Call.CallbackAfterRecordChanged" in stored.events
    again = cli("plan", desired, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err


def test_apply_verifies_when_the_server_answers_the_follow_spelling(
    cli: Any, start: Any, tmp_path: Path
) -> None:
    emulator = start(SEED_WORDS, Behaviour(variant_spellings=True))
    emulator.store.delete_callback(REC, "live")
    desired = write_app(
        tmp_path / "desired",
        REC,
        "singapore",
        live_block("Live.CallbackAfterCloudRecordingChanged"),
    )
    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.err + applied.out
    assert " 0 unverified" in applied.out + applied.err
    stored = emulator.store.get_callback(REC, "live")
    assert stored is not None
    assert "Live.CallbackAfterCloudRecordingChanged" in stored.events  # sent canonical
    again = cli("plan", desired, "--detailed-exitcode")  # answered as Follow.…
    assert again.code == 0, again.out + again.err


def test_a_live_config_holding_the_follow_spelling_is_unchanged_by_apply(
    cli: Any, start: Any, tmp_path: Path
) -> None:
    emulator = start(SEED_WORDS)
    record = CallbackRecord(
        url=f"{HOOK}/live",
        events=("Follow.CallbackAfterCloudRecordingChanged", "Live.CallbackAfterCreateRoom"),
    )
    emulator.store.put_callback(REC, "live", record)
    desired = write_app(
        tmp_path / "desired",
        REC,
        "singapore",
        live_block("Live.CallbackAfterCloudRecordingChanged"),
    )
    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.err + applied.out
    assert "No changes" in applied.out + applied.err
    assert emulator.store.get_callback(REC, "live") == record  # nothing written


# -- 3: an app without the Group Call package -----------------------------------------

LEGACY = f"  call_legacy:\n    url: {HOOK}/v1\n    events: [normal_end]\n"
NEW_CALL = f"  call:\n    url: {HOOK}/new-call\n    events: [Call.CallbackAfterEndCall]\n"


def no_group_app(tmp_path: Path) -> Path:
    # call_legacy: is on line 5 of app.yaml, column 3 (under `callbacks:`)
    return write_app(tmp_path / "desired", NO_GROUP, "singapore", LEGACY + NEW_CALL)


LOCATED = "desired/app.yaml:5:3: call_legacy cannot be managed for sdkappid 1400000202"


def test_plan_lists_call_legacy_as_not_planned_with_a_located_error(
    cli: Any, start: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(SEED_NO_GROUP)
    no_group_app(tmp_path)
    monkeypatch.chdir(tmp_path)
    plan = cli("plan", "desired", "--detailed-exitcode")
    assert plan.code == 1, plan.out + plan.err  # an error wins over "changes present"
    assert "call_legacy will be created" not in plan.out
    assert "round3 (1400000202) call will be updated" in plan.out  # the rest is planned
    assert "Not planned" in plan.out
    assert LOCATED in plan.out and LOCATED in plan.err
    for text in (plan.out, plan.err):
        assert "(v1/callback/get answered 50001, RequestId Id-" in text
        assert "no TUICallKit Group Call package" in text
        assert "remove `call_legacy:` from this app" in text
    assert "Plan: 0 to create, 1 to update, 0 to delete, 0 unchanged." in plan.out


def test_plan_json_has_call_legacy_in_skipped_and_not_in_changes(
    cli: Any, start: Any, tmp_path: Path
) -> None:
    start(SEED_NO_GROUP)
    plan = cli("plan", no_group_app(tmp_path), "--format", "json")
    assert plan.code == 1, plan.err
    doc = plan.json()
    assert [(c["product"], c["action"]) for c in doc["changes"]] == [("call", "update")]
    (skipped,) = doc["skipped"]
    assert (skipped["sdkappid"], skipped["product"]) == (NO_GROUP, "call_legacy")
    assert "app.yaml:5:3: call_legacy cannot be managed" in skipped["error"]
    assert doc["errors"] == []  # not an unreadable app: the app's other products plan


def test_saved_plan_holds_no_call_legacy_change(cli: Any, start: Any, tmp_path: Path) -> None:
    start(SEED_NO_GROUP)
    saved = tmp_path / "plan.json"
    plan = cli("plan", no_group_app(tmp_path), "--out", saved)
    assert plan.code == 1, plan.err
    doc = json.loads(saved.read_text())
    assert [c["product"] for c in doc["changes"]] == ["call"]


def test_apply_writes_the_other_products_and_nothing_for_call_legacy(
    cli: Any, start: Any, tmp_path: Path
) -> None:
    emulator = start(SEED_NO_GROUP)
    applied = cli("apply", no_group_app(tmp_path), "--auto-approve")
    assert applied.code == 1, applied.out + applied.err
    assert LOCATED in applied.err
    call = emulator.store.get_callback(NO_GROUP, "call")
    assert call is not None and call.url == f"{HOOK}/new-call"  # the rest applied
    assert emulator.store.get_callback(NO_GROUP, "call_legacy") is None
    assert writes(tmp_path / "requests.jsonl") == ["/v4/call_config/set_callback"]
    again = cli("plan", tmp_path / "desired", "--detailed-exitcode")
    assert again.code == 1  # still cannot be planned, and says so
    assert "Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged." in again.out


def test_drift_says_the_same(
    cli: Any, start: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(SEED_NO_GROUP)
    no_group_app(tmp_path)
    monkeypatch.chdir(tmp_path)
    drift = cli("drift", "desired")
    # the call changed live (drift) and call_legacy cannot be checked (an error): 3
    assert drift.code == 3, drift.out + drift.err
    assert "changed live" in drift.out
    assert "Not checked" in drift.out
    assert LOCATED in drift.out and LOCATED in drift.err
    assert "call_legacy: not configured" not in drift.out
    assert writes(tmp_path / "requests.jsonl") == []


def test_import_writes_no_call_legacy_and_says_why(cli: Any, start: Any, tmp_path: Path) -> None:
    start(SEED_NO_GROUP)
    out = tmp_path / "imported"
    result = cli("import", "--sdkappid", str(NO_GROUP), "--region", "singapore", "--name", "nogroup",
                 "--out", out)  # fmt: skip
    assert result.code == 0, result.err
    assert (
        "warning: nogroup (1400000202): call_legacy not written: call_legacy cannot be managed "
        "for sdkappid 1400000202 (v1/callback/get answered 50001" in result.err
    )
    assert "no TUICallKit Group Call package" in result.err
    callbacks = yaml.safe_load((out / "nogroup.yaml").read_text())["callbacks"]
    assert set(callbacks) == {"call"}
    plan = cli("plan", out, "--detailed-exitcode")  # and nothing to do afterwards
    assert plan.code == 0, plan.out + plan.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged." in plan.out


def test_call_legacy_declared_absent_is_satisfied(cli: Any, start: Any, tmp_path: Path) -> None:
    start(SEED_NO_GROUP)
    block = "  call_legacy:\n    ensure: absent\n"
    plan = cli(
        "plan", write_app(tmp_path / "desired", NO_GROUP, "singapore", block), "--detailed-exitcode"
    )
    assert plan.code == 0, plan.out + plan.err
    assert "1 unchanged" in plan.out


def test_a_snapshot_keeps_what_the_app_cannot_have(cli: Any, start: Any, tmp_path: Path) -> None:
    start(SEED_NO_GROUP)
    desired = no_group_app(tmp_path)
    snapshot = tmp_path / "live.json"
    taken = cli("snapshot", desired, "--out", snapshot)
    assert taken.code == 0, taken.err
    assert json.loads(snapshot.read_text())["unavailable"][0]["product"] == "call_legacy"
    plan = cli("plan", desired, "--live", snapshot, "--format", "json")
    assert plan.code == 1, plan.err
    doc = plan.json()
    assert [c["product"] for c in doc["changes"]] == ["call"]
    assert [s["product"] for s in doc["skipped"]] == ["call_legacy"]
