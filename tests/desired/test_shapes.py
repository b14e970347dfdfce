"""Apps written alike are loaded once per shape, with the results of loading each whole.

The loader makes every app of a shape (the same text but for the sdkappid's digits,
the same defaults) from the first one's result. These tests hold it to the plain
path: the same apps, warnings, errors and locations, whatever the fleet holds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.desired import load_desired, loader, shapes, yamlsource
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.layout import AppSource
from reconciler.desired.loaded import LoadedApp
from reconciler.desired.result import DesiredState
from reconciler.desired.yamlsource import NodePath
from reconciler.errors import ConfigErrors, Location
from reconciler.facts.limits import MAX_SDKAPPID

DEFAULTS = {
    "placeholders": (
        "region: singapore\n"
        "vars: {tenant: 't-{name}'}\n"
        "callbacks:\n"
        "  call:\n"
        "    url: https://{tenant}.hooks.example.com/call/{sdkappid}?app={name}\n"
        "    events: [Call.CallbackAfterStartCall]\n"
        "templates:\n"
        "  live: {callbacks: {live: {url: 'https://hooks.example.com/{name}',"
        " events: [Live.CallbackAfterCreateRoom]}}}\n"
    ),
    "host-from-name": (
        "region: singapore\n"
        "callbacks: {call: {url: 'https://{name}.example.com/x', events: [Call.CallbackAfterEndCall]}}\n"
    ),
    "plain-http": (
        "region: singapore\n"
        "callbacks: {call: {url: 'http://hooks.example.com/{sdkappid}', events: [Call.CallbackAfterEndCall]}}\n"
    ),
    "identifier": (
        "region: singapore\n"
        "identifier: 'admin-{name}'\n"
        "secret_key_env: 'KEY_{name}'\n"
        "callbacks: {call: {url: 'https://hooks.example.com/', events: [Call.CallbackAfterEndCall]}}\n"
    ),
    "port": (
        "region: singapore\n"
        "callbacks: {call: {url: 'https://hooks.example.com:8443/{sdkappid}', "
        "events: [Call.CallbackAfterEndCall]}}\n"
    ),
    "no-placeholders": (
        "region: singapore\n"
        "callbacks: {call: {url: 'https://hooks.example.com/', events: [Call.CallbackAfterEndCall]}}\n"
    ),
}
POLICY = (
    "require_https: true\n"
    "products:\n"
    "  call: {allowed_hosts: ['*.example.com'], required_for: ['app-*']}\n"
)
BODIES = [
    "sdkappid: {n}\n",
    "sdkappid: {n}",
    "sdkappid: {n}  # the shop\n",
    "sdkappid: {n}\r\n",
    "sdkappid: {n}\nuse: [live]\n",
    "name: fixed\nsdkappid: {n}\n",
    "sdkappid:   {n}\nregion: frankfurt\n",
    "{{sdkappid: {n}}}\n",
    "sdkappid: {n}\n  7\n",
    "sdkappid: {n}\ncallbacks: {{call: {{events: {{add: [Call.CallbackAfterEndCall]}}}}}}\n",
    "sdkappid: {n}\nsdkappid: {n}\n",
    "sdkappid: {n}\nlenient: 1\n",
]
NAMES = ["app-1", "app-2", "shop", "bad name", "x.y", "café", "app-3", "other"]
NUMBERS = st.integers(1_500_000_000, 1_500_099_999) | st.sampled_from(
    [1500000001, MAX_SDKAPPID, MAX_SDKAPPID + 1, 9999999999, 42]
)  # mostly distinct (a fleet that loads), sometimes a duplicate or out of range
GROUP = st.tuples(
    st.sampled_from(["", "", "eu/", "us/"]),
    st.sampled_from([0, 0, 2, 4]) | st.sampled_from(range(len(BODIES))),
    st.integers(1, 6),
)


@st.composite
def fleets(draw: st.DrawFn) -> list[tuple[str, str, int, int]]:
    """Groups of apps written alike (a folder, a body), now and then with an odd name."""
    apps: dict[tuple[str, str], tuple[str, str, int, int]] = {}
    for group, (folder, body, count) in enumerate(draw(st.lists(GROUP, min_size=1, max_size=4))):
        for i in range(count):
            odd = draw(st.integers(0, 7)) == 0
            name = draw(st.sampled_from(NAMES)) if odd else f"app-{group}{i}"
            apps[(folder, name)] = (folder, name, body, draw(NUMBERS))
    return list(apps.values())


Documents = list[tuple[Any, dict[NodePath, Location], dict[NodePath, Location]]]


def outcome(root: Path) -> tuple[DesiredState | list[str], Documents]:
    """What loading ``root`` gives, and each loaded app's document (data and locations)."""
    documents: Documents = []
    real = loader._check_unique

    def check_unique(loaded: list[LoadedApp], diagnostics: Diagnostics) -> None:
        for app in loaded:  # as the checks across apps would see them, if they looked
            doc = app.doc
            documents.append((doc.data, dict(doc.locations), dict(doc.key_locations)))
        real(loaded, diagnostics)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "_check_unique", check_unique)
        try:
            return load_desired(root), documents
        except ConfigErrors as errors:
            return [str(error) for error in errors.errors], documents


