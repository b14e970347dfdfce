"""The fleet example (examples/fleet): defaults, templates, placeholders and a policy, end to end.

The emulator is seeded with the example's own rendered state, so a plan of the
unchanged example shows nothing; one changed line of defaults.yaml then shows
exactly one update per app it reaches, and a policy violation stops the plan
before any request (checked with the emulator's request log).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from reconciler.desired import load_desired
from reconciler.emulator.embedded import RunningEmulator, start_emulator
from tests.integration.conftest import ROOT, read_log

FLEET = ROOT / "examples" / "fleet"
RENDERED = Path(__file__).parent / "fixtures" / "fleet-render.yaml"
KEY = "fleet-key-not-secret"


def _seed(directory: Path, target: Path) -> Path:
    """An emulator seed holding the rendered desired state of ``directory`` as live state."""
    apps = []
    for app in load_desired(directory).apps:
        callbacks: dict[str, Any] = {}
        for key, product in app.products.items():
            assert product.config is not None
            callbacks[key] = {"url": product.config.url, "events": sorted(product.config.events)}
        apps.append(
            {
                "sdkappid": app.sdkappid,
                "secret_key": KEY,
                "admins": ["administrator"],
                "callbacks": callbacks,
            }
        )
    target.write_text(yaml.safe_dump({"apps": apps}), encoding="utf-8")
    return target


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    target = tmp_path / "fleet"
    shutil.copytree(FLEET, target)
    return target


@pytest.fixture
def fleet_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[RunningEmulator, Path]]:
    log = tmp_path / "requests.jsonl"
    with start_emulator(_seed(FLEET, tmp_path / "seed.yaml"), request_log=log) as running:
        for name in list(__import__("os").environ):
            if name.startswith(("TRTC_", "LIVE_WEBHOOK_TOKEN", "GITHUB_")):
                monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("TRTC_ENDPOINT", running.base_url)
        monkeypatch.setenv("TRTC_SECRET_KEY", KEY)
        yield running, log


def test_the_example_has_twelve_short_apps_two_templates_and_a_policy() -> None:
    apps = [p for p in (FLEET / "apps").rglob("*.yaml") if p.name != "defaults.yaml"]
    assert len(apps) == 12
    assert all(1 <= len(p.read_text().splitlines()) <= 3 for p in apps)
    defaults = yaml.safe_load((FLEET / "defaults.yaml").read_text())
    assert len(defaults["templates"]) == 2
    assert (FLEET / "policy.yaml").is_file()


def test_render_of_the_example_is_the_committed_expansion(cli: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(ROOT)
    result = cli("render", "examples/fleet")
    assert result.code == 0, result.err
    assert result.out == RENDERED.read_text(encoding="utf-8"), (
        "the fleet example's expansion changed; if on purpose, regenerate with "
        "`reconciler render examples/fleet > tests/integration/fixtures/fleet-render.yaml`"
    )
    documents = list(yaml.safe_load_all(result.out))
    assert len(documents) == 12
    by_name = {d["name"]: d for d in documents}
    # defaults, nearer defaults (cn), templates in use order, vars, escaped braces
    assert by_name["shop-1"]["callbacks"]["call"]["url"] == (
        "https://shared.hooks.example.com/trtc/call/1400000101"
    )
    assert by_name["cn-shop-1"]["region"] == "china"
    assert by_name["cn-stream"]["callbacks"]["live"]["url"] == (
        "https://cn.hooks.example.com/trtc/live/cn-stream"
    )
    assert by_name["stream-2"]["callbacks"]["call"]["events"] == [
        "Call.CallbackAfterEndCall",
        "Call.CallbackAfterMemberChanged",
        "Call.CallbackAfterStartCall",
    ]
    # rendered text is desired-state input: braces are written escaped
    assert by_name["support"]["callbacks"]["call"]["url"].endswith("?tag={{id}}")


def test_render_selects_apps(cli: Any) -> None:
    result = cli("render", FLEET, "--app", "shop-2")
    assert result.code == 0, result.err
    assert [d["name"] for d in yaml.safe_load_all(result.out)] == ["shop-2"]


def test_rendered_apps_load_back_to_the_same_state(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    out.mkdir()
    for document in cli("render", FLEET).out.split("---\n"):
        name = yaml.safe_load(document)["name"]
        (out / f"{name}.yaml").write_text(document, encoding="utf-8")
    assert _content(load_desired(out).apps) == _content(load_desired(FLEET).apps)


def _content(apps: Any) -> list[Any]:
    """What plan compares, without where it was written."""
    return [
        (
            a.name,
            a.sdkappid,
            a.region,
            a.identifier,
            {k: (p.ensure, p.config, p.token_env, p.enabled) for k, p in a.products.items()},
        )
        for a in apps
    ]


def test_plan_of_the_unchanged_example_shows_no_changes(
    cli: Any, fleet: Path, fleet_emulator: tuple[RunningEmulator, Path]
) -> None:
    result = cli("plan", fleet, "--detailed-exitcode")
    assert result.code == 0, result.err


def test_one_line_of_defaults_changes_every_app_it_reaches(
    cli: Any, fleet: Path, fleet_emulator: tuple[RunningEmulator, Path]
) -> None:
    defaults = fleet / "defaults.yaml"
    text = defaults.read_text()
    changed = text.replace(
        "events: [Call.CallbackAfterStartCall, Call.CallbackAfterEndCall]",
        "events: [Call.CallbackAfterEndCall]",
    )
    assert changed.count("\n") == text.count("\n") and changed != text
    defaults.write_text(changed)
    # 12 of 15 configs is over plan's update threshold: the safety rail sees through
    # the shared file, and --force accepts it
    refused = cli("plan", fleet, "--detailed-exitcode")
    assert refused.code == 1
    assert "unsafe plan: 12 updates" in refused.err
    result = cli("plan", fleet, "--format", "json", "--detailed-exitcode", "--force")
    assert result.code == 2, result.err
    changes = result.json()["changes"]
    assert len(changes) == 12
    assert {c["action"] for c in changes} == {"update"}
    assert {c["product"] for c in changes} == {"call"}
    assert len({c["app"] for c in changes}) == 12  # one update per app
    # templates that edit the list (call-audit adds an event) keep their addition
    by_app = {c["app"]: c for c in changes}
    assert "Call.CallbackAfterMemberChanged" in str(by_app["shop-5"])


def test_a_policy_violation_stops_plan_before_any_request(
    cli: Any, fleet: Path, fleet_emulator: tuple[RunningEmulator, Path]
) -> None:
    _, log = fleet_emulator
    before = len(read_log(log))
    (fleet / "apps" / "sg" / "shop-1.yaml").write_text(
        "sdkappid: 1400000101\ncallbacks: {call: {url: https://evil.example.org/cb}}\n"
    )
    result = cli("plan", fleet)
    assert result.code == 1
    assert "apps/sg/shop-1.yaml:2:25: call.url host 'evil.example.org' is not allowed" in (
        result.err
    )
    assert "policy.yaml:5:20" in result.err
    assert len(read_log(log)) == before == 0
    result = cli("apply", fleet, "--yes")
    assert result.code == 1
    assert read_log(log) == []


def test_import_with_a_template_writes_only_the_override_and_plan_shows_nothing(
    cli: Any, fleet: Path, fleet_emulator: tuple[RunningEmulator, Path]
) -> None:
    folder = fleet / "apps" / "sg"
    (folder / "stream-1.yaml").unlink()
    (folder / "stream-2.yaml").unlink()
    for name, sdkappid, templates in (
        ("stream-1", "1400000106", ["live-rooms"]),
        ("stream-2", "1400000107", ["live-rooms", "call-audit"]),
    ):
        args = [a for t in templates for a in ("--template", t)]
        result = cli(
            "import",
            "--sdkappid",
            sdkappid,
            "--region",
            "singapore",
            "--name",
            name,
            "--out",
            folder,
            *args,
        )
        assert result.code == 0, result.err
    body = [
        line
        for line in (folder / "stream-1.yaml").read_text().splitlines()
        if not line.startswith("#")
    ]
    assert body == ["name: stream-1", "sdkappid: 1400000106", "use: [live-rooms]"]
    # stream-2 used another tenant: only the two URLs differ from what it inherits
    written = yaml.safe_load((folder / "stream-2.yaml").read_text())
    assert written["use"] == ["live-rooms", "call-audit"]
    assert written["callbacks"] == {
        "call": {"url": "https://media.hooks.example.com/trtc/call/1400000107"},
        "live": {"url": "https://media.hooks.example.com/trtc/live/stream-2"},
    }
    result = cli("plan", fleet, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err


def test_import_with_an_unknown_template_stops_before_any_request(
    cli: Any, fleet: Path, fleet_emulator: tuple[RunningEmulator, Path]
) -> None:
    _, log = fleet_emulator
    result = cli(
        "import",
        "--sdkappid",
        "1400000106",
        "--region",
        "singapore",
        "--name",
        "x",
        "--out",
        fleet / "apps" / "sg",
        "--template",
        "live-room",
    )
    assert result.code == 1
    assert "unknown template 'live-room' (did you mean 'live-rooms'?)" in result.err
    assert read_log(log) == []
    assert not (fleet / "apps" / "sg" / "x.yaml").exists()


@pytest.mark.parametrize(
    ("kind", "committed"),
    [("defaults", "defaults.schema.json"), ("policy", "policy.schema.json")],
)
def test_committed_fleet_schemas_are_current_and_accept_the_example(
    cli: Any, kind: str, committed: str
) -> None:
    printed = cli("schema", "--kind", kind).out
    assert (ROOT / "schema" / committed).read_text(encoding="utf-8") == printed, (
        f"regenerate with `reconciler schema --kind {kind} > schema/{committed}`"
    )
    schema = json.loads(printed)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = FLEET.rglob("defaults.yaml") if kind == "defaults" else [FLEET / "policy.yaml"]
    for path in files:
        assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == [], path
    wrong = {"templates": {"t": {"sdkappid": 1}}} if kind == "defaults" else {"max_event": 1}
    assert not validator.is_valid(wrong)


def test_the_example_apps_pass_the_app_schema() -> None:
    schema = json.loads((ROOT / "schema" / "desired-state.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for path in (FLEET / "apps").rglob("*.yaml"):
        if path.name != "defaults.yaml":
            assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == [], path


def test_validate_files_applies_their_defaults_and_a_defaults_file_stands_for_its_apps(
    cli: Any, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fleet)
    result = cli("validate", "apps/cn/cn-shop-1.yaml", "apps/sg/stream-1.yaml")
    assert result.code == 0, result.err
    assert "valid: 2 app(s), 3 managed configuration(s)" in result.err
    result = cli("validate", "apps/cn/defaults.yaml")
    assert result.code == 0, result.err
    assert "valid: 4 app(s)" in result.err
    (fleet / "apps" / "cn" / "defaults.yaml").write_text("region: china\nvars: {tenant: c}\nx: 1\n")
    result = cli("validate", "apps/cn/defaults.yaml")
    assert result.code == 1
    assert "apps/cn/defaults.yaml:3:1: unknown field 'x'" in result.err
    # the root's policy applies to files named one by one too
    (fleet / "apps" / "sg" / "shop-1.yaml").write_text(
        "sdkappid: 1400000101\ncallbacks: {call: {url: https://evil.example.org/cb}}\n"
    )
    result = cli("validate", "apps/sg/shop-1.yaml")
    assert result.code == 1
    assert "call.url host 'evil.example.org' is not allowed" in result.err


def test_fleet_import_to_stdout_with_a_template(
    cli: Any, fleet: Path, fleet_emulator: tuple[RunningEmulator, Path], monkeypatch: Any
) -> None:
    monkeypatch.chdir(fleet)  # --out - takes the defaults of the current directory
    result = cli(
        "import", "--sdkappid", "1400000101", "--sdkappid", "1400000102",
        "--region", "singapore", "--out", "-", "--template", "call-audit",
    )  # fmt: skip
    assert result.code == 0, result.err
    documents = list(yaml.safe_load_all(result.out))
    assert [d["name"] for d in documents] == ["app-1400000101", "app-1400000102"]
    for document in documents:
        assert document["use"] == ["call-audit"]
        assert "region" not in document  # the defaults give singapore
        # live has no MemberChanged, which call-audit adds: the events are written,
        # and the URL, which the defaults give as {sdkappid}, is not
        assert set(document["callbacks"]["call"]) == {"events"}
