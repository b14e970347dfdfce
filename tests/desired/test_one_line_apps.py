"""Apps written alike (one-line files that differ only in their sdkappid) in a fleet.

There is one load path: every app goes through parse, merge, placeholders and
validation itself. These tests hold a fleet of such apps to each app loaded on its
own: the same apps, warnings, errors (those that name the app's name or sdkappid
too) and documents, whatever the fleet holds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.desired import load_desired, loader, yamlsource
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.loaded import LoadedApp
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
Outcome = tuple[list[str], list[str], list[str], Documents]
"""Errors, apps, warnings (each sorted) and the loaded apps' documents."""

ACROSS_APPS = ("is declared twice: here and in", "is used twice: here and in")
"""The errors of the checks across apps: a fleet has them, an app on its own cannot."""


def outcome(files: list[Path] | None = None) -> Outcome:
    """What loading the current directory gives (with ``files``: only those apps)."""
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
            state = load_desired(Path("."), files=files)
        except ConfigErrors as errors:
            shown = [str(e) for e in errors.errors if not any(a in e.message for a in ACROSS_APPS)]
            return sorted(shown), ["(raised)"], [], documents
    return [], sorted(map(repr, state.apps)), sorted(map(str, state.warnings)), documents


def app_by_app(apps: list[Path]) -> Outcome:
    """The outcomes of loading each app on its own, put together."""
    errors: list[str] = []
    loaded: list[str] = []
    warnings: list[str] = []
    documents: Documents = []
    for path in apps:
        one = outcome([path])
        errors += one[0]
        loaded += one[1]
        warnings += one[2]
        documents += one[3]
    if errors or "(raised)" in loaded:  # nor does the fleet: no apps, no warnings
        loaded, warnings = ["(raised)"], []
    return sorted(errors), sorted(loaded), sorted(warnings), documents


def write_fleet(
    root: Path,
    defaults: str,
    eu_defaults: str | None,
    policy: bool,
    apps: list[tuple[str, str, int, int]],
) -> list[Path]:
    (root / "defaults.yaml").write_text(DEFAULTS[defaults])
    (root / "eu").mkdir()
    (root / "us").mkdir()
    if eu_defaults is not None:
        (root / "eu" / "defaults.yaml").write_text(DEFAULTS[eu_defaults])
    if policy:
        (root / "policy.yaml").write_text(POLICY)
    paths = []
    for folder, name, body, number in apps:
        path = Path(folder) / f"{name}.yaml"
        (root / path).write_bytes(BODIES[body].format(n=number).encode())
        paths.append(path)
    return sorted(paths)


