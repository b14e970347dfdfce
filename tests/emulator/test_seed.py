"""The seed loader: the documented format, defaults, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.emulator.behaviour import Behaviour
from reconciler.emulator.seed import Seed, SeedCallback, SeedToken, load_seed, parse_seed
from reconciler.errors import ConfigError

FIXTURES = Path(__file__).parent / "fixtures"


def test_full_seed_file_loads() -> None:
    seed = load_seed(FIXTURES / "seed.yaml")
    assert seed.source == str(FIXTURES / "seed.yaml")
    first, second = seed.apps
    assert first.sdkappid == 1400000001
    assert first.admins == ("administrator", "ops-bot")
    assert first.group_call is True
    assert first.callbacks["call"] == SeedCallback(
        "https://old.example.com/cb", ("Call.CallbackAfterEndCall",)
    )
    assert first.callbacks["call_legacy"].events == ("normal_end", "call_busy")
    assert set(first.callbacks) == {"call", "call_legacy", "live", "conference"}
    assert first.live_token == SeedToken("demo-token", enabled=False)
    assert second.group_call is False
    assert seed.secret_keys() == {
        1400000001: "demo-key-not-secret-1",
        1400000002: "demo-key-not-secret-2",
    }
    assert seed.app(1400000002) is second


def test_defaults() -> None:
    seed = parse_seed(
        "apps:\n- sdkappid: 7\n  secret_key: k\n  callbacks:\n    live_token: {token: t}\n"
    )
    (app,) = seed.apps
    assert app.admins == ("administrator",)
    assert app.group_call is True
    assert app.callbacks == {}
    assert app.live_token == SeedToken("t", enabled=True)


def test_empty_app_list_is_allowed() -> None:
    assert parse_seed("apps: []\n") == Seed(apps=(), source="<seed>")


def test_secrets_stay_out_of_reprs() -> None:
    seed = load_seed(FIXTURES / "seed.yaml")
    shown = repr(seed)
    assert "demo-key-not-secret" not in shown
    assert "demo-token" not in shown


APP = "apps:\n  - sdkappid: 1400000001\n    secret_key: k\n"

BAD_SEEDS = [
    # (yaml, line, column, words in the message)
    ("", 1, 1, "seed file is empty"),
    ("apps: [\n", 2, 1, "invalid YAML"),
    ("- a\n- b\n", 1, 1, "must be a mapping"),
    ("appz: []\n", 1, 1, "did you mean 'apps'"),
    ("apps: {}\n", 1, 7, "apps must be a list"),
    ("apps:\n  - secret_key: k\n", 2, 5, "missing 'sdkappid'"),
    ("apps:\n  - sdkappid: 1\n", 2, 5, "missing 'secret_key'"),
    ("apps:\n  - sdkappid: abc\n    secret_key: k\n", 2, 15, "sdkappid must be an integer"),
    ("apps:\n  - sdkappid: true\n    secret_key: k\n", 2, 15, "sdkappid must be an integer"),
    ("apps:\n  - sdkappid: 0\n    secret_key: k\n", 2, 15, "between 1 and"),
    ("apps:\n  - sdkappid: 2020-02-30\n    secret_key: k\n", 2, 15, "day is out of range"),
    ("apps:\n  - sdkappid: !!int 'abc'\n    secret_key: k\n", 2, 15, "'abc' as !!int"),
    ('apps:\n  - sdkappid: !!int ""\n    secret_key: k\n', 2, 15, "'' as !!int: quote it"),
    ("apps:\n  - sdkappid: 1\n    secret_key: !!bool x\n", 3, 17, "'x' as !!bool"),
    ("apps:\n  - sdkappid: 1\n    secret_key: 1234\n", 3, 17, "quote it"),
    ("apps:\n  - sdkappid: 1\n    secretkey: k\n", 3, 5, "did you mean 'secret_key'"),
    ("apps:\n  - sdkappid: 1\n    sdkappid: 2\n", 3, 5, "repeats key 'sdkappid'"),
    (APP + "  - sdkappid: 1400000001\n    secret_key: k\n", 4, 5, "declared twice"),
    (APP + "    admins: []\n", 4, 13, "at least one administrator"),
    (APP + "    admins: administrator\n", 4, 13, "admins must be a list"),
    (APP + "    group_call: maybe\n", 4, 17, "true or false"),
    (APP + "    callbacks:\n      calls: {}\n", 5, 7, "did you mean 'call'"),
    (
        APP + "    callbacks:\n      call: {url: ftp://x/y, events: [Call.CallbackAfterEndCall]}\n",
        5,
        19,
        "must start with http:// or https://",
    ),
    (
        APP
        + "    callbacks:\n      call: {url: 'https://', events: [Call.CallbackAfterEndCall]}\n",
        5,
        19,
        "has no host",
    ),
    (
        APP + "    callbacks:\n      call: {events: [Call.CallbackAfterEndCall]}\n",
        5,
        13,
        "missing 'url'",
    ),
    (
        APP + "    callbacks:\n      call: {url: 'https://a.b/c', events: []}\n",
        5,
        44,
        "at least one command word",
    ),
    (
        APP
        + "    callbacks:\n      live: {url: 'https://a.b/c', events: [Call.CallbackAfterEndCall]}\n",
        5,
        45,
        "for product live",
    ),
    (
        APP
        + "    callbacks:\n      call_legacy: {url: 'https://a.b/c', events: [normal_end, normal_end]}\n",
        5,
        64,
        "listed twice",
    ),
    (
        APP + "    callbacks:\n      live_token: {token: ''}\n",
        5,
        27,
        "1-128 characters",
    ),
    (
        APP + "    callbacks:\n      live_token: {token: " + "x" * 129 + "}\n",
        5,
        27,
        "1-128 characters",
    ),
    (
        APP + "    callbacks:\n      live_token: {token: t, enabled: 1}\n",
        5,
        39,
        "enabled must be true or false",
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "words"), BAD_SEEDS)
def test_bad_seed_is_a_located_config_error(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_seed(text, path="seed.yaml")
    error = caught.value
    assert (error.location.path, error.location.line, error.location.column) == (
        "seed.yaml",
        line,
        column,
    ), str(error)
    assert words in error.message
    assert str(error).startswith(f"seed.yaml:{line}:{column}: ")
    assert "\n" not in str(error)


def test_deep_nesting_is_a_config_error_not_a_recursion_crash() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_seed("apps: " + "[" * 5000 + "]" * 5000 + "\n", path="seed.yaml")
    assert str(caught.value) == (
        "seed.yaml: invalid YAML: nested too deeply; flatten the lists and mappings"
    )


def test_unknown_event_in_a_file_points_at_the_word_with_a_suggestion() -> None:
    path = FIXTURES / "bad-seed.yaml"
    with pytest.raises(ConfigError) as caught:
        load_seed(path)
    assert str(caught.value) == (
        f"{path}:7:18: unknown command word 'Call.CallbackAfterStrtCall' "
        "(did you mean 'Call.CallbackAfterStartCall'?) for product call"
    )


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as caught:
        load_seed(path)
    assert caught.value.location.path == str(path)
    assert "cannot read seed file" in caught.value.message


def test_token_value_never_appears_in_an_error() -> None:
    secret = "s" * 200
    with pytest.raises(ConfigError) as caught:
        parse_seed(APP + f"    callbacks:\n      live_token: {{token: {secret}}}\n")
    assert secret not in str(caught.value)


def test_seed_behaviour_is_read_and_checked() -> None:
    seed = parse_seed("apps: []\nbehaviour: {v1_missing: 999, variant_spellings: true}\n")
    assert seed.behaviour == Behaviour(v1_missing="999", variant_spellings=True)
    assert parse_seed("apps: []\n").behaviour is None
    with pytest.raises(ConfigError) as caught:
        parse_seed("apps: []\nbehaviour: {v1_missing: 404}\n")
    assert str(caught.value).startswith("<seed>:2:25: behaviour.v1_missing must be one of")
