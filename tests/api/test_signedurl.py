"""Request URLs built from parts prepared once equal the URLs httpx parses from text."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from reconciler.api.signedurl import SignedUrls
from reconciler.secret import Secret

SIG = Secret("eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvy*" + "x" * 120)


@pytest.mark.parametrize(
    "base",
    [
        "https://adminapisgp.im.qcloud.com",
        "http://127.0.0.1:8080",
        "http://[::1]:9000/prefix",
        "https://proxy.example/a b/é",  # a path httpx must percent-encode
    ],
)
def test_the_url_is_the_one_httpx_encodes(base: str) -> None:
    url = SignedUrls().url(base, "v4/call_config/get_callback", 1400000001, "admin 1", SIG, 42)
    text = (
        f"{base}/v4/call_config/get_callback?sdkappid=1400000001&identifier=admin+1"
        f"&usersig={SIG.reveal().replace('*', '%2A')}&random=42&contenttype=json"
    )
    parsed = httpx.URL(text)
    assert url == str(parsed)  # sent as it is: already encoded exactly as httpx does
    assert httpx.URL(url) == parsed
    query = parse_qs(httpx.URL(url).query.decode())
    assert query["usersig"] == [SIG.reveal()]
    assert query["identifier"] == ["admin 1"]
    assert query["random"] == ["42"]


def test_only_random_changes_between_requests_of_an_app() -> None:
    urls = SignedUrls()
    first = urls.url("https://h.example", "v1/callback/get", 1, "administrator", SIG, 1)
    second = urls.url("https://h.example", "v1/callback/get", 1, "administrator", SIG, 2)
    assert first.replace("random=1&", "random=2&") == second
    assert first != second


def test_a_renewed_usersig_is_encoded_again() -> None:
    urls = SignedUrls()
    urls.url("https://h.example", "p", 1, "administrator", SIG, 1)
    renewed = Secret("renewed-sig")
    url = urls.url("https://h.example", "p", 1, "administrator", renewed, 1)
    assert httpx.URL(url).params["usersig"] == "renewed-sig"
