"""``reconciler emulator admin``: change a running emulator as a console would, for
rehearsals (drift, a new app), through its loopback-only admin routes
(:mod:`reconciler.emulator.admin`). No UserSig, no vocabulary check."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit

import click
import httpx

from reconciler.clicktypes import LiveChoice
from reconciler.errors import UsageError
from reconciler.escape import escape
from reconciler.loopback import is_loopback
from reconciler.products.catalog import MAX_SDKAPPID, PRODUCT_KEYS

_ENDPOINT = "reconciler.emulator.admin.endpoint"
TIMEOUT_SECONDS = 10.0

_HELP = """Change a running emulator behind the reconciler's back, as a console would.

Adds apps and sets or deletes live configs through the emulator's admin routes,
without a UserSig and with any command words, so that drift and new apps can be
rehearsed. The emulator answers these routes only on loopback.

\b
Examples:
  reconciler emulator admin --endpoint http://127.0.0.1:8080 add-app \\
      --sdkappid 1400000009 --secret-key demo-key-9
  reconciler emulator admin set --sdkappid 1400000001 --product call \\
      --url https://console.example.com/cb --events Call.CallbackAfterEndCall,Any.Word
  reconciler emulator admin delete --sdkappid 1400000001 --product live
"""


def _endpoint(value: str) -> str:
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host:
        raise UsageError(f"--endpoint must be http://HOST:PORT, found {escape(value[:200])}")
    if not is_loopback(host):
        raise UsageError(
            f"--endpoint {escape(value[:200])}: the emulator's admin routes answer only on "
            "loopback; use the emulator's http://127.0.0.1:PORT"
        )
    return value.rstrip("/")


@click.group("admin", help=_HELP)
@click.option(
    "--endpoint",
    envvar="TRTC_ENDPOINT",
    required=True,
    metavar="URL",
    help="The running emulator, e.g. http://127.0.0.1:8080 (default: $TRTC_ENDPOINT).",
)
@click.pass_context
def admin_group(ctx: click.Context, endpoint: str) -> None:
    ctx.meta[_ENDPOINT] = _endpoint(endpoint)


def _call(path: str, body: dict[str, Any]) -> dict[str, Any]:
    endpoint: str = click.get_current_context().meta[_ENDPOINT]
    try:
        response = httpx.post(f"{endpoint}/_admin{path}", json=body, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise UsageError(
            f"cannot reach the emulator at {escape(endpoint)}: {escape(str(exc)[:200])}; "
            "is `reconciler emulator` running there?"
        ) from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or "ok" not in answer:
        raise UsageError(
            f"{escape(endpoint)} did not answer as a reconciler emulator (HTTP "
            f"{response.status_code}); is it one, and recent enough to have admin routes?"
        )
    if not answer["ok"]:
        raise UsageError(f"the emulator refused: {escape(str(answer.get('error', ''))[:500])}")
    return answer


def _done(answer: dict[str, Any]) -> int:
    click.echo(escape(str(answer.get("message", ""))))
    return 0


sdkappid_option = click.option(
    "--sdkappid", type=click.IntRange(1, MAX_SDKAPPID), required=True, help="The app."
)
# the registry is read when the command runs: a product registered after this module
# was imported is taken, and listed in --help
product_option = click.option(
    "--product", type=LiveChoice(PRODUCT_KEYS), required=True, help="The product."
)


def _secret(value: str | None, env: str | None, flag: str) -> str | None:
    if value is not None and env is not None:
        raise UsageError(f"give {flag} or {flag}-env, not both")
    if env is None:
        return value
    found = os.environ.get(env)
    if not found:
        raise UsageError(f"{flag}-env {escape(env)}: the environment variable is not set")
    return found


@admin_group.command("add-app")
@sdkappid_option
@click.option("--secret-key", metavar="KEY", help="The app's secret key (a demo key).")
@click.option(
    "--secret-key-env", metavar="VAR", help="Read the secret key from this environment variable."
)
@click.option(
    "--admin",
    "admins",
    multiple=True,
    metavar="IDENTIFIER",
    help="An admin account (repeatable; default administrator).",
)
@click.option("--no-group-call", is_flag=True, help="v1 (call_legacy) requests answer 50001.")
def add_app(
    sdkappid: int,
    secret_key: str | None,
    secret_key_env: str | None,
    admins: tuple[str, ...],
    no_group_call: bool,
) -> int:
    """Add an app (with no callback configured)."""
    key = _secret(secret_key, secret_key_env, "--secret-key")
    if not key:
        raise UsageError("add-app needs the app's secret key: --secret-key or --secret-key-env")
    body = {
        "sdkappid": sdkappid,
        "secret_key": key,
        "admins": list(admins or ("administrator",)),
        "group_call": not no_group_call,
    }
    return _done(_call("/apps", body))


@admin_group.command("set")
@sdkappid_option
@product_option
@click.option("--url", metavar="URL", help="The callback URL (any text, as a console takes).")
@click.option(
    "--events",
    metavar="A,B,...",
    help="Comma list of command words; any words, known to the tool or not.",
)
@click.option("--token-env", metavar="VAR", help="live_token: the environment variable.")
@click.option("--enabled/--disabled", default=None, help="live_token: the on/off switch.")
def set_config(
    sdkappid: int,
    product: str,
    url: str | None,
    events: str | None,
    token_env: str | None,
    enabled: bool | None,
) -> int:
    """Set (create or overwrite) the live config of one app and product."""
    body: dict[str, Any] = {"sdkappid": sdkappid, "product": product}
    if product == "live_token":
        if url is not None or events is not None:
            raise UsageError("live_token takes --token-env and --enabled/--disabled, not --url")
        token = _secret(None, token_env, "--token")
        if token is not None:
            body["token"] = token
        if enabled is not None:
            body["enabled"] = enabled
    else:
        if url is None or events is None:
            raise UsageError(f"set --product {product} needs --url and --events")
        if token_env is not None or enabled is not None:
            raise UsageError("--token-env and --enabled/--disabled are for live_token only")
        body["url"] = url
        body["events"] = [word.strip() for word in events.split(",") if word.strip()]
    return _done(_call("/configs/set", body))


@admin_group.command("delete")
@sdkappid_option
@product_option
def delete_config(sdkappid: int, product: str) -> int:
    """Delete the live config of one app and product."""
    return _done(_call("/configs/delete", {"sdkappid": sdkappid, "product": product}))


@admin_group.command("show")
@sdkappid_option
@product_option
def show_config(sdkappid: int, product: str) -> int:
    """Print the live config of one app and product as JSON (a token shows as "(set)")."""
    answer = _call("/configs/get", {"sdkappid": sdkappid, "product": product})
    click.echo(escape(json.dumps(answer.get("config"), ensure_ascii=False)))
    return 0
