"""``reconciler restore SNAPSHOT``: live back to a snapshot, through apply's path."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.api.client import AppTarget, TencentClient
from reconciler.emulator.embedded import RunningEmulator
from reconciler.products.registry import product
from reconciler.secret import Secret
from tests.integration.conftest import EXAMPLES, assert_no_secrets, read_log
from tests.integration.test_drift import PROD_SG

BAD_URL = "https://moved.example.com/trtc/call"


def delete_live(emulator: RunningEmulator, app: tuple[int, str, str], key: str) -> None:
    """Delete one live config through the emulator's API, as a console user would."""
    sdkappid, region, secret_key = app

    async def go() -> None:
        async with TencentClient(endpoint=emulator.base_url) as client:
            target = AppTarget(sdkappid, region, "administrator", Secret(secret_key))
            await product(key).delete(client, target)

    asyncio.run(go())


def writes(log: Path) -> list[dict[str, Any]]:
    return [r for r in read_log(log) if r["write"]]


def bad_change(desired: Path) -> None:
    """A URL moved (prod-sg call), a product deleted (staging-us call), one created
    (staging-us call_legacy)."""
    sg = desired / "apps" / "prod-sg.yaml"
    sg.write_text(sg.read_text().replace("https://hooks.example.com/trtc/call\n", BAD_URL + "\n"))
    us = desired / "apps" / "staging-us.yaml"
    text = us.read_text().replace(
        "  call:\n    url: https://staging-hooks.example.com/trtc/call\n"
        "    events: [Call.CallbackAfterEndCall]\n",
        "  call:\n    ensure: absent\n"
        "  call_legacy:\n    url: https://staging-hooks.example.com/trtc/v1\n"
        "    events: [normal_end]\n",
    )
    assert text != us.read_text()
    us.write_text(text)


@pytest.fixture
def snapshot(cli: Any, env: dict[str, str], tmp_path: Path) -> Path:
    """The example desired state applied, then snapshotted."""
    assert cli("apply", EXAMPLES, "--auto-approve").code == 0
    snap = tmp_path / "live.json"
    taken = cli("snapshot", EXAMPLES, "--out", snap)
    assert taken.code == 0, taken.err
    return snap


def test_restore_undoes_a_bad_apply_and_a_plan_then_shows_no_changes(
    cli: Any, snapshot: Path, desired: Path, request_log: Path
) -> None:
    bad_change(desired)
    written = len(writes(request_log))
    broken = cli("apply", desired, "--auto-approve")
    assert broken.code == 0, broken.err
    assert len(writes(request_log)) == written + 3  # a URL moved, a delete, a create
    assert cli("plan", EXAMPLES, "--detailed-exitcode").code == 2

    # off a terminal, without --auto-approve: refused, nothing written
    before = len(writes(request_log))
    refused = cli("restore", snapshot)
    assert refused.code == 1
    assert "--auto-approve" in refused.err
    assert len(writes(request_log)) == before

    restored = cli("restore", snapshot, "--auto-approve")
    assert restored.code == 0, restored.err
    # the plan was shown first: the moved URL back, the deleted one created, the new deleted
    assert "Plan: 1 to create, 1 to update, 1 to delete" in restored.err
    assert BAD_URL in restored.err
    assert len(writes(request_log)) == before + 3
    # the token: switch only, and it says so
    assert "restore sets only its on/off switch" in restored.err
    assert_no_secrets(restored.out, restored.err, snapshot.read_text())

    after = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert after.code == 0, after.out + after.err
    assert "No changes" in after.out


