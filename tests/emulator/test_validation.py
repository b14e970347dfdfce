"""The value checks shared by the seed loader and the API."""

from __future__ import annotations

import pytest

from reconciler.emulator.validation import (
    events_problem,
    first_duplicate,
    token_problem,
    url_problem,
    word_problem,
)
from reconciler.products.vocabulary import CALL_EVENTS


@pytest.mark.parametrize(
    "url", ["https://a.example.com/cb", "http://127.0.0.1:8080/x?y=1", "HTTPS://A.B"]
)
def test_good_urls(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (None, "non-empty string"),
        ("", "non-empty string"),
        (42, "non-empty string"),
        ("ftp://a.b/c", "must start with"),
        ("hooks.example.com/cb", "must start with"),
        ("https://", "no host"),
        ("http:///path", "no host"),
        ("https://a.b/c d", "spaces"),
        ("https://a.b/\x00", "control"),
        ("http://[::1/", "no host"),
    ],
)
def test_bad_urls(url: object, words: str) -> None:
    problem = url_problem(url)
    assert problem is not None and words in problem


def test_word_problem_suggests() -> None:
    assert word_problem("Call.CallbackAfterEndCall", CALL_EVENTS) is None
    assert word_problem("Call.CallbackAfterEndCal", CALL_EVENTS) == (
        "unknown command word 'Call.CallbackAfterEndCal' (did you mean 'Call.CallbackAfterEndCall'?)"
    )
    problem = word_problem("zzz", CALL_EVENTS, noun="action")
    assert problem is not None and problem.startswith("unknown action 'zzz'; known: ")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "non-empty list"),
        ([], "non-empty list"),
        ("Call.CallbackAfterEndCall", "non-empty list"),
        (["Call.CallbackAfterEndCall", 3], "only strings, found 3"),
        (["Call.CallbackAfterEndCall", "Nope"], "unknown command word 'Nope'"),
        (["Call.CallbackAfterEndCall"] * 2, "twice"),
    ],
)
def test_events_problem(value: object, words: str) -> None:
    problem = events_problem(value, CALL_EVENTS)
    assert problem is not None and words in problem


def test_first_duplicate() -> None:
    assert first_duplicate(["a", "b", "a", "b"]) == "a"
    assert first_duplicate(["a", "b"]) is None


@pytest.mark.parametrize(
    ("value", "ok"), [("t", True), ("x" * 128, True), ("", False), ("x" * 129, False), (5, False)]
)
def test_token_problem(value: object, ok: bool) -> None:
    assert (token_problem(value) is None) is ok
