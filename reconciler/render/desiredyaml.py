"""Write loaded desired state back as YAML (``reconciler render``), in the ``import`` layout.

Every default, template and placeholder is already applied: this is what
``plan`` compares with the live configuration, one app per YAML document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reconciler.desired.placeholders import escape_braces
from reconciler.desired.result import DesiredApp
from reconciler.render.yamlout import _scalar


def render_desired_app(app: DesiredApp, products: Sequence[str] = ()) -> str:
    """One app as an ``import``-style YAML document (``products``: only these; empty: all)."""
    lines = [
        f"# {app.location.path}, rendered by `reconciler render`",
        f"name: {_scalar(app.name)}",
        f"sdkappid: {app.sdkappid}",
        f"region: {app.region}",
        f"identifier: {_scalar(escape_braces(app.identifier))}",
    ]
    if app.secret_key_env:
        lines.append(f"secret_key_env: {app.secret_key_env}")
    if app.protect:
        lines.append("protect: true")
    if app.lenient:
        lines.append("lenient: true")
    if app.acknowledge:  # the warnings it accepts stay silent when the output is loaded
        lines.append(f"acknowledge: [{', '.join(_scalar(i) for i in app.acknowledge)}]")
    shown = [p for p in app.products.values() if not products or p.product in products]
    if not shown:
        lines.append("callbacks: {}")
        return "\n".join(lines) + "\n"
    lines.append("callbacks:")
    for product in shown:
        lines.append(f"  {product.product}:")
        if product.ensure == "absent":
            lines.append("    ensure: absent")
        elif product.config is not None:
            lines.append(f"    url: {_scalar(escape_braces(product.config.url))}")
            lines.append("    events:")
            lines += [f"      - {_scalar(escape_braces(e))}" for e in sorted(product.config.events)]
        else:
            if product.token_env:  # none: switch-only, the token stays as set in Tencent
                lines.append(f"    token_env: {product.token_env}")
            lines.append(f"    enabled: {'true' if product.enabled else 'false'}")
    return "\n".join(lines) + "\n"


def render_desired(apps: Iterable[DesiredApp], products: Sequence[str] = ()) -> str:
    """Every app as one YAML stream, documents separated by ``---``."""
    return "---\n".join(render_desired_app(app, products) for app in apps)
