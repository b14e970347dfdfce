"""Write live state as a desired-state YAML file (``reconciler import``).

Commented, events sorted; a live token is never written: the file names an
environment variable instead (``token_env``), or, when nobody holds the token
(``manage_token=False``), manages only its on/off switch (``enabled``) and says how
to manage the token too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import yaml

from reconciler.configs import CallbackConfig, Config, TokenConfig
from reconciler.desired.placeholders import escape_braces
from reconciler.products.catalog import PRODUCT_KEYS, PRODUCTS


def _scalar(value: object) -> str:
    return (
        yaml.safe_dump(value, default_flow_style=True, width=10_000)
        .strip()
        .removesuffix("\n...")
        .removesuffix("...")
        .strip()
    )


def token_env_name(app_name: str) -> str:
    return "LIVE_WEBHOOK_TOKEN_" + re.sub(r"[^A-Za-z0-9]+", "_", app_name).strip("_").upper()


def switch_only_comment(token_env: str, *, indent: str) -> list[str]:
    """Comment lines over a switch-only token product: how the token is kept."""
    return [
        f"{indent}# Only the on/off switch is managed: the token stays as set in Tencent.",
        f"{indent}# To manage the token too, add `token_env: {token_env}` here",
        f"{indent}# and set that environment variable to the token.",
    ]


def render_app_yaml(
    *,
    name: str,
    sdkappid: int,
    region: str,
    identifier: str,
    configs: Mapping[str, Config | None],
    token_env: str,
    secret_key_env: str | None = None,
    manage_token: bool = True,
) -> str:
    lines = [
        f"# Imported from the live configuration of {sdkappid} by `reconciler import`.",
        "# Review it, commit it, and `reconciler plan` should show no changes.",
        "",
        f"name: {_scalar(name)}",
        f"sdkappid: {sdkappid}",
        f"region: {region}",
        f"identifier: {_scalar(escape_braces(identifier))}",
    ]
    if secret_key_env:
        lines.append(f"secret_key_env: {secret_key_env}")
    unknown = sorted(
        {
            event
            for key, config in configs.items()
            if isinstance(config, CallbackConfig)
            for event in config.events - PRODUCTS[key].events
        }
    )
    if unknown:
        lines.append(f"# live events this tool does not know yet: {', '.join(unknown)}")
        lines.append("lenient: true")
    lines.append("")
    present = [k for k in PRODUCT_KEYS if configs.get(k) is not None]
    if not present:
        lines.append("# Nothing is configured live for this app yet.")
        lines.append("callbacks: {}")
        return "\n".join(lines) + "\n"
    managed = [
        k for k in present if not (isinstance(c := configs[k], CallbackConfig) and not c.events)
    ]
    # with only products left unmanaged (comments below), none is managed
    lines.append("callbacks:" if managed else "callbacks: {}")
    for key in present:
        config = configs[key]
        lines.append(f"  # {PRODUCTS[key].title}")
        if isinstance(config, CallbackConfig) and not config.events:
            lines.append(f"  # {key}: configured live with no events, which the desired state")
            lines.append("  # cannot express (events must not be empty); left unmanaged.")
            lines.append(f"  # url was {_scalar(config.url)}")
            continue
        lines.append(f"  {key}:")
        if isinstance(config, CallbackConfig):
            lines.append(f"    url: {_scalar(escape_braces(config.url))}")
            lines.append("    events:")
            lines += [f"      - {_scalar(escape_braces(e))}" for e in sorted(config.events)]
        elif isinstance(config, TokenConfig):
            if manage_token:
                lines.append("    # The live token is not written here: set this variable to it.")
                lines.append(f"    token_env: {token_env}")
            else:
                lines += switch_only_comment(token_env, indent="    ")
            lines.append(f"    enabled: {'true' if config.enabled else 'false'}")
    return "\n".join(lines) + "\n"
