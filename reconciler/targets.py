"""Turn validated desired apps into what the pipeline needs: signing targets and
desired configs with their secrets resolved from the environment.

This is the last step of *load*: everything after it works on resolved values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reconciler.api.client import AppTarget
from reconciler.desired.credentials import resolve_secret_key, resolve_token
from reconciler.desired.loader import DesiredApp
from reconciler.errors import CredentialsError
from reconciler.secret import Secret
from reconciler.state import Config, Resource, TokenConfig


@dataclass(frozen=True)
class DesiredResource:
    resource: Resource
    desired: Config | None  # None: ensure absent


@dataclass(frozen=True)
class ResolvedApp:
    app: DesiredApp
    target: AppTarget
    resources: tuple[DesiredResource, ...]


def resolve_apps(
    apps: Sequence[DesiredApp],
    env: Mapping[str, str],
    *,
    secret_keys: Mapping[int, str] | None = None,
    products: frozenset[str] | None = None,
) -> list[ResolvedApp]:
    """Resolve secret keys and tokens of every app; report every missing one at once.

    ``secret_keys`` (from an emulator seed) take precedence over the environment.
    ``products`` limits which managed products are kept.
    """
    resolved: list[ResolvedApp] = []
    problems: list[str] = []
    for app in apps:
        key: Secret | None = None
        try:
            if secret_keys is not None and app.sdkappid in secret_keys:
                key = Secret(secret_keys[app.sdkappid])
            else:
                key = resolve_secret_key(app, env)
        except CredentialsError as exc:
            problems.append(str(exc))  # go on: report this app's missing tokens too
        resources: list[DesiredResource] = []
        for key_name, spec in sorted(app.products.items()):
            if products is not None and key_name not in products:
                continue
            resource = Resource(app.name, app.sdkappid, key_name)
            desired: Config | None = None
            if spec.ensure == "present":
                if spec.config is not None:
                    desired = spec.config
                else:
                    try:
                        token = resolve_token(app, spec, env)
                    except CredentialsError as exc:
                        problems.append(str(exc))
                        continue
                    desired = TokenConfig(token=token, enabled=bool(spec.enabled))
            resources.append(DesiredResource(resource, desired))
        if key is not None:
            target = AppTarget(app.sdkappid, app.region, app.identifier, key)
            resolved.append(ResolvedApp(app, target, tuple(resources)))
    if problems:
        raise CredentialsError("\n".join(problems))
    return resolved
