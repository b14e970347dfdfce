"""Small builders shared by the plan, render and apply unit tests."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from reconciler.api.client import AppTarget, TencentClient
from reconciler.api.limits import RateLimits
from reconciler.api.retry import RetryPolicy
from reconciler.configs import CallbackConfig, TokenConfig
from reconciler.desired.result import DesiredApp, DesiredProduct
from reconciler.errors import Location
from reconciler.facts.families import Family
from reconciler.plan.change import Resource
from reconciler.resolve import ResolvedApp, resolve_apps
from reconciler.secret import Secret
from tests.api.scripted import Scripted

SG = 1400000001
US = 1400000002
KEY = "unit-secret-key-must-not-leak"
TOKEN = "unit-live-token-must-not-leak"


def cb(url: str, *events: str) -> CallbackConfig:
    return CallbackConfig(url, frozenset(events))


def tok(value: str = TOKEN, enabled: bool = True) -> TokenConfig:
    return TokenConfig(Secret(value), enabled)


def switch(enabled: bool) -> TokenConfig:
    """A desired switch-only token: ``enabled`` managed, the token value not."""
    return TokenConfig(None, enabled)


def res(product: str, sdkappid: int = SG, app: str | None = None) -> Resource:
    return Resource(
        app or {SG: "prod-sg", US: "staging-us"}.get(sdkappid, "app"), sdkappid, product
    )


def target(sdkappid: int = SG, key: str = KEY) -> AppTarget:
    return AppTarget(sdkappid, "singapore", "administrator", Secret(key))


def present(product: str, config: CallbackConfig) -> DesiredProduct:
    return DesiredProduct(product, "present", config, None, None, Location(f"{product}.yaml"))


def token_present(
    token_env: str | None = "LIVE_TOKEN",  # noqa: S107 - a variable name, not a secret
    enabled: bool = True,
) -> DesiredProduct:
    """A desired live token; ``token_env=None``: switch-only (the token is not managed)."""
    return DesiredProduct(
        "live_token", "present", None, token_env, enabled, Location("live_token.yaml")
    )


def absent(product: str) -> DesiredProduct:
    return DesiredProduct(product, "absent", None, None, None, Location(f"{product}.yaml"))


def app(
    name: str,
    sdkappid: int,
    *products: DesiredProduct,
    secret_key_env: str | None = None,
    protect: bool = False,
    region: str = "singapore",
) -> DesiredApp:
    return DesiredApp(
        name=name,
        sdkappid=sdkappid,
        region=region,
        identifier="administrator",
        secret_key_env=secret_key_env,
        protect=protect,
        lenient=False,
        location=Location(f"apps/{name}.yaml"),
        products=MappingProxyType({p.product: p for p in products}),
    )


def resolved(
    *apps: DesiredApp, env: Mapping[str, str] | None = None, **kwargs: object
) -> list[ResolvedApp]:
    environ = {"TRTC_SECRET_KEY": KEY, "LIVE_TOKEN": TOKEN} if env is None else env
    return resolve_apps(list(apps), environ, **kwargs)  # type: ignore[arg-type]


def fast_client(script: Scripted) -> TencentClient:
    """A client on the scripted wire that never waits: no retries, no pacing."""
    return TencentClient(
        transport=script.transport,
        rate_limits=RateLimits({Family.V1: 1e9, Family.V4: 1e9}),
        retry=RetryPolicy(attempts=1),
    )
