"""Write live state as a desired-state YAML file (``reconciler import``).

Commented, events sorted; a live token is never written: the file names an
environment variable instead (``token_env``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import yaml

from reconciler.configs import CallbackConfig, Config, TokenConfig
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


def render_app_yaml(
    *,
    name: str,
    sdkappid: int,
    region: str,
    identifier: str,
    configs: Mapping[str, Config | None],
    token_env: str,
    secret_key_env: str | None = None,
) -> str:
    lines = [
        f"# Imported from the live configuration of {sdkappid} by `reconciler import`.",
        "# Review it, commit it, and `reconciler plan` should show no changes.",
        "",
        f"name: {_scalar(name)}",
        f"sdkappid: {sdkappid}",
        f"region: {region}",
        f"identifier: {_scalar(identifier)}",
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
    lines.append("callbacks:")
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
            lines.append(f"    url: {_scalar(config.url)}")
            lines.append("    events:")
            lines += [f"      - {_scalar(e)}" for e in sorted(config.events)]
        elif isinstance(config, TokenConfig):
            lines.append("    # The live token is not written here: set this variable to it.")
            lines.append(f"    token_env: {token_env}")
            lines.append(f"    enabled: {'true' if config.enabled else 'false'}")
    return "\n".join(lines) + "\n"
