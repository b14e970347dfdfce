"""``reconciler import`` output: YAML that the loader reads back to the same configs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reconciler.configs import Config
from reconciler.desired.loader import DesiredApp, load_desired
from reconciler.render.overrideyaml import render_override_yaml
from reconciler.render.yamlout import render_app_yaml, token_env_name
from tests.plan.factories import SG, TOKEN, cb, tok

CALL = cb(
    "https://hooks.example.com/trtc/call",
    "Call.CallbackAfterStartCall",
    "Call.CallbackAfterEndCall",
)
LEGACY = cb("https://hooks.example.com/trtc/v1?x=1&y=2", "normal_end", "call_busy", "cancel")
LIVE = cb(
    "https://hooks.example.com/live#frag",
    "Mic.CallbackAfterSeatInfoChanged",
    "Live.CallbackAfterCreateRoom",
)
ROOM = cb("http://10.0.0.1:8080/room", "Room.CallbackAfterCreateRoom")


def render(
    configs: dict[str, Config | None],
    name: str = "prod-sg",
    identifier: str = "administrator",
) -> str:
    return render_app_yaml(
        name=name,
        sdkappid=SG,
        region="singapore",
        identifier=identifier,
        configs=configs,
        token_env=token_env_name(name),
    )


def load_back(tmp_path: Path, text: str, name: str = "prod-sg") -> DesiredApp:
    (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    state = load_desired(tmp_path)
    (loaded,) = state.apps
    return loaded


def test_token_env_name() -> None:
    assert token_env_name("prod-sg") == "LIVE_WEBHOOK_TOKEN_PROD_SG"
    assert token_env_name("app.1400000001") == "LIVE_WEBHOOK_TOKEN_APP_1400000001"
    assert token_env_name("--weird..name--") == "LIVE_WEBHOOK_TOKEN_WEIRD_NAME"
    assert token_env_name("a_b") == "LIVE_WEBHOOK_TOKEN_A_B"


def test_round_trip_every_product(tmp_path: Path) -> None:
    configs: dict[str, Config | None] = {
        "call": CALL,
        "call_legacy": LEGACY,
        "live": LIVE,
        "live_token": tok(TOKEN, enabled=False),
        "conference": ROOM,
    }
    text = render(configs)
    loaded = load_back(tmp_path, text)
    assert loaded.name == "prod-sg"
    assert loaded.sdkappid == SG
    assert loaded.region == "singapore"
    assert loaded.identifier == "administrator"
    products = loaded.products
    assert list(products) == ["call", "call_legacy", "live", "live_token", "conference"]
    for key in ("call", "call_legacy", "live", "conference"):
        assert products[key].ensure == "present"
        assert products[key].config == configs[key]
    token = products["live_token"]
    assert (token.ensure, token.token_env, token.enabled, token.config) == (
        "present",
        "LIVE_WEBHOOK_TOKEN_PROD_SG",
        False,
        None,
    )


def test_token_is_never_written() -> None:
    text = render({"live_token": tok(TOKEN, enabled=True)})
    assert TOKEN not in text
    data = yaml.safe_load(text)
    assert data["callbacks"]["live_token"] == {
        "token_env": "LIVE_WEBHOOK_TOKEN_PROD_SG",
        "enabled": True,
    }


def test_events_sorted_and_absent_products_left_out() -> None:
    text = render({"call": CALL, "live": None, "conference": None})
    data = yaml.safe_load(text)
    assert data["callbacks"] == {
        "call": {
            "url": "https://hooks.example.com/trtc/call",
            "events": ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
        }
    }
    assert "# TUICallKit calls (v4 call_config)" in text
    assert "live" not in data["callbacks"]


def test_nothing_configured(tmp_path: Path) -> None:
    text = render({"call": None})
    assert "# Nothing is configured live for this app yet.\ncallbacks: {}\n" in text
    loaded = load_back(tmp_path, text)
    assert dict(loaded.products) == {}


@pytest.mark.parametrize("name", ["yes", "null", "123", "1e3", "on", "a.b-c_d"])
def test_names_that_yaml_would_misread_stay_strings(tmp_path: Path, name: str) -> None:
    loaded = load_back(tmp_path, render({"call": CALL}, name=name), name=name)
    assert loaded.name == name


@pytest.mark.parametrize("identifier", ["admin", "true", "007", "a: b", "#x"])
def test_identifier_round_trips(tmp_path: Path, identifier: str) -> None:
    text = render({"call": CALL}, identifier=identifier)
    loaded = load_back(tmp_path, text)
    assert loaded.identifier == identifier


def test_header_comment() -> None:
    text = render({"call": CALL})
    assert text.startswith(
        f"# Imported from the live configuration of {SG} by `reconciler import`."
    )
    assert text.endswith("\n")


def test_unknown_live_words_still_load_back(tmp_path: Path) -> None:
    live = cb(
        "https://h.example/live", "Live.CallbackAfterCreateRoom", "Live.CallbackAfterNewThing"
    )
    loaded = load_back(tmp_path, render({"live": live}))
    assert loaded.products["live"].config == live


@pytest.mark.parametrize("enabled", [True, False])
def test_a_token_nobody_holds_is_written_switch_only(tmp_path: Path, enabled: bool) -> None:
    text = render_app_yaml(
        name="prod-sg",
        sdkappid=SG,
        region="singapore",
        identifier="administrator",
        configs={"live_token": tok(TOKEN, enabled=enabled)},
        token_env=token_env_name("prod-sg"),
        manage_token=False,
    )
    assert TOKEN not in text
    assert "\n    token_env:" not in text  # only in the comment that says how to add it
    assert "add `token_env: LIVE_WEBHOOK_TOKEN_PROD_SG` here" in text
    token = load_back(tmp_path, text).products["live_token"]
    assert (token.ensure, token.token_env, token.enabled) == ("present", None, enabled)


def test_an_override_import_of_a_token_nobody_holds_is_switch_only(tmp_path: Path) -> None:
    common = {
        "name": "prod-sg",
        "sdkappid": SG,
        "region": "singapore",
        "identifier": "administrator",
        "templates": (),
        "inherited": {"region": "singapore"},
        "inherited_region": "singapore",
        "configs": {"live_token": tok(TOKEN, enabled=False)},
        "token_env": token_env_name("prod-sg"),
    }
    switch_only = render_override_yaml(**common, manage_token=False)  # type: ignore[arg-type]
    assert TOKEN not in switch_only
    assert "\n    token_env:" not in switch_only
    assert yaml.safe_load(switch_only)["callbacks"] == {"live_token": {"enabled": False}}
    managed = render_override_yaml(**common)  # type: ignore[arg-type]
    assert yaml.safe_load(managed)["callbacks"] == {
        "live_token": {"token_env": "LIVE_WEBHOOK_TOKEN_PROD_SG", "enabled": False}
    }


def test_an_app_whose_only_product_has_no_events_loads(tmp_path: Path) -> None:
    # (found with import --factor: `callbacks:` over comments alone was an empty value)
    text = render({"call": cb("https://hooks.example.com/c")})
    assert "configured live with no events" in text
    assert load_back(tmp_path, text).products == {}