def write_fleet(
    root: Path,
    defaults: str,
    eu_defaults: str | None,
    policy: bool,
    apps: list[tuple[str, str, int, int]],
) -> None:
    (root / "defaults.yaml").write_text(DEFAULTS[defaults])
    (root / "eu").mkdir()
    (root / "us").mkdir()
    if eu_defaults is not None:
        (root / "eu" / "defaults.yaml").write_text(DEFAULTS[eu_defaults])
    if policy:
        (root / "policy.yaml").write_text(POLICY)
    for folder, name, body, number in apps:
        (root / folder / f"{name}.yaml").write_bytes(BODIES[body].format(n=number).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    defaults=st.just("placeholders") | st.sampled_from(sorted(DEFAULTS)),
    eu_defaults=st.none() | st.sampled_from(sorted(DEFAULTS)),
    policy=st.booleans(),
    apps=fleets(),
)
def test_a_fleet_loads_as_it_does_app_by_app(
    defaults: str,
    eu_defaults: str | None,
    policy: bool,
    apps: list[tuple[str, str, int, int]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_fleet(root, defaults, eu_defaults, policy, apps)
        shaped = outcome(root)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(shapes.Shapes, "reuse", lambda *args: None)
            whole = outcome(root)
    assert shaped == whole


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed, in order."""
    parsed: list[str] = []
    real = yamlsource.parse_yaml

    def parse(text: str, shown: str) -> yamlsource.YamlDocument:
        parsed.append(shown)
        return real(text, shown)

    monkeypatch.setattr("reconciler.desired.loader.parse_yaml", parse)
    return parsed


def test_two_apps_of_each_shape_are_parsed(tmp_path: Path, counted: list[str]) -> None:
    (tmp_path / "defaults.yaml").write_text(DEFAULTS["placeholders"])
    for i in range(30):
        use = "use: [live]\n" if i % 3 == 0 else ""
        (tmp_path / f"app-{i:02}.yaml").write_text(f"sdkappid: {1500000000 + i}\n{use}")
    state = load_desired(tmp_path)
    # app-00 and app-03 use a template, app-01 and app-02 do not: two shapes
    assert [Path(p).name for p in counted] == [f"app-{i:02}.yaml" for i in range(4)]
    app = {a.name: a for a in state.apps}["app-17"]
    assert app.sdkappid == 1500000017
    assert app.location.path == str(tmp_path / "app-17.yaml")
    config = app.products["call"].config
    assert config is not None
    assert config.url == "https://t-app-17.hooks.example.com/call/1500000017?app=app-17"
    live = {a.name: a for a in state.apps}["app-15"].products["live"].config
    assert live is not None and live.url == "https://hooks.example.com/app-15"


def test_a_shape_with_a_warning_loads_each_app_whole(tmp_path: Path, counted: list[str]) -> None:
    (tmp_path / "defaults.yaml").write_text(DEFAULTS["plain-http"])
    for i in range(3):
        (tmp_path / f"app-{i}.yaml").write_text(f"sdkappid: {1500000000 + i}\n")
    state = load_desired(tmp_path)
    assert len(counted) == 3
    assert [str(w.location) for w in state.warnings] == [
        f"{tmp_path / f'app-{i}.yaml'}:1:1" for i in range(3)
    ]


def errors_of(root: Path, defaults: str, files: dict[str, str]) -> list[str]:
    """The errors of loading ``files`` below ``defaults`` (from the folder itself)."""
    (root / "defaults.yaml").write_text(DEFAULTS[defaults])
    for name, text in files.items():
        (root / name).write_text(text)
    with pytest.raises(ConfigErrors) as raised:
        load_desired(Path("."))
    return [str(error) for error in raised.value.errors]


def test_an_app_out_of_range_gets_its_own_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = {"a.yaml": "sdkappid: 1500000001\n", "b.yaml": f"sdkappid: {MAX_SDKAPPID + 1}\n"}
    assert errors_of(tmp_path, "placeholders", files) == [
        f"b.yaml:1:11: `sdkappid` must be between 1 and {MAX_SDKAPPID}, found the number "
        f"{MAX_SDKAPPID + 1}: copy the SDKAppID from the Tencent console"
    ]


def test_a_name_that_breaks_the_url_is_told_at_both_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = {"good.yaml": "sdkappid: 1500000001\n", "bad name.yaml": "sdkappid: 1500000002\n"}
    # the name itself is refused (issue 20, M5), and the URL it makes is still told
    error, name_error = sorted(errors_of(tmp_path, "host-from-name", files), key=len)
    assert name_error.startswith("bad name.yaml:1:1: app name 'bad name' (from the file name)")
    assert error.startswith("bad name.yaml:1:1: callbacks.call.url from defaults.yaml:2:")
    assert "must not contain spaces" in error


def test_a_duplicate_sdkappid_points_at_each_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = {
        name: f"# the first\nsdkappid: {number}\n"
        for name, number in (("a.yaml", 1500000001), ("b.yaml", 1500000002), ("c.yaml", 1500000001))
    }
    (error,) = errors_of(tmp_path, "no-placeholders", files)
    assert error.startswith(
        "c.yaml:2:11: sdkappid 1500000001 is declared twice: here and in a.yaml:2:11"
    )


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("sdkappid: 1500000001\n", True),
        ("sdkappid: 1500000001 # c\r\n", True),
        ("region: x\nsdkappid:  15\n", True),
        ("  sdkappid: 1500000001\n", False),  # not at the top level
        ("sdkappid: 01500000001\n", False),  # octal in YAML 1.1
        ("sdkappid: 1500000001x\n", False),
        ("sdkappid: &a 1500000001\n", False),
        ("sdkappid: 1\nsdkappid: 2\n", False),
        ("sdkappid: 15_00\n", False),
    ],
)
def test_which_files_have_a_shape(text: str, shaped: bool) -> None:
    source = AppSource(Path("a.yaml"), False, "a")
    assert (shapes.sight(source, text, ()) is not None) is shaped


def test_an_app_folder_with_product_files_has_no_shape() -> None:
    source = AppSource(Path("a/app.yaml"), True, "a", (("call", Path("a/call.yaml")),))
    assert shapes.sight(source, "sdkappid: 1500000001\n", ()) is None


def test_the_key_holds_all_but_the_digits() -> None:
    source = AppSource(Path("a.yaml"), False, "a")
    one = shapes.sight(source, "# x\nsdkappid: 1500000001\nuse: [a]\n", (1,))
    two = shapes.sight(source, "# x\nsdkappid: 1500000002\nuse: [a]\n", (1,))
    other_defaults = shapes.sight(source, "# x\nsdkappid: 1500000002\nuse: [a]\n", (2,))
    # the digits end their line: a longer number moves no other line or column
    longer = shapes.sight(source, "# x\nsdkappid: 15000000020\nuse: [a]\n", (1,))
    assert one is not None and two is not None and other_defaults is not None
    assert longer is not None
    assert one.key == two.key
    assert (one.sdkappid, one.line, one.column) == (1500000001, 2, 11)
    assert other_defaults.key != two.key
    assert longer.key == two.key


def test_apps_of_a_shape_keep_their_acknowledgments(tmp_path: Path, counted: list[str]) -> None:
    (tmp_path / "defaults.yaml").write_text(DEFAULTS["placeholders"])
    for i in range(6):
        (tmp_path / f"app-{i}.yaml").write_text(
            f"sdkappid: {1500000000 + i}\nacknowledge: [plain-http]\n"
        )
    state = load_desired(tmp_path)
    assert len(counted) == 2  # the others were made from the shape
    assert [a.acknowledge for a in state.apps] == [("plain-http",)] * 6
