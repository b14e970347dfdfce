"""The Live webhook signing token, v4 ``live_config/*_callback_token``.

``set_callback_token`` creates, or patches the given fields; we always send both
fields so that the result never depends on what was there before.
"""

from __future__ import annotations

from reconciler.api.client import AppTarget, TencentClient
from reconciler.api.codes import TOKEN_NOT_FOUND
from reconciler.errors import ApiError
from reconciler.products.base import Product, expect_token
from reconciler.products.catalog import MAX_TOKEN_LENGTH, Family
from reconciler.secret import Secret
from reconciler.state import Config, TokenConfig

_BASE = "v4/live_config"


class LiveTokenProduct(Product):
    key = "live_token"

    async def read(self, client: TencentClient, target: AppTarget) -> Config | None:
        try:
            answer = await client.call(target, Family.V4, f"{_BASE}/get_callback_token", {})
        except ApiError as exc:
            if exc.code == TOKEN_NOT_FOUND:
                return None
            raise
        data = answer.data
        if not isinstance(data, dict):
            raise self.malformed(target, "the answer has no token object")
        token, enabled = data.get("Token"), data.get("IsTokenEnable")
        if not isinstance(token, str) or not isinstance(enabled, bool):
            raise self.malformed(target, "'Token' or 'IsTokenEnable' is missing or mistyped")
        if len(token) > MAX_TOKEN_LENGTH:  # the value is a secret: never quoted
            raise self.malformed(target, f"the live token is longer than {MAX_TOKEN_LENGTH}")
        return TokenConfig(token=Secret(token), enabled=enabled)

    async def create(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        token = expect_token(config)
        body = {"Token": token.token, "IsTokenEnable": token.enabled}  # revealed on the wire only
        await client.call(target, Family.V4, f"{_BASE}/set_callback_token", body)

    async def update(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        await self.create(client, target, config)

    async def delete(self, client: TencentClient, target: AppTarget) -> None:
        try:
            await client.call(target, Family.V4, f"{_BASE}/delete_callback_token", {})
        except ApiError as exc:
            if exc.code != TOKEN_NOT_FOUND:
                raise
