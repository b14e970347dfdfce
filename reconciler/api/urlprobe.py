"""``plan --check-urls``: can each callback URL be reached before Tencent is told to use it?

For each URL: resolve its host, connect, complete TLS against the system trust store
(OpenSSL's default paths, so ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are honoured), and
send one ``HEAD`` request: no body, no event, nothing a receiver could take for a
callback. Any HTTP answer means reachable (its status is reported: a receiver may
well answer ``405`` to ``HEAD``). No proxy from the environment is used: the check is
about the way Tencent's servers take, directly to the host.

Bounded: one deadline per URL (resolution included), at most ``parallel`` URLs in
flight, each distinct URL probed once. Names under ``.invalid`` (RFC 6761) are never
sent to a resolver: they cannot resolve.
"""

from __future__ import annotations

import asyncio
import enum
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

import httpx

from reconciler import __version__

Resolver = Callable[[str, int], Awaitable[object]]
"""Resolves (host, port), raising :class:`OSError` (e.g. ``socket.gaierror``) when the
name does not resolve. Tests inject one so that no query leaves the machine."""

DEFAULT_TIMEOUT = 5.0
DEFAULT_PARALLEL = 8
_REASON_LIMIT = 200


class Reach(str, enum.Enum):
    REACHABLE = "reachable"
    UNRESOLVABLE = "unresolvable"
    REFUSED = "refused"
    TIMED_OUT = "timed_out"
    CERTIFICATE = "certificate"
    ERROR = "error"  # any other failure: TLS handshake, reset, not HTTP


@dataclass(frozen=True)
class Probe:
    """What probing one URL found: ``status`` when reachable, ``detail`` otherwise."""

    url: str
    reach: Reach
    status: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.reach is Reach.REACHABLE


async def system_resolver(host: str, port: int) -> object:
    """The system resolver (``getaddrinfo``), except that ``.invalid`` names fail here."""
    if host.rstrip(".").lower().endswith(".invalid") or host.lower() == "invalid":
        raise socket.gaierror(socket.EAI_NONAME, "a name under .invalid never resolves")
    return await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _causes(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REASON_LIMIT else text[:_REASON_LIMIT] + "…"


def classify(url: str, exc: BaseException) -> Probe:
    """The :class:`Probe` for a failed request, from httpx's error and its causes."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or cause.reason or str(cause)
            return Probe(url, Reach.CERTIFICATE, detail=_short(str(reason)))
        if isinstance(cause, socket.gaierror):
            return Probe(url, Reach.UNRESOLVABLE, detail=_short(cause.strerror or str(cause)))
        if isinstance(cause, ConnectionRefusedError):
            return Probe(url, Reach.REFUSED, detail="connection refused")
        if isinstance(cause, (httpx.TimeoutException, asyncio.TimeoutError, TimeoutError)):
            return Probe(url, Reach.TIMED_OUT, detail="no answer within the deadline")
        if isinstance(cause, ssl.SSLError):
            return Probe(url, Reach.ERROR, detail=_short(f"TLS: {cause.reason or cause}"))
    return Probe(url, Reach.ERROR, detail=_short(f"{type(exc).__name__}: {exc}"))


async def _probe(client: httpx.AsyncClient, url: str, resolver: Resolver) -> Probe:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:  # validated, but httpx reads some hosts otherwise
        return Probe(url, Reach.ERROR, detail=_short(f"not a URL httpx can send to: {exc}"))
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        await resolver(host, port)
    except OSError as exc:
        return classify(url, exc)
    try:
        response = await client.head(url)  # HEAD: no body, no event
    except (httpx.HTTPError, OSError, ssl.SSLError) as exc:
        return classify(url, exc)
    return Probe(url, Reach.REACHABLE, status=response.status_code)


async def probe_urls(
    urls: Iterable[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    parallel: int = DEFAULT_PARALLEL,
    resolver: Resolver = system_resolver,
    ssl_context: ssl.SSLContext | None = None,
) -> Mapping[str, Probe]:
    """Probe each distinct URL once, ``parallel`` at a time, ``timeout`` seconds each."""
    distinct = list(dict.fromkeys(urls))
    context = ssl_context or ssl.create_default_context()  # honours SSL_CERT_FILE
    gate = asyncio.Semaphore(max(1, parallel))
    headers = {"User-Agent": f"trtc-callback-reconciler/{__version__} (plan --check-urls)"}
    async with httpx.AsyncClient(
        verify=context,
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
        headers=headers,
    ) as client:

        async def one(url: str) -> Probe:
            async with gate:
                try:
                    return await asyncio.wait_for(_probe(client, url, resolver), timeout)
                except asyncio.TimeoutError as exc:
                    return classify(url, exc)

        found = await asyncio.gather(*(one(u) for u in distinct))
    return dict(zip(distinct, found, strict=True))
