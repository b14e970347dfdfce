"""Issue 21: one secrets bundle (RECONCILER_SECRETS, --secrets-file), a missing secret
that fails only its app in every command, drift's exit code 3, drift's warnings, and
an unset ``secret_key_env`` or a refused key that name their variable.

A fleet of 12 apps runs against the real emulator on loopback with every secret in
the bundle and no other TRTC_* or token variable set; no secret value may appear in
any output (stdout, stderr, JSON, Markdown, HTML, the saved plan).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.emulator.store import CallbackRecord
from tests.integration.conftest import EXAMPLES, read_log

BASE = 1400005000
APPS = 12
# every value long enough to be told apart, and none in any output
KEYS = {i: f"bundle-key-{i:02d}-never-printed" for i in range(1, APPS + 1)}
TOKENS = {i: f"bundle-token-{i:02d}-never-printed" for i in range(1, APPS + 1) if i % 3 == 0}
DRIFTED = {2, 5, 9}  # apps whose live call URL differs from the declared one


def sdkappid(i: int) -> int:
    return BASE + i


def name(i: int) -> str:
    return f"app-{i:02d}"


def key_variable(i: int) -> str:
    # even apps name their variable; odd apps use the default TRTC_SECRET_KEY_<SDKAPPID>
    return (
        f"KEY_{name(i).upper().replace('-', '_')}"
        if i % 2 == 0
        else f"TRTC_SECRET_KEY_{sdkappid(i)}"
    )


def token_variable(i: int) -> str:
    return f"LIVE_WEBHOOK_TOKEN_{name(i).upper().replace('-', '_')}"


def url(i: int) -> str:
    return f"https://hooks.example.com/{name(i)}/call"


EVENTS = ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"]


def bundle(*, leave_out: int | None = None) -> dict[str, str]:
    values = {key_variable(i): KEYS[i] for i in KEYS if i != leave_out}
    values.update({token_variable(i): TOKENS[i] for i in TOKENS})
    return values


SECRETS = (*KEYS.values(), *TOKENS.values())


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"secret {secret[:14]}… leaked"


def write_fleet(root: Path) -> Path:
    apps = root / "apps"
    apps.mkdir(parents=True)
    for i in KEYS:
        doc: dict[str, Any] = {
            "name": name(i),
            "sdkappid": sdkappid(i),
            "region": "singapore" if i != APPS else "korea",
            "callbacks": {"call": {"url": url(i), "events": EVENTS}},
        }
        if i % 2 == 0:
            doc["secret_key_env"] = key_variable(i)
        if i in TOKENS:
            doc["callbacks"]["live_token"] = {"token_env": token_variable(i), "enabled": True}
        if i == APPS:  # conference is documented only in singapore and china: a warning
            doc["callbacks"]["conference"] = {
                "url": url(i),
                "events": ["Room.CallbackAfterCreateRoom"],
            }
        (apps / f"{name(i)}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return root


def write_seed(path: Path) -> Path:
    apps = []
    for i in KEYS:
        live_url = url(i).replace("hooks.", "old-hooks.") if i in DRIFTED else url(i)
        callbacks: dict[str, Any] = {"call": {"url": live_url, "events": EVENTS}}
        if i in TOKENS:
            callbacks["live_token"] = {"token": TOKENS[i], "enabled": True}
        if i == APPS:
            callbacks["conference"] = {"url": url(i), "events": ["Room.CallbackAfterCreateRoom"]}
        apps.append(
            {
                "sdkappid": sdkappid(i),
                "secret_key": KEYS[i],
                "admins": ["administrator"],
                "callbacks": callbacks,
            }
        )
    path.write_text(yaml.safe_dump({"apps": apps}), encoding="utf-8")
    return path


def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in list(os.environ):
        if variable.startswith(("TRTC_", "LIVE_WEBHOOK_TOKEN", "GITHUB_", "KEY_", "RECONCILER_")):
            monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def fleet_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[RunningEmulator, Path]]:
    log = tmp_path / "fleet-requests.jsonl"
    with start_emulator(write_seed(tmp_path / "fleet-seed.yaml"), request_log=log) as running:
        _clean_environment(monkeypatch)
        yield running, log


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    return write_fleet(tmp_path / "fleet")


def test_a_fleet_with_secrets_only_in_the_bundle_plans_applies_and_drifts(
    cli: Any,
    fleet: Path,
    fleet_emulator: tuple[RunningEmulator, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emulator, _ = fleet_emulator
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps(bundle()))
    assert not [v for v in os.environ if v.startswith(("TRTC_", "LIVE_WEBHOOK", "KEY_"))]
    endpoint = ("--endpoint", emulator.base_url)
    outputs: list[str] = []

    plan_file, plan_html = tmp_path / "plan.json", tmp_path / "plan.html"
    plan = cli(
        "plan", fleet, *endpoint, "--format", "json", "--out", plan_file, "--html", plan_html
    )
    assert plan.code == 0, plan.err
    doc = plan.json()
    assert sorted(c["app"] for c in doc["changes"]) == [name(i) for i in sorted(DRIFTED)]
    assert doc["summary"]["unchanged"] == APPS + len(TOKENS) + 1 - len(DRIFTED)
    assert not doc["errors"] and "skipped" not in doc
    markdown = cli("plan", fleet, *endpoint, "--format", "markdown")
    assert markdown.code == 0, markdown.err
    outputs += [plan.out, plan.err, markdown.out, markdown.err]
    outputs += [plan_file.read_text(), plan_html.read_text()]

    drift_html = tmp_path / "drift.html"
    drifted = cli("drift", fleet, *endpoint, "--format", "json", "--html", drift_html)
    assert drifted.code == 2, drifted.err
    assert sorted(c["app"] for c in drifted.json()["changes"]) == [name(i) for i in sorted(DRIFTED)]
    outputs += [drifted.out, drifted.err, drift_html.read_text()]

    applied = cli("apply", plan_file, *endpoint)
    assert applied.code == 0, applied.err
    assert f"Apply: {len(DRIFTED)} applied, 0 failed" in applied.out
    outputs += [applied.out, applied.err]

    clean = cli("drift", fleet, *endpoint, "--format", "markdown")
    assert clean.code == 0, clean.err
    outputs += [clean.out, clean.err]
    assert_no_secret(*outputs)


def test_one_missing_key_drift_exits_3_and_writes_every_output(
    cli: Any,
    fleet: Path,
    fleet_emulator: tuple[RunningEmulator, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emulator, log = fleet_emulator
    missing = 4  # app-04: its KEY_APP_04 is not in the bundle
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps(bundle(leave_out=missing)))
    report, html = tmp_path / "drift.json", tmp_path / "drift.html"
    result = cli(
        "drift", fleet, "--endpoint", emulator.base_url, "--format", "json", "--html", html
    )
    report.write_text(result.out)
    assert result.code == 3, result.err  # drift in others, and an app that failed
    doc = json.loads(report.read_text())
    assert {e["app"] for e in doc["errors"]} == {name(missing)}
    (error,) = {e["error"] for e in doc["errors"]}
    assert f"secret_key_env names {key_variable(missing)}, but" in error
    assert "RECONCILER_SECRETS" in error
    assert sorted(c["app"] for c in doc["changes"]) == [name(i) for i in sorted(DRIFTED)]
    page = html.read_text()
    assert name(missing) in page and "unreadable" in page
    assert all(name(i) in page for i in DRIFTED)
    assert name(missing) in result.err
    assert not [r for r in read_log(log) if r["sdkappid"] == sdkappid(missing)]
    assert_no_secret(result.out, result.err, page)


def test_drift_json_carries_the_warnings_plan_json_does(
    cli: Any, fleet: Path, fleet_emulator: tuple[RunningEmulator, Path], monkeypatch: Any
) -> None:
    emulator, _ = fleet_emulator
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps(bundle()))
    plan = cli("plan", fleet, "--endpoint", emulator.base_url, "--format", "json")
    drift = cli("drift", fleet, "--endpoint", emulator.base_url, "--format", "json")
    assert (plan.code, drift.code) == (0, 2), drift.err
    region = [w for w in plan.json()["warnings"] if "not documented in region korea" in w]
    assert region, plan.json()["warnings"]
    assert drift.json()["warnings"] == plan.json()["warnings"]
    markdown = cli("drift", fleet, "--endpoint", emulator.base_url, "--format", "markdown")
    assert "not documented in region korea" in markdown.out.split("<details>")[0]


def test_drift_warns_in_its_own_words_of_a_live_downgrade_to_http(
    cli: Any, env: dict[str, str], emulator: RunningEmulator, desired: Path
) -> None:
    events = ("Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall")
    emulator.store.put_callback(
        1400000001, "call", CallbackRecord("http://hooks.example.com/trtc/call", events)
    )
    result = cli("drift", desired, "--format", "json", "--app", "prod-sg", "--product", "call")
    assert result.code == 2, result.err
    (warning,) = [w for w in result.json()["warnings"] if "plain http://" in w]
    assert warning.startswith("prod-sg/call: changed live (was → now): the callback URL went")
    assert warning in result.err


# -- --secrets-file ----------------------------------------------------------------------

EXAMPLE_SECRETS = {
    "TRTC_SECRET_KEY_PROD_SG": "demo-key-not-secret-1",
    "TRTC_SECRET_KEY_1400000002": "demo-key-not-secret-2",
    "TRTC_SECRET_KEY_STAGING_US": "demo-key-not-secret-3",
    "LIVE_WEBHOOK_TOKEN_PROD_SG": "rotated-demo-token",
}


@pytest.fixture
def bare(emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """No secret in the environment: the emulator's endpoint only."""
    _clean_environment(monkeypatch)
    monkeypatch.setenv("TRTC_ENDPOINT", emulator.base_url)
    return emulator.base_url


