"""URL and event rules, on their own."""

from __future__ import annotations

import pytest

from reconciler.desired.checks import check_events, check_url
from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.models import CallbackPresent
from reconciler.desired.yamlsource import parse_yaml
from reconciler.errors import Location
from reconciler.products.vocabulary import LIVE_EVENTS

HERE = Location("a.yaml", 1, 6)


def url_report(url: str) -> tuple[list[str], list[str]]:
    diagnostics = Diagnostics()
    check_url(url, HERE, diagnostics)
    return [e.message for e in diagnostics.errors], [w.message for w in diagnostics.warnings]


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/trtc/call",
        "https://hooks.example.com:8443/cb?app=1",
        "https://[2001:db8::1]/cb",
        "https://127.0.0.1/cb",
    ],
)
def test_good_urls(url: str) -> None:
    assert url_report(url) == ([], [])


def test_http_is_allowed_with_a_warning() -> None:
    assert url_report("http://hooks.example.com/cb") == (
        [],
        ["`url` uses http://: callbacks are sent in clear text; use https://"],
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("hooks.example.com/cb", "`url` must start with https:// (or http://)"),
        ("", "`url` must start with https:// (or http://)"),
        ("https://", "`url` has no host"),
        ("https://[::1/cb", "`url` is not a valid URL"),
        ("https://h.example.com:0/cb", "`url` has an invalid port"),
        ("https://h.example.com/a\tb", "`url` must not contain spaces"),
        ("Http://h.example.com/", "write the scheme of `url` in lower case"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    errors, warnings = url_report(url)
    assert len(errors) == 1
    assert errors[0].startswith(message)
    assert warnings == []


def test_events_rules_in_a_product_file() -> None:
    doc = parse_yaml("url: https://h/\nevents: [a, Live.CallbackAfterCreateRoom, a]\n", "live.yaml")
    spec = CallbackPresent.model_validate(doc.data)
    diagnostics = Diagnostics()
    check_events(spec, "live", doc, ("events",), lenient=False, diagnostics=diagnostics)
    assert [str(e) for e in diagnostics.errors] == [
        "live.yaml:2:10: unknown event 'a' for product live; known events: "
        + ", ".join(sorted(LIVE_EVENTS))
        + " (set `lenient: true` to pass new Tencent words through)",
        "live.yaml:2:43: event 'a' is listed twice (first on line 2, column 10): remove this one",
    ]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Hooks.Example.com/trtc/call", "hooks.example.com"),
        ("https://h", "h"),
        ("https://h.example.com?x=1#f", "h.example.com"),
        ("https://h:8443/cb", None),  # a port: the full check
        ("https://user@h/cb", None),
        ("https://[2001:db8::1]/cb", None),
        ("http://h/cb", None),  # a warning to give
        ("HTTPS://h/cb", None),  # an error to give
        ("https://h/a b", None),
        ("https:///cb", None),
    ],
)
def test_the_plain_https_fast_path(url: str, host: str | None) -> None:
    from urllib.parse import urlsplit

    from reconciler.desired.checks import https_host

    assert https_host(url) == host
    if host is not None:  # the full check has nothing to say about it, and finds that host
        assert url_report(url) == ([], [])
        assert urlsplit(url).hostname == host
