"""The emulator's ASGI app: the real callback-config paths on one port.

Every request goes through the same steps, and the first that fails answers,
in that path's family envelope (v1 camelCase, v4 PascalCase), with HTTP 200:

1. unknown path, or a method other than POST → 60009
2. ``sdkappid`` missing from the query → 60012
3. ``identifier``, ``usersig``, ``random`` (uint32), ``contenttype=json`` missing or bad → 60025
4. ``sdkappid`` not an integer → 60006
5. no such app → 70020
6. UserSig: garbled 70003, other app 70014, other identifier 70013, expired 70001,
   bad signature 70009
7. identifier not one of the app's admins → 60010
8. over the rate limit (v1 10/s, v4 200/s per app) → 60011
9. body empty, not JSON or not an object → 60003
10. injected fault (``--fault-rate``): 100001, HTTP 502, or a hang then 100001
11. v1 only: app without the Group Call package → 50001
12. the operation (:mod:`reconciler.emulator.operations`)

Choices made where docs/tencent-api.md says [U] (not confirmed by Tencent's docs):

- v1 ``callback/get`` with nothing configured: errorCode 0 and ``data: {}``.
- v1 ``callback/delete`` with nothing configured: errorCode 0 (idempotent).
- v4 ``delete_callback`` / ``delete_callback_token`` with nothing configured:
  ErrorCode 0 (idempotent).
- v1 answers the Chat common codes (60xxx, 70xxx) for URL, UserSig, admin and
  rate-limit problems, in its camelCase envelope, with HTTP 200.
- v1 bad ``actions`` (missing, not a non-empty list of strings, unknown word,
  duplicate) → errorCode 100002 naming the bad word; a missing or non-http(s)
  ``address``, or one without a host → 70001.
- v4 unknown command word, empty or non-list ``CallbackCommandList``, duplicate
  words, or a ``Url`` that is not http(s) with a host → 100002 naming the problem.
  Each product accepts only its own vocabulary (both spellings where doc
  versions disagree, e.g. ``Follow.CallbackAfterCloudRecordingChanged`` for
  ``Live.CallbackAfterCloudRecordingChanged``); call_config accepts the recording
  event ``Call.CallbackAfterRecordChanged``; live_config accepts the Chat-shared
  ``Group.*`` and ``Follow.*`` words of the Live command list (whether Tencent
  does, and delivers them to the Live URL, is not documented).
- Command words are stored and returned in the order last set.
- The body is validated before existence is checked: an invalid ``update`` of a
  missing config answers 100002 (or 70001 on v1), a valid one 100301 (999 on v1).
- room_config ``get_callback`` with nothing configured → 100301, like live_config.
- ``set_callback_token``: a present ``Token`` must be a string of 1-128
  characters, a present ``IsTokenEnable`` a JSON boolean; with no token
  configured both are required; with one configured at least one is required;
  anything else → 100002.
- Unknown body fields are ignored; ``get``/``delete`` accept any JSON object.
- 60009 is also the answer to a known path called with GET, PUT, PATCH, DELETE,
  HEAD or OPTIONS (exotic methods get a plain HTTP 405).
- Only requests that pass steps 1-7 count against the rate limit (a bad
  UserSig costs nothing); a request refused with 60011 takes no token.
- Injected faults change no state (the operation does not run).
- A v1 call for an app seeded with ``group_call: false`` answers 50001 whatever
  the operation (get, set, update, delete) and whatever its body holds; the v4
  APIs of that app are unaffected.
- Success messages: v1 ``errorMessage`` "Success", v4 ``ErrorInfo`` "".
  A v1 error answer carries ``data: null``; a v4 error answer has no ``Response``.
- RequestId shape: ``Id-<32 hex>-O-Seq-<n>``, fresh for every answer.
- UserSig checks run in the Go library's order (sdkappid, identifier, expiry,
  signature); a UserSig carrying a userbuf (a PrivateMapKey) → 70009.
- A bug in the emulator answers 70500 in the family envelope, never an HTML 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from reconciler.emulator import codes
from reconciler.emulator.admin import admin_routes
from reconciler.emulator.checks import check_query, loose_sdkappid, read_json_object
from reconciler.emulator.envelope import Outcome, Rejected, new_request_id, render
from reconciler.emulator.faults import BAD_GATEWAY_BODY, FaultConfig, FaultInjector, FaultKind
from reconciler.emulator.operations import (
    DEFAULT_BEHAVIOUR,
    ENDPOINTS,
    Behaviour,
    Endpoint,
    is_write_command,
)
from reconciler.emulator.ratelimit import Clock, RateLimiter
from reconciler.emulator.requestlog import RequestLog, RequestRecord
from reconciler.emulator.sigverify import SigError, verify_usersig
from reconciler.emulator.store import Store
from reconciler.facts.families import Family

logger = logging.getLogger("reconciler.emulator")

ANSWERED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""Methods that get an envelope (all but POST: 60009); others get starlette's 405."""


def family_of_path(path: str) -> Family:
    return Family.V1 if path.startswith("/v1/") else Family.V4


