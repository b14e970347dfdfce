"""``import --factor`` layouts load, through the real loader, to the very apps of the flat import.

Each fleet is factored every way :mod:`reconciler.render.factor` knows; every layout
is written to disk, loaded with :func:`load_desired`, and compared field by field
with the flat files of the same apps, so a layout that gives any app another URL,
event, region, identifier, key variable or token setting fails here.
"""

from __future__ import annotations

import string
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.configs import CallbackConfig, Config, TokenConfig
from reconciler.desired.loader import load_desired
from reconciler.desired.result import DesiredApp
from reconciler.emulator.seed import load_seed
from reconciler.render.factor import (
    STRATEGIES,
    FleetApp,
    Layout,
    app_file_name,
    choose,
    factor,
    flat_lines,
)
from reconciler.render.yamlout import token_env_name
from reconciler.secret import Secret

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "import-factor"
TOKEN = "factor-token-must-not-leak"
CALL = frozenset({"Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"})
LIVE = frozenset({"Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom"})


def app(
    name: str,
    sdkappid: int,
    region: str,
    configs: dict[str, Config | None],
    *,
    identifier: str = "administrator",
    secret_key_env: str | None = None,
    manage_token: bool = True,
) -> FleetApp:
    return FleetApp(
        name,
        sdkappid,
        region,
        identifier,
        secret_key_env,
        configs,
        token_env_name(name),
        manage_token,
    )


def example_fleet() -> list[FleetApp]:
    """examples/import-factor: the seed's live state under the names of apps.txt."""
    seed = load_seed(EXAMPLE / "seed.yaml")
    apps = []
    for line in (EXAMPLE / "apps.txt").read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        sdkappid, region, name, *columns = fields
        options = dict(c.split("=", 1) for c in columns)
        live = seed.app(int(sdkappid))
        configs: dict[str, Config | None] = {
            key: CallbackConfig(cb.url, frozenset(cb.events)) for key, cb in live.callbacks.items()
        }
        if live.live_token is not None:
            configs["live_token"] = TokenConfig(Secret(TOKEN), live.live_token.enabled)
        apps.append(
            app(
                name,
                int(sdkappid),
                region,
                configs,
                identifier=options.get("identifier", "administrator"),
                manage_token=name.startswith("stream-sg"),
            )
        )
    return apps


def desired_fleet(folder: Path) -> list[FleetApp]:
    """The apps a desired-state folder loads to, as if read live."""
    apps = []
    for loaded in load_desired(folder).apps:
        configs: dict[str, Config | None] = {}
        for key, product in loaded.products.items():
            if product.config is not None:
                configs[key] = product.config
            elif product.enabled is not None:
                configs[key] = TokenConfig(Secret(TOKEN), product.enabled)
        apps.append(
            app(
                loaded.name,
                loaded.sdkappid,
                loaded.region,
                configs,
                identifier=loaded.identifier,
                secret_key_env=loaded.secret_key_env,
                manage_token=loaded.sdkappid % 2 == 0,
            )
        )
    return apps


def odd_fleet() -> list[FleetApp]:
    """Names the folder cannot use as file names, braces, unknown words, a --product read."""
    hooks = "https://h.example.com"
    return [
        app("app", 1400000001, "china", {"call": CallbackConfig(f"{hooks}/{{x}}/app", CALL)}),
        app("defaults", 1400000002, "china", {"call": CallbackConfig(f"{hooks}/{{x}}/app", CALL)}),
        app("policy", 1400000003, "china", {"call": CallbackConfig(f"{hooks}/policy", CALL)}),
        app(
            "new-words",
            1400000004,
            "china",
            {"call": CallbackConfig(f"{hooks}/c", CALL | {"Call.CallbackNotYetKnown"})},
        ),
        app(
            "empty-events", 1400000005, "korea", {"call": CallbackConfig(f"{hooks}/e", frozenset())}
        ),
        app(
            "keyed-1",
            1400000006,
            "korea",
            {"live": CallbackConfig(f"{hooks}/live/keyed-1?id=1400000006", LIVE), "call": None},
            identifier="ops-bot",
            secret_key_env="TRTC_KEY_1400000006",
        ),
        app(
            "keyed-2",
            1400000007,
            "korea",
            {"live": CallbackConfig(f"{hooks}/live/keyed-2?id=1400000007", LIVE)},
            identifier="ops-bot",
            secret_key_env="TRTC_KEY_1400000007",
        ),
        app(
            "switch-only",
            1400000008,
            "korea",
            {"live_token": TokenConfig(Secret(TOKEN), False)},
            manage_token=False,
        ),
        app("nothing", 1400000009, "korea", {}),
    ]


