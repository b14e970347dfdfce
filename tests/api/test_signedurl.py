"""Request URLs built from parts prepared once equal the URLs httpx parses from text."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from reconciler.api.signedurl import SignedUrls, with_query
from reconciler.secret import Secret

SIG = Secret("eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvy*" + "x" * 120)


@pytest.mark.parametrize(
    "base",
    ["https://adminapisgp.im.qcloud.com", "http://127.0.0.1:8080", "http://[::1]:9000/prefix"],
)
def test_the_url_equals_the_one_httpx_parses(base: str) -> None:
    url = SignedUrls().url(base, "v4/call_config/get_callback", 1400000001, "admin 1", SIG, 42)
    text = (
        f"{base}/v4/call_config/get_callback?sdkappid=1400000001&identifier=admin+1"
        f"&usersig={SIG.reveal().replace('*', '%2A')}&random=42&contenttype=json"
    )
    parsed = httpx.URL(text)
    assert url == parsed
    assert str(url) == str(parsed)
    assert url.raw_path == parsed.raw_path
    assert (url.host, url.port, url.path) == (parsed.host, parsed.port, parsed.path)
    query = parse_qs(url.query.decode())
    assert query["usersig"] == [SIG.reveal()]
    assert query["identifier"] == ["admin 1"]


def test_only_random_changes_between_requests_of_an_app() -> None:
    urls = SignedUrls()
    first = urls.url("https://h.example", "v1/callback/get", 1, "administrator", SIG, 1)
    second = urls.url("https://h.example", "v1/callback/get", 1, "administrator", SIG, 2)
    assert str(first).replace("random=1&", "random=2&") == str(second)


def test_a_renewed_usersig_is_encoded_again() -> None:
    urls = SignedUrls()
    urls.url("https://h.example", "p", 1, "administrator", SIG, 1)
    renewed = Secret("renewed-sig")
    url = urls.url("https://h.example", "p", 1, "administrator", renewed, 1)
    assert url.params["usersig"] == "renewed-sig"


def test_with_query_leaves_the_template_alone() -> None:
    template = httpx.URL("https://h.example/a/b")
    url = with_query(template, "x=1")
    assert str(url) == "https://h.example/a/b?x=1"
    assert str(template) == "https://h.example/a/b"
