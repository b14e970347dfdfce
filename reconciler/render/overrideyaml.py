"""Write live state as an override of defaults and templates (``import --template``).

Only what differs from what the app inherits is written, so the file stays a
few lines long and ``plan`` right after it shows no changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.configs import CallbackConfig, Config, TokenConfig
from reconciler.desired.placeholders import escape_braces
from reconciler.products.catalog import PRODUCT_KEYS, PRODUCTS
from reconciler.render.yamlout import _scalar, switch_only_comment


def render_override_yaml(
    *,
    name: str,
    sdkappid: int,
    region: str,
    identifier: str,
    templates: Sequence[str],
    inherited: Mapping[str, Any],
    inherited_region: object,
    configs: Mapping[str, Config | None],
    token_env: str,
    secret_key_env: str | None = None,
    manage_token: bool = True,
) -> str:
    """The app file: identity, ``use``, and each field whose live value is not inherited.

    ``inherited`` is the expanded result of defaults and templates for this app;
    ``inherited_region`` the region they give (None: none).
    """
    lines = [
        f"# Imported from the live configuration of {sdkappid} by `reconciler import`,",
        "# as an override of defaults.yaml"
        + (f" and template(s) {', '.join(templates)}" if templates else "")
        + ": only what differs is written.",
        f"name: {_scalar(name)}",
        f"sdkappid: {sdkappid}",
    ]
    if inherited_region != region:
        lines.append(f"region: {region}")
    if inherited.get("identifier", "administrator") != identifier:
        lines.append(f"identifier: {_scalar(escape_braces(identifier))}")
    if secret_key_env and inherited.get("secret_key_env") != secret_key_env:
        lines.append(f"secret_key_env: {secret_key_env}")
    if templates:
        lines.append(f"use: [{', '.join(_scalar(t) for t in templates)}]")
    unknown = {
        event
        for key, config in configs.items()
        if isinstance(config, CallbackConfig)
        for event in config.events - PRODUCTS[key].events
    }
    if unknown and inherited.get("lenient") is not True:
        lines.append("lenient: true")
    below = inherited.get("callbacks")
    base: Mapping[str, Any] = below if isinstance(below, dict) else {}
    products: list[str] = []
    for key in PRODUCT_KEYS:
        if key not in configs:
            continue  # not read (--product): whatever is inherited stays
        products += _product(key, configs[key], base.get(key), token_env, manage_token)
    if products:
        lines.append("callbacks:")
        lines += products
    return "\n".join(lines) + "\n"


def _product(
    key: str, config: Config | None, base: Any, token_env: str, manage_token: bool
) -> list[str]:
    inherited: Mapping[str, Any] = base if isinstance(base, dict) else {}
    present = bool(inherited) and inherited.get("ensure", "present") == "present"
    if config is None:
        return [f"  {key}: {{ensure: absent}}"] if present else []
    fields: list[str] = []
    if isinstance(config, CallbackConfig):
        if not config.events:
            return [f"  # {key}: configured live with no events; left unmanaged"]
        if not present or inherited.get("url") != config.url:
            fields.append(f"    url: {_scalar(escape_braces(config.url))}")
        canonical = PRODUCTS[key].vocabulary.canonical
        events = inherited.get("events")
        inherited_events = (
            {canonical(e) for e in events if isinstance(e, str)}
            if isinstance(events, list)
            else None
        )
        if not present or inherited_events != set(config.events):
            fields.append("    events:")
            fields += [f"      - {_scalar(escape_braces(e))}" for e in sorted(config.events)]
    elif isinstance(config, TokenConfig):
        if not present and manage_token:
            fields.append(f"    token_env: {token_env}")
        elif not present:  # switch-only: `enabled` below is always written
            fields += switch_only_comment(token_env, indent="    ")
        if not present or inherited.get("enabled", True) != config.enabled:
            fields.append(f"    enabled: {'true' if config.enabled else 'false'}")
    return [f"  {key}:", *fields] if fields else []
