"""``reconciler emulator``: run the local emulator of Tencent's callback-config APIs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from reconciler.clicktypes import FiniteFloatRange
from reconciler.emulator.admincli import admin_group
from reconciler.emulator.app import create_app
from reconciler.emulator.behaviour import (
    DEFAULT_BEHAVIOUR,
    V1_MISSING_CHOICES,
    Behaviour,
    V1Missing,
)
from reconciler.emulator.faults import ALL_KINDS, FaultConfig, FaultKind, parse_fault_kinds
from reconciler.emulator.requestlog import RequestLogError
from reconciler.emulator.seed import Seed, load_seed
from reconciler.emulator.server import base_url, bind_socket, make_server
from reconciler.emulator.store import Store
from reconciler.errors import ReconcilerError
from reconciler.loopback import is_loopback

_HELP = """Run a local emulator of Tencent's callback-configuration REST APIs.

It serves /v1/callback/*, /v4/call_config/*, /v4/live_config/* and
/v4/room_config/* on one port with the documented envelopes, UserSig checks,
error codes and rate limits (10/s v1, 200/s v4 per app). Point the reconciler
at it with --endpoint http://127.0.0.1:PORT.

Once it accepts connections it prints exactly one line on stdout,
"listening on http://HOST:PORT"; notes go to stderr. It stops on SIGINT or
SIGTERM (exit 0). A bad seed file is reported as FILE:LINE:COL: message
(exit 1). It is a test server holding demo keys: it refuses to listen on a
non-loopback address unless --allow-remote is given.

\b
Seed file (only loaded into an empty database):
  apps:
    - sdkappid: 1400000001
      secret_key: demo-key-not-secret-1
      admins: [administrator]          # default [administrator]
      group_call: true                 # false: v1 calls answer 50001
      callbacks:
        call: {url: https://old.example.com/cb, events: [Call.CallbackAfterEndCall]}
        live_token: {token: demo-token, enabled: true}

\b
Example:
  reconciler emulator --port 0 --seed seed.yaml --db emulator.db

`reconciler emulator admin --help`: add apps and set or delete live configs of
a running emulator, as a console would (loopback only, no UserSig), to rehearse
drift.
"""


def _fault_kinds(ctx: click.Context, param: click.Parameter, value: str) -> tuple[FaultKind, ...]:
    try:
        return parse_fault_kinds(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group("emulator", help=_HELP, invoke_without_command=True)
@click.option(
    "--host",
    metavar="HOST",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback only, unless --allow-remote).",
)
@click.option(
    "--port",
    metavar="N",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="TCP port; 0 picks a free port (read it from the 'listening on' line).",
)
@click.option(
    "--seed",
    "seed_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Seed YAML (apps, secret keys, admins, starting callbacks); only used "
    "when the database is empty.",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file that keeps state across restarts (default: in memory).",
)
@click.option(
    "--latency-ms",
    metavar="N",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Delay every answer by this many milliseconds.",
)
@click.option(
    "--fault-rate",
    metavar="F",
    type=FiniteFloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Fraction (0..1) of authenticated API requests answered with a transient fault.",
)
@click.option(
    "--fault-seed",
    metavar="N",
    type=int,
    help="Seed of the fault RNG, for reproducible fault sequences.",
)
@click.option(
    "--fault-kinds",
    metavar="LIST",
    default=",".join(k.value for k in ALL_KINDS),
    show_default=True,
    callback=_fault_kinds,
    help="Comma list of faults to draw from: 100001 (ErrorCode 100001), "
    "502 (HTTP 502 page), hang (no answer for --hang-seconds, then 100001).",
)
@click.option(
    "--hang-seconds",
    metavar="SECONDS",
    type=FiniteFloatRange(min=0.0),
    default=30.0,
    show_default=True,
    help="How long a 'hang' fault waits before answering.",
)
@click.option(
    "--no-rate-limit",
    is_flag=True,
    help="Turn off the per-app rate limits (e.g. for benchmarks).",
)
@click.option(
    "--log-requests",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append one JSON line per request to FILE (never UserSigs or tokens).",
)
@click.option(
    "--v1-missing",
    type=click.Choice(V1_MISSING_CHOICES),
    default=None,
    help="What a v1 get/delete answers when nothing is configured: 'empty' "
    "(success, data {}) or '999' (errorCode 999); the docs allow both. "
    "Default: the seed's behaviour.v1_missing, else empty.",
)
@click.option(
    "--variant-spellings/--no-variant-spellings",
    default=None,
    help="Answer get with the variant spelling of words that have one "
    "(e.g. Room.CallbackUpdateRoomInfo), as some Tencent sample answers do. "
    "Default: the seed's behaviour.variant_spellings, else off.",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a non-loopback --host. The emulator holds demo keys: do not expose it.",
)
@click.pass_context
def emulator_command(
    ctx: click.Context,
    host: str,
    port: int,
    seed_path: Path | None,
    db: Path | None,
    latency_ms: int,
    fault_rate: float,
    fault_seed: int | None,
    fault_kinds: tuple[FaultKind, ...],
    hang_seconds: float,
    no_rate_limit: bool,
    log_requests: Path | None,
    v1_missing: V1Missing | None,
    variant_spellings: bool | None,
    allow_remote: bool,
) -> None:
    if ctx.invoked_subcommand is not None:
        return  # `emulator admin ...`: talks to a running emulator, serves nothing
    if not is_loopback(host) and not allow_remote:
        _fail(
            ctx,
            f"refusing to listen on {host}: the emulator is a test server with demo keys; "
            "use a loopback address such as 127.0.0.1, or pass --allow-remote",
        )
    try:
        seed = load_seed(seed_path) if seed_path is not None else Seed()
        store = Store(str(db) if db is not None else None)
    except ReconcilerError as exc:
        _fail(ctx, str(exc))
    try:
        _serve(
            ctx,
            store,
            seed=seed,
            seed_path=seed_path,
            db=db,
            host=host,
            port=port,
            faults=FaultConfig(
                rate=fault_rate, seed=fault_seed, kinds=fault_kinds, hang_seconds=hang_seconds
            ),
            latency_ms=latency_ms,
            rate_limit=not no_rate_limit,
            request_log=log_requests,
            behaviour=_behaviour(seed.behaviour, v1_missing, variant_spellings),
        )
    finally:
        store.close()


def _serve(
    ctx: click.Context,
    store: Store,
    *,
    seed: Seed,
    seed_path: Path | None,
    db: Path | None,
    host: str,
    port: int,
    faults: FaultConfig,
    latency_ms: int,
    rate_limit: bool,
    request_log: Path | None,
    behaviour: Behaviour,
) -> None:
    if store.fill_from_seed(seed):
        if seed_path is not None:
            _note(f"loaded {len(seed.apps)} app(s) from {seed_path}")
    elif seed_path is not None:
        _note(f"{db} already holds state; seed {seed_path} ignored")
    apps = store.list_apps()
    if not apps:
        _note("warning: no apps configured; pass --seed FILE to create some")
    else:
        shown = ", ".join(str(app.sdkappid) for app in apps[:10])
        more = f" and {len(apps) - 10} more" if len(apps) > 10 else ""
        _note(f"serving {len(apps)} app(s): {shown}{more}")

    try:
        app = create_app(
            store,
            rate_limit=rate_limit,
            faults=faults,
            latency_ms=latency_ms,
            request_log=request_log,
            behaviour=behaviour,
        )
    except RequestLogError as exc:
        _fail(ctx, str(exc))
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        _fail(ctx, f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    url = base_url(host, sock.getsockname()[1])

    def announce() -> None:
        click.echo(f"listening on {url}")
        sys.stdout.flush()

    server = make_server(app, handle_signals=True, on_started=announce, configure_logging=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


emulator_command.add_command(admin_group)


def _behaviour(
    seeded: Behaviour | None, v1_missing: V1Missing | None, variant_spellings: bool | None
) -> Behaviour:
    """The seed's behaviour, with what the flags set on top."""
    base = seeded or DEFAULT_BEHAVIOUR
    return Behaviour(
        v1_missing=v1_missing if v1_missing is not None else base.v1_missing,
        variant_spellings=(
            variant_spellings if variant_spellings is not None else base.variant_spellings
        ),
    )


def _note(message: str) -> None:
    click.echo(f"emulator: {message}", err=True)


def _fail(ctx: click.Context, message: str) -> NoReturn:
    click.echo(message, err=True)
    ctx.exit(1)
