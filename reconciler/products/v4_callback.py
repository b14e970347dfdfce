"""Shared shape of the v4 ``*_config`` callback APIs (Url + CallbackCommandList).

Paths, body fields, "absent" codes and fallbacks all come from the product's
:class:`~reconciler.products.spec.ProductSpec`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.configs import Config
from reconciler.errors import ApiError
from reconciler.facts.families import Family
from reconciler.products.base import Product, expect_callback, parse_callback
from reconciler.products.spec import ProductSpec

if TYPE_CHECKING:  # the client is only named here: loading the desired state
    # (validate) does not import the HTTP stack
    from reconciler.api.client import AppTarget, TencentClient


def v4_body(spec: ProductSpec, config: Config) -> dict[str, Any]:
    callback = expect_callback(config)
    return {spec.body.url_field: callback.url, spec.body.events_field: sorted(callback.events)}


class V4CallbackProduct(Product):
    """get / set / update / delete under ``v4/{service}/``.

    ``fallbacks.set_is_upsert``: Call v4's set overwrites (no update API). Live and
    Room have a create-only set (100300 if it exists) and an update (100301 if it
    does not); each falls back to the other so that a config created or deleted in
    between converges.
    """

    async def read(self, client: TencentClient, target: AppTarget) -> Config | None:
        answer = await client.call(
            target, Family.V4, self.spec.paths.read, {}, absent=self.spec.absent_codes("read")
        )
        if answer.code:
            return None
        return parse_callback(self, target, answer.data, events_may_be_missing=True)

    async def create(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        spec = self.spec
        body = v4_body(spec, config)
        try:
            await client.call(target, Family.V4, spec.paths.create, body)
        except ApiError as exc:
            if spec.fallbacks.set_is_upsert or exc.code != spec.fallbacks.exists_code:
                raise
            assert spec.paths.update is not None
            await client.call(target, Family.V4, spec.paths.update, body)

    async def update(self, client: TencentClient, target: AppTarget, config: Config) -> None:
        spec = self.spec
        body = v4_body(spec, config)
        if spec.fallbacks.set_is_upsert or spec.paths.update is None:
            await client.call(target, Family.V4, spec.paths.create, body)
            return
        try:
            await client.call(target, Family.V4, spec.paths.update, body)
        except ApiError as exc:
            if exc.code != spec.fallbacks.missing_code:
                raise
            await client.call(target, Family.V4, spec.paths.create, body)

    async def delete(self, client: TencentClient, target: AppTarget) -> None:
        try:
            await client.call(target, Family.V4, self.spec.paths.delete, {})
        except ApiError as exc:
            if exc.code not in self.spec.absent_codes("delete"):
                raise
