"""Turn validated desired apps into what the pipeline needs: signing targets and
desired configs with their secrets resolved from the environment.

This is the last step of *load*: everything after it works on resolved values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reconciler.api.client import AppTarget
from reconciler.configs import Config, Resource, TokenConfig, Unreadable
from reconciler.credentials import CredentialSource, credential_source
from reconciler.desired.loader import DesiredApp
from reconciler.errors import CredentialsError
from reconciler.products.catalog import PRODUCT_KEYS


@dataclass(frozen=True)
class DesiredResource:
    resource: Resource
    desired: Config | None  # None: ensure absent


@dataclass(frozen=True)
class ResolvedApp:
    app: DesiredApp
    target: AppTarget
    resources: tuple[DesiredResource, ...]
    # managed resources left out: their token variable is unset (they fail alone)
    skipped: tuple[Unreadable, ...] = ()


def resolve_apps(
    apps: Sequence[DesiredApp],
    env: Mapping[str, str],
    *,
    secret_keys: Mapping[int, str] | None = None,
    products: frozenset[str] | None = None,
) -> list[ResolvedApp]:
    """Resolve secret keys and tokens of every app from ``env``; see :func:`resolve_with`.

    ``secret_keys`` (from an emulator seed) take precedence over the environment.
    """
    return resolve_with(apps, credential_source(env, secret_keys), products=products)


def resolve_with(
    apps: Sequence[DesiredApp],
    credentials: CredentialSource,
    *,
    products: frozenset[str] | None = None,
) -> list[ResolvedApp]:
    """Resolve secret keys and tokens of every app; report every missing key at once.

    :func:`resolve_partial`, with a missing secret key an error for the whole run.
    """
    resolved, keyless = resolve_partial(apps, credentials, products=products)
    if keyless:
        raise CredentialsError("\n".join(dict.fromkeys(k.error for k in keyless)))
    return resolved


def resolve_partial(
    apps: Sequence[DesiredApp],
    credentials: CredentialSource,
    *,
    products: frozenset[str] | None = None,
) -> tuple[list[ResolvedApp], list[Unreadable]]:
    """Resolve secret keys and tokens of every app: the apps that have their key, and
    for each app without one, its resources (all products when it declares none),
    unreadable with the error that names the variables to set.

    A missing secret key fails only its app. A missing live token fails only that
    app's token product: it is left out of the app's resources and listed in
    ``skipped``, and the app's other products go on. ``products`` limits which
    managed products are kept.
    """
    resolved: list[ResolvedApp] = []
    keyless: list[Unreadable] = []
    for app in apps:
        wanted = [
            (key_name, spec)
            for key_name, spec in sorted(app.products.items())
            if products is None or key_name in products
        ]
        try:
            where = app.secret_key_env_location
            subject = (
                f"app {app.name!r} (sdkappid {app.sdkappid})"
                if where is not None
                else f"app {app.name!r} (sdkappid {app.sdkappid}, {app.location})"
            )
            key = credentials.secret_key(
                app.sdkappid, app.secret_key_env, subject=subject, declared_at=where
            )
        except CredentialsError as exc:
            names = [k for k, _ in wanted] or [
                p for p in PRODUCT_KEYS if products is None or p in products
            ]
            keyless += [Unreadable(Resource(app.name, app.sdkappid, p), str(exc)) for p in names]
            continue
        resources: list[DesiredResource] = []
        skipped: list[Unreadable] = []
        for key_name, spec in wanted:
            resource = Resource(app.name, app.sdkappid, key_name)
            desired: Config | None = None
            if spec.ensure == "present":
                if spec.config is not None:
                    desired = spec.config
                elif spec.token_env is None:  # switch-only: the token is not managed
                    desired = TokenConfig(token=None, enabled=bool(spec.enabled))
                else:
                    try:
                        where_token = f"{spec.product} of app {app.name!r} ({spec.location})"
                        token = credentials.token(spec.token_env, where=where_token)
                    except CredentialsError as exc:
                        skipped.append(Unreadable(resource, str(exc)))
                        continue
                    desired = TokenConfig(token=token, enabled=bool(spec.enabled))
            resources.append(DesiredResource(resource, desired))
        source = credentials.key_source(app.sdkappid, app.secret_key_env)
        target = AppTarget(app.sdkappid, app.region, app.identifier, key, source)
        resolved.append(ResolvedApp(app, target, tuple(resources), tuple(skipped)))
    return resolved, keyless