def _json(values: dict[str, str]) -> str:
    return json.dumps(values, indent=2)


def _yaml(values: dict[str, str]) -> str:
    return "# the fleet's secrets\n" + "".join(f'{k}: "{v}"\n' for k, v in values.items())


def _dotenv(values: dict[str, str]) -> str:
    lines = ["# the fleet's secrets", ""]
    for i, (k, v) in enumerate(values.items()):
        lines.append(f"export {k}='{v}'" if i % 2 else f"{k}={v}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("file_name", "render"),
    [("secrets.json", _json), ("secrets.yaml", _yaml), (".env", _dotenv), ("secrets", _dotenv)],
)
def test_secrets_file_in_each_format(
    cli: Any, bare: str, tmp_path: Path, file_name: str, render: Any, request_log: Path
) -> None:
    secrets = tmp_path / file_name
    secrets.write_text(render(EXAMPLE_SECRETS))
    secrets.chmod(0o600)
    result = cli("--secrets-file", secrets, "plan", EXAMPLES, "--format", "json")
    assert result.code == 0, result.err
    assert result.json()["summary"] == {"create": 3, "update": 3, "delete": 1, "unchanged": 2}
    assert "readable" not in result.err  # 0600: no warning
    # after the command, as an option of the command
    again = cli("plan", EXAMPLES, "--secrets-file", secrets, "--format", "json")
    assert again.code == 0, again.err
    assert_no_secret_values(result.out, result.err, again.out, again.err)
    assert {r["sdkappid"] for r in read_log(request_log)} == {1400000001, 1400000002, 1400000003}


