"""Admin routes of the emulator, for rehearsals: add an app, set or delete a live config
behind the reconciler's back, as someone would in Tencent's console.

They need no UserSig, so they answer only a client on a loopback address whose
``Host`` is loopback too (a web page elsewhere cannot reach them through DNS
rebinding), and only to a JSON body (``Content-Type: application/json``, which a
cross-site form cannot send without a CORS preflight the emulator never grants).
Anything else gets HTTP 403. They take any command words and URL text, as a
console would; the API paths keep validating as Tencent does.

=====================================  =============================================
``POST /_admin/apps``                  ``{sdkappid, secret_key, admins?, group_call?}``
``POST /_admin/configs/set``           ``{sdkappid, product, url, events}``, or for
                                       ``live_token`` ``{sdkappid, product, token?,
                                       enabled?}``
``POST /_admin/configs/delete``        ``{sdkappid, product}``
``POST /_admin/configs/get``           ``{sdkappid, product}`` (a token is never shown)
=====================================  =============================================

Every answer is JSON: ``{"ok": true, "message": ...}`` (and ``config`` for get), or
``{"ok": false, "error": ...}`` with 400 (bad body), 403, 404 (no such app) or
409 (the app exists).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reconciler.emulator.seed import TOKEN_PRODUCT
from reconciler.emulator.store import AppRecord, CallbackRecord, Store, TokenRecord
from reconciler.loopback import is_loopback
from reconciler.products.catalog import MAX_SDKAPPID, PRODUCTS, Kind

PREFIX = "/_admin"
MAX_BODY = 64 * 1024


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _host_of(header: str) -> str:
    """The host of a ``Host`` header (``127.0.0.1:8080``, ``[::1]:80``, ``localhost``)."""
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _check_caller(request: Request) -> None:
    client = request.client
    if client is None or not is_loopback(client.host):
        raise _Refused(403, "the admin routes answer only loopback clients")
    if not is_loopback(_host_of(request.headers.get("host", ""))):
        raise _Refused(403, "the admin routes answer only requests for a loopback host")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise _Refused(403, "the admin routes take only a JSON body (application/json)")


async def _body(request: Request) -> dict[str, Any]:
    raw = bytearray()
    async for chunk in request.stream():  # capped as it arrives, not after
        raw += chunk
        if len(raw) > MAX_BODY:
            raise _Refused(400, f"body larger than {MAX_BODY} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise _Refused(400, "body is not JSON") from None
    if not isinstance(body, dict):
        raise _Refused(400, "body must be a JSON object")
    return body


def _sdkappid(body: dict[str, Any]) -> int:
    value = body.get("sdkappid")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SDKAPPID:
        raise _Refused(400, f"sdkappid must be an integer from 1 to {MAX_SDKAPPID}")
    return value


def _product(body: dict[str, Any]) -> str:
    value = body.get("product")
    if not isinstance(value, str) or value not in PRODUCTS:
        raise _Refused(400, f"product must be one of {', '.join(PRODUCTS)}")
    return value


def _string(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise _Refused(400, f"{key} must be a non-empty string")
    return value


def _strings(body: dict[str, Any], key: str) -> tuple[str, ...]:
    value = body.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _Refused(400, f"{key} must be a list of non-empty strings")
    return tuple(value)


def _existing(store: Store, sdkappid: int) -> AppRecord:
    app = store.get_app(sdkappid)
    if app is None:
        raise _Refused(404, f"no app {sdkappid} in the emulator; add it first (add-app)")
    return app


def _add_app(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    sdkappid = _sdkappid(body)
    secret_key = _string(body, "secret_key")
    admins = _strings(body, "admins") if "admins" in body else ("administrator",)
    if not admins:
        raise _Refused(400, "admins must name at least one admin account")
    group_call = body.get("group_call", True)
    if not isinstance(group_call, bool):
        raise _Refused(400, "group_call must be true or false")
    if not store.add_app(AppRecord(sdkappid, secret_key, admins, group_call)):
        raise _Refused(409, f"app {sdkappid} exists already")
    return {"message": f"added app {sdkappid} (admins: {', '.join(admins)})"}


def _set(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    sdkappid, product = _sdkappid(body), _product(body)
    _existing(store, sdkappid)
    if PRODUCTS[product].kind is Kind.TOKEN:
        current = store.get_token(sdkappid)
        token = body.get("token", current.token if current else None)
        enabled = body.get("enabled", current.enabled if current else True)
        if not isinstance(token, str) or not token:
            raise _Refused(400, "token must be a non-empty string (no token is set yet)")
        if not isinstance(enabled, bool):
            raise _Refused(400, "enabled must be true or false")
        store.put_token(sdkappid, TokenRecord(token, enabled))
        return {"message": f"set {product} of app {sdkappid} (enabled: {str(enabled).lower()})"}
    url, events = _string(body, "url"), _strings(body, "events")
    store.put_callback(sdkappid, product, CallbackRecord(url, events))
    return {"message": f"set {product} of app {sdkappid}"}


def _delete(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    sdkappid, product = _sdkappid(body), _product(body)
    _existing(store, sdkappid)
    if product == TOKEN_PRODUCT:
        found = store.delete_token(sdkappid)
    else:
        found = store.delete_callback(sdkappid, product)
    what = "deleted" if found else "nothing was configured for"
    return {"message": f"{what} {product} of app {sdkappid}"}


def _get(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    sdkappid, product = _sdkappid(body), _product(body)
    _existing(store, sdkappid)
    config: dict[str, Any] | None
    if product == TOKEN_PRODUCT:
        token = store.get_token(sdkappid)
        config = None if token is None else {"token": "(set)", "enabled": token.enabled}
    else:
        callback = store.get_callback(sdkappid, product)
        config = None if callback is None else {"url": callback.url, "events": [*callback.events]}
    return {"message": f"{product} of app {sdkappid}", "config": config}


Operation = Callable[[Store, dict[str, Any]], dict[str, Any]]


def _route(store: Store, operation: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        try:
            _check_caller(request)
            answer = operation(store, await _body(request))
        except _Refused as refused:
            return JSONResponse({"ok": False, "error": str(refused)}, status_code=refused.status)
        return JSONResponse({"ok": True, **answer})

    return handle


def admin_routes(store: Store) -> list[Route]:
    """The admin routes over ``store`` (put them before the API's catch-all route)."""
    operations: dict[str, Operation] = {
        "/apps": _add_app,
        "/configs/set": _set,
        "/configs/delete": _delete,
        "/configs/get": _get,
    }
    return [
        Route(PREFIX + path, _route(store, op), methods=["POST"]) for path, op in operations.items()
    ]
