"""The global options (-v, -q, --secrets-file, --no-color), accepted before or after the
subcommand.

``reconciler -q plan DIR`` and ``reconciler plan DIR -q`` mean the same: the options
are declared on the group and on every subcommand, and each occurrence adds to the
one :class:`Output` object of the run (``-v`` counts across both places).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from reconciler.api.redact import install_handler_scrubbing, install_log_redaction
from reconciler.cli.output import Output
from reconciler.cli.progress import clear_line


def _clear_progress(record: logging.LogRecord) -> bool:
    """A log line gets its own terminal line: a progress counter there is cleared first."""
    clear_line()
    return True


def configure_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().setLevel(level)
    for handler in logging.getLogger().handlers:
        if _clear_progress not in handler.filters:
            handler.addFilter(_clear_progress)
    install_log_redaction()
    install_handler_scrubbing()  # every log line, of any logger, without any known secret
    # the client logs each request line at DEBUG (-vv), its UserSig redacted; httpx,
    # if anything sends through it, logs at INFO: keep that for -vv too.
    logging.getLogger("httpx").setLevel(logging.NOTSET if verbose >= 2 else logging.WARNING)


def _output(ctx: click.Context) -> Output:
    return ctx.ensure_object(Output)


def _verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    out = _output(ctx)
    out.verbose += value
    configure_logging(out.verbose)


def _quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _output(ctx).quiet = True


def _no_color(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _output(ctx).no_color = True


def _secrets_file(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is None:
        return
    from reconciler.secretsbundle import (
        group_or_others_can_read,
        read_secrets_file,
        use_secrets_file,
    )

    bundle = read_secrets_file(value)  # every value a Secret, scrubbed from now on
    if group_or_others_can_read(value):
        _output(ctx).warn(
            f"the secrets file {value} can be read by group or others: "
            f"restrict it with `chmod 600 {value}`"
        )
    use_secrets_file(bundle)


def global_params() -> list[click.Parameter]:
    """Fresh option objects (one set per command that declares them)."""
    return [
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_verbose,
            help="More detail on stderr (-vv for debug).",
        ),
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            callback=_quiet,
            help="Only the result and errors (a y/N prompt still shows the changes it asks about).",
        ),
        click.Option(
            ["--secrets-file"],
            type=click.Path(dir_okay=False, path_type=Path),
            expose_value=False,
            callback=_secrets_file,
            metavar="FILE",
            help="Read secret variables (keys, tokens) from FILE too: JSON, YAML or dotenv "
            "(NAME=value), like RECONCILER_SECRETS. A real environment variable wins.",
        ),
        click.Option(
            ["--no-color"],
            is_flag=True,
            expose_value=False,
            callback=_no_color,
            help="No colour (also: NO_COLOR set; FORCE_COLOR forces colour on).",
        ),
    ]


def add_global_options(command: click.Command) -> None:
    """Let ``command`` (and, for a group, it alone) take the global options too."""
    command.params.extend(global_params())
