"""Options shared by several commands, declared once.

``filters`` and ``backend`` each fold their options into one value object
(:class:`Selection`, :class:`Connection`) passed to the command as
``selection=`` / ``connection=``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from reconciler.clicktypes import FiniteFloatRange, LiveChoice
from reconciler.engine.options import Connection, SafetyRails, Selection
from reconciler.products.catalog import PRODUCT_KEYS
from reconciler.render import FORMATS
from reconciler.thresholds import DEFAULTS, NAMES

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class ProductChoice(LiveChoice):
    """``click.Choice`` of the registered products, read when used (not when the command
    is built), so it follows :func:`reconciler.products.catalog.register`."""

    def __init__(self) -> None:
        super().__init__(PRODUCT_KEYS)


def _connection(**values: Any) -> Connection:
    source = click.get_current_context().get_parameter_source("endpoint")
    return Connection(**values, endpoint_from_env=source is ParameterSource.ENVIRONMENT)


def parse_shard(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        k_text, n_text = value.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise click.BadParameter("use K/N, e.g. 1/4 for the first of four shards") from None
    if n < 1 or not 1 <= k <= n:
        raise click.BadParameter(f"{value}: K must be between 1 and N (e.g. 1/4 … 4/4)")
    return (k, n)


def _folding(
    name: str, factory: Callable[..., Any], fields: tuple[str, ...], options: list[Decorator]
) -> Decorator:
    """Declare ``options`` on a command and pass them folded as ``name=factory(...)``."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {f: kwargs.pop(f) for f in fields}
            return func(*args, **{name: factory(**values)}, **kwargs)

        decorated: Callable[..., Any] = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate


desired_dir = click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, path_type=Path)
)

filters = _folding(
    "selection",
    Selection,
    ("apps", "products", "shard", "lenient", "exclude_apps", "policy"),
    [
        click.option(
            "--app",
            "apps",
            multiple=True,
            metavar="NAME_OR_ID",
            help="Only the apps whose name or sdkappid matches (shell wildcards, e.g. "
            "'staging-*' or '14000000*'). Repeatable.",
        ),
        click.option(
            "--exclude-app",
            "exclude_apps",
            multiple=True,
            metavar="NAME_OR_ID",
            help="Leave out the apps whose name or sdkappid matches (wildcards too). Repeatable.",
        ),
        click.option(
            "--product",
            "products",
            multiple=True,
            type=ProductChoice(),
            help="Only this product. Repeatable.",
        ),
        click.option(
            "--shard",
            callback=parse_shard,
            metavar="K/N",
            help="Only the K-th of N deterministic slices of the apps (by sdkappid), "
            "so N CI jobs cover a fleet.",
        ),
        click.option(
            "--lenient",
            is_flag=True,
            help="Let unknown event words through with a warning (new Tencent events).",
        ),
        click.option(
            "--policy",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            metavar="FILE",
            help="Check the apps against this policy file instead of DIRECTORY/policy.yaml.",
        ),
    ],
)

backend = _folding(
    "connection",
    _connection,
    ("endpoint", "emulator_seed", "parallelism", "timeout"),
    [
        click.option(
            "--endpoint",
            envvar="TRTC_ENDPOINT",
            metavar="URL",
            help="Send every request to this base URL instead of the regional Tencent "
            "hosts (paths unchanged). Plain http:// only to loopback. "
            "Env: TRTC_ENDPOINT.",
        ),
        click.option(
            "--emulator",
            "emulator_seed",
            metavar="SEED",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Start an embedded emulator from this seed file, take the secret keys "
            "from it and run against it (a sandbox; no Tencent account needed).",
        ),
        click.option(
            "--parallelism",
            type=click.IntRange(1, 1024),
            default=Connection.parallelism,
            show_default=True,
            help="Most requests in flight at once (per-app rate limits apply as well).",
        ),
        click.option(
            "--timeout",
            type=FiniteFloatRange(0.1, 600),
            default=Connection.timeout,
            show_default=True,
            help="Seconds for one whole request: connect, headers and body (Tencent's "
            "own timeout is 3 s).",
        ),
    ],
)

render_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How to print the result on stdout.",
)

html_report = click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write the HTML report (as --format html prints it) to FILE, e.g. for a "
    "CI artifact next to a Markdown comment.",
)


ignores = click.option(
    "--ignore",
    "ignores",
    multiple=True,
    metavar="APP/PRODUCT",
    help="An accepted difference, left alone and listed as ignored (wildcards allowed, "
    "e.g. 'staging-*/live'). Repeatable; also read from DIR/.driftignore.",
)


def _thresholds(
    force: bool, max_update_pct: float, max_delete_pct: float, min_existing: int
) -> SafetyRails:
    ctx = click.get_current_context()
    given = frozenset(
        name for name in NAMES if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
    )
    return SafetyRails(force, max_update_pct, max_delete_pct, min_existing, given)


safety_rails = _folding(
    "rails",
    _thresholds,
    ("force", *NAMES),
    [
        click.option(
            "--force",
            is_flag=True,
            help="Override the update/delete safety thresholds (shown in the output, "
            "recorded in the audit log). `protect: true` is never overridden.",
        ),
        click.option(
            "--max-update-pct",
            type=FiniteFloatRange(0, 100),
            default=DEFAULTS.max_update_pct,
            show_default=True,
            help="Unsafe when updates exceed this share of the existing managed configs "
            "(wins over `safety: max_update_pct` in policy.yaml).",
        ),
        click.option(
            "--max-delete-pct",
            type=FiniteFloatRange(0, 100),
            default=DEFAULTS.max_delete_pct,
            show_default=True,
            help="Unsafe when deletes exceed this share of the existing managed configs "
            "(wins over `safety: max_delete_pct` in policy.yaml).",
        ),
        click.option(
            "--min-existing",
            type=click.IntRange(0),
            default=DEFAULTS.min_existing,
            show_default=True,
            help="The thresholds apply only when at least this many managed configs exist "
            "(wins over `safety: min_existing` in policy.yaml).",
        ),
    ],
)
