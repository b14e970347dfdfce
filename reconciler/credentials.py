"""Where secret keys and live tokens come from: one injectable source.

Every step that needs a secret (resolving desired apps, applying a saved plan,
``import``) asks a :class:`CredentialSource`. Three implementations:

- :class:`EnvironmentCredentials`: the environment (docs/credentials.md): an
  app's key from ``secret_key_env`` (when set: that one only), else
  ``TRTC_SECRET_KEY_<SDKAPPID>``, else ``TRTC_SECRET_KEY``; a token from its
  ``token_env`` variable; every variable also from the secrets bundle
  (``RECONCILER_SECRETS``, ``--secrets-file``: :mod:`reconciler.secretsbundle`),
  where a real environment variable wins;
- :class:`SeededCredentials`: an emulator seed's keys, else another source
  (the environment): the one place that says "emulator key, else environment";
- :class:`MappingCredentials`: fixed values, for tests and embedding.

Messages name variables and places, never a value.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from reconciler.errors import CredentialsError, Location
from reconciler.facts.limits import MAX_TOKEN_LENGTH
from reconciler.secret import Secret
from reconciler.secretsbundle import SecretsBundle, process_bundle

if TYPE_CHECKING:
    from reconciler.desired.result import DesiredApp

GLOBAL_SECRET_KEY_ENV = "TRTC_SECRET_KEY"  # noqa: S105 - a variable name, not a secret


def key_candidates(sdkappid: int, secret_key_env: str | None) -> list[str]:
    """Variables that may hold an app's secret key, first hit wins.

    ``secret_key_env`` alone when set (an unset one is an error, never a fallback);
    else ``TRTC_SECRET_KEY_<SDKAPPID>``, then ``TRTC_SECRET_KEY``.
    """
    if secret_key_env:
        return [secret_key_env]
    return [f"{GLOBAL_SECRET_KEY_ENV}_{sdkappid}", GLOBAL_SECRET_KEY_ENV]


@dataclass(frozen=True)
class Found:
    """A secret variable's value and where it was found."""

    value: str = field(repr=False)
    name: str
    via: str = ""  # "": a real environment variable; else the bundle it came from

    def describe(self) -> str:
        return f"{self.name} (via {self.via})" if self.via else self.name


def lookup(name: str, env: Mapping[str, str], bundle: SecretsBundle | None = None) -> Found | None:
    """``name``'s non-empty value: a real environment variable wins over the bundle."""
    value = env.get(name)
    if value:
        return Found(value, name)
    if bundle:
        value = bundle.get(name)
        if value:
            return Found(value, name, bundle.origin)
    return None


def _empty_note(names: list[str], env: Mapping[str, str], bundle: SecretsBundle | None) -> str:
    empty = [n for n in names if n in env or (bundle is not None and n in bundle.values)]
    if not empty:
        return ""
    verb = "is" if len(empty) == 1 else "are"
    return f" ({', '.join(empty)} {verb} set but empty)"


def resolve_key(
    candidates: list[str],
    env: Mapping[str, str],
    subject: str,
    bundle: SecretsBundle | None = None,
    *,
    declared_at: Location | None = None,
    explicit: bool = False,
) -> Secret:
    """The first of ``candidates`` that is set; ``explicit``: the one variable the app's
    ``secret_key_env`` names (``declared_at``: where), whose absence is its own error."""
    found = find_key(candidates, env, bundle)
    if found is not None:
        return found
    note = _empty_note(candidates, env, bundle)
    if explicit:
        (name,) = candidates
        prefix = f"{declared_at}: " if declared_at is not None else ""
        state = "set but empty" if note else "not set"
        if not note and bundle:
            state += f" (neither in the environment nor in {bundle.origin})"
        raise CredentialsError(
            f"{prefix}no secret key for {subject}: secret_key_env names {name}, but {name} "
            f"is {state}: set it to the app's secret "
            "key, or remove `secret_key_env:` to use TRTC_SECRET_KEY_<SDKAPPID> or "
            f"{GLOBAL_SECRET_KEY_ENV}"
        )
    where = f" in the environment or in {bundle.origin}" if bundle else ""
    kind = "variables" if bundle else "environment variables"
    raise CredentialsError(
        f"no secret key for {subject}: set one of the {kind} {', '.join(candidates)}{where}{note}"
    )


