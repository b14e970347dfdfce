"""Keyed fingerprints of a resource's state (saved plans)."""

from __future__ import annotations

import re

from reconciler.plan.fingerprint import fingerprint, same_fingerprint
from reconciler.secret import Secret
from tests.plan.factories import KEY, SG, US, cb, tok

K = Secret(KEY)
CFG = cb("https://hooks.example.com/cb", "Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall")
SECRET_TOKEN = "tok-NOT-hex-zzz-secret"


def test_format_is_tagged_hex_sha256() -> None:
    fp = fingerprint(K, SG, "call", CFG)
    assert re.fullmatch(r"hmac-sha256:[0-9a-f]{64}", fp)


def test_stable_for_equal_states_and_event_order() -> None:
    again = cb(
        "https://hooks.example.com/cb", "Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"
    )
    assert fingerprint(K, SG, "call", CFG) == fingerprint(Secret(KEY), SG, "call", again)
    assert fingerprint(K, SG, "live_token", tok("a")) == fingerprint(K, SG, "live_token", tok("a"))
    assert fingerprint(K, SG, "call", None) == fingerprint(K, SG, "call", None)


def test_keyed_a_different_key_gives_a_different_fingerprint() -> None:
    assert fingerprint(K, SG, "call", CFG) != fingerprint(Secret(KEY + "x"), SG, "call", CFG)
    assert fingerprint(K, SG, "call", None) != fingerprint(Secret("other"), SG, "call", None)


def test_binds_sdkappid_and_product() -> None:
    base = fingerprint(K, SG, "call", CFG)
    assert fingerprint(K, US, "call", CFG) != base
    assert fingerprint(K, SG, "live", CFG) != base
    assert fingerprint(K, SG, "call", None) != fingerprint(K, SG, "live", None)


def test_binds_the_state() -> None:
    base = fingerprint(K, SG, "call", CFG)
    assert fingerprint(K, SG, "call", cb(CFG.url, "Call.CallbackAfterEndCall")) != base
    assert fingerprint(K, SG, "call", cb("https://other.example/cb", *CFG.events)) != base
    assert fingerprint(K, SG, "call", None) != base


def test_token_value_and_enabled_change_it() -> None:
    base = fingerprint(K, SG, "live_token", tok("token-one"))
    assert fingerprint(K, SG, "live_token", tok("token-two")) != base
    assert fingerprint(K, SG, "live_token", tok("token-one", enabled=False)) != base


def test_no_secret_in_the_output() -> None:
    fp = fingerprint(K, SG, "live_token", tok(SECRET_TOKEN))
    assert SECRET_TOKEN not in fp
    assert KEY not in fp
    assert "NOT" not in fp and "zzz" not in fp


def test_same_fingerprint() -> None:
    a = fingerprint(K, SG, "call", CFG)
    assert same_fingerprint(a, str(a))
    assert not same_fingerprint(a, fingerprint(K, US, "call", CFG))
    assert not same_fingerprint(a, "")