class Emulator:
    """The request pipeline behind :func:`create_app` (one per app)."""

    def __init__(
        self,
        store: Store,
        *,
        rate_limit: bool | RateLimiter = True,
        faults: FaultConfig | None = None,
        latency_ms: int = 0,
        request_log: Path | None = None,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        behaviour: Behaviour = DEFAULT_BEHAVIOUR,
    ) -> None:
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        self.store = store
        self.behaviour = behaviour
        self.limiter = (
            rate_limit
            if isinstance(rate_limit, RateLimiter)
            else RateLimiter(enabled=rate_limit, clock=clock)
        )
        self.faults = FaultInjector(faults or FaultConfig())
        self.latency_seconds = latency_ms / 1000
        self.request_log = RequestLog(request_log) if request_log is not None else None
        self._wall_clock = wall_clock

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        endpoint = ENDPOINTS.get(path)
        family = endpoint.family if endpoint else family_of_path(path)
        if self.latency_seconds:
            await asyncio.sleep(self.latency_seconds)
        try:
            response, code = await self._answer(request, endpoint, family)
        except Exception:
            logger.exception("emulator bug while answering %s", path)
            code = codes.INTERNAL_ERROR
            response = render(family, Outcome(code, "internal server error"), new_request_id())
        if self.request_log is not None:
            self._log(request, family, code)
        return response

    async def _answer(
        self, request: Request, endpoint: Endpoint | None, family: Family
    ) -> tuple[Response, int]:
        try:
            outcome = await self._run(request, endpoint, family)
        except Rejected as rejected:
            outcome = rejected.outcome()
        except _BadGateway:
            return HTMLResponse(BAD_GATEWAY_BODY, status_code=codes.BAD_GATEWAY_STATUS), (
                codes.BAD_GATEWAY_STATUS
            )
        return render(family, outcome, new_request_id()), outcome.code

    async def _run(self, request: Request, endpoint: Endpoint | None, family: Family) -> Outcome:
        if endpoint is None:
            raise Rejected(
                codes.BAD_PATH, f"request resource error: unknown path {request.url.path}"
            )
        if request.method != "POST":
            raise Rejected(codes.BAD_PATH, "request resource error: the API accepts only POST")
        query = check_query(request.query_params)
        app = self.store.get_app(query.sdkappid)
        if app is None:
            raise Rejected(
                codes.UNKNOWN_SDKAPPID,
                f"SDKAppID {query.sdkappid} does not exist (wrong data center or typo?)",
            )
        try:
            verify_usersig(
                query.usersig,
                sdkappid=app.sdkappid,
                identifier=query.identifier,
                secret_key=app.secret_key,
                now=self._wall_clock(),
            )
        except SigError as error:
            raise Rejected(error.code, error.message) from None
        if query.identifier not in app.admins:
            raise Rejected(
                codes.NOT_ADMIN,
                f"identifier {query.identifier!r} is not an App administrator; "
                "use an admin account such as administrator",
            )
        if not self.limiter.allow(app.sdkappid, family):
            raise Rejected(
                codes.RATE_LIMITED,
                f"SDKAppID request rate exceeded: at most {self.limiter.rate(family):g} "
                f"requests per second to the {family.value} API; back off and retry",
            )
        body = await read_json_object(request)
        await self._maybe_fault()
        if family is Family.V1 and not app.group_call:
            raise Rejected(
                codes.V1_GROUP_CALL_REQUIRED, "app must buy the TUICallKit Group Call package"
            )
        return endpoint.handler(self.store, app.sdkappid, body, self.behaviour)

    async def _maybe_fault(self) -> None:
        fault = self.faults.draw()
        if fault is None:
            return
        if fault is FaultKind.BAD_GATEWAY:
            raise _BadGateway
        if fault is FaultKind.HANG:
            await self.faults.hang()
        raise Rejected(codes.SERVER_ERROR, "server internal error, please retry")

    def _log(self, request: Request, family: Family, code: int) -> None:
        assert self.request_log is not None
        path = request.url.path
        command = path.rsplit("/", 1)[-1]
        endpoint = ENDPOINTS.get(path)
        identifier = request.query_params.get("identifier")
        self.request_log.write(
            RequestRecord(
                time=datetime.fromtimestamp(self._wall_clock(), timezone.utc).isoformat(
                    timespec="milliseconds"
                ),
                path=path,
                command=command,
                family=family.value,
                sdkappid=loose_sdkappid(request.query_params),
                identifier=identifier or None,
                code=code,
                write=endpoint is not None and is_write_command(command),
            )
        )

    def release_hangs(self) -> None:
        """End injected hangs now (server shutdown); call on the server's event loop."""
        self.faults.release()

    def close(self) -> None:
        if self.request_log is not None:
            self.request_log.close()


class _BadGateway(Exception):
    """Internal signal: answer this request with an HTTP 502 page."""


def create_app(
    store: Store,
    *,
    rate_limit: bool = True,
    faults: FaultConfig | None = None,
    latency_ms: int = 0,
    request_log: Path | None = None,
    clock: Clock = time.monotonic,
    wall_clock: Clock = time.time,
    behaviour: Behaviour = DEFAULT_BEHAVIOUR,
) -> Starlette:
    """The emulator app over ``store``.

    ``clock`` drives the rate limit (monotonic seconds), ``wall_clock`` the
    UserSig expiry and log timestamps (Unix seconds); both are injectable.
    ``behaviour`` picks the answers the docs leave open (see :class:`Behaviour`).
    """
    emulator = Emulator(
        store,
        rate_limit=rate_limit,
        faults=faults,
        latency_ms=latency_ms,
        request_log=request_log,
        clock=clock,
        wall_clock=wall_clock,
        behaviour=behaviour,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            emulator.close()

    route = Route("/{path:path}", emulator.handle, methods=ANSWERED_METHODS)
    # the rehearsal routes (loopback only, no UserSig) first: see reconciler.emulator.admin
    app = Starlette(routes=[*admin_routes(store), route], lifespan=lifespan)
    app.state.emulator = emulator
    return app


def emulator_of(app: Starlette) -> Emulator:
    """The :class:`Emulator` behind an app made by :func:`create_app`."""
    emulator = app.state.emulator
    assert isinstance(emulator, Emulator)
    return emulator


__all__ = ["Emulator", "create_app", "emulator_of", "family_of_path"]
