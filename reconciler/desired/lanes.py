"""Secrets stay in their lane: a live token is never read from a secret key's variable.

A token product's ``{token_env: TRTC_SECRET_KEY_STAGING_US}`` would send another app's
secret key to Tencent as a Live webhook token, and the plan would show only
``(sensitive value changed)``. A ``token_env`` that names a variable this tool
reads secret keys from (any app's ``secret_key_env``, ``TRTC_SECRET_KEY`` and every
``TRTC_SECRET_KEY_…``, or the ``RECONCILER_SECRETS`` bundle) is an error at its
line, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.desired.diagnostics import Diagnostics
from reconciler.desired.loaded import LoadedApp

SECRET_NAME_PREFIXES = ("TRTC_SECRET_KEY", "RECONCILER_SECRETS")
"""Variables holding secret keys: ``TRTC_SECRET_KEY``, ``TRTC_SECRET_KEY_<SDKAPPID>`` (and,
to be safe, anything else so named), and a bundle of secrets. Compared in upper case:
names are case-insensitive on Windows."""


def names_a_secret(name: str, secret_key_envs: frozenset[str] = frozenset()) -> bool:
    """Whether the variable ``name`` holds (or may hold) a secret key."""
    upper = name.upper()
    return upper.startswith(SECRET_NAME_PREFIXES) or upper in secret_key_envs


def check_token_lanes(loaded: Sequence[LoadedApp], diagnostics: Diagnostics) -> None:
    """Report every ``token_env`` that names a secret key's variable, at its line."""
    keys = frozenset(
        app.result.secret_key_env.upper() for app in loaded if app.result.secret_key_env
    )
    for app in loaded:
        for key, product in app.result.products.items():
            token_env = product.token_env
            if not token_env or not names_a_secret(token_env, keys):
                continue
            doc, base = app.site(key)
            diagnostics.error(
                doc.value_location((*base, "token_env")),
                f"`token_env: {token_env}` names a variable that holds a secret key: a live "
                "token must never be read from it (it would send the key to Tencent as a "
                "token). Put the token in a variable of its own, e.g. LIVE_TOKEN_"
                f"{app.result.sdkappid}",
            )
