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
from reconciler.emulator.behaviour import (
    DEFAULT_BEHAVIOUR,
    V1_MISSING_CHOICES,
    Behaviour,
    V1Missing,
)
from reconciler.emulator.envelope import Outcome, Rejected, success
from reconciler.emulator.store import CallbackRecord, Store, TokenRecord
from reconciler.emulator.validation import events_problem, token_problem, url_problem
from reconciler.facts.families import Family
from reconciler.products import catalog
from reconciler.products.catalog import PRODUCTS, Kind, ProductSpec

Body = dict[str, object]


Handler = Callable[[Store, int, Body, Behaviour], Outcome]

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


def _answered_words(spec: ProductSpec, events: tuple[str, ...], behaviour: Behaviour) -> list[str]:
    if not behaviour.variant_spellings:
        return list(events)
    return [spec.vocabulary.variant_of(word) or word for word in events]


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


def v1_set(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
    record = _v1_record(body)
    store.put_callback(sdkappid, V1_PRODUCT, record)
    return success(Family.V1, record.url)


def _v1_missing() -> Rejected:
    return Rejected(codes.V1_CONFIG_MISSING, "no configuration information")


def v1_get(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
    record = store.get_callback(sdkappid, V1_PRODUCT)
    if record is None:
        if behaviour.v1_missing == "999":
            raise _v1_missing()
        return success(Family.V1, {})
    words = _answered_words(PRODUCTS[V1_PRODUCT], record.events, behaviour)
    return success(Family.V1, {"actions": words, "address": record.url})


def v1_update(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
    record = _v1_record(body)
    if not store.replace_callback(sdkappid, V1_PRODUCT, record):
        raise Rejected(
            codes.V1_CONFIG_MISSING, "callback configuration does not exist, call set first"
        )
    return success(Family.V1, record.url)


def v1_delete(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
    if store.get_callback(sdkappid, V1_PRODUCT) is None and behaviour.v1_missing == "999":
        raise _v1_missing()
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

    def handler(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
        store.put_callback(sdkappid, product, _v4_record(body, product))
        return success(Family.V4)

    return handler


def v4_create(product: str, service: str) -> Handler:
    """``set_callback`` of live_config/room_config: create only (100300 if it exists)."""

    def handler(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
        if not store.insert_callback(sdkappid, product, _v4_record(body, product)):
            raise Rejected(
                codes.CONFIG_EXISTS,
                f"callback configuration already exists; change it with {service}/update_callback",
            )
        return success(Family.V4)

    return handler


def v4_get(product: str, service: str) -> Handler:
    def handler(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
        record = store.get_callback(sdkappid, product)
        if record is None:
            missing = _missing(service)
            hook = PRODUCTS[product].emulator.missing_code
            raise missing if hook is None else Rejected(hook, missing.message)
        words = _answered_words(PRODUCTS[product], record.events, behaviour)
        return success(Family.V4, {"Url": record.url, "CallbackCommandList": words})

    return handler


def v4_update(product: str, service: str) -> Handler:
    """``update_callback``: full replacement of an existing config (100301 if none)."""

    def handler(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
        if not store.replace_callback(sdkappid, product, _v4_record(body, product)):
            raise _missing(service)
        return success(Family.V4)

    return handler


def v4_delete(product: str) -> Handler:
    def handler(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
        store.delete_callback(sdkappid, product)
        return success(Family.V4)

    return handler


# -- the Live webhook token (live_config/*_callback_token) -------------------


def set_token(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
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


def get_token(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
    record = store.get_token(sdkappid)
    if record is None:
        raise Rejected(
            codes.TOKEN_MISSING,
            "callback token configuration does not exist; "
            "create it with live_config/set_callback_token",
        )
    return success(Family.V4, {"Token": record.token, "IsTokenEnable": record.enabled})


def delete_token(store: Store, sdkappid: int, body: Body, behaviour: Behaviour) -> Outcome:
    store.delete_token(sdkappid)
    return success(Family.V4)


# -- the route table -----------------------------------------------------------


def _service(path: str) -> str:
    return path.rsplit("/", 1)[0]


def _callback_endpoints(spec: ProductSpec) -> list[Endpoint]:
    """A callback product's routes, from its spec (paths, set semantics)."""
    key, paths = spec.key, spec.paths
    if spec.family is Family.V1:
        handlers: dict[str | None, Handler] = {
            paths.create: v1_set,
            paths.read: v1_get,
            paths.update: v1_update,
            paths.delete: v1_delete,
        }
    else:
        service = _service(paths.read)
        create = v4_upsert(key) if spec.fallbacks.set_is_upsert else v4_create(key, service)
        handlers = {
            paths.create: create,
            paths.read: v4_get(key, service),
            paths.update: v4_update(key, service),
            paths.delete: v4_delete(key),
        }
    return [
        Endpoint(f"/{path}", spec.family, key, handler)
        for path, handler in handlers.items()
        if path is not None
    ]


def _token_endpoints(spec: ProductSpec) -> list[Endpoint]:
    paths = spec.paths
    return [
        Endpoint(f"/{paths.create}", spec.family, spec.key, set_token),
        Endpoint(f"/{paths.read}", spec.family, spec.key, get_token),
        Endpoint(f"/{paths.delete}", spec.family, spec.key, delete_token),
    ]


def _endpoints() -> dict[str, Endpoint]:
    """The route table, built from the product registry (one spec per product)."""
    table: list[Endpoint] = []
    for spec in PRODUCTS.values():
        if spec.kind is Kind.TOKEN:
            table += _token_endpoints(spec)
        else:
            table += _callback_endpoints(spec)
    return {endpoint.path: endpoint for endpoint in table}


ENDPOINTS: Final[dict[str, Endpoint]] = _endpoints()
"""Path → endpoint; follows :func:`reconciler.products.catalog.register` (updated in place)."""


def _follow_the_registry() -> None:
    table = _endpoints()
    ENDPOINTS.clear()
    ENDPOINTS.update(table)


catalog.on_change(_follow_the_registry)

__all__ = [
    "DEFAULT_BEHAVIOUR",
    "ENDPOINTS",
    "V1_MISSING_CHOICES",
    "Behaviour",
    "Endpoint",
    "V1Missing",
    "is_write_command",
]
