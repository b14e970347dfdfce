"""The Live webhook signing token, v4 ``live_config/*_callback_token``.

``set_callback_token`` creates (both ``Token`` and ``IsTokenEnable`` required), or
patches the fields it is given once a token config exists. A managed token is always
sent with its switch, so that the result never depends on what was there before. A
switch-only token (``live_token: {enabled: …}`` without ``token_env``) is updated with
``IsTokenEnable`` alone: the token Tencent holds is never read back into a request,
and cannot be created (there is no token value to create it with).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.configs import Config, TokenConfig
from reconciler.errors import ApiError, UnplannableError
from reconciler.facts import codes
from reconciler.facts.families import Family
from reconciler.facts.limits import MAX_TOKEN_LENGTH
from reconciler.products.base import Product, expect_token
from reconciler.products.spec import (
    Body,
    EmulatorHooks,
    Fallbacks,
    Kind,
    Paths,
    ProductSpec,
    Vocabulary,
)
from reconciler.secret import Secret

if TYPE_CHECKING:  # the client is only named here: loading the desired state
    # (validate) does not import the HTTP stack
    from reconciler.api.client import AppTarget, TencentClient

SPEC = ProductSpec(
    key="live_token",
    title="TUILiveKit webhook signing token",
    family=Family.V4,
    kind=Kind.TOKEN,
    paths=Paths(
        read="v4/live_config/get_callback_token",
        create="v4/live_config/set_callback_token",
        update="v4/live_config/set_callback_token",
        delete="v4/live_config/delete_callback_token",
    ),
    body=Body(token_field="Token", enabled_field="IsTokenEnable"),  # noqa: S106 - field names
    absent={
        "read": frozenset({codes.TOKEN_NOT_FOUND}),
        "delete": frozenset({codes.TOKEN_NOT_FOUND}),
    },
    fallbacks=Fallbacks(set_is_upsert=True),
    vocabulary=Vocabulary(),
    regions=("china", "singapore", "usa"),
    emulator=EmulatorHooks(missing_code=codes.TOKEN_NOT_FOUND),
)


class LiveTokenProduct(Product):
    spec = SPEC

    async def read(self, client: TencentClient, target: AppTarget) -> Config | None:
        answer = await client.call(
            target, Family.V4, SPEC.paths.read, {}, absent=SPEC.absent_codes("read")
        )
        if answer.code:
            return None
        data = answer.data
        if not isinstance(data, dict):
            raise self.malformed(target, "the answer has no token object")
        token, enabled = data.get(SPEC.body.token_field), data.get(SPEC.body.enabled_field)
        if not isinstance(token, str) or not isinstance(enabled, bool):
            raise self.malformed(target, "'Token' or 'IsTokenEnable' is missing or mistyped")
        if len(token) > MAX_TOKEN_LENGTH:  # the value is a secret: never quoted
            raise self.malformed(target, f"the live token is longer than {MAX_TOKEN_LENGTH}")
        return TokenConfig(token=Secret(token), enabled=enabled)

    async def create(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        token = expect_token(config)
        if token.token is None:
            raise UnplannableError(
                f"live_token for sdkappid {target.sdkappid}: no token config exists live, and "
                "one cannot be created without a token value: add `token_env: NAME` to the "
                "desired state, or set the token in the Tencent console first"
            )
        await self._set(client, target, token)

    async def update(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        await self._set(client, target, expect_token(config))

    async def _set(self, client: TencentClient, target: AppTarget, token: TokenConfig) -> None:
        body: dict[str, object] = {}
        if token.token is not None:
            body[SPEC.body.token_field] = token.token  # revealed on the wire only
        body[SPEC.body.enabled_field] = token.enabled
        await client.call(target, Family.V4, SPEC.paths.create, body)

    async def delete(self, client: TencentClient, target: AppTarget) -> None:
        try:
            await client.call(target, Family.V4, SPEC.paths.delete, {})
        except ApiError as exc:
            if exc.code not in SPEC.absent_codes("delete"):
                raise


IMPLEMENTATION = LiveTokenProduct()