def find_key(
    candidates: list[str], env: Mapping[str, str], bundle: SecretsBundle | None = None
) -> Secret | None:
    """The first of ``candidates`` set (and not empty); None when none is."""
    found = find_key_source(candidates, env, bundle)
    return None if found is None else Secret(found.value)


def find_key_source(
    candidates: list[str], env: Mapping[str, str], bundle: SecretsBundle | None = None
) -> Found | None:
    for name in candidates:
        found = lookup(name, env, bundle)
        if found is not None:
            return found
    return None


def resolve_token_from_env(
    token_env: str, env: Mapping[str, str], *, where: str, bundle: SecretsBundle | None = None
) -> Secret:
    """The token in the variable ``token_env``: set, 1-128 characters.

    Never from a secret key's variable (see :mod:`reconciler.desired.lanes`, which
    reports it at its line): a saved plan that names one is refused here too.
    """
    if token_env.upper().startswith((GLOBAL_SECRET_KEY_ENV, "RECONCILER_SECRETS")):
        raise CredentialsError(
            f"{where} reads its token from {token_env}, a variable that holds a secret "
            "key: a live token must never be read from it. Put the token in a variable "
            "of its own"
        )
    found = lookup(token_env, env, bundle)
    if found is None:
        if token_env in env or (bundle is not None and token_env in bundle.values):
            raise CredentialsError(
                f"{where} reads its token from the environment variable {token_env}, "
                f"which is empty: put the token (1-{MAX_TOKEN_LENGTH} characters) in {token_env}"
            )
        also = f" or add it to {bundle.origin}" if bundle else ""
        raise CredentialsError(
            f"{where} reads its token from the environment variable {token_env}, "
            f"which is not set: export {token_env}{also} before running"
        )
    if len(found.value) > MAX_TOKEN_LENGTH:
        raise CredentialsError(
            f"{where}: the token in the environment variable {found.describe()} is longer "
            f"than {MAX_TOKEN_LENGTH} characters; Tencent accepts 1-{MAX_TOKEN_LENGTH}"
        )
    return Secret(found.value)


class CredentialSource(Protocol):
    """Gives an app's secret key and a live token; raises :class:`CredentialsError`."""

    def secret_key(
        self,
        sdkappid: int,
        secret_key_env: str | None,
        *,
        subject: str,
        declared_at: Location | None = None,
    ) -> Secret:
        """The key of app ``sdkappid``; ``subject`` names what needs it, for messages;
        ``declared_at``: where ``secret_key_env`` is written, for its error."""
        ...

    def find_secret_key(self, sdkappid: int, secret_key_env: str | None) -> Secret | None:
        """:meth:`secret_key` when the key is there, else None (no message is made)."""
        ...

    def key_source(self, sdkappid: int, secret_key_env: str | None) -> str:
        """Where the key of app ``sdkappid`` comes from, for messages (a variable
        name, "via" a bundle); ``""`` when unknown or not found."""
        ...

    def token(self, token_env: str, *, where: str) -> Secret:
        """The live token declared as held in ``token_env``; ``where`` names its user."""
        ...


