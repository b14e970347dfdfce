"""Where requests go: the real regional hosts, or one ``--endpoint`` base URL."""

from __future__ import annotations

import httpx

from reconciler.errors import EndpointError
from reconciler.facts.families import Family
from reconciler.facts.regions import REGIONS, host_for
from reconciler.loopback import is_loopback


def check_endpoint(url: str) -> str:
    """Validate an ``--endpoint`` / ``TRTC_ENDPOINT`` base URL and return it normalised."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise EndpointError(f"endpoint {url!r} is not a valid URL: {exc}") from None
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise EndpointError(
            f"endpoint {url!r} must be an http(s) URL with a host, e.g. https://proxy.example.com"
        )
    if parsed.scheme == "http" and not is_loopback(parsed.host):
        raise EndpointError(
            f"endpoint {url!r} uses plain http to a non-loopback host; UserSigs would travel in "
            "clear text. Use https://, or http:// only to 127.0.0.1/localhost (the emulator)"
        )
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise EndpointError(f"endpoint {url!r} has port {parsed.port}: use a port from 1 to 65535")
    if parsed.query or parsed.fragment:
        raise EndpointError(f"endpoint {url!r} must not carry a query or fragment")
    return url.rstrip("/")


class Endpoints:
    """Base URL per (region, family). An override sends everything to one base URL."""

    def __init__(self, override: str | None = None) -> None:
        self.override = check_endpoint(override) if override else None

    def base_url(self, region: str, family: Family) -> str:
        if self.override is not None:
            return self.override
        if region not in REGIONS:
            raise EndpointError(f"unknown region {region!r}; use one of: {', '.join(REGIONS)}")
        return f"https://{host_for(region, family)}"
