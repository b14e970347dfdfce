"""TUICallKit legacy calls, v1 ``callback`` on the callkit hosts (camelCase envelope).

Reading an app with nothing configured: the docs list no "not found" code for
``get``; the answer carries empty ``data`` (``{}``, ``null``, or an empty
address), which we read as absent. An app without the Group Call package
(50001) cannot have this config at all: also absent.
"""

from __future__ import annotations

from typing import Any

from reconciler.api.client import AppTarget, TencentClient
from reconciler.api.codes import NO_GROUP_CALL_PACKAGE, V1_NOT_FOUND
from reconciler.errors import ApiError
from reconciler.products.base import Product, expect_callback, parse_callback
from reconciler.products.catalog import Family
from reconciler.state import Config


def _body(config: Config) -> dict[str, Any]:
    callback = expect_callback(config)
    return {"address": callback.url, "actions": sorted(callback.events)}


class CallLegacyProduct(Product):
    key = "call_legacy"

    async def read(self, client: TencentClient, target: AppTarget) -> Config | None:
        try:
            answer = await client.call(target, Family.V1, "v1/callback/get", {})
        except ApiError as exc:
            if exc.code == NO_GROUP_CALL_PACKAGE:
                return None  # the app cannot have legacy callbacks; a write explains why
            raise
        data = answer.data
        if data is None or data == {} or data == "":
            return None
        if isinstance(data, dict) and not data.get("address") and not data.get("actions"):
            return None
        return parse_callback(self, target, data, "address", "actions")

    async def create(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        await client.call(target, Family.V1, "v1/callback/set", _body(config))

    async def update(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        body = _body(config)
        try:
            await client.call(target, Family.V1, "v1/callback/update", body)
        except ApiError as exc:
            if exc.code != V1_NOT_FOUND:
                raise
            await client.call(target, Family.V1, "v1/callback/set", body)

    async def delete(self, client: TencentClient, target: AppTarget) -> None:
        await client.call(target, Family.V1, "v1/callback/delete", {})
