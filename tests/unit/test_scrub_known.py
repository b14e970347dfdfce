"""Every secret the process knows is scrubbed from every text that leaves it."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.api.redact import ScrubSecretsFilter, scrub_known
from reconciler.cli.output import Output
from reconciler.configs import Resource, Unreadable
from reconciler.errors import ReconcilerError
from reconciler.plan.change import Plan
from reconciler.plan.document import plan_to_dict
from reconciler.secret import Secret, known_secrets, percent_encoded

LONG = "unit-known-secret/with+chars=&"
SHORT = "k3y"


@pytest.fixture(autouse=True)
def _secrets() -> None:
    Secret(LONG)
    Secret(SHORT)


def test_a_made_secret_is_known() -> None:
    _, values = known_secrets()
    assert {LONG, SHORT} <= values


@pytest.mark.parametrize(
    "text",
    [
        f"token {LONG} rejected",
        f"https://hooks.example.com/cb?t={quote(LONG, safe='')}",
        f'{{"url": "https://h/{LONG}"}}',
        f"key={SHORT}; again {SHORT}.",
    ],
)
def test_every_form_of_a_known_secret_is_replaced(text: str) -> None:
    cleaned = scrub_known(text)
    assert "(sensitive)" in cleaned
    assert LONG not in cleaned
    assert quote(LONG, safe="") not in cleaned
    assert f" {SHORT}" not in cleaned and f"={SHORT}" not in cleaned


def test_a_short_secret_inside_a_word_is_left_alone() -> None:
    # replacing it there would show where it is (`(sensitive)s` reveals the rest)
    assert scrub_known(f"{SHORT}s and a{SHORT}") == f"{SHORT}s and a{SHORT}"


def test_output_scrubs_errors_warnings_and_results(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output()
    out.error(ReconcilerError(f"read failed: ErrorInfo quotes {LONG}\n  and {SHORT}"))
    out.warn(f"live url https://h/?k={quote(LONG, safe='')}")
    out.info(f"info {LONG}")
    out.result(f'{{"before": {{"url": "https://h/{LONG}"}}}}')
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert LONG not in text
        assert quote(LONG, safe="") not in text
        assert f" {SHORT}" not in text
    assert captured.err.count("(sensitive)") == 4
    assert "(sensitive)" in captured.out


def test_log_records_are_scrubbed_by_the_handler_filter() -> None:
    record = logging.LogRecord(
        "reconciler.x", logging.WARNING, __file__, 1, "retrying %s: %s", ("read", LONG), None
    )
    assert ScrubSecretsFilter().filter(record) is True
    assert LONG not in record.getMessage()
    assert "(sensitive)" in record.getMessage()


def test_plan_documents_keep_no_known_secret_in_read_errors() -> None:
    """The JSON plan and the saved plan file hold the errors of unreadable resources."""
    plan = Plan((), errors=(Unreadable(Resource("a", 1, "live"), f"ErrorInfo quotes {LONG}"),))
    doc = json.dumps(plan_to_dict(plan))
    assert LONG not in doc
    assert "ErrorInfo quotes (sensitive)" in doc


def test_secrets_made_later_are_scrubbed_and_forgotten_ones_are_not() -> None:
    from reconciler.secret import forget_known_secrets

    assert scrub_known(f"a {LONG} b") == "a (sensitive) b"  # indexed now
    later = "a-later-secret-0123456789"
    assert scrub_known(f"x {later} y") == f"x {later} y"  # not known yet
    Secret(later)
    assert scrub_known(f"x {later} y {LONG}") == "x (sensitive) y (sensitive)"
    many = [Secret(f"fleet-key-{i:05d}-abcdefgh") for i in range(2000)]
    assert scrub_known(f"[{many[1234].reveal()}]") == "[(sensitive)]"
    forget_known_secrets()
    assert scrub_known(f"x {later} y") == f"x {later} y"


@settings(max_examples=200, deadline=None)
@given(
    secret=st.text(min_size=8, max_size=40).filter(lambda s: "(sensitive)" not in s),
    before=st.text(max_size=60),
    after=st.text(max_size=60),
)
def test_a_known_secret_of_any_characters_is_found_anywhere(
    secret: str, before: str, after: str
) -> None:
    """Prefixes are looked for only in runs of the characters known forms are made of:
    whatever a secret's characters (spaces, quotes, newlines, non-ASCII), it is one
    of those runs, wherever it stands."""
    Secret(secret)
    assert secret not in scrub_known(before + secret + after)


def test_a_secret_in_a_large_document_is_found() -> None:
    """A plan of thousands of apps: mostly punctuation and short words, a secret deep inside."""
    usersig = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM*Myi0uKEkvy" + "q" * 140
    Secret(usersig)
    rows = [{"app": f"app-{i}", "url": f"https://hooks.example.com/call/{i}"} for i in range(3000)]
    rows[2500]["url"] = f"https://h.example/cb?usersig={quote(usersig, safe='')}&x=1"
    rows[2600]["error"] = f'ErrorInfo: "{usersig}"'
    text = scrub_known(json.dumps(rows, indent=2))
    assert usersig not in text and quote(usersig, safe="") not in text
    assert text.count("(sensitive)") == 2
    assert json.loads(text)[2999]["url"] == "https://hooks.example.com/call/2999"


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40), plus=st.booleans())
def test_percent_encoding_is_urllibs(text: str, plus: bool) -> None:
    """The forms of a secret in a URL are what urllib writes, ASCII or not."""
    expected = quote_plus(text, safe="") if plus else quote(text, safe="")
    assert percent_encoded(text, plus=plus) == expected


def test_a_secret_encoded_with_plus_is_found() -> None:
    secret = "plus form of a secret*/="
    Secret(secret)
    text = scrub_known(f"body: token={quote_plus(secret)}; url=?t={quote(secret, safe='')}")
    assert text == "body: token=(sensitive); url=?t=(sensitive)"
