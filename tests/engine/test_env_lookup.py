"""The environment lookups behind EnvironmentCredentials; no value ever in a message."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from reconciler.credentials import (
    EnvironmentCredentials,
    key_candidates,
    resolve_key,
    resolve_token_from_env,
)
from reconciler.desired import DesiredApp
from reconciler.errors import CredentialsError, Location
from reconciler.secret import Secret
from reconciler.secretsbundle import SecretsBundle

KEY = "k3y-value-must-not-leak"
WHERE = "live_token of app 'prod-sg' (apps/prod-sg.yaml:18:3)"


def make_app(secret_key_env: str | None = "TRTC_SECRET_KEY_PROD_SG") -> DesiredApp:  # noqa: S107
    return DesiredApp(
        name="prod-sg",
        sdkappid=1400000001,
        region="singapore",
        identifier="administrator",
        secret_key_env=secret_key_env,
        protect=False,
        lenient=False,
        location=Location("apps/prod-sg.yaml", 1, 1),
        products=MappingProxyType({}),
    )


def secret_key_candidates(app: DesiredApp) -> list[str]:
    return key_candidates(app.sdkappid, app.secret_key_env)


def resolve_secret_key(app: DesiredApp, env: dict[str, str]) -> Secret:
    subject = f"app {app.name!r} (sdkappid {app.sdkappid}, {app.location})"
    return resolve_key(secret_key_candidates(app), env, subject)


def resolve_token(env: dict[str, str]) -> Secret:
    return EnvironmentCredentials(env).token("LIVE_WEBHOOK_TOKEN", where=WHERE)


def test_candidates_in_order() -> None:
    # secret_key_env, when set, is the one variable: an unset one is an error, not a
    # silent fall back to another app's or the global key
    assert secret_key_candidates(make_app()) == ["TRTC_SECRET_KEY_PROD_SG"]
    assert secret_key_candidates(make_app(None)) == [
        "TRTC_SECRET_KEY_1400000001",
        "TRTC_SECRET_KEY",
    ]
    assert secret_key_candidates(make_app("TRTC_SECRET_KEY")) == ["TRTC_SECRET_KEY"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TRTC_SECRET_KEY_1400000001": "b", "TRTC_SECRET_KEY": "c"}, "b"),
        ({"TRTC_SECRET_KEY": "c"}, "c"),
        ({"TRTC_SECRET_KEY_1400000001": "", "TRTC_SECRET_KEY": "c"}, "c"),  # empty = not set
    ],
)
def test_first_non_empty_candidate_wins(env: dict[str, str], expected: str) -> None:
    secret = resolve_secret_key(make_app(None), env)
    assert isinstance(secret, Secret)
    assert secret.reveal() == expected
    named = {**env, "TRTC_SECRET_KEY_PROD_SG": "a"}
    assert resolve_secret_key(make_app(), named).reveal() == "a"


def test_missing_secret_key_names_app_file_and_every_variable() -> None:
    env = {"UNRELATED": KEY, "TRTC_SECRET_KEY_1400000001": ""}
    with pytest.raises(CredentialsError) as caught:
        resolve_secret_key(make_app(None), env)
    assert str(caught.value) == (
        "no secret key for app 'prod-sg' (sdkappid 1400000001, apps/prod-sg.yaml:1:1): "
        "set one of the environment variables TRTC_SECRET_KEY_1400000001, TRTC_SECRET_KEY "
        "(TRTC_SECRET_KEY_1400000001 is set but empty)"
    )
    assert KEY not in str(caught.value)


def test_unset_secret_key_env_is_named_at_its_line_without_falling_back() -> None:
    app = make_app()
    source = EnvironmentCredentials({"TRTC_SECRET_KEY": KEY}, SecretsBundle())
    with pytest.raises(CredentialsError) as caught:
        source.secret_key(
            app.sdkappid,
            app.secret_key_env,
            subject="app 'prod-sg' (sdkappid 1400000001)",
            declared_at=Location("apps/prod-sg.yaml", 5, 1),
        )
    assert str(caught.value) == (
        "apps/prod-sg.yaml:5:1: no secret key for app 'prod-sg' (sdkappid 1400000001): "
        "secret_key_env names TRTC_SECRET_KEY_PROD_SG, but TRTC_SECRET_KEY_PROD_SG is not "
        "set: set it to the app's secret key, or remove `secret_key_env:` to use "
        "TRTC_SECRET_KEY_<SDKAPPID> or TRTC_SECRET_KEY"
    )


def test_missing_secret_key_without_any_variable() -> None:
    with pytest.raises(CredentialsError) as caught:
        resolve_secret_key(make_app(None), {})
    assert str(caught.value) == (
        "no secret key for app 'prod-sg' (sdkappid 1400000001, apps/prod-sg.yaml:1:1): "
        "set one of the environment variables TRTC_SECRET_KEY_1400000001, TRTC_SECRET_KEY"
    )


def test_token_from_its_variable() -> None:
    secret = resolve_token({"LIVE_WEBHOOK_TOKEN": "t" * 128})
    assert secret.reveal() == "t" * 128
    assert str(secret) == "(sensitive)"
    assert resolve_token({"LIVE_WEBHOOK_TOKEN": "x"}).reveal() == "x"


def test_token_not_set() -> None:
    with pytest.raises(CredentialsError) as caught:
        resolve_token({"TRTC_SECRET_KEY": KEY})
    assert str(caught.value) == (
        "live_token of app 'prod-sg' (apps/prod-sg.yaml:18:3) reads its token from the "
        "environment variable LIVE_WEBHOOK_TOKEN, which is not set: "
        "export LIVE_WEBHOOK_TOKEN before running"
    )
    assert KEY not in str(caught.value)


def test_token_empty() -> None:
    with pytest.raises(CredentialsError) as caught:
        resolve_token({"LIVE_WEBHOOK_TOKEN": ""})
    assert str(caught.value) == (
        "live_token of app 'prod-sg' (apps/prod-sg.yaml:18:3) reads its token from the "
        "environment variable LIVE_WEBHOOK_TOKEN, which is empty: "
        "put the token (1-128 characters) in LIVE_WEBHOOK_TOKEN"
    )


def test_token_too_long_without_showing_it() -> None:
    token = "s3cret" * 22  # 132 characters
    with pytest.raises(CredentialsError) as caught:
        resolve_token({"LIVE_WEBHOOK_TOKEN": token})
    assert str(caught.value) == (
        "live_token of app 'prod-sg' (apps/prod-sg.yaml:18:3): the token in the environment "
        "variable LIVE_WEBHOOK_TOKEN is longer than 128 characters; Tencent accepts 1-128"
    )
    assert "s3cret" not in str(caught.value)


def test_key_from_env_for_callers_without_an_app() -> None:
    env = {"TRTC_SECRET_KEY_7": "seven", "TRTC_SECRET_KEY": "global"}
    source = EnvironmentCredentials(env)
    assert source.secret_key(7, None, subject="app 'x'").reveal() == "seven"
    mine = EnvironmentCredentials({"MINE": "m", **env})
    assert mine.secret_key(7, "MINE", subject="x").reveal() == "m"
    with pytest.raises(CredentialsError) as caught:
        EnvironmentCredentials({"OTHER": KEY}).secret_key(
            8, None, subject="app 'eu' in plan.json (sdkappid 8)"
        )
    assert str(caught.value) == (
        "no secret key for app 'eu' in plan.json (sdkappid 8): set one of the environment "
        "variables TRTC_SECRET_KEY_8, TRTC_SECRET_KEY"
    )


def test_token_from_env_for_callers_without_an_app() -> None:
    assert resolve_token_from_env("T", {"T": "tok"}, where="w").reveal() == "tok"
    with pytest.raises(CredentialsError) as caught:
        resolve_token_from_env("T", {"U": KEY}, where="prod/live_token")
    assert str(caught.value) == (
        "prod/live_token reads its token from the environment variable T, which is not set: "
        "export T before running"
    )
