"""What each API path does to the store, once the request is authenticated.

Every handler takes the store, the SDKAppID and the parsed JSON body, and
returns an :class:`~reconciler.emulator.envelope.Outcome` or raises
:class:`~reconciler.emulator.envelope.Rejected`. :data:`ENDPOINTS` maps each
path to its family, product, command and handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from reconciler.emulator import codes
from reconciler.emulator.envelope import Outcome, Rejected, success
from reconciler.emulator.store import CallbackRecord, Store, TokenRecord
from reconciler.emulator.validation import events_problem, token_problem, url_problem
from reconciler.products.catalog import PRODUCTS, Family

Body = dict[str, object]
Handler = Callable[[Store, int, Body], Outcome]

WRITE_PREFIXES: Final = ("set", "update", "delete")


@dataclass(frozen=True)
class Endpoint:
    path: str
    family: Family
    product: str
    handler: Handler

    @property
    def command(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def write(self) -> bool:
        return self.command.startswith(WRITE_PREFIXES)


def is_write_command(command: str) -> bool:
    return command.startswith(WRITE_PREFIXES)


# -- v1 (callkit, product call_legacy) ---------------------------------------

V1_PRODUCT: Final = "call_legacy"


def _v1_record(body: Body) -> CallbackRecord:
    address = body.get("address")
    problem = url_problem(address)
    if problem is not None:
        raise Rejected(
            codes.V1_BAD_ADDRESS, f"callback address must start with http or https: {problem}"
        )
    actions = body.get("actions")
    problem = events_problem(actions, PRODUCTS[V1_PRODUCT].events, noun="action")
    if problem is not None:
        raise Rejected(codes.INVALID_PARAMETER, f"invalid parameter: actions {problem}")
    assert isinstance(address, str) and isinstance(actions, list)
    return CallbackRecord(url=address, events=tuple(actions))


def v1_set(store: Store, sdkappid: int, body: Body) -> Outcome:
    record = _v1_record(body)
    store.put_callback(sdkappid, V1_PRODUCT, record)
    return success(Family.V1, record.url)


def v1_get(store: Store, sdkappid: int, body: Body) -> Outcome:
    record = store.get_callback(sdkappid, V1_PRODUCT)
    if record is None:
        return success(Family.V1, {})
    return success(Family.V1, {"actions": list(record.events), "address": record.url})


def v1_update(store: Store, sdkappid: int, body: Body) -> Outcome:
    record = _v1_record(body)
    if not store.replace_callback(sdkappid, V1_PRODUCT, record):
        raise Rejected(
            codes.V1_CONFIG_MISSING, "callback configuration does not exist, call set first"
        )
    return success(Family.V1, record.url)


def v1_delete(store: Store, sdkappid: int, body: Body) -> Outcome:
    store.delete_callback(sdkappid, V1_PRODUCT)
    return success(Family.V1, "")


# -- v4 callback configs (call_config, live_config, room_config) -------------


def _v4_record(body: Body, product: str) -> CallbackRecord:
    url = body.get("Url")
    problem = url_problem(url)
    if problem is not None:
        raise Rejected(codes.INVALID_PARAMETER, f"invalid parameter: Url {problem}")
    words = body.get("CallbackCommandList")
    problem = events_problem(words, PRODUCTS[product].events)
    if problem is not None:
        raise Rejected(codes.INVALID_PARAMETER, f"invalid parameter: CallbackCommandList {problem}")
    assert isinstance(url, str) and isinstance(words, list)
    return CallbackRecord(url=url, events=tuple(words))


def _missing(service: str) -> Rejected:
    return Rejected(
        codes.CONFIG_MISSING,
        f"callback configuration does not exist; create it with {service}/set_callback",
    )


def v4_upsert(product: str) -> Handler:
    """``set_callback`` of call_config: create, or overwrite what exists."""

    def handler(store: Store, sdkappid: int, body: Body) -> Outcome:
        store.put_callback(sdkappid, product, _v4_record(body, product))
        return success(Family.V4)

    return handler


def v4_create(product: str, service: str) -> Handler:
    """``set_callback`` of live_config/room_config: create only (100300 if it exists)."""

    def handler(store: Store, sdkappid: int, body: Body) -> Outcome:
        if not store.insert_callback(sdkappid, product, _v4_record(body, product)):
            raise Rejected(
                codes.CONFIG_EXISTS,
                f"callback configuration already exists; change it with {service}/update_callback",
            )
        return success(Family.V4)

    return handler


def v4_get(product: str, service: str) -> Handler:
    def handler(store: Store, sdkappid: int, body: Body) -> Outcome:
        record = store.get_callback(sdkappid, product)
        if record is None:
            raise _missing(service)
        return success(Family.V4, {"Url": record.url, "CallbackCommandList": list(record.events)})

    return handler


def v4_update(product: str, service: str) -> Handler:
    """``update_callback``: full replacement of an existing config (100301 if none)."""

    def handler(store: Store, sdkappid: int, body: Body) -> Outcome:
        if not store.replace_callback(sdkappid, product, _v4_record(body, product)):
            raise _missing(service)
        return success(Family.V4)

    return handler


def v4_delete(product: str) -> Handler:
    def handler(store: Store, sdkappid: int, body: Body) -> Outcome:
        store.delete_callback(sdkappid, product)
        return success(Family.V4)

    return handler


# -- the Live webhook token (live_config/*_callback_token) -------------------


def set_token(store: Store, sdkappid: int, body: Body) -> Outcome:
    has_token = "Token" in body
    has_enable = "IsTokenEnable" in body
    token = body.get("Token")
    enable = body.get("IsTokenEnable")
    if has_token:
        problem = token_problem(token)
        if problem is not None:
            raise Rejected(codes.INVALID_PARAMETER, f"invalid parameter: Token {problem}")
    if has_enable and not isinstance(enable, bool):
        raise Rejected(
            codes.INVALID_PARAMETER, "invalid parameter: IsTokenEnable must be true or false"
        )
    existing = store.get_token(sdkappid)
    if existing is None:
        if not (has_token and has_enable):
            raise Rejected(
                codes.INVALID_PARAMETER,
                "invalid parameter: Token and IsTokenEnable are both required "
                "when no token is configured",
            )
        assert isinstance(token, str) and isinstance(enable, bool)
        record = TokenRecord(token=token, enabled=enable)
    else:
        if not (has_token or has_enable):
            raise Rejected(
                codes.INVALID_PARAMETER,
                "invalid parameter: give Token and/or IsTokenEnable to change",
            )
        record = TokenRecord(
            token=token if isinstance(token, str) else existing.token,
            enabled=enable if isinstance(enable, bool) else existing.enabled,
        )
    store.put_token(sdkappid, record)
    return success(Family.V4)


def get_token(store: Store, sdkappid: int, body: Body) -> Outcome:
    record = store.get_token(sdkappid)
    if record is None:
        raise Rejected(
            codes.TOKEN_MISSING,
            "callback token configuration does not exist; "
            "create it with live_config/set_callback_token",
        )
    return success(Family.V4, {"Token": record.token, "IsTokenEnable": record.enabled})


def delete_token(store: Store, sdkappid: int, body: Body) -> Outcome:
    store.delete_token(sdkappid)
    return success(Family.V4)


# -- the route table -----------------------------------------------------------


def _endpoints() -> dict[str, Endpoint]:
    table: list[Endpoint] = [
        Endpoint("/v1/callback/set", Family.V1, V1_PRODUCT, v1_set),
        Endpoint("/v1/callback/get", Family.V1, V1_PRODUCT, v1_get),
        Endpoint("/v1/callback/update", Family.V1, V1_PRODUCT, v1_update),
        Endpoint("/v1/callback/delete", Family.V1, V1_PRODUCT, v1_delete),
        Endpoint("/v4/call_config/set_callback", Family.V4, "call", v4_upsert("call")),
        Endpoint("/v4/call_config/get_callback", Family.V4, "call", v4_get("call", "call_config")),
        Endpoint("/v4/call_config/delete_callback", Family.V4, "call", v4_delete("call")),
    ]
    for service, product in (("live_config", "live"), ("room_config", "conference")):
        base = f"/v4/{service}"
        table += [
            Endpoint(f"{base}/set_callback", Family.V4, product, v4_create(product, service)),
            Endpoint(f"{base}/get_callback", Family.V4, product, v4_get(product, service)),
            Endpoint(f"{base}/update_callback", Family.V4, product, v4_update(product, service)),
            Endpoint(f"{base}/delete_callback", Family.V4, product, v4_delete(product)),
        ]
    table += [
        Endpoint("/v4/live_config/set_callback_token", Family.V4, "live_token", set_token),
        Endpoint("/v4/live_config/get_callback_token", Family.V4, "live_token", get_token),
        Endpoint("/v4/live_config/delete_callback_token", Family.V4, "live_token", delete_token),
    ]
    return {endpoint.path: endpoint for endpoint in table}


ENDPOINTS: Final[dict[str, Endpoint]] = _endpoints()
