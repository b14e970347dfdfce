"""Shared shape of the v4 ``*_config`` callback APIs (Url + CallbackCommandList)."""

from __future__ import annotations

from typing import Any

from reconciler.api.client import AppTarget, TencentClient
from reconciler.api.codes import ALREADY_EXISTS, NOT_FOUND
from reconciler.errors import ApiError
from reconciler.products.base import Product, expect_callback, parse_callback
from reconciler.products.catalog import Family
from reconciler.state import Config


def v4_body(config: Config) -> dict[str, Any]:
    callback = expect_callback(config)
    return {"Url": callback.url, "CallbackCommandList": sorted(callback.events)}


class V4CallbackProduct(Product):
    """get / set / update / delete under ``v4/{service}/``.

    ``set_is_upsert``: Call v4's set overwrites (no update API). Live and Room have a
    create-only set (100300 if it exists) and an update (100301 if it does not); each
    falls back to the other so that a config created or deleted in between converges.
    """

    service: str
    set_is_upsert: bool

    def _path(self, command: str) -> str:
        return f"v4/{self.service}/{command}"

    async def read(self, client: TencentClient, target: AppTarget) -> Config | None:
        try:
            answer = await client.call(target, Family.V4, self._path("get_callback"), {})
        except ApiError as exc:
            if exc.code == NOT_FOUND:
                return None
            raise
        return parse_callback(self, target, answer.data, "Url", "CallbackCommandList")

    async def create(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        body = v4_body(config)
        try:
            await client.call(target, Family.V4, self._path("set_callback"), body)
        except ApiError as exc:
            if self.set_is_upsert or exc.code != ALREADY_EXISTS:
                raise
            await client.call(target, Family.V4, self._path("update_callback"), body)

    async def update(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        body = v4_body(config)
        if self.set_is_upsert:
            await client.call(target, Family.V4, self._path("set_callback"), body)
            return
        try:
            await client.call(target, Family.V4, self._path("update_callback"), body)
        except ApiError as exc:
            if exc.code != NOT_FOUND:
                raise
            await client.call(target, Family.V4, self._path("set_callback"), body)

    async def delete(self, client: TencentClient, target: AppTarget) -> None:
        try:
            await client.call(target, Family.V4, self._path("delete_callback"), {})
        except ApiError as exc:
            if exc.code != NOT_FOUND:
                raise
