"""The one credential source: environment order, seed-then-environment, test mapping."""

from __future__ import annotations

import pytest

from reconciler.credentials import (
    EnvironmentCredentials,
    MappingCredentials,
    SeededCredentials,
    credential_source,
)
from reconciler.errors import CredentialsError

ID = 1400000001


def key(source: object, secret_key_env: str | None = None) -> str:
    assert hasattr(source, "secret_key")
    return str(source.secret_key(ID, secret_key_env, subject="app 'a'").reveal())


def test_environment_order() -> None:
    env = {"MINE": "k1", f"TRTC_SECRET_KEY_{ID}": "k2", "TRTC_SECRET_KEY": "k3"}
    assert key(EnvironmentCredentials(env), "MINE") == "k1"
    assert key(EnvironmentCredentials(env)) == "k2"
    assert key(EnvironmentCredentials({"TRTC_SECRET_KEY": "k3"})) == "k3"


def test_an_unset_secret_key_env_is_an_error_not_a_fallback() -> None:
    with pytest.raises(CredentialsError) as caught:
        key(EnvironmentCredentials({"TRTC_SECRET_KEY": "k3"}), "MINE")
    text = str(caught.value)
    assert text.startswith("no secret key for app 'a': secret_key_env names MINE, but MINE ")
    assert "is not set" in text and "k3" not in text


def test_environment_missing_key_names_every_variable_and_no_value() -> None:
    with pytest.raises(CredentialsError) as caught:
        key(EnvironmentCredentials({f"TRTC_SECRET_KEY_{ID}": "", "OTHER": "zz-value"}))
    text = str(caught.value)
    assert text.startswith("no secret key for app 'a': set one of the environment variables ")
    assert f"TRTC_SECRET_KEY_{ID}, TRTC_SECRET_KEY (TRTC_SECRET_KEY_{ID} is set but empty)" in text
    assert "zz-value" not in text
    with pytest.raises(CredentialsError, match="MINE is set but empty"):
        key(EnvironmentCredentials({"MINE": "", "TRTC_SECRET_KEY": "k3"}), "MINE")


def test_tokens_from_the_environment() -> None:
    source = EnvironmentCredentials({"TOK": "t" * 5})
    assert source.token("TOK", where="live_token of app 'a'").reveal() == "ttttt"
    with pytest.raises(CredentialsError, match="TOK2, which is not set"):
        source.token("TOK2", where="x")
    with pytest.raises(CredentialsError, match="longer than 128"):
        EnvironmentCredentials({"T": "x" * 129}).token("T", where="x")


def test_seed_keys_first_then_the_fallback() -> None:
    env = {"TRTC_SECRET_KEY": "from-env", "TOK": "tok"}
    source = SeededCredentials({ID: "from-seed"}, EnvironmentCredentials(env))
    assert key(source) == "from-seed"
    assert source.secret_key(7, None, subject="other").reveal() == "from-env"
    assert source.token("TOK", where="x").reveal() == "tok"
    assert key(credential_source(env, {ID: "from-seed"})) == "from-seed"
    assert key(credential_source(env)) == "from-env"


def test_mapping_is_a_test_double_with_the_same_errors() -> None:
    source = MappingCredentials({ID: "k"}, {"TOK": "tok"})
    assert key(source) == "k"
    assert source.token("TOK", where="x").reveal() == "tok"
    with pytest.raises(CredentialsError, match="no secret key for app 'b'"):
        source.secret_key(2, None, subject="app 'b'")
    with pytest.raises(CredentialsError, match="NOPE, which is not set"):
        source.token("NOPE", where="x")
