"""Region names as Tencent writes them are aliases (canonical in every output), and a
warning can be acknowledged in the desired state so that it stops printing. Through
the real CLI against the real emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from reconciler.desired import load_desired
from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.facts.regions import REGION_ALIASES, REGIONS
from tests.integration.conftest import ROOT, read_log

KEY = "region-key-not-secret"
ALIASES = {
    "ap-singapore": "singapore",
    "eu-frankfurt": "germany",
    "frankfurt": "germany",
    "seoul": "korea",
    "na-siliconvalley": "usa",
    "ap-jakarta": "indonesia",
    "ap-tokyo": "japan",
    "ap-mumbai": "india",
    "ap-guangzhou": "china",
    "ap-shanghai": "china",
    "ap-beijing": "china",
}
IDS = {alias: 1400500001 + n for n, alias in enumerate(ALIASES)}
UNDOCUMENTED = "[undocumented-region: add it to `acknowledge:` to silence this]"


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningEmulator]:
    seed = {"apps": [{"sdkappid": i, "secret_key": KEY} for i in [*IDS.values(), 1400500100]]}
    (tmp_path / "seed.yaml").write_text(yaml.safe_dump(seed))
    for name in ("TRTC_ENDPOINT", "TRTC_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with start_emulator(tmp_path / "seed.yaml", request_log=tmp_path / "log.jsonl") as running:
        monkeypatch.setenv("TRTC_ENDPOINT", running.base_url)
        monkeypatch.setenv("TRTC_SECRET_KEY", KEY)
        yield running


def call(url: str = "https://hooks.example.com/{region}/{sdkappid}") -> str:
    return f"callbacks:\n  call: {{url: '{url}', events: [Call.CallbackAfterEndCall]}}\n"


LIVE = "callbacks:\n  live: {url: 'https://h.example.com/live', events: [Live.CallbackAfterCreateRoom]}\n"
"""Live is not documented in korea: a region warning."""


def test_the_alias_table_maps_to_canonical_regions() -> None:
    assert set(REGION_ALIASES.values()) <= set(REGIONS)
    for alias, region in ALIASES.items():
        assert REGION_ALIASES[alias] == region


def test_tencent_region_names_are_accepted_and_shown_canonical(
    emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    desired = tmp_path / "desired"
    (desired / "apps" / "eu").mkdir(parents=True)
    (desired / "apps" / "eu" / "defaults.yaml").write_text("region: eu-frankfurt\n")
    (desired / "apps" / "eu" / "from-defaults.yaml").write_text("sdkappid: 1400500100\n" + call())
    for alias, sdkappid in IDS.items():
        (desired / "apps" / f"app-{sdkappid}.yaml").write_text(
            f"sdkappid: {sdkappid}\nregion: {alias}\n" + call()
        )
    assert cli("validate", desired).code == 0

    rendered = cli("render", desired)
    assert rendered.code == 0, rendered.err
    docs = {d["sdkappid"]: d for d in yaml.safe_load_all(rendered.out)}
    for alias, sdkappid in IDS.items():
        region = ALIASES[alias]
        assert docs[sdkappid]["region"] == region
        assert docs[sdkappid]["callbacks"]["call"]["url"] == (
            f"https://hooks.example.com/{region}/{sdkappid}"  # {region}: the canonical name
        )
    assert docs[1400500100]["region"] == "germany"

    saved = tmp_path / "plan.json"
    plan = cli("plan", desired, "--format", "json", "--out", saved)
    assert plan.code == 0, plan.err
    regions = {a["sdkappid"]: a["region"] for a in json.loads(saved.read_text())["apps"]}
    assert regions == {**{i: ALIASES[a] for a, i in IDS.items()}, 1400500100: "germany"}
    for alias in ALIASES:
        if alias not in REGIONS:
            assert alias not in plan.out + saved.read_text() + rendered.out
    # the region warning names the canonical region and carries its id
    assert "product call is not documented in region germany" in plan.err
    assert UNDOCUMENTED in plan.err


def test_a_misspelt_region_gets_a_did_you_mean(
    emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    desired = tmp_path / "desired"
    desired.mkdir()
    (desired / "app.yaml").write_text("sdkappid: 1400500001\nregion: ap-singapur\n")
    result = cli("plan", desired)
    assert result.code == 1
    assert (
        "app.yaml:2:9: unknown region 'ap-singapur' (did you mean 'ap-singapore', that is "
        "singapore?); regions: china, singapore, korea, germany, india, usa, indonesia, japan"
    ) in result.err
    assert read_log(tmp_path / "log.jsonl") == []


def test_import_takes_tencent_region_names_and_writes_the_canonical_one(
    emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "imported"
    sdkappid = IDS["ap-tokyo"]
    result = cli("import", "--sdkappid", str(sdkappid), "--region", "ap-tokyo", "--out", out)
    assert result.code == 0, result.err
    (written,) = out.rglob("*.yaml")
    assert yaml.safe_load(written.read_text())["region"] == "japan"

    listed = tmp_path / "apps.txt"
    listed.write_text(f"{IDS['na-siliconvalley']} na-siliconvalley valley\n")
    result = cli("import", "--apps-file", listed, "--out", tmp_path / "fleet")
    assert result.code == 0, result.err
    assert yaml.safe_load((tmp_path / "fleet" / "valley.yaml").read_text())["region"] == "usa"

    wrong = cli("import", "--sdkappid", str(sdkappid), "--region", "eu-frankfort")
    assert wrong.code == 1
    assert "unknown region 'eu-frankfort' (did you mean 'eu-frankfurt', that is germany?)" in (
        wrong.err
    )


def test_the_json_schema_accepts_the_aliases_and_the_acknowledgment() -> None:
    schema = json.loads((ROOT / "schema" / "desired-state.schema.json").read_text())
    good = {"sdkappid": 1, "region": "ap-singapore", "acknowledge": ["undocumented-region"]}
    jsonschema.validate(good, schema)
    for bad in ({"sdkappid": 1, "region": "ap-mars"}, {"sdkappid": 1, "acknowledge": ["x"]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
    defaults = json.loads((ROOT / "schema" / "defaults.schema.json").read_text())
    jsonschema.validate({"region": "eu-frankfurt", "acknowledge": ["plain-http"]}, defaults)


def test_acknowledged_warnings_stop_printing(
    emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    desired = tmp_path / "desired"
    (desired / "apps" / "eu").mkdir(parents=True)
    (desired / "apps" / "eu" / "defaults.yaml").write_text("region: eu-frankfurt\n")
    for n in range(2):
        (desired / "apps" / "eu" / f"eu-{n}.yaml").write_text(
            f"sdkappid: {IDS['eu-frankfurt'] + n}\n" + call("http://plain.example.com/cb")
        )
    (desired / "apps" / "seoul.yaml").write_text(
        f"sdkappid: {IDS['seoul']}\nregion: seoul\n" + LIVE
    )

    def warnings() -> list[str]:
        result = cli("plan", desired, "--format", "json")
        assert result.code == 0, result.err
        lines = [line for line in result.err.splitlines() if ": warning: " in line]
        assert len(result.json()["warnings"]) == len(lines)  # the same, in the plan itself
        return lines

    before = warnings()
    assert len(before) == 5  # region x3, plain http x2, each with its id
    assert sum("[plain-http: add it to `acknowledge:`" in line for line in before) == 2
    assert sum(UNDOCUMENTED in line for line in before) == 3

    # one app acknowledges the region warning: only its own goes
    (desired / "apps" / "seoul.yaml").write_text(
        f"sdkappid: {IDS['seoul']}\nregion: seoul\nacknowledge: [undocumented-region]\n" + LIVE
    )
    after_app = warnings()
    assert len(after_app) == 4 and not any("seoul.yaml" in line for line in after_app)

    # a defaults.yaml acknowledges for every app below it
    (desired / "apps" / "eu" / "defaults.yaml").write_text(
        "region: eu-frankfurt\nacknowledge: [undocumented-region, plain-http]\n"
    )
    assert warnings() == []
    validate = cli("validate", desired)
    assert validate.code == 0 and "warning" not in validate.err


def test_an_unknown_acknowledgment_is_a_located_error(
    emulator: RunningEmulator, cli: Any, tmp_path: Path
) -> None:
    desired = tmp_path / "desired"
    desired.mkdir()
    (desired / "app.yaml").write_text(
        f"sdkappid: {IDS['seoul']}\nregion: seoul\nacknowledge: [undocumented-regions]\n" + call()
    )
    for command in ("validate", "plan"):
        result = cli(command, desired)
        assert result.code == 1
        assert (
            "app.yaml:3:15: unknown warning id 'undocumented-regions' (did you mean "
            "'undocumented-region'?); ids: undocumented-region, plain-http, unknown-event"
        ) in result.err
    assert read_log(tmp_path / "log.jsonl") == []


def test_the_host_and_chat_shared_warnings_can_be_acknowledged(cli: Any, tmp_path: Path) -> None:
    """india/japan's host warning and a Chat-shared word under live print on every run
    until acknowledged, like the others."""
    desired = tmp_path / "desired"
    (desired / "apps").mkdir(parents=True)
    app = (
        "sdkappid: 1400500200\nregion: ap-tokyo\ncallbacks:\n  live: {url: 'https://h.example.com/l', "
        "events: [Live.CallbackAfterCreateRoom, Follow.CallbackAfterFollowAdd]}\n"
    )
    (desired / "apps" / "jp.yaml").write_text(app)
    before = cli("validate", desired)
    assert before.code == 0, before.err
    assert "[undocumented-host: add it to `acknowledge:`" in before.err
    assert "[chat-shared-event: add it to `acknowledge:`" in before.err
    (desired / "apps" / "jp.yaml").write_text(
        app + "acknowledge: [undocumented-host, chat-shared-event, undocumented-region]\n"
    )
    after = cli("validate", desired)
    assert after.code == 0 and "warning" not in after.err, after.err


def test_render_keeps_the_acknowledgments_so_its_output_loads_back_the_same(
    cli: Any, tmp_path: Path
) -> None:
    """What ``render`` writes is desired-state input: loaded back, the same warnings
    stay acknowledged (from the app itself, from a defaults.yaml and from a template)."""
    desired = tmp_path / "desired"
    (desired / "apps" / "eu").mkdir(parents=True)
    (desired / "defaults.yaml").write_text(
        "templates:\n  quiet:\n    acknowledge: [undocumented-region, plain-http]\n"
    )
    (desired / "apps" / "eu" / "defaults.yaml").write_text(
        "region: eu-frankfurt\nacknowledge: [plain-http, undocumented-region]\n"
    )
    for n, use in enumerate(("use: [quiet]\n", "")):  # from a template, from defaults.yaml
        (desired / "apps" / "eu" / f"eu-{n}.yaml").write_text(
            f"sdkappid: {IDS['eu-frankfurt'] + n}\n{use}" + call("http://plain.example.com/cb")
        )
    (desired / "apps" / "seoul.yaml").write_text(
        f"sdkappid: {IDS['seoul']}\nregion: seoul\nacknowledge: [undocumented-region]\n" + LIVE
    )
    (desired / "apps" / "loud.yaml").write_text(  # acknowledges nothing: warned both times
        f"sdkappid: {IDS['seoul'] + 100}\nregion: seoul\n" + LIVE
    )
    validate = cli("validate", desired)
    assert validate.code == 0, validate.err
    warned = [line for line in validate.err.splitlines() if ": warning: " in line]
    assert len(warned) == 1 and "loud.yaml" in warned[0] and UNDOCUMENTED in warned[0]

    rendered = cli("render", desired)
    assert rendered.code == 0, rendered.err
    out = tmp_path / "rendered"
    out.mkdir()
    for document in rendered.out.split("---\n"):
        (out / f"{yaml.safe_load(document)['name']}.yaml").write_text(document)
    by_name = {d["name"]: d for d in yaml.safe_load_all(rendered.out)}
    assert by_name["seoul"]["acknowledge"] == ["undocumented-region"]
    assert by_name["eu-0"]["acknowledge"] == ["undocumented-region", "plain-http"]
    assert by_name["eu-1"]["acknowledge"] == ["plain-http", "undocumented-region"]
    assert "acknowledge" not in by_name["loud"]

    again = cli("validate", out)
    assert again.code == 0, again.err
    rewarned = [line for line in again.err.splitlines() if ": warning: " in line]
    assert len(rewarned) == 1 and "loud.yaml" in rewarned[0] and UNDOCUMENTED in rewarned[0]
    original, loaded = load_desired(desired).apps, load_desired(out).apps
    assert [(a.name, a.acknowledge) for a in loaded] == [(a.name, a.acknowledge) for a in original]
    assert [w.id for w in load_desired(out).warnings] == ["undocumented-region"]
