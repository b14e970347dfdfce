"""Where secret keys and live tokens come from: one injectable source.

Every step that needs a secret (resolving desired apps, applying a saved plan,
``import``) asks a :class:`CredentialSource`. Three implementations:

- :class:`EnvironmentCredentials`: the environment (design.md section 4): an
  app's key from ``secret_key_env``, else ``TRTC_SECRET_KEY_<SDKAPPID>``, else
  ``TRTC_SECRET_KEY``; a token from its ``token_env`` variable;
- :class:`SeededCredentials`: an emulator seed's keys, else another source
  (the environment): the one place that says "emulator key, else environment";
- :class:`MappingCredentials`: fixed values, for tests and embedding.

Messages name variables and places, never a value.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from reconciler.errors import CredentialsError
from reconciler.facts.limits import MAX_TOKEN_LENGTH
from reconciler.secret import Secret

if TYPE_CHECKING:
    from reconciler.desired.result import DesiredApp

GLOBAL_SECRET_KEY_ENV = "TRTC_SECRET_KEY"  # noqa: S105 - a variable name, not a secret


def key_candidates(sdkappid: int, secret_key_env: str | None) -> list[str]:
    """Env vars that may hold an app's secret key, first hit wins.

    ``secret_key_env`` when set, then ``TRTC_SECRET_KEY_<SDKAPPID>``, then
    ``TRTC_SECRET_KEY``.
    """
    per_app = f"{GLOBAL_SECRET_KEY_ENV}_{sdkappid}"
    if not secret_key_env or secret_key_env == per_app:
        return [per_app, GLOBAL_SECRET_KEY_ENV]
    if secret_key_env == GLOBAL_SECRET_KEY_ENV:
        return [GLOBAL_SECRET_KEY_ENV, per_app]
    return [secret_key_env, per_app, GLOBAL_SECRET_KEY_ENV]


def resolve_key(candidates: list[str], env: Mapping[str, str], subject: str) -> Secret:
    found = find_key(candidates, env)
    if found is not None:
        return found
    empty = [name for name in candidates if name in env]
    note = ""
    if empty:
        verb = "is" if len(empty) == 1 else "are"
        note = f" ({', '.join(empty)} {verb} set but empty)"
    raise CredentialsError(
        f"no secret key for {subject}: "
        f"set one of the environment variables {', '.join(candidates)}{note}"
    )


def find_key(candidates: list[str], env: Mapping[str, str]) -> Secret | None:
    """The first of ``candidates`` set (and not empty) in ``env``; None when none is."""
    for name in candidates:
        value = env.get(name)
        if value:
            return Secret(value)
    return None


def resolve_token_from_env(token_env: str, env: Mapping[str, str], *, where: str) -> Secret:
    """The token in the environment variable ``token_env``: set, 1-128 characters.

    Never from a secret key's variable (see :mod:`reconciler.desired.lanes`, which
    reports it at its line): a saved plan that names one is refused here too.
    """
    if token_env.upper().startswith((GLOBAL_SECRET_KEY_ENV, "RECONCILER_SECRETS")):
        raise CredentialsError(
            f"{where} reads its token from {token_env}, a variable that holds a secret "
            "key: a live token must never be read from it. Put the token in a variable "
            "of its own"
        )
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


class CredentialSource(Protocol):
    """Gives an app's secret key and a live token; raises :class:`CredentialsError`."""

    def secret_key(self, sdkappid: int, secret_key_env: str | None, *, subject: str) -> Secret:
        """The key of app ``sdkappid``; ``subject`` names what needs it, for messages."""
        ...

    def find_secret_key(self, sdkappid: int, secret_key_env: str | None) -> Secret | None:
        """:meth:`secret_key` when the key is there, else None (no message is made)."""
        ...

    def token(self, token_env: str, *, where: str) -> Secret:
        """The live token declared as held in ``token_env``; ``where`` names its user."""
        ...


class EnvironmentCredentials:
    """Secrets from environment variables (``os.environ`` as it is when made, unless given)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        # a copy: os.environ encodes every name it is asked for, and a miss raises a
        # KeyError inside; 10,000 apps ask for two or three names each
        self.env: Mapping[str, str] = dict(os.environ) if env is None else env

    def secret_key(self, sdkappid: int, secret_key_env: str | None, *, subject: str) -> Secret:
        return resolve_key(key_candidates(sdkappid, secret_key_env), self.env, subject)

    def find_secret_key(self, sdkappid: int, secret_key_env: str | None) -> Secret | None:
        return find_key(key_candidates(sdkappid, secret_key_env), self.env)

    def token(self, token_env: str, *, where: str) -> Secret:
        return resolve_token_from_env(token_env, self.env, where=where)


class SeededCredentials:
    """An emulator seed's secret keys first, then ``fallback`` (tokens always from it)."""

    def __init__(self, keys: Mapping[int, str], fallback: CredentialSource) -> None:
        self.keys, self.fallback = keys, fallback

    def secret_key(self, sdkappid: int, secret_key_env: str | None, *, subject: str) -> Secret:
        if sdkappid in self.keys:
            return Secret(self.keys[sdkappid])
        return self.fallback.secret_key(sdkappid, secret_key_env, subject=subject)

    def find_secret_key(self, sdkappid: int, secret_key_env: str | None) -> Secret | None:
        if sdkappid in self.keys:
            return Secret(self.keys[sdkappid])
        return self.fallback.find_secret_key(sdkappid, secret_key_env)

    def token(self, token_env: str, *, where: str) -> Secret:
        return self.fallback.token(token_env, where=where)


class MappingCredentials:
    """Fixed keys (by sdkappid) and tokens (by variable name): a test double."""

    def __init__(self, keys: Mapping[int, str], tokens: Mapping[str, str] | None = None) -> None:
        self.keys, self.tokens = keys, dict(tokens or {})

    def secret_key(self, sdkappid: int, secret_key_env: str | None, *, subject: str) -> Secret:
        if sdkappid not in self.keys:
            raise CredentialsError(f"no secret key for {subject}: none was given for {sdkappid}")
        return Secret(self.keys[sdkappid])

    def find_secret_key(self, sdkappid: int, secret_key_env: str | None) -> Secret | None:
        return Secret(self.keys[sdkappid]) if sdkappid in self.keys else None

    def token(self, token_env: str, *, where: str) -> Secret:
        return EnvironmentCredentials(self.tokens).token(token_env, where=where)


def credential_source(
    env: Mapping[str, str] | None = None, seed_keys: Mapping[int, str] | None = None
) -> CredentialSource:
    """The usual source: the environment, behind an emulator seed's keys when there is one."""
    source: CredentialSource = EnvironmentCredentials(env)
    return source if seed_keys is None else SeededCredentials(seed_keys, source)


def remember_secrets(apps: Sequence[DesiredApp], source: CredentialSource) -> None:
    """Make a :class:`Secret` of every secret key and token ``apps`` name that is set.

    Nothing is returned: a made secret is known to the process (see
    :func:`reconciler.secret.known_secrets`), and so scrubbed from every text it
    writes, even for apps or products a run's filters (``--app``, ``--product``)
    leave out: a server may still quote them. Missing ones are no error here.
    """
    for app in apps:
        source.find_secret_key(app.sdkappid, app.secret_key_env)  # made, so remembered
        for product in app.products.values():
            if product.token_env:
                with contextlib.suppress(CredentialsError):
                    source.token(product.token_env, where=app.name)
