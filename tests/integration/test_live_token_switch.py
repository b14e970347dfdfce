"""``live_token: {enabled: …}`` without ``token_env``: the tool manages the on/off switch
alone, through the real CLI against the real emulator.

The example seed holds prod-sg's (1400000001) token ``demo-token-old``, enabled;
staging-us (1400000003) has no token config. Nobody here holds a token variable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.emulator.embedded import RunningEmulator
from reconciler.emulator.store import TokenRecord
from tests.integration.conftest import assert_no_secrets, read_log

PROD_SG = 1400000001
STAGING_US = 1400000003
LIVE_TOKEN = "demo-token-old"  # the seed's; in SECRET_VALUES, checked by assert_no_secrets
ROTATED = "rotated-in-the-console-by-someone-else"


def write_app(root: Path, sdkappid: int, token_block: str) -> Path:
    """One app file whose only product is ``live_token`` (``token_block`` its lines)."""
    names = {PROD_SG: ("prod-sg", "TRTC_SECRET_KEY_PROD_SG", "singapore")}
    names[STAGING_US] = ("staging-us", "TRTC_SECRET_KEY_STAGING_US", "usa")
    name, key_env, region = names[sdkappid]
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{name}.yaml").write_text(
        f"sdkappid: {sdkappid}\nregion: {region}\nsecret_key_env: {key_env}\n"
        f"callbacks:\n  live_token:\n{token_block}"
    )
    return root


@pytest.fixture
def no_token_env(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The example environment without any live token variable: nobody holds the token."""
    monkeypatch.delenv("LIVE_WEBHOOK_TOKEN_PROD_SG", raising=False)
    return {k: v for k, v in env.items() if not k.startswith("LIVE_WEBHOOK_TOKEN")}


def writes(log: Path) -> list[dict[str, Any]]:
    return [r for r in read_log(log) if r["write"]]