class EnvironmentCredentials:
    """Secrets from environment variables (``os.environ`` as it is when made, unless
    given), and from the secrets bundle: ``RECONCILER_SECRETS`` in that environment
    and the ``--secrets-file`` of the run (unless ``bundle`` is given). A real,
    non-empty environment variable wins over the bundle."""

    def __init__(
        self, env: Mapping[str, str] | None = None, bundle: SecretsBundle | None = None
    ) -> None:
        # a copy: os.environ encodes every name it is asked for, and a miss raises a
        # KeyError inside; 10,000 apps ask for two or three names each
        self.env: Mapping[str, str] = dict(os.environ) if env is None else env
        self.bundle = process_bundle(self.env) if bundle is None else bundle

    def secret_key(
        self,
        sdkappid: int,
        secret_key_env: str | None,
        *,
        subject: str,
        declared_at: Location | None = None,
    ) -> Secret:
        return resolve_key(
            key_candidates(sdkappid, secret_key_env),
            self.env,
            subject,
            self.bundle,
            declared_at=declared_at,
            explicit=bool(secret_key_env),
        )

    def find_secret_key(self, sdkappid: int, secret_key_env: str | None) -> Secret | None:
        return find_key(key_candidates(sdkappid, secret_key_env), self.env, self.bundle)

    def key_source(self, sdkappid: int, secret_key_env: str | None) -> str:
        candidates = key_candidates(sdkappid, secret_key_env)
        found = find_key_source(candidates, self.env, self.bundle)
        return "" if found is None else found.describe()

    def token(self, token_env: str, *, where: str) -> Secret:
        return resolve_token_from_env(token_env, self.env, where=where, bundle=self.bundle)


class SeededCredentials:
    """An emulator seed's secret keys first, then ``fallback`` (tokens always from it)."""

    def __init__(self, keys: Mapping[int, str], fallback: CredentialSource) -> None:
        self.keys, self.fallback = keys, fallback

    def secret_key(
        self,
        sdkappid: int,
        secret_key_env: str | None,
        *,
        subject: str,
        declared_at: Location | None = None,
    ) -> Secret:
        if sdkappid in self.keys:
            return Secret(self.keys[sdkappid])
        return self.fallback.secret_key(
            sdkappid, secret_key_env, subject=subject, declared_at=declared_at
        )

    def find_secret_key(self, sdkappid: int, secret_key_env: str | None) -> Secret | None:
        if sdkappid in self.keys:
            return Secret(self.keys[sdkappid])
        return self.fallback.find_secret_key(sdkappid, secret_key_env)

    def key_source(self, sdkappid: int, secret_key_env: str | None) -> str:
        if sdkappid in self.keys:
            return "the emulator seed"
        return self.fallback.key_source(sdkappid, secret_key_env)

    def token(self, token_env: str, *, where: str) -> Secret:
        return self.fallback.token(token_env, where=where)


class MappingCredentials:
    """Fixed keys (by sdkappid) and tokens (by variable name): a test double."""

    def __init__(self, keys: Mapping[int, str], tokens: Mapping[str, str] | None = None) -> None:
        self.keys, self.tokens = keys, dict(tokens or {})

    def secret_key(
        self,
        sdkappid: int,
        secret_key_env: str | None,
        *,
        subject: str,
        declared_at: Location | None = None,
    ) -> Secret:
        if sdkappid not in self.keys:
            raise CredentialsError(f"no secret key for {subject}: none was given for {sdkappid}")
        return Secret(self.keys[sdkappid])

    def find_secret_key(self, sdkappid: int, secret_key_env: str | None) -> Secret | None:
        return Secret(self.keys[sdkappid]) if sdkappid in self.keys else None

    def key_source(self, sdkappid: int, secret_key_env: str | None) -> str:
        return ""

    def token(self, token_env: str, *, where: str) -> Secret:
        return EnvironmentCredentials(self.tokens, SecretsBundle()).token(token_env, where=where)


def credential_source(
    env: Mapping[str, str] | None = None, seed_keys: Mapping[int, str] | None = None
) -> CredentialSource:
    """The usual source: the environment, behind an emulator seed's keys when there is one."""
    source: CredentialSource = EnvironmentCredentials(env)
    return source if seed_keys is None else SeededCredentials(seed_keys, source)


def remember_secrets(apps: Sequence[DesiredApp], source: CredentialSource) -> None:
    """Make a :class:`Secret` of every secret key and token ``apps`` name that is set.

    Nothing is returned: a made secret is known to the run (see
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
