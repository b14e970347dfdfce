"""The one async HTTP client for Tencent's callback-configuration APIs.

It knows hosts, UserSigs, envelopes, retries, rate limits and concurrency; it
does not know products (see :mod:`reconciler.products`), which call
:meth:`TencentClient.call` with a path and a body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from reconciler import __version__
from reconciler.api.bounded import (
    ACCEPTED_ENCODINGS,
    MAX_ANSWER_BYTES,
    BoundedAnswer,
    BoundedPoster,
    send_bounded,
)
from reconciler.api.endpoint import Endpoints
from reconciler.api.envelope import Answer, parse_answer
from reconciler.api.limits import DEFAULT_RATES, RateLimits
from reconciler.api.redact import install_log_redaction, redact
from reconciler.api.requestids import note_request_id
from reconciler.api.retry import RetryPolicy
from reconciler.api.signedurl import SignedUrls
from reconciler.api.usersig import UserSigCache
from reconciler.errors import ApiError, ReconcilerError, TransportError
from reconciler.facts.codes import USERSIG_EXPIRED, key_hint
from reconciler.facts.families import Family
from reconciler.secret import Secret

log = logging.getLogger(__name__)

# Tencent's server-side timeout is 3 s: wait longer than that before giving up.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEFAULT_MAX_IN_FLIGHT = 32
HEADERS = (
    ("Content-Type", "application/json"),
    ("Accept-Encoding", ACCEPTED_ENCODINGS),
    ("User-Agent", f"trtc-callback-reconciler/{__version__}"),
)
READ_COMMANDS = frozenset({"get", "get_callback", "get_callback_token"})


class ReadOnlyViolation(ReconcilerError):
    """A write was attempted through a read-only client (a bug, never a user error)."""


@dataclass(frozen=True)
class AppTarget:
    """Everything needed to address one app: who it is, where it lives, how to sign."""

    sdkappid: int
    region: str
    identifier: str
    secret_key: Secret = field(repr=False)
    key_source: str = ""
    """Where the secret key came from (a variable name), for an answer that rejects it."""


def _naming_the_key(error: ApiError, target: AppTarget) -> ApiError:
    """``error``, whose hint names the variable the key came from when it rejects the key."""
    hint = key_hint(error.code, target.key_source)
    if hint is None:
        return error
    return ApiError(
        code=error.code,
        info=error.info,
        request_id=error.request_id,
        command=error.command,
        sdkappid=error.sdkappid,
        hint=hint,
    )


def _json_bytes(body: dict[str, Any]) -> bytes:
    """The body as httpx's ``json=`` encodes it; reads send ``{}``, encoded once."""
    if not body:
        return b"{}"
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