def signature(loaded: DesiredApp) -> dict[str, Any]:
    return {
        "name": loaded.name,
        "sdkappid": loaded.sdkappid,
        "region": loaded.region,
        "identifier": loaded.identifier,
        "secret_key_env": loaded.secret_key_env,
        "protect": loaded.protect,
        "lenient": loaded.lenient,
        "products": {
            key: (p.ensure, p.config, p.token_env, p.enabled) for key, p in loaded.products.items()
        },
    }


def load_files(root: Path, files: Any) -> dict[int, dict[str, Any]]:
    for relative, text in files:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return {a.sdkappid: signature(a) for a in load_desired(root).apps}


def flat(tmp_path: Path, apps: list[FleetApp]) -> dict[int, dict[str, Any]]:
    files = [(PurePosixPath(app_file_name(a.name, a.sdkappid)), a.flat_yaml()) for a in apps]
    return load_files(tmp_path / "flat", files)


def assert_same_apps(tmp_path: Path, apps: list[FleetApp], layouts: list[Layout]) -> None:
    expected = flat(tmp_path, apps)
    assert len(expected) == len(apps)
    for index, layout in enumerate(layouts):
        got = load_files(tmp_path / f"layout-{index}", layout.files)
        assert got == expected, layout.strategy
        every_text = "".join(text for _, text in layout.files)
        assert TOKEN not in every_text


FLEETS = {
    "import-factor example": example_fleet,
    "examples/fleet": lambda: desired_fleet(ROOT / "examples" / "fleet"),
    "examples/desired-state": lambda: desired_fleet(ROOT / "examples" / "desired-state"),
    "odd apps": odd_fleet,
}


@pytest.mark.parametrize("fleet", FLEETS)
def test_every_layout_loads_to_the_apps_of_the_flat_import(tmp_path: Path, fleet: str) -> None:
    apps = FLEETS[fleet]()
    layouts = factor(apps)
    assert len(layouts) == len(STRATEGIES)
    assert_same_apps(tmp_path, apps, layouts)


def test_the_example_fleet_halves_its_lines_and_uses_every_means(tmp_path: Path) -> None:
    apps = example_fleet()
    assert len(apps) >= 20 and len({a.region for a in apps}) == 4
    best = choose(apps)
    assert not best.strategy.flat
    assert best.lines * 2 <= flat_lines(apps), (best.lines, flat_lines(apps))
    files = {str(path): text for path, text in best.files}
    assert set(files) >= {
        "defaults.yaml",
        "singapore/defaults.yaml",
        "china/defaults.yaml",
        "germany/defaults.yaml",
        "usa/defaults.yaml",
    }
    assert "templates:" in files["defaults.yaml"]
    assert "https://{host}/trtc/live/{name}" in files["defaults.yaml"]  # a var and a built-in
    assert "vars: {host: sg.hooks.acme.example}" in files["singapore/defaults.yaml"]
    assert files["singapore/shop-sg-1.yaml"] == "sdkappid: 1400300001\n"  # nothing of its own
    # the odd app keeps its own URL as it is
    assert "cb?app=1400300022" in files["singapore/support-sg.yaml"]
    assert "identifier: ops-bot" in files["germany/eu-lab.yaml"]