def assert_no_secret_values(*texts: str) -> None:
    for text in texts:
        for value in EXAMPLE_SECRETS.values():
            assert value not in text


def test_a_secrets_file_others_can_read_is_warned_about(
    cli: Any, bare: str, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets.json"
    secrets.write_text(_json(EXAMPLE_SECRETS))
    secrets.chmod(0o644)
    result = cli("plan", EXAMPLES, "--secrets-file", secrets)
    assert result.code == 0, result.err
    assert f"warning: the secrets file {secrets} can be read by group or others" in result.err
    assert f"chmod 600 {secrets}" in result.err


def test_a_real_environment_variable_wins_over_the_bundle(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wrong = {**EXAMPLE_SECRETS, "TRTC_SECRET_KEY_PROD_SG": "a-wrong-key-in-the-bundle"}
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps(wrong))
    result = cli("plan", EXAMPLES, "--format", "json")  # env holds the right keys
    assert result.code == 0, result.err
    secrets = tmp_path / "secrets.json"
    secrets.write_text(_json(wrong))
    secrets.chmod(0o600)
    from_file = cli("plan", EXAMPLES, "--secrets-file", secrets, "--format", "json")
    assert from_file.code == 0, from_file.err
    # an empty variable is no value: the bundle's is used, and here it is refused
    monkeypatch.setenv("TRTC_SECRET_KEY_PROD_SG", "")
    refused = cli("plan", EXAMPLES, "--format", "json")
    assert refused.code == 1
    assert (
        "the secret key from TRTC_SECRET_KEY_PROD_SG (via RECONCILER_SECRETS) does not match "
        "this SDKAppID" in refused.err
    )
    assert "a-wrong-key-in-the-bundle" not in refused.out + refused.err


@pytest.mark.parametrize(
    ("value", "where", "what"),
    [
        (
            '{"TRTC_SECRET_KEY_PROD_SG": "sekrit-value-1",}',
            "RECONCILER_SECRETS:1:",
            "not valid JSON",
        ),
        ('["sekrit-value-1"]', "RECONCILER_SECRETS: ", "not an object"),
        ('{"TRTC_SECRET_KEY_PROD_SG": 12345678}', "RECONCILER_SECRETS: ", "not a string"),
        ('{"sekrit-value-1": "x"}', "RECONCILER_SECRETS: ", "not an environment variable name"),
    ],
)
def test_a_malformed_bundle_is_named_and_never_echoed(
    cli: Any, bare: str, request_log: Path, monkeypatch: Any, value: str, where: str, what: str
) -> None:
    monkeypatch.setenv("RECONCILER_SECRETS", value)
    result = cli("plan", EXAMPLES)
    assert result.code == 1
    assert result.err.startswith(f"error: {where}"), result.err
    assert what in result.err and "Traceback" not in result.err
    assert "sekrit" not in result.err and "12345678" not in result.err
    assert read_log(request_log) == []


@pytest.mark.parametrize(
    ("file_name", "text", "where", "what"),
    [
        ("s.json", '{\n  "A": "sekrit-value-1"\n  "B": "x"\n}', ":3:3: ", "not valid JSON"),
        ("s.yaml", 'A: "sekrit-value-1"\nB: [sekrit-value-2\n', ":3:1: ", "not valid YAML"),
        ("s.yaml", "A: sekrit\nB: 12345678\n", ":2:4: ", "the value of B is not a string"),
        (".env", "A=sekrit-value-1\nsekrit-value-2\n", ":2:1: ", "expected NAME=value"),
        (".env", "A='sekrit-value-1\n", ":1:3: ", "unmatched '"),
    ],
)
def test_a_malformed_secrets_file_is_located_and_never_echoed(
    cli: Any, bare: str, tmp_path: Path, file_name: str, text: str, where: str, what: str
) -> None:
    secrets = tmp_path / file_name
    secrets.write_text(text)
    secrets.chmod(0o600)
    result = cli("plan", EXAMPLES, "--secrets-file", secrets)
    assert result.code == 1
    assert result.err.startswith(f"error: {secrets}{where}"), result.err
    assert what in result.err
    assert "sekrit" not in result.err and "12345678" not in result.err


def test_an_unreadable_secrets_file_is_named(cli: Any, bare: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = cli("plan", EXAMPLES, "--secrets-file", missing)
    assert result.code == 1
    assert result.err.startswith(f"error: {missing}: cannot read the secrets file"), result.err


# -- a missing secret fails only its app ------------------------------------------------


def test_snapshot_saves_the_apps_it_read_and_a_plan_against_it_reports_the_other(
    cli: Any, bare: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_cn = {k: v for k, v in EXAMPLE_SECRETS.items() if k != "TRTC_SECRET_KEY_1400000002"}
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps(without_cn))
    snapshot = tmp_path / "live.json"
    taken = cli("snapshot", EXAMPLES, "--out", snapshot)
    assert taken.code == 1
    assert "prod-cn (1400000002)" in taken.err and "TRTC_SECRET_KEY_1400000002" in taken.err
    doc = json.loads(snapshot.read_text())
    assert {a["app"] for a in doc["apps"]} == {"prod-sg", "staging-us"}
    assert {u["app"] for u in doc["unreadable"]} == {"prod-cn"}
    assert not [c for c in doc["configs"] if c["sdkappid"] == 1400000002]
    assert_no_secret_values(taken.out, taken.err, snapshot.read_text())

    monkeypatch.delenv("RECONCILER_SECRETS")  # the pull-request job holds no key
    monkeypatch.delenv("TRTC_ENDPOINT")
    plan = cli("plan", EXAMPLES, "--live", snapshot, "--format", "json")
    assert plan.code == 1
    result = plan.json()
    assert not [c for c in result["changes"] if c["app"] == "prod-cn"]  # never "new"
    assert {e["app"] for e in result["errors"]} == {"prod-cn"}
    assert all("not read when the snapshot was taken" in e["error"] for e in result["errors"])
    assert not [w for w in result["warnings"] if "prod-cn" in w and "new app" in w]
    assert {c["app"] for c in result["changes"]} == {"prod-sg", "staging-us"}


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_plan_with_a_missing_key_writes_every_output(
    cli: Any, bare: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    without_sg = {k: v for k, v in EXAMPLE_SECRETS.items() if k != "TRTC_SECRET_KEY_PROD_SG"}
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps(without_sg))
    out_file, html = tmp_path / "plan.json", tmp_path / "plan.html"
    result = cli("plan", EXAMPLES, "--format", fmt, "--out", out_file, "--html", html)
    assert result.code == 1
    saved = json.loads(out_file.read_text())
    assert {a["app"] for a in saved["apps"]} == {"prod-cn", "staging-us"}
    assert {e["app"] for e in saved["errors"]} == {"prod-sg"}
    assert "prod-sg" in html.read_text() and "unreadable" in html.read_text()
    assert "prod-sg" in result.out and "TRTC_SECRET_KEY_PROD_SG" in result.out
    assert_no_secret_values(result.out, result.err, out_file.read_text(), html.read_text())


def test_import_with_a_missing_key_fails_that_app_and_reads_tokens_from_the_bundle(
    cli: Any, bare: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "RECONCILER_SECRETS",
        json.dumps(
            {
                "TRTC_SECRET_KEY_1400000001": "demo-key-not-secret-1",
                "LIVE_WEBHOOK_TOKEN_SG": "rotated-demo-token",
            }
        ),
    )
    out = tmp_path / "imported"
    args = ["--sdkappid", "1400000001", "--sdkappid", "1400000002", "--region", "singapore"]
    result = cli("import", *args, "--out", out)
    assert result.code == 1
    assert "app-1400000002 (1400000002, --sdkappid): not imported: no secret key" in result.err
    assert [p.name for p in out.iterdir()] == ["app-1400000001.yaml"]
    named = cli("import", "--sdkappid", "1400000001", "--region", "singapore", "--name", "sg",
                "--out", tmp_path / "named")  # fmt: skip
    assert named.code == 0, named.err
    text = (tmp_path / "named" / "sg.yaml").read_text()
    assert "token_env: LIVE_WEBHOOK_TOKEN_SG" in text  # held in the bundle: managed
    assert_no_secret_values(result.out, result.err, named.out, named.err, text)


# -- secret_key_env names its variable ---------------------------------------------------


def test_an_unset_secret_key_env_is_an_error_at_its_line_not_a_fallback(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, request_log: Path
) -> None:
    monkeypatch.delenv("TRTC_SECRET_KEY_PROD_SG")
    monkeypatch.setenv("TRTC_SECRET_KEY", "demo-key-not-secret-1")  # it used to fall back here
    result = cli("plan", EXAMPLES, "--format", "json")
    assert result.code == 1
    assert "apps/prod-sg.yaml:10:1: no secret key for app 'prod-sg' (sdkappid 1400000001): " in (
        result.err
    )
    assert "secret_key_env names TRTC_SECRET_KEY_PROD_SG, but TRTC_SECRET_KEY_PROD_SG is not" in (
        result.err
    )
    assert {e["app"] for e in result.json()["errors"]} == {"prod-sg"}  # only that app fails
    assert not [r for r in read_log(request_log) if r["sdkappid"] == 1400000001]


def test_apply_with_a_missing_key_applies_the_others_and_lists_it_in_json(
    cli: Any, bare: str, monkeypatch: pytest.MonkeyPatch, request_log: Path
) -> None:
    without_us = {k: v for k, v in EXAMPLE_SECRETS.items() if k != "TRTC_SECRET_KEY_STAGING_US"}
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps(without_us))
    result = cli("apply", EXAMPLES, "--auto-approve", "--format", "json")
    assert result.code == 1
    doc = result.json()
    assert {u["app"] for u in doc["unreadable"]} == {"staging-us"}
    assert all("TRTC_SECRET_KEY_STAGING_US" in u["error"] for u in doc["unreadable"])
    assert doc["summary"]["applied"] == doc["summary"]["total"] > 0
    assert {c["app"] for c in doc["changes"]} == {"prod-sg", "prod-cn"}
    assert not [r for r in read_log(request_log) if r["sdkappid"] == 1400000003]
    assert_no_secret_values(result.out, result.err)


def test_snapshot_records_an_app_whose_key_is_refused_and_saves_the_others(
    cli: Any, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRTC_SECRET_KEY_STAGING_US", "not-the-key-of-staging-us")
    snapshot = tmp_path / "live.json"
    taken = cli("snapshot", EXAMPLES, "--out", snapshot)
    assert taken.code == 1
    doc = json.loads(snapshot.read_text())
    assert {a["app"] for a in doc["apps"]} == {"prod-sg", "prod-cn"}
    (failed,) = {(u["app"], u["sdkappid"]) for u in doc["unreadable"]}
    assert failed == ("staging-us", 1400000003)
    assert all("ErrorCode 70009" in u["error"] for u in doc["unreadable"])
    assert "not-the-key-of-staging-us" not in snapshot.read_text() + taken.err
