"""Secret keys and live tokens, found in the environment (design.md section 4).

Messages name the variables and the place that asked for them, never a value.
The ``*_from_env`` functions serve callers without a :class:`DesiredApp` (a
saved plan, ``import``); ``where`` says what needs the secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reconciler.desired.result import DesiredApp, DesiredProduct
from reconciler.errors import CredentialsError
from reconciler.products.catalog import MAX_TOKEN_LENGTH, PRODUCTS, Kind
from reconciler.secret import Secret

GLOBAL_SECRET_KEY_ENV = "TRTC_SECRET_KEY"  # noqa: S105 - a variable name, not a secret


def key_candidates(sdkappid: int, secret_key_env: str | None) -> list[str]:
    """Env vars that may hold an app's secret key, first hit wins.

    ``secret_key_env`` when set, then ``TRTC_SECRET_KEY_<SDKAPPID>``, then
    ``TRTC_SECRET_KEY``.
    """
    names = [f"{GLOBAL_SECRET_KEY_ENV}_{sdkappid}", GLOBAL_SECRET_KEY_ENV]
    if secret_key_env:
        names.insert(0, secret_key_env)
    return list(dict.fromkeys(names))


def secret_key_candidates(app: DesiredApp) -> list[str]:
    """:func:`key_candidates` of ``app``."""
    return key_candidates(app.sdkappid, app.secret_key_env)


def resolve_secret_key(app: DesiredApp, env: Mapping[str, str]) -> Secret:
    """The first non-empty candidate of :func:`secret_key_candidates`."""
    subject = f"app {app.name!r} (sdkappid {app.sdkappid}, {app.location})"
    return _resolve_key(secret_key_candidates(app), env, subject)


def resolve_key_from_env(
    sdkappid: int, secret_key_env: str | None, env: Mapping[str, str], *, where: str
) -> Secret:
    """Like :func:`resolve_secret_key`, for an app known only by its id and ``where``."""
    subject = f"{where} (sdkappid {sdkappid})"
    return _resolve_key(key_candidates(sdkappid, secret_key_env), env, subject)


def _resolve_key(candidates: list[str], env: Mapping[str, str], subject: str) -> Secret:
    for name in candidates:
        value = env.get(name)
        if value:
            return Secret(value)
    empty = [name for name in candidates if name in env]
    note = ""
    if empty:
        verb = "is" if len(empty) == 1 else "are"
        note = f" ({', '.join(empty)} {verb} set but empty)"
    raise CredentialsError(
        f"no secret key for {subject}: "
        f"set one of the environment variables {', '.join(candidates)}{note}"
    )


def resolve_token(app: DesiredApp, product: DesiredProduct, env: Mapping[str, str]) -> Secret:
    """The live token named by ``product.token_env``: 1-128 characters.

    ``product`` must be a present token product (``live_token``); anything else
    is a programming error (:class:`ValueError`).
    """
    if PRODUCTS[product.product].kind is not Kind.TOKEN or product.token_env is None:
        raise ValueError(f"{product.product} of app {app.name!r} holds no token reference")
    where = f"{product.product} of app {app.name!r} ({product.location})"
    return resolve_token_from_env(product.token_env, env, where=where)


def resolve_token_from_env(token_env: str, env: Mapping[str, str], *, where: str) -> Secret:
    """The token in the environment variable ``token_env``: set, 1-128 characters."""
    value = env.get(token_env)
    if value is None:
        raise CredentialsError(
            f"{where} reads its token from the environment variable {token_env}, "
            f"which is not set: export {token_env} before running"
        )
    if not value:
        raise CredentialsError(
            f"{where} reads its token from the environment variable {token_env}, "
            f"which is empty: put the token (1-{MAX_TOKEN_LENGTH} characters) in {token_env}"
        )
    if len(value) > MAX_TOKEN_LENGTH:
        raise CredentialsError(
            f"{where}: the token in the environment variable {token_env} is longer than "
            f"{MAX_TOKEN_LENGTH} characters; Tencent accepts 1-{MAX_TOKEN_LENGTH}"
        )
    return Secret(value)


def remember_secrets(apps: Sequence[DesiredApp], env: Mapping[str, str]) -> None:
    """Make a :class:`Secret` of every secret key and token ``apps`` name that is set.

    Nothing is returned: a made secret is known to the process (see
    :func:`reconciler.secret.known_secrets`), and so scrubbed from every text it
    writes, even for apps or products a run's filters (``--app``, ``--product``)
    leave out: a server may still quote them.
    """
    for app in apps:
        for name in secret_key_candidates(app):
            if env.get(name):
                Secret(env[name])
        for product in app.products.values():
            if product.token_env and env.get(product.token_env):
                Secret(env[product.token_env])
