"""``reconciler import``: live state → desired-state YAML, and a plan right after shows nothing.

The live state comes from ``fixtures/ops/import-seed.yaml`` (every product
configured on one app, events deliberately unsorted, a disabled token).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.products.catalog import PRODUCT_KEYS
from tests.integration.conftest import ROOT, read_log
from tests.integration.fixtures.ops.fleet import clean_env

IMPORT_SEED = Path(__file__).parent / "fixtures" / "ops" / "import-seed.yaml"
KEYS = {
    1400000101: "ops-key-not-secret-101",
    1400000102: "ops-key-not-secret-102",
    1400000103: "ops-key-not-secret-103",
}
TOKEN = "ops-live-token-not-secret-101"
SECRETS = (*KEYS.values(), TOKEN)
LIVE = {
    "call": {
        "url": "https://hooks.example.com/call?team=rtc&v=2#frag",
        "events": [
            "Call.CallbackAfterEndCall",
            "Call.CallbackAfterMemberChanged",
            "Call.CallbackAfterStartCall",
        ],
    },
    "call_legacy": {
        "url": "https://hooks.example.com/v1",
        "events": ["call_busy", "normal_end", "reject"],
    },
    "live": {
        "url": "https://hooks.example.com/live",
        "events": [
            "Live.CallbackAfterCreateRoom",
            "Live.CallbackAfterDestroyRoom",
            "Mic.CallbackAfterSeatInfoChanged",
        ],
    },
    "live_token": {"token_env": "LIVE_WEBHOOK_TOKEN_PROD_JP", "enabled": False},
    "conference": {
        "url": "https://hooks.example.com/conference",
        "events": ["Room.CallbackAfterCreateRoom", "Room.CallbackAfterMemberLeave"],
    },
}
GET_PATHS = {
    "call": "/v4/call_config/get_callback",
    "call_legacy": "/v1/callback/get",
    "live": "/v4/live_config/get_callback",
    "live_token": "/v4/live_config/get_callback_token",
    "conference": "/v4/room_config/get_callback",
}


@pytest.fixture
def ops_emulator(request_log: Path) -> Iterator[RunningEmulator]:
    with start_emulator(IMPORT_SEED, request_log=request_log) as running:
        yield running


@pytest.fixture
def ops_env(monkeypatch: pytest.MonkeyPatch, ops_emulator: RunningEmulator) -> None:
    clean_env(
        monkeypatch,
        TRTC_ENDPOINT=ops_emulator.base_url,
        **{f"TRTC_SECRET_KEY_{n}": key for n, key in KEYS.items()},
    )


def no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"secret {secret[:8]}… leaked"


def schema_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "schema" / "desired-state.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def test_import_round_trip_every_product(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path
) -> None:
    # nobody holds the live token: the file manages only its switch, and a plan right
    # after is clean without any token variable
    out = tmp_path / "apps"
    result = cli(
        "import", "--sdkappid", "1400000101", "--region", "japan", "--name", "prod-jp", "--out", out
    )
    assert result.code == 0, result.err
    path = out / "prod-jp.yaml"
    text = path.read_text()
    no_secret(text, result.out, result.err)
    assert result.out == ""
    assert f"wrote {path} (5 configured product(s)" in result.err
    # the command says how the token is kept, and how to manage it too
    assert "live token of prod-jp: only its on/off switch (`enabled`) is managed" in result.err
    assert "(not set: LIVE_WEBHOOK_TOKEN_PROD_JP)" in result.err

    # a comment header, the token switch-only with a hint, events sorted
    assert text.startswith("# Imported from the live configuration of 1400000101")
    assert "token_env: " not in text.replace("`token_env: LIVE_WEBHOOK_TOKEN_PROD_JP`", "")
    assert "# To manage the token too, add `token_env: LIVE_WEBHOOK_TOKEN_PROD_JP` here" in text
    doc = yaml.safe_load(text)
    assert doc == {
        "name": "prod-jp",
        "sdkappid": 1400000101,
        "region": "japan",
        "identifier": "administrator",
        "callbacks": {**LIVE, "live_token": {"enabled": False}},
    }
    assert list(doc["callbacks"]) == list(PRODUCT_KEYS)
    assert not list(schema_validator().iter_errors(doc))

    # import only reads
    log = read_log(request_log)
    assert sorted(r["path"] for r in log) == sorted(GET_PATHS.values())
    assert not [r for r in log if r["write"]]

    validated = cli("validate", out)
    assert validated.code == 0, validated.err
    assert "valid: 1 app(s), 5 managed configuration(s)" in validated.err

    plan = cli("plan", out, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 5 unchanged." in plan.out
    assert "Configured live but not declared" not in plan.out
    strict = cli("drift", out, "--strict")
    assert strict.code == 0, strict.out + strict.err
    no_secret(plan.out, plan.err, strict.out, strict.err)
    assert not [r for r in read_log(request_log) if r["write"]]


def test_import_with_the_token_variable_set_manages_the_token(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_JP", TOKEN)
    out = tmp_path / "apps"
    result = cli(
        "import", "--sdkappid", "1400000101", "--region", "japan", "--name", "prod-jp", "--out", out
    )
    assert result.code == 0, result.err
    text = (out / "prod-jp.yaml").read_text()
    no_secret(text, result.out, result.err)
    assert "token_env: LIVE_WEBHOOK_TOKEN_PROD_JP" in text
    assert yaml.safe_load(text)["callbacks"] == LIVE
    assert "managed through LIVE_WEBHOOK_TOKEN_PROD_JP" in result.err

    # without the token variable, plan says which variable to set (that product only)
    monkeypatch.delenv("LIVE_WEBHOOK_TOKEN_PROD_JP")
    missing = cli("plan", out)
    assert missing.code == 1
    assert "LIVE_WEBHOOK_TOKEN_PROD_JP" in missing.err

    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_JP", TOKEN)
    plan = cli("plan", out, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 5 unchanged." in plan.out
    no_secret(plan.out, plan.err)
    assert not [r for r in read_log(request_log) if r["write"]]


def test_import_each_product_alone(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_ONLY_LIVE_TOKEN", TOKEN)
    for key in PRODUCT_KEYS:
        out = tmp_path / key
        since = len(read_log(request_log))
        name = f"only-{key}".replace("_", "-")
        result = cli(
            "import",
            *("--sdkappid", "1400000101", "--region", "japan", "--name", name),
            *("--product", key, "--out", out),
        )
        assert result.code == 0, result.err
        text = (out / f"{name}.yaml").read_text()
        no_secret(text, result.err)
        doc = yaml.safe_load(text)
        expected = dict(LIVE[key])
        if key == "live_token":
            expected["token_env"] = "LIVE_WEBHOOK_TOKEN_ONLY_LIVE_TOKEN"
        assert doc["callbacks"] == {key: expected}
        requests = read_log(request_log)[since:]
        assert [r["path"] for r in requests] == [GET_PATHS[key]]  # --product limits the reads

        plan = cli("plan", out, "--detailed-exitcode", "--format", "json")
        assert plan.code == 0, plan.err
        summary = plan.json()["summary"]
        assert summary == {"create": 0, "update": 0, "delete": 0, "unchanged": 1}
        unmanaged = {u["product"] for u in plan.json()["unmanaged"]}
        assert unmanaged == set(PRODUCT_KEYS) - {key}


def test_import_with_the_default_name_and_another_identifier(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli(
        "import", "--sdkappid", "1400000101", "--region", "japan", "--identifier", "ops-bot",
        "--out", tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.err
    path = tmp_path / "app-1400000101.yaml"
    doc = yaml.safe_load(path.read_text())
    assert doc["name"] == "app-1400000101"
    assert doc["identifier"] == "ops-bot"
    assert doc["callbacks"]["live_token"] == {"enabled": False}  # nobody holds the token
    assert "LIVE_WEBHOOK_TOKEN_APP_1400000101" in result.err
    assert {r["identifier"] for r in read_log(request_log)} == {"ops-bot"}

    plan = cli("plan", tmp_path, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert {r["identifier"] for r in read_log(request_log)} == {"ops-bot"}


def test_import_of_an_app_with_nothing_configured(cli: Any, ops_env: None, tmp_path: Path) -> None:
    result = cli("import", "--sdkappid", "1400000102", "--region", "china", "--out", tmp_path)
    assert result.code == 0, result.err
    assert "0 configured product(s): none" in result.err
    assert "LIVE_WEBHOOK_TOKEN" not in result.err  # no token: nothing to set
    text = (tmp_path / "app-1400000102.yaml").read_text()
    assert yaml.safe_load(text)["callbacks"] == {}
    assert cli("validate", tmp_path).code == 0
    plan = cli("plan", tmp_path, "--detailed-exitcode")
    assert plan.code == 0, plan.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 0 unchanged." in plan.out


def test_import_of_an_app_without_the_group_call_package(
    cli: Any, ops_env: None, tmp_path: Path
) -> None:
    result = cli("import", "--sdkappid", "1400000103", "--region", "china", "--out", tmp_path)
    assert result.code == 0, result.err
    doc = yaml.safe_load((tmp_path / "app-1400000103.yaml").read_text())
    assert doc["callbacks"] == {
        "call": {
            "url": "https://hooks.example.com/call-103",
            "events": ["Call.CallbackAfterEndCall"],
        }
    }
    plan = cli("plan", tmp_path, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err


def test_import_with_an_embedded_emulator(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_env(monkeypatch)  # no endpoint, no keys: the seed has them
    result = cli(
        "import", "--sdkappid", "1400000101", "--region", "japan", "--name", "prod-jp",
        "--out", tmp_path, "--emulator", IMPORT_SEED,
    )  # fmt: skip
    assert result.code == 0, result.err
    no_secret(result.out, result.err, (tmp_path / "prod-jp.yaml").read_text())
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_JP", TOKEN)
    plan = cli("plan", tmp_path, "--emulator", IMPORT_SEED, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 5 unchanged." in plan.out


def test_existing_file_is_refused_without_force(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path
) -> None:
    path = tmp_path / "prod-jp.yaml"
    path.write_text("# hand-written, keep me\n")
    args = ("import", "--sdkappid", "1400000101", "--region", "japan", "--name", "prod-jp")
    refused = cli(*args, "--out", tmp_path)
    assert refused.code == 1
    assert f"{path} exists; pass --force" in refused.err
    assert path.read_text() == "# hand-written, keep me\n"
    assert read_log(request_log) == []  # refused before reading anything

    forced = cli(*args, "--out", tmp_path, "--force")
    assert forced.code == 0, forced.err
    assert yaml.safe_load(path.read_text())["sdkappid"] == 1400000101


def test_missing_credentials_exit_1_before_any_request(
    cli: Any, ops_emulator: RunningEmulator, tmp_path: Path, request_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    clean_env(monkeypatch, TRTC_ENDPOINT=ops_emulator.base_url)
    args = ("import", "--sdkappid", "1400000101", "--region", "japan", "--out", tmp_path)
    result = cli(*args)
    assert result.code == 1
    assert "TRTC_SECRET_KEY_1400000101" in result.err and "TRTC_SECRET_KEY" in result.err
    named = cli(*args, "--secret-key-env", "OPS_KEY")
    assert named.code == 1
    assert "OPS_KEY" in named.err
    assert list(tmp_path.glob("*.yaml")) == []
    assert read_log(request_log) == []


def test_import_with_secret_key_env_keeps_it_for_the_plan(
    cli: Any, ops_emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (found by this suite: the variable was used for the import but not written, so
    # the plan right after could not find the key)
    clean_env(monkeypatch, TRTC_ENDPOINT=ops_emulator.base_url, OPS_KEY=KEYS[1400000101])
    imported = cli(
        "import", "--sdkappid", "1400000101", "--region", "japan", "--name", "prod-jp",
        "--product", "call", "--secret-key-env", "OPS_KEY", "--out", tmp_path,
    )  # fmt: skip
    assert imported.code == 0, imported.err
    doc = yaml.safe_load((tmp_path / "prod-jp.yaml").read_text())
    assert doc["secret_key_env"] == "OPS_KEY"
    assert doc["callbacks"] == {"call": LIVE["call"]}
    plan = cli("plan", tmp_path, "--detailed-exitcode")
    assert plan.code == 0, plan.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged." in plan.out


def test_bad_name_is_refused(cli: Any, ops_env: None, tmp_path: Path, request_log: Path) -> None:
    out = tmp_path / "apps"
    for name in ("../escape", "a/b", ".hidden", "-rf"):
        result = cli(
            "import", "--sdkappid", "1400000101", "--region", "japan", "--name", name, "--out", out
        )
        assert result.code == 1, (name, result.err)
        assert "--name" in result.err
    assert not list(tmp_path.rglob("*.yaml"))
    assert read_log(request_log) == []


@pytest.mark.parametrize(
    "value", ["Zx9+SuperSecretKeyValue/abc=", "1STARTS_WITH_DIGIT", "$TRTC_KEY", "KEY\n", ""]
)
def test_secret_key_env_must_be_a_variable_name(
    cli: Any, ops_env: None, tmp_path: Path, request_log: Path, value: str
) -> None:
    result = cli(
        "import", "--sdkappid", "1400000101", "--region", "japan",
        "--secret-key-env", value, "--out", tmp_path,
    )  # fmt: skip
    assert result.code == 1
    assert result.err == (
        "error: --secret-key-env is not an environment variable name: give the name of the "
        "variable that holds the secret key (letters, digits and '_'), not the key\n"
    )  # and never the value: it may be the key itself
    assert not list(tmp_path.rglob("*.yaml"))
    assert read_log(request_log) == []


def test_unwritable_out_dir_is_a_user_error(cli: Any, ops_env: None, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    result = cli(
        "import", "--sdkappid", "1400000101", "--region", "japan", "--out", blocker / "apps"
    )
    assert result.code == 1
    assert result.err.startswith("error: ")
