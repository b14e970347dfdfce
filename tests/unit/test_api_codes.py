"""What Tencent's codes mean: transient or final, and the hint per API family."""

from __future__ import annotations

import pytest

from reconciler.facts.codes import (
    ALREADY_EXISTS,
    FREQUENCY_LIMIT_CODES,
    NO_GROUP_CALL_PACKAGE,
    NOT_FOUND,
    TOKEN_NOT_FOUND,
    TRANSIENT_CODES,
    USERSIG_EXPIRED,
    V1_NOT_FOUND,
    hint_for,
    is_transient,
)
from reconciler.facts.families import Family


def test_documented_private_codes() -> None:
    assert (ALREADY_EXISTS, NOT_FOUND, TOKEN_NOT_FOUND, V1_NOT_FOUND) == (
        100300,
        100301,
        100302,
        999,
    )
    assert USERSIG_EXPIRED == 70001
    assert NO_GROUP_CALL_PACKAGE == 50001


@pytest.mark.parametrize(
    "code", [100001, 60007, 60008, 60011, 60013, 60014, 60018, 60019, 70169, 70500]
)
def test_transient_codes(code: int) -> None:
    assert is_transient(code)


@pytest.mark.parametrize(
    "code",
    [
        0,
        100002,
        100300,
        100301,
        100302,
        999,
        50001,
        70001,
        70009,
        60006,
        60010,
        60020,
        60026,
        60028,
    ],
)
def test_final_codes(code: int) -> None:
    assert not is_transient(code)


def test_frequency_limits_are_transient() -> None:
    assert {60007, 60011, 60018, 60019} == FREQUENCY_LIMIT_CODES
    assert FREQUENCY_LIMIT_CODES <= TRANSIENT_CODES


def test_70001_means_a_bad_address_on_v1() -> None:
    assert hint_for(Family.V1, 70001) == "the callback address must start with http:// or https://"


def test_70001_means_an_expired_usersig_on_v4() -> None:
    hint = hint_for(Family.V4, 70001)
    assert "UserSig expired" in hint and "clock" in hint
    assert "address" not in hint


@pytest.mark.parametrize("family", list(Family))
@pytest.mark.parametrize("code", sorted(FREQUENCY_LIMIT_CODES))
def test_rate_limit_hint(family: Family, code: int) -> None:
    assert "--parallelism" in hint_for(family, code)


@pytest.mark.parametrize("code", [100001, 60008, 70169, 70500])
def test_other_transient_hint(code: int) -> None:
    assert hint_for(Family.V4, code) == (
        "a transient Tencent fault persisted through all retries: retry later"
    )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (60006, "`sdkappid:`"),
        (60010, "`identifier:`"),
        (60026, "`region:`"),
        (70009, "secret key"),
        (70016, "`region:`"),
        (70020, "`sdkappid:` and `region:`"),
        (70107, "`identifier:`"),
        (100002, "unknown event word, or a bad URL"),
        (50001, "Group Call package"),
    ],
)
def test_config_hints_point_at_the_field_to_fix(code: int, words: str) -> None:
    assert words in hint_for(Family.V4, code)
    assert hint_for(Family.V1, code) == hint_for(Family.V4, code)


@pytest.mark.parametrize("code", [0, 1, 999, 100300, 100301, 100302, 123456])
def test_no_hint_for_codes_handled_elsewhere_or_unknown(code: int) -> None:
    assert hint_for(Family.V4, code) == ""
    assert hint_for(Family.V1, code) == ""
