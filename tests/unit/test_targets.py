"""Resolving desired apps: keys and tokens from the environment, all problems at once."""

from __future__ import annotations

import pytest

from reconciler.errors import CredentialsError
from reconciler.plan.change import Resource
from reconciler.resolve import DesiredResource, resolve_apps
from reconciler.secret import Secret
from tests.plan.factories import KEY, SG, TOKEN, US, absent, app, cb, present, tok, token_present

CALL = cb("https://hooks.example.com/trtc/call", "Call.CallbackAfterStartCall")
SG_APP = app(
    "prod-sg",
    SG,
    present("call", CALL),
    token_present("LIVE_TOKEN", enabled=False),
    absent("conference"),
    secret_key_env="KEY_SG",
)
US_APP = app("staging-us", US, present("call", CALL), region="usa")


def test_resolved_targets_and_resources() -> None:
    env = {"KEY_SG": KEY, "TRTC_SECRET_KEY": "global", "LIVE_TOKEN": TOKEN}
    sg, us = resolve_apps([SG_APP, US_APP], env)
    assert sg.app is SG_APP
    assert (sg.target.sdkappid, sg.target.region, sg.target.identifier) == (
        SG,
        "singapore",
        "administrator",
    )
    assert sg.target.secret_key == Secret(KEY)
    assert us.target.secret_key == Secret("global")
    assert us.target.region == "usa"
    assert sg.resources == (
        DesiredResource(Resource("prod-sg", SG, "call"), CALL),
        DesiredResource(Resource("prod-sg", SG, "conference"), None),
        DesiredResource(Resource("prod-sg", SG, "live_token"), tok(TOKEN, enabled=False)),
    )


def test_key_lookup_order() -> None:
    env = {"KEY_SG": "named", f"TRTC_SECRET_KEY_{SG}": "per-app", "TRTC_SECRET_KEY": "global"}
    env_token = {"LIVE_TOKEN": TOKEN}
    (sg,) = resolve_apps([SG_APP], {**env, **env_token})
    assert sg.target.secret_key.reveal() == "named"
    assert sg.target.key_source == "KEY_SG"
    del env["KEY_SG"]  # named but unset: an error, never the per-app or global key
    with pytest.raises(CredentialsError, match="secret_key_env names KEY_SG, but KEY_SG is"):
        resolve_apps([SG_APP], {**env, **env_token})
    (us,) = resolve_apps([US_APP], env)
    assert us.target.secret_key.reveal() == "global"
    assert us.target.key_source == "TRTC_SECRET_KEY"


def test_seed_keys_take_precedence_over_env() -> None:
    env = {"KEY_SG": KEY, "LIVE_TOKEN": TOKEN}
    sg, us = resolve_apps([SG_APP, US_APP], env, secret_keys={SG: "seed-sg", US: "seed-us"})
    assert sg.target.secret_key.reveal() == "seed-sg"
    assert us.target.secret_key.reveal() == "seed-us"


def test_seed_keys_only_cover_their_apps() -> None:
    with pytest.raises(CredentialsError, match="staging-us"):
        resolve_apps([SG_APP, US_APP], {"LIVE_TOKEN": TOKEN}, secret_keys={SG: "seed-sg"})


def test_all_missing_keys_reported_at_once_and_tokens_fail_alone() -> None:
    third = app("third", 1400000003, token_present("THIRD_TOKEN"))
    env = {"KEY_SG": KEY, f"TRTC_SECRET_KEY_{1400000003}": "k3"}
    with pytest.raises(CredentialsError) as caught:
        resolve_apps([SG_APP, US_APP, third], env)
    (line,) = str(caught.value).splitlines()  # a missing secret key refuses the run
    assert "no secret key for app 'staging-us' (sdkappid 1400000002" in line
    assert "TRTC_SECRET_KEY_1400000002, TRTC_SECRET_KEY" in line
    # issue 12: an unset token variable fails only that app's live_token
    sg, third_app = resolve_apps([SG_APP, third], env)
    assert [r.resource.product for r in sg.resources] == ["call", "conference"]
    (skipped,) = sg.skipped
    assert skipped.resource == Resource("prod-sg", SG, "live_token")
    assert "LIVE_TOKEN, which is not set" in skipped.error
    assert third_app.resources == ()
    assert "THIRD_TOKEN, which is not set" in third_app.skipped[0].error


def test_missing_key_refuses_even_when_a_token_is_missing_too() -> None:
    with pytest.raises(CredentialsError) as caught:
        resolve_apps([SG_APP], {})
    assert "KEY_SG" in str(caught.value)


def test_products_filter_skips_unwanted_tokens() -> None:
    (sg,) = resolve_apps([SG_APP], {"KEY_SG": KEY}, products=frozenset({"call", "conference"}))
    assert [r.resource.product for r in sg.resources] == ["call", "conference"]


def test_bad_token_is_reported_without_its_value() -> None:
    long = "x" * 129
    (sg,) = resolve_apps([SG_APP], {"KEY_SG": KEY, "LIVE_TOKEN": long})
    (skipped,) = sg.skipped
    assert "longer than 128" in skipped.error
    assert long not in skipped.error