class TencentClient:
    """Async client. Use as ``async with TencentClient(...) as client``."""

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        rate_limits: RateLimits | None = None,
        retry: RetryPolicy | None = None,
        usersigs: UserSigCache | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        read_only: bool = False,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        install_log_redaction()
        self.endpoints = Endpoints(endpoint)
        if transport is None:
            # aiohttp under httpx unless a transport is given (tests: httpx.MockTransport);
            # imported here: commands that send nothing (validate) need not load it
            from reconciler.api.transport import AiohttpTransport

            transport = AiohttpTransport(max_connections=max_in_flight)
        self._transport = transport
        # the lane without httpx Request/Response objects, when the transport has one
        self._poster = transport if isinstance(transport, BoundedPoster) else None
        self._timeout = httpx.Timeout(timeout)
        self._timeouts = self._timeout.as_dict()
        self._urls = SignedUrls()
        self.max_in_flight = max_in_flight
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._rate_limits = rate_limits or RateLimits(DEFAULT_RATES)
        self._retry = retry or RetryPolicy()
        self._usersigs = usersigs or UserSigCache()
        self._sleep = sleep
        self.read_only = read_only

    async def __aenter__(self) -> TencentClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def call(
        self,
        target: AppTarget,
        family: Family,
        path: str,
        body: dict[str, Any],
        *,
        absent: frozenset[int] = frozenset(),
    ) -> Answer:
        """POST ``body`` to ``path`` (a product's ``spec.paths`` entry) for one app.

        Retries transient failures with backoff; on an expired UserSig (v4 70001, and
        v1 70001, which is ambiguous there) makes a new one and tries once more.
        Raises :class:`ApiError` for a non-zero code, :class:`TransportError` when no
        answer came, :class:`MalformedResponseError` for an answer that is not an envelope.
        A read-only client (plan, drift, import) refuses every write before sending it.
        :class:`Secret` values in ``body`` are revealed only on the wire, and scrubbed,
        with the UserSig and the secret key, out of any text the answer puts in an error.
        An error code in ``absent`` (a read's "nothing configured") returns an
        :class:`Answer` with that ``code`` instead of raising.
        """
        if self.read_only and path.rsplit("/", 1)[-1] not in READ_COMMANDS:
            raise ReadOnlyViolation(f"internal error: {path} attempted by a read-only command")
        try:
            answer = await self._call_with_retries(target, family, path, body, absent)
        except ApiError as exc:
            if exc.code != USERSIG_EXPIRED:
                raise _naming_the_key(exc, target) from None
            log.info("UserSig rejected as expired for %s; renewing once", target.sdkappid)
            self._usersigs.invalidate(target.sdkappid, target.identifier)
            answer = await self._call_with_retries(target, family, path, body, absent)
        if path.rsplit("/", 1)[-1] not in READ_COMMANDS:
            note_request_id(answer.request_id)  # the apply executor reports and audits it
        return answer

    async def _call_with_retries(
        self,
        target: AppTarget,
        family: Family,
        path: str,
        body: dict[str, Any],
        absent: frozenset[int],
    ) -> Answer:
        return await self._retry.call(
            lambda: self._send_once(target, family, path, body, absent), self._sleep
        )

    async def _send_once(
        self,
        target: AppTarget,
        family: Family,
        path: str,
        body: dict[str, Any],
        absent: frozenset[int],
    ) -> Answer:
        usersig = self._usersigs.get(target.sdkappid, target.identifier, target.secret_key)
        url = self._urls.url(
            self.endpoints.base_url(target.region, family),
            path,
            target.sdkappid,
            target.identifier,
            usersig,
            random.getrandbits(32),  # a nonce against replays, not a secret
        )
        hidden = [usersig.reveal(), target.secret_key.reveal()]
        wire_body: dict[str, Any] = {}
        for key, value in body.items():
            if isinstance(value, Secret):
                hidden.append(value.reveal())
                value = value.reveal()
            wire_body[key] = value
        # app slot, then global slot, then the app's rate limit, then send at once:
        # a rate-limit token is never taken long before its request goes out.
        async with self._rate_limits.app_slots(target.sdkappid, family), self._in_flight:
            await self._rate_limits.acquire(target.sdkappid, family)
            what = f"{path} for sdkappid {target.sdkappid}"
            try:
                response = await self._post(url, _json_bytes(wire_body), what)
            except httpx.TimeoutException:
                raise TransportError(f"{what}: no answer within the timeout") from None
            except httpx.HTTPError as exc:
                raise TransportError(
                    f"{what}: network error: {redact(str(exc)) or type(exc).__name__}"
                ) from None
        if log.isEnabledFor(logging.DEBUG):  # -vv: each request line, its UserSig redacted
            log.debug("HTTP Request: POST %s -> HTTP %s", redact(url), response.status_code)
        return parse_answer(
            family,
            response.status_code,
            response.content,
            command=path,
            sdkappid=target.sdkappid,
            secrets=hidden,
            absent=absent,
        )

    async def _post(self, url: str, content: bytes, what: str) -> BoundedAnswer:
        """One POST within ``--timeout`` for the whole request and the answer size cap."""
        deadline = self._timeout.read  # --timeout, for the whole request
        if self._poster is not None:
            return await self._poster.post_bounded(
                url,
                content,
                HEADERS,
                timeouts=self._timeouts,
                deadline=deadline,
                max_bytes=MAX_ANSWER_BYTES,
                what=what,
            )
        request = httpx.Request(
            "POST", url, content=content, headers=HEADERS, extensions={"timeout": self._timeouts}
        )
        return await send_bounded(self._transport, request, deadline=deadline, what=what)