def _sorted_documents(documents: Documents) -> list[str]:
    return sorted(repr(d) for d in documents)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    defaults=st.just("placeholders") | st.sampled_from(sorted(DEFAULTS)),
    eu_defaults=st.none() | st.sampled_from(sorted(DEFAULTS)),
    policy=st.booleans(),
    apps=fleets(),
)
def test_a_fleet_loads_as_each_app_on_its_own(
    defaults: str,
    eu_defaults: str | None,
    policy: bool,
    apps: list[tuple[str, str, int, int]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        root = Path(tmp)
        paths = write_fleet(root, defaults, eu_defaults, policy, apps)
        patch.chdir(root)
        errors, loaded, warnings, documents = outcome()
        one_by_one = app_by_app(paths)
    if loaded == ["(raised)"] and not errors:  # only errors across apps: each app loads
        assert one_by_one[:3] == ([], sorted(one_by_one[1]), one_by_one[2])
        one_by_one = ([], ["(raised)"], [], one_by_one[3])
    assert (errors, loaded, warnings) == one_by_one[:3]
    assert _sorted_documents(documents) == _sorted_documents(one_by_one[3])


@pytest.mark.parametrize(
    ("defaults", "eu_defaults", "apps"),
    [
        # a template at the root and defaults in eu/: as many layers, other layers
        (
            "placeholders",
            "no-placeholders",
            [("", "app-1", 4, 1500000001), ("eu/", "app-2", 0, 1500000002)],
        ),
        (
            "placeholders",
            "identifier",
            [
                ("eu/", "app-1", 4, 1500000001),
                ("", "app-2", 4, 1500000002),
                ("us/", "app-3", 9, 1500000003),
            ],
        ),
        (
            "host-from-name",
            "plain-http",
            [
                ("", "bad name", 0, 1500000001),
                ("eu/", "x.y", 2, 1500000002),
                ("eu/", "app-3", 5, 1500000003),
            ],
        ),
    ],
)
def test_apps_below_other_defaults_load_as_on_their_own(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    defaults: str,
    eu_defaults: str,
    apps: list[tuple[str, str, int, int]],
) -> None:
    paths = write_fleet(tmp_path, defaults, eu_defaults, True, apps)
    monkeypatch.chdir(tmp_path)
    errors, loaded, warnings, documents = outcome()
    one_by_one = app_by_app(paths)
    assert (errors, loaded, warnings) == one_by_one[:3]
    assert _sorted_documents(documents) == _sorted_documents(one_by_one[3])


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


def test_one_line_apps_keep_their_acknowledgments(tmp_path: Path) -> None:
    (tmp_path / "defaults.yaml").write_text(DEFAULTS["placeholders"])
    for i in range(6):
        (tmp_path / f"app-{i}.yaml").write_text(
            f"sdkappid: {1500000000 + i}\nacknowledge: [plain-http]\n"
        )
    state = load_desired(tmp_path)
    assert [a.acknowledge for a in state.apps] == [("plain-http",)] * 6


def test_every_app_goes_through_every_stage(tmp_path: Path, counted: list[str]) -> None:
    (tmp_path / "defaults.yaml").write_text(DEFAULTS["placeholders"])
    for i in range(30):
        use = "use: [live]\n" if i % 3 == 0 else ""
        (tmp_path / f"app-{i:02}.yaml").write_text(f"sdkappid: {1500000000 + i}\n{use}")
    state = load_desired(tmp_path)
    assert sorted(Path(p).name for p in counted) == [f"app-{i:02}.yaml" for i in range(30)]
    app = {a.name: a for a in state.apps}["app-17"]
    assert app.sdkappid == 1500000017
    assert app.location.path == str(tmp_path / "app-17.yaml")
    config = app.products["call"].config
    assert config is not None
    assert config.url == "https://t-app-17.hooks.example.com/call/1500000017?app=app-17"
    live = {a.name: a for a in state.apps}["app-15"].products["live"].config
    assert live is not None and live.url == "https://hooks.example.com/app-15"


def test_each_app_alike_gets_its_own_warning(tmp_path: Path) -> None:
    (tmp_path / "defaults.yaml").write_text(DEFAULTS["plain-http"])
    for i in range(3):
        (tmp_path / f"app-{i}.yaml").write_text(f"sdkappid: {1500000000 + i}\n")
    state = load_desired(tmp_path)
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


def test_a_url_made_from_the_sdkappid_is_checked_for_each_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "defaults.yaml").write_text(
        "region: singapore\n"
        "callbacks: {call: {url: 'https://hooks.example.com:{sdkappid}/x', "
        "events: [Call.CallbackAfterEndCall]}}\n"
    )
    (tmp_path / "a.yaml").write_text("sdkappid: 8443\n")  # a port
    (tmp_path / "b.yaml").write_text("sdkappid: 1500000001\n")  # not a port
    with pytest.raises(ConfigErrors) as raised:
        load_desired(Path("."))
    errors = [str(e) for e in raised.value.errors]
    assert len(errors) == 1
    assert errors[0].startswith("b.yaml:1:1: callbacks.call.url from defaults.yaml:2:")
    assert "invalid port" in errors[0] and "1500000001" in errors[0]
