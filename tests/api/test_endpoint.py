from __future__ import annotations

import pytest

from reconciler.api.endpoint import Endpoints, check_endpoint
from reconciler.errors import EndpointError
from reconciler.facts.families import Family
from reconciler.loopback import is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.5.5.5", "[::1]"])
def test_loopback(host: str) -> None:
    assert is_loopback(host)
    assert check_endpoint(f"http://{host}:8080/") == f"http://{host}:8080"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104
        ("::", False),
        ("192.168.1.10", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1", "http://example.com", "ftp://127.0.0.1", "not a url", "https://x?q=1"],
)
def test_refused(url: str) -> None:
    with pytest.raises(EndpointError):
        check_endpoint(url)


def test_https_anywhere_allowed() -> None:
    assert check_endpoint("https://proxy.example.com") == "https://proxy.example.com"


def test_unknown_region_is_a_clear_error() -> None:
    with pytest.raises(EndpointError, match="unknown region 'mars'; use one of: china"):
        Endpoints().base_url("mars", Family.V4)


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_port_out_of_range_is_refused(port: str) -> None:
    with pytest.raises(EndpointError) as caught:
        check_endpoint(f"http://127.0.0.1:{port}")
    assert str(caught.value) == (
        f"endpoint 'http://127.0.0.1:{port}' has port {port}: use a port from 1 to 65535"
    )
    assert check_endpoint("http://127.0.0.1:65535") == "http://127.0.0.1:65535"
