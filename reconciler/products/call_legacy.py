"""TUICallKit legacy calls, v1 ``callback`` on the callkit hosts (camelCase envelope).

Reading an app with nothing configured: the ``get`` page lists no "not found"
code; the answer carries empty ``data`` (``{}``, ``null``, or an empty
address), or ``errorCode 999`` ("no configuration information", documented on
the ``update`` page): both read as absent, and a ``delete`` answered 999 as
already absent. An app without the Group Call package (50001) cannot have this
config at all: not absent (a create would be refused with 50001 too) but
:class:`~reconciler.errors.ProductUnavailableError`, so the plan lists the
resource as one it cannot plan (docs/tencent-api.md section 10 item 3). A ``data`` object
with other keys (say ``Address``/``Actions``) is an error, never "absent" (API
file section 9).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.configs import Config
from reconciler.errors import ApiError
from reconciler.facts import codes
from reconciler.facts.families import Family
from reconciler.products.base import Product, expect_callback, parse_callback
from reconciler.products.spec import (
    Body,
    EmulatorHooks,
    Fallbacks,
    Kind,
    Paths,
    ProductSpec,
    Unavailable,
    Vocabulary,
)

if TYPE_CHECKING:  # the client is only named here: loading the desired state
    # (validate) does not import the HTTP stack
    from reconciler.api.client import AppTarget, TencentClient

SPEC = ProductSpec(
    key="call_legacy",
    title="TUICallKit legacy calls (v1 callback)",
    family=Family.V1,
    kind=Kind.CALLBACK,
    paths=Paths(
        read="v1/callback/get",
        create="v1/callback/set",
        update="v1/callback/update",
        delete="v1/callback/delete",
    ),
    body=Body(url_field="address", events_field="actions"),
    absent={
        "read": frozenset({codes.V1_NOT_FOUND}),
        "delete": frozenset({codes.V1_NOT_FOUND}),
    },
    fallbacks=Fallbacks(set_is_upsert=False, missing_code=codes.V1_NOT_FOUND),
    vocabulary=Vocabulary(
        frozenset(
            {
                # call status (result) callbacks
                "cancel",
                "reject",
                "not_answer",
                "normal_end",
                "call_busy",
                "interrupt",
                # caller events
                "caller_start_call",
                "caller_call_accepted",
                "caller_call_missed",
                "caller_call_rejected",
                "caller_call_busy",
                "caller_cancel_call",
                "caller_call_failed",
                "caller_call_end",
                "caller_call_interrupted",
                # callee events
                "callee_receive_call",
                "callee_accept_call",
                "callee_not_answer_call",
                "callee_reject_call",
                "callee_ignore_call",
                "callee_call_canceled",
                "callee_call_end",
                "callee_call_interrupted",
                # group calls
                "invite_user",
                "join_in_group_call",
            }
        )
    ),
    regions=(
        "china",
        "singapore",
        "korea",
        "germany",
        "india",
        "usa",
        "indonesia",
        "japan",
    ),
    emulator=EmulatorHooks(missing_code=None),
    unavailable={
        codes.NO_GROUP_CALL_PACKAGE: Unavailable(
            reason="the app has no TUICallKit Group Call package, which legacy (v1) call "
            "callbacks need (a create would be refused too)",
            remedy="add the Group Call package to this app in the Tencent console, or "
            "remove `call_legacy:` from this app",
        )
    },
)

_DATA_KEYS = frozenset({SPEC.body.url_field, SPEC.body.events_field})


def _body(config: Config) -> dict[str, Any]:
    callback = expect_callback(config)
    return {SPEC.body.url_field: callback.url, SPEC.body.events_field: sorted(callback.events)}


class CallLegacyProduct(Product):
    spec = SPEC

    async def read(self, client: TencentClient, target: AppTarget) -> Config | None:
        answer = await client.call(
            target,
            Family.V1,
            SPEC.paths.read,
            {},
            absent=SPEC.absent_codes("read") | frozenset(SPEC.unavailable),
        )
        if answer.code in SPEC.unavailable:
            raise self.unavailable(target, answer.code, answer.request_id)
        if answer.code:
            return None  # nothing configured
        data = answer.data
        if data is None or data == {} or data == "":
            return None
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in _DATA_KEYS)
            if unknown:
                raise self.malformed(
                    target,
                    f"unexpected field(s) {', '.join(map(repr, unknown))} in 'data' "
                    f"(expected {SPEC.body.url_field!r} and {SPEC.body.events_field!r})",
                )
            if not data.get(SPEC.body.url_field) and not data.get(SPEC.body.events_field):
                return None
        return parse_callback(self, target, data)

    async def create(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        await client.call(target, Family.V1, SPEC.paths.create, _body(config))

    async def update(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        body = _body(config)
        assert SPEC.paths.update is not None
        try:
            await client.call(target, Family.V1, SPEC.paths.update, body)
        except ApiError as exc:
            if exc.code != SPEC.fallbacks.missing_code:
                raise
            await client.call(target, Family.V1, SPEC.paths.create, body)

    async def delete(self, client: TencentClient, target: AppTarget) -> None:
        try:
            await client.call(target, Family.V1, SPEC.paths.delete, {})
        except ApiError as exc:
            if exc.code not in SPEC.absent_codes("delete"):
                raise


IMPLEMENTATION = CallLegacyProduct()
