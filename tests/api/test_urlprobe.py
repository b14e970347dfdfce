"""``reconciler.api.urlprobe``: each outcome against real loopback servers."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
import trustme

from reconciler.api.urlprobe import Reach, probe_urls, system_resolver
from tests.https_servers import (
    closed_port_url,
    https_receiver,
    loopback_resolver,
    silent_listener,
)


@pytest.fixture
def trusted_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> trustme.CA:
    """A CA the system trust store holds for this test (SSL_CERT_FILE)."""
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    return ca


def test_trusted_untrusted_closed_unresolvable_and_hung_each_have_their_outcome(
    trusted_ca: trustme.CA,
) -> None:
    seen: list[str] = []
    with (
        https_receiver(trusted_ca, status=405) as good,
        https_receiver(trustme.CA()) as untrusted,
        silent_listener() as hung,
    ):
        closed = closed_port_url()
        unresolvable = "https://hooks.example.invalid/cb"
        urls = [good.url, untrusted.url, closed, unresolvable, good.url]
        # a generous deadline for those that answer (a loaded runner is slow to shake
        # hands); the one that never answers gets a short one of its own
        found = dict(
            asyncio.run(
                probe_urls(urls, timeout=30.0, parallel=2, resolver=loopback_resolver(seen))
            )
        )
        found.update(asyncio.run(probe_urls([hung], timeout=0.5, resolver=loopback_resolver(seen))))
    assert found[good.url].reach is Reach.REACHABLE and found[good.url].status == 405
    assert found[untrusted.url].reach is Reach.CERTIFICATE
    assert "certificate" in found[untrusted.url].detail.lower()
    assert found[closed].reach is Reach.REFUSED
    assert found[unresolvable].reach is Reach.UNRESOLVABLE
    assert "never resolves" in found[unresolvable].detail  # refused before any query
    assert found[hung].reach is Reach.TIMED_OUT
    # each URL once; one HEAD with no body and nothing that looks like an event
    assert len(found) == 5 and seen.count("127.0.0.1") == 4
    (request,) = good.requests
    assert request.method == "HEAD" and request.body == b""
    assert "content-length" not in {k.lower() for k in request.headers}
    assert untrusted.requests == []  # the handshake failed: nothing was sent


def test_a_url_httpx_cannot_send_to_is_a_probe_error_not_a_traceback() -> None:
    seen: list[str] = []
    url = "https://1.2.3.999/cb"  # WHATWG and urllib read no host mismatch; httpx refuses
    found = asyncio.run(probe_urls([url], timeout=1.0, resolver=loopback_resolver(seen)))
    assert found[url].reach is Reach.ERROR
    assert "not a URL httpx can send to" in found[url].detail
    assert seen == []  # nothing resolved, nothing sent


def test_an_invalid_name_never_reaches_a_resolver() -> None:
    with pytest.raises(socket.gaierror):
        asyncio.run(system_resolver("hooks.example.invalid", 443))
    with pytest.raises(socket.gaierror):
        asyncio.run(system_resolver("HOOKS.INVALID.", 443))


def test_at_most_parallel_urls_are_in_flight() -> None:
    in_flight, most = 0, 0

    async def slow_unresolvable(host: str, port: int) -> object:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        for _ in range(5):
            await asyncio.sleep(0)  # let every other probe start, if it may
        in_flight -= 1
        raise socket.gaierror(socket.EAI_NONAME, "not resolved in tests")

    urls = [f"https://h{i}.example.invalid/cb" for i in range(7)]
    found = asyncio.run(probe_urls(urls, parallel=3, resolver=slow_unresolvable))
    assert most == 3
    assert {p.reach for p in found.values()} == {Reach.UNRESOLVABLE}
