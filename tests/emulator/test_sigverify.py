"""Our UserSig verifier against Tencent's official signer (tls-sig-api-v2)."""

from __future__ import annotations

import base64
import time
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from TLSSigAPIv2 import TLSSigAPIv2

from reconciler.emulator.sigverify import SigError, verify_usersig

from .helpers import APP, APP_KEY, OTHER, OTHER_KEY, decode_sig, encode_sig

NOW = time.time()


def official(sdkappid: int = APP, key: str = APP_KEY, identifier: str = "administrator") -> str:
    return str(TLSSigAPIv2(sdkappid, key).gen_sig(identifier, 86400))


def verify(sig: str, *, identifier: str = "administrator", now: float = NOW) -> None:
    verify_usersig(sig, sdkappid=APP, identifier=identifier, secret_key=APP_KEY, now=now)


def code_of(sig: str, **kwargs: object) -> int:
    with pytest.raises(SigError) as caught:
        verify(sig, **kwargs)  # type: ignore[arg-type]
    if len(sig) > 8:
        assert sig not in str(caught.value)
    return caught.value.code


def test_official_sig_is_accepted() -> None:
    verify(official())


def test_sig_with_unicode_identifier_is_accepted() -> None:
    verify(official(identifier="管理员"), identifier="管理员")


def test_sig_is_accepted_until_the_last_second() -> None:
    sig = official()
    document = decode_sig(sig)
    verify(sig, now=document["TLS.time"] + document["TLS.expire"])


def test_expired_sig_is_70001() -> None:
    assert code_of(official(), now=NOW + 2 * 86400) == 70001


def test_other_apps_sig_is_70014() -> None:
    assert code_of(official(OTHER, OTHER_KEY)) == 70014


def test_other_identifier_is_70013() -> None:
    assert code_of(official(identifier="someone-else")) == 70013


def test_wrong_key_is_70009() -> None:
    assert code_of(official(key="not-the-key")) == 70009


def test_tampered_expiry_is_70009() -> None:
    document = decode_sig(official())
    document["TLS.expire"] = 10 * 365 * 86400
    assert code_of(encode_sig(document)) == 70009


def test_sig_with_userbuf_is_refused() -> None:
    sig = TLSSigAPIv2(APP, APP_KEY).gen_sig_with_userbuf("administrator", 86400, b"room")
    assert code_of(sig) == 70009


def _deflated(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data)).decode().translate(str.maketrans("+/=", "*-_"))


_SIG = official()

GARBLED = {
    "empty": "",
    "not base64": "!!not*base64!!",
    "truncated": official()[:-12],
    "one character dropped": _SIG[:20] + _SIG[21:],
    "not zlib": base64.b64encode(b"plain bytes, not zlib").decode(),
    "trailing garbage": official() + "AAAA",
    "not json": _deflated(b"TLS.sig=abc"),
    "not utf-8": _deflated(b"\xff\xfe\x00"),
    "json array": encode_sig(["TLS.sig"]),
    "missing sig": encode_sig(
        {"TLS.identifier": "administrator", "TLS.sdkappid": APP, "TLS.time": 1, "TLS.expire": 9}
    ),
    "sdkappid as string": encode_sig(
        {**decode_sig(official()), "TLS.sdkappid": str(APP)},
    ),
    "time as bool": encode_sig({**decode_sig(official()), "TLS.time": True}),
    "userbuf not a string": encode_sig({**decode_sig(official()), "TLS.userbuf": 1}),
    "too long": "A" * 10000,
}


@pytest.mark.parametrize("sig", GARBLED.values(), ids=GARBLED.keys())
def test_garbled_sig_is_70003(sig: str) -> None:
    assert code_of(sig) == 70003


def test_zlib_bomb_is_70003() -> None:
    bomb = base64.b64encode(zlib.compress(b"{" + b" " * 5_000_000)).decode()
    assert len(bomb) < 8192
    assert code_of(bomb.translate(str.maketrans("+/=", "*-_"))) == 70003


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_string_is_accepted_or_refused_with_a_sig_code(sig: str) -> None:
    with pytest.raises(SigError) as caught:
        verify(sig)
    assert caught.value.code in {70001, 70003, 70009, 70013, 70014}


def test_a_sig_seen_before_is_still_checked_against_the_clock() -> None:
    sig = official()
    verify(sig)  # remembered now
    assert code_of(sig, now=NOW + 2 * 86400) == 70001
    verify(sig)
    assert code_of(sig, identifier="someone-else") == 70013


def test_an_expired_sig_with_a_bad_signature_is_expired_first_every_time() -> None:
    fields = decode_sig(official(key=OTHER_KEY))
    sig = encode_sig(fields)
    for _ in range(2):  # the second answer comes from what the first remembered
        assert code_of(sig) == 70009
        assert code_of(sig, now=NOW + 2 * 86400) == 70001