def test_switch_only_plan_apply_replan_keeps_the_token(
    cli: Any,
    no_token_env: dict[str, str],
    emulator: RunningEmulator,
    tmp_path: Path,
    request_log: Path,
) -> None:
    desired = write_app(tmp_path / "desired", PROD_SG, "    enabled: false\n")
    assert cli("validate", desired).code == 0

    plan = cli("plan", desired, "--detailed-exitcode")
    assert plan.code == 2, plan.out + plan.err
    assert "prod-sg (1400000001) live_token will be updated" in plan.out
    assert "~ enabled = true -> false" in plan.out
    assert "token" not in plan.out.replace("live_token", "")  # no token line at all
    assert "Plan: 0 to create, 1 to update, 0 to delete, 0 unchanged." in plan.out

    shown = cli("plan", desired, "--format", "json")
    change = shown.json()["changes"][0]
    assert change["before"] == {"token": "(not managed)", "enabled": True}
    assert change["after"] == {"token": "(not managed)", "enabled": False}

    saved = tmp_path / "plan.json"
    planned = cli("plan", desired, "--out", saved)
    assert planned.code == 0, planned.err
    text = saved.read_text()
    assert "token_env" not in json.loads(text)["changes"][0]  # nothing to re-read at apply
    audit = tmp_path / "audit.jsonl"

    before = len(writes(request_log))
    applied = cli("apply", saved, "--audit-log", audit)  # a saved plan: no prompt
    assert applied.code == 0, applied.out + applied.err
    assert "Apply: 1 applied, 0 failed, 0 stale, 0 unverified." in applied.out
    assert len(writes(request_log)) == before + 1  # one set_callback_token
    assert emulator.store.get_token(PROD_SG) == TokenRecord(token=LIVE_TOKEN, enabled=False)

    again = cli("plan", desired, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged." in again.out
    drift = cli("drift", desired)
    assert drift.code == 0, drift.out + drift.err

    # the token the server holds reaches no output, no plan file, no audit line
    assert_no_secrets(
        plan.out, plan.err, shown.out, planned.out, planned.err, text,
        applied.out, applied.err, audit.read_text(), again.out, drift.out, drift.err,
    )  # fmt: skip
    for line in audit.read_text().splitlines():
        record = json.loads(line)
        assert record["after"] == {"token": "(not managed)", "enabled": False}


def test_switch_on_again_and_an_unchanged_switch_is_no_change(
    cli: Any, no_token_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    emulator.store.put_token(PROD_SG, TokenRecord(token=LIVE_TOKEN, enabled=False))
    on = write_app(tmp_path / "on", PROD_SG, "    enabled: true\n")
    applied = cli("apply", on, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert "~ enabled = false -> true" in applied.err
    assert emulator.store.get_token(PROD_SG) == TokenRecord(token=LIVE_TOKEN, enabled=True)
    # the token differs from nothing: it is never compared, so the plan is clean
    emulator.store.put_token(PROD_SG, TokenRecord(token=ROTATED, enabled=True))
    clean = cli("plan", on, "--detailed-exitcode")
    assert clean.code == 0, clean.out + clean.err
    assert ROTATED not in clean.out + clean.err


def test_a_token_rotated_between_plan_and_apply_is_kept_and_not_stale(
    cli: Any,
    no_token_env: dict[str, str],
    emulator: RunningEmulator,
    tmp_path: Path,
) -> None:
    desired = write_app(tmp_path / "desired", PROD_SG, "    enabled: false\n")
    saved = tmp_path / "plan.json"
    assert cli("plan", desired, "--out", saved).code == 0
    # someone rotates the token in the console: the switch-only change does not manage
    # it, so the change is not stale, and the write leaves the new token alone
    emulator.store.put_token(PROD_SG, TokenRecord(token=ROTATED, enabled=True))
    applied = cli("apply", saved)
    assert applied.code == 0, applied.out + applied.err
    assert emulator.store.get_token(PROD_SG) == TokenRecord(token=ROTATED, enabled=False)
    assert ROTATED not in applied.out + applied.err


def test_the_switch_moved_since_the_plan_is_stale(
    cli: Any, no_token_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    desired = write_app(tmp_path / "desired", PROD_SG, "    enabled: false\n")
    saved = tmp_path / "plan.json"
    assert cli("plan", desired, "--out", saved).code == 0
    emulator.store.put_token(PROD_SG, TokenRecord(token=LIVE_TOKEN, enabled=False))
    emulator.store.delete_token(PROD_SG)  # deleted live since the plan
    applied = cli("apply", saved)
    assert applied.code == 1, applied.out + applied.err
    assert "stale" in applied.out + applied.err
    assert emulator.store.get_token(PROD_SG) is None  # nothing was created


def test_enabled_true_without_a_token_config_live_is_a_located_error(
    cli: Any,
    no_token_env: dict[str, str],
    emulator: RunningEmulator,
    tmp_path: Path,
    request_log: Path,
) -> None:
    desired = write_app(tmp_path / "desired", STAGING_US, "    enabled: true\n")
    app_file = desired / "staging-us.yaml"
    for command in (("plan", desired), ("apply", desired, "--auto-approve")):
        result = cli(*command)
        assert result.code == 1, result.out + result.err
        assert f"{app_file}:5:3: `enabled: true` without `token_env` cannot be applied" in (
            result.err
        )
        assert "add `token_env: NAME`" in result.err
        assert "Traceback" not in result.err
    assert writes(request_log) == []  # nothing sent
    assert emulator.store.get_token(STAGING_US) is None
    as_json = cli("plan", desired, "--format", "json")
    assert as_json.code == 1
    skipped = as_json.json()["skipped"]
    assert [(s["sdkappid"], s["product"]) for s in skipped] == [(STAGING_US, "live_token")]


def test_enabled_false_without_a_token_config_live_holds_already(
    cli: Any, no_token_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    desired = write_app(tmp_path / "desired", STAGING_US, "    enabled: false\n")
    result = cli("plan", desired, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged." in result.out


def test_a_live_token_that_manages_nothing_is_refused_where_it_is_written(
    cli: Any, no_token_env: dict[str, str], tmp_path: Path, request_log: Path
) -> None:
    desired = write_app(tmp_path / "desired", PROD_SG, "    ensure: present\n")
    app_file = desired / "prod-sg.yaml"
    for command in ("validate", "plan"):
        result = cli(command, desired)
        assert result.code == 1, result.out + result.err
        assert f"{app_file}:5:3: product live_token manages nothing" in result.err
        assert "`enabled: true` or `enabled: false`" in result.err
    assert read_log(request_log) == []


def test_absent_still_deletes_a_token_nobody_holds(
    cli: Any, no_token_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    desired = write_app(tmp_path / "desired", PROD_SG, "    ensure: absent\n")
    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert emulator.store.get_token(PROD_SG) is None
    assert_no_secrets(applied.out, applied.err)


def test_token_env_still_manages_the_token_too(
    cli: Any, no_token_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    desired = write_app(
        tmp_path / "desired", PROD_SG, "    token_env: MY_LIVE_TOKEN\n    enabled: false\n"
    )
    missing = cli("plan", desired)
    assert missing.code == 1
    assert "MY_LIVE_TOKEN" in missing.err and "not set" in missing.err


def test_render_writes_a_switch_only_token_as_declared(cli: Any, tmp_path: Path) -> None:
    desired = write_app(tmp_path / "desired", PROD_SG, "    enabled: false\n")
    result = cli("render", desired)
    assert result.code == 0, result.err
    assert yaml.safe_load(result.out)["callbacks"] == {"live_token": {"enabled": False}}
    again = tmp_path / "again"
    again.mkdir()
    (again / "prod-sg.yaml").write_text(result.out)
    assert cli("validate", again).code == 0


def test_verbose_logs_of_a_switch_only_apply_hold_no_token(
    cli: Any, no_token_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    desired = write_app(tmp_path / "desired", PROD_SG, "    enabled: false\n")
    for fmt in ("json", "markdown", "html"):
        shown = cli("-vv", "plan", desired, "--format", fmt)
        assert shown.code == 0, shown.err
        assert_no_secrets(shown.out, shown.err)
    applied = cli("-vv", "apply", desired, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert_no_secrets(applied.out, applied.err)
    assert emulator.store.get_token(PROD_SG) == TokenRecord(token=LIVE_TOKEN, enabled=False)