def test_reserved_names_get_a_file_of_their_own_and_say_their_name() -> None:
    layout = choose(odd_fleet())
    files = {str(path): text for path, text in layout.files}
    assert "name: app" in files["china/app-1400000001.yaml"]
    assert "name: defaults" in files["china/defaults-1400000002.yaml"]
    assert "china/policy-1400000003.yaml" in files
    assert "configured live with no events" in files["korea/empty-events.yaml"]


def test_shared_texts_take_placeholders_and_own_texts_stay_as_they_are(tmp_path: Path) -> None:
    # default names app-SDKAPPID: their token variables differ only by the sdkappid
    apps = [
        app(
            f"app-{n}",
            n,
            "usa",
            {
                "live": CallbackConfig(f"https://h.example.com/live?app={n}", LIVE),
                "live_token": TokenConfig(Secret(TOKEN), True),
            },
            secret_key_env=f"TRTC_SECRET_KEY_{n}",
        )
        for n in range(1400000001, 1400000005)
    ]
    odd = app("odd", 1400000009, "usa", {"call": CallbackConfig("https://h.example.com/odd", CALL)})
    layout = choose([*apps, odd])
    files = {str(path): text for path, text in layout.files}
    shared = files["defaults.yaml"] + files["usa/defaults.yaml"]
    assert "LIVE_WEBHOOK_TOKEN_APP_{sdkappid}" in shared
    assert "https://h.example.com/live?app={sdkappid}" in shared
    assert "secret_key_env: TRTC_SECRET_KEY_{sdkappid}" in shared  # a template: odd has none
    assert files["usa/app-1400000001.yaml"].startswith("sdkappid: 1400000001\nuse: [")
    assert len(files["usa/app-1400000001.yaml"].splitlines()) == 2
    assert "url: 'https://h.example.com/odd'" in files["usa/odd.yaml"]  # its own: as it is
    assert_same_apps(tmp_path, [*apps, odd], [layout])


def test_the_choice_is_deterministic() -> None:
    assert choose(example_fleet()).files == choose(example_fleet()).files


_WORDS = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6)


@st.composite
def fleets(draw: st.DrawFn) -> list[FleetApp]:
    size = draw(st.integers(1, 9))
    regions = draw(st.lists(st.sampled_from(["china", "singapore", "usa", "korea"]), min_size=1))
    hosts = draw(st.lists(st.sampled_from(["a.example.com", "b.example.com:8443"]), min_size=1))
    paths = draw(st.lists(_WORDS, min_size=1, max_size=3))
    apps = []
    for i in range(size):
        name = f"{draw(_WORDS)}-{i}"
        sdkappid = 1400000001 + i
        region = draw(st.sampled_from(regions))
        configs: dict[str, Config | None] = {}
        for key, words in (("call", CALL), ("live", LIVE)):
            if draw(st.booleans()):
                host = draw(st.sampled_from(hosts))
                tail = draw(st.sampled_from([*paths, name, str(sdkappid), region, "{x}"]))
                events = draw(st.sets(st.sampled_from(sorted(words)), min_size=1))
                configs[key] = CallbackConfig(f"https://{host}/{tail}", frozenset(events))
        if draw(st.booleans()):
            configs["live_token"] = TokenConfig(Secret(TOKEN), draw(st.booleans()))
        apps.append(
            app(
                name,
                sdkappid,
                region,
                configs,
                identifier=draw(st.sampled_from(["administrator", "ops-bot"])),
                secret_key_env=draw(st.sampled_from([None, "TRTC_KEY", f"KEY_{sdkappid}"])),
                manage_token=draw(st.booleans()),
            )
        )
    return apps


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(apps=fleets())
def test_any_fleet_factors_to_the_same_apps(tmp_path_factory: Any, apps: list[FleetApp]) -> None:
    assert_same_apps(tmp_path_factory.mktemp("fleet"), apps, factor(apps))