def _rewrite(path: Path, doc: dict[str, Any]) -> None:
    """Write ``doc`` to ``path`` with a valid checksum (anyone can compute one)."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    doc["checksum"] = "sha256:" + hashlib.sha256(blob.encode()).hexdigest()
    path.write_text(json.dumps(doc))


def _as_format_1_0(path: Path) -> None:
    """Rewrite ``path`` as the 1.0 format wrote it: apps without identifier,
    secret_key_env and protect."""
    doc = json.loads(path.read_text())
    doc["format_version"] = "1.0"
    doc["apps"] = [{k: a[k] for k in ("app", "sdkappid", "region")} for a in doc["apps"]]
    _rewrite(path, doc)


def test_a_snapshot_records_what_restore_needs_and_never_a_secret(
    snapshot: Path, env: dict[str, str]
) -> None:
    doc = json.loads(snapshot.read_text())
    assert doc["format_version"] == "1.1"
    sg = next(a for a in doc["apps"] if a["app"] == "prod-sg")
    assert sg == {
        "app": "prod-sg",
        "sdkappid": 1400000001,
        "region": "singapore",
        "identifier": "administrator",
        "secret_key_env": "TRTC_SECRET_KEY_PROD_SG",
        "protect": True,
    }
    assert_no_secrets(snapshot.read_text())


def test_restore_out_saves_the_plan_and_writes_nothing_then_apply_file_restores(
    cli: Any, snapshot: Path, desired: Path, request_log: Path, tmp_path: Path
) -> None:
    bad_change(desired)
    assert cli("apply", desired, "--auto-approve").code == 0
    before = len(writes(request_log))
    saved = tmp_path / "restore-plan.json"
    planned = cli("restore", snapshot, "--out", saved)
    assert planned.code == 0, planned.err
    assert len(writes(request_log)) == before
    doc = json.loads(saved.read_text())
    assert doc["summary"] == {"create": 1, "update": 1, "delete": 1, "unchanged": 12}
    assert_no_secrets(saved.read_text(), planned.out, planned.err)
    applied = cli("apply", saved)
    assert applied.code == 0, applied.err
    assert cli("plan", EXAMPLES, "--detailed-exitcode").code == 0


def test_restore_selects_apps_and_products_and_audits(
    cli: Any, snapshot: Path, desired: Path, request_log: Path, tmp_path: Path
) -> None:
    bad_change(desired)
    assert cli("apply", desired, "--auto-approve").code == 0
    audit = tmp_path / "audit.jsonl"
    only = cli(
        "restore", snapshot, "--auto-approve", "--app", "staging-*", "--product", "call",
        "--audit-log", audit,
    )  # fmt: skip
    assert only.code == 0, only.err
    lines = [json.loads(line) for line in audit.read_text().splitlines()]
    assert {(r["app"], r["product"], r["result"]) for r in lines} == {
        ("staging-us", "call", "intent"),
        ("staging-us", "call", "applied"),
    }
    assert "live_token" not in only.err  # the note is about an app not selected
    assert_no_secrets(audit.read_text(), only.out, only.err)
    left = cli("plan", EXAMPLES, "--format", "json").json()
    assert {(c["app"], c["product"]) for c in left["changes"]} == {("prod-sg", "call")}
    # not selected: still there live (unmanaged by the example desired state)
    assert {"sdkappid": 1400000003, "app": "staging-us", "product": "call_legacy"} in left[
        "unmanaged"
    ]


def test_restore_honours_the_safety_thresholds_unless_forced(
    cli: Any, snapshot: Path, desired: Path, request_log: Path
) -> None:
    bad_change(desired)
    assert cli("apply", desired, "--auto-approve").code == 0
    before = len(writes(request_log))
    unsafe = cli(
        "restore", snapshot, "--auto-approve", "--max-update-pct", "1", "--min-existing", "1"
    )
    assert unsafe.code == 1
    assert len(writes(request_log)) == before
    forced = cli(
        "restore", snapshot, "--auto-approve", "--max-update-pct", "1", "--min-existing", "1",
        "--force",
    )  # fmt: skip
    assert forced.code == 0, forced.err


def test_an_old_snapshot_restores_with_defaults_and_says_what_it_lacks(
    cli: Any, snapshot: Path, desired: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_format_1_0(snapshot)
    bad_change(desired)
    assert cli("apply", desired, "--auto-approve").code == 0
    # a 1.0 snapshot names no key variable: the fallbacks TRTC_SECRET_KEY_<SDKAPPID>
    monkeypatch.setenv("TRTC_SECRET_KEY_1400000001", env["TRTC_SECRET_KEY_PROD_SG"])
    monkeypatch.setenv("TRTC_SECRET_KEY_1400000003", env["TRTC_SECRET_KEY_STAGING_US"])
    restored = cli("restore", snapshot, "--auto-approve")
    assert restored.code == 0, restored.err
    assert "is a format 1.0 snapshot" in restored.err
    assert cli("plan", EXAMPLES, "--detailed-exitcode").code == 0


def test_a_malformed_snapshot_is_a_clear_error_and_nothing_is_sent(
    cli: Any, env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    bad = tmp_path / "live.json"
    bad.write_text("{not json")
    result = cli("restore", bad, "--auto-approve")
    assert result.code == 1
    assert "not a live-state snapshot" in result.err
    assert "Traceback" not in result.err
    assert read_log(request_log) == []


def test_a_token_deleted_since_the_snapshot_cannot_be_restored_and_restore_says_why(
    cli: Any, snapshot: Path, emulator: RunningEmulator, request_log: Path
) -> None:
    delete_live(emulator, PROD_SG, "live_token")
    before = len(writes(request_log))
    result = cli("restore", snapshot, "--auto-approve")
    assert result.code == 1
    assert "live_token: " in result.err and "no token config exists live" in result.err
    assert len(writes(request_log)) == before  # nothing else needed restoring
    assert_no_secrets(result.out, result.err)


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("region", "mars", "unknown region"),
        ("identifier", "admin\u001b[2J", "identifier must be"),
        ("secret_key_env", "PATH; rm -rf /", "secret_key_env must be"),
        ("sdkappid", -1, "sdkappid must be"),
    ],
)
def test_a_hostile_app_entry_is_refused_before_any_request(
    cli: Any, snapshot: Path, request_log: Path, field: str, value: Any, what: str
) -> None:
    doc = json.loads(snapshot.read_text())
    doc["apps"][0][field] = value
    _rewrite(snapshot, doc)
    before = len(read_log(request_log))
    result = cli("restore", snapshot, "--auto-approve")
    assert result.code == 1
    assert what in result.err and "malformed snapshot" in result.err
    assert "\u001b" not in result.err and "Traceback" not in result.err
    assert len(read_log(request_log)) == before


def test_an_infinite_sdkappid_in_a_snapshot_is_a_clear_error(
    cli: Any, snapshot: Path, request_log: Path
) -> None:
    """The checksum is not signed: an edited snapshot can say anything, 1e400 too."""
    doc = json.loads(snapshot.read_text())
    doc["configs"][0]["sdkappid"] = float("inf")
    _rewrite(snapshot, doc)
    before = len(read_log(request_log))
    result = cli("restore", snapshot, "--auto-approve")
    assert result.code == 1
    assert "malformed snapshot" in result.err and "Traceback" not in result.err
    assert len(read_log(request_log)) == before
