"""The ``reconciler`` command: a click group and the one place that maps errors to exit codes.

Exit codes: 0 ok; 1 any error (user error, network fault, bad answer, refusal);
2 only for "changes/drift present" where a command documents it. Never a traceback
for anything but a bug.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from reconciler import __version__
from reconciler.cli.commands.apply import apply_command
from reconciler.cli.commands.completion import completion_command
from reconciler.cli.commands.drift import drift_command
from reconciler.cli.commands.import_ import import_command
from reconciler.cli.commands.plan import plan_command
from reconciler.cli.commands.schema import schema_command
from reconciler.cli.commands.snapshot import snapshot_command
from reconciler.cli.commands.validate import validate_command
from reconciler.cli.global_options import add_global_options, configure_logging
from reconciler.cli.output import Output
from reconciler.emulator.cli import emulator_command
from reconciler.errors import ReconcilerError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Config-as-code for Tencent RTC callbacks: validate, plan, apply, detect drift.

    Reads the desired callback configuration (per app and product) from YAML,
    compares it with the live configuration and makes them match.

    The options -v, -q and --no-color may also follow the command.
    """
    ctx.ensure_object(Output)


for command in (
    validate_command,
    plan_command,
    apply_command,
    drift_command,
    import_command,
    snapshot_command,
    schema_command,
    emulator_command,
    completion_command,
):
    add_global_options(command)
    cli.add_command(command)
add_global_options(cli)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (never raises for user errors)."""
    out = Output()  # the global options fill it in; errors below print through it
    configure_logging(0)
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="reconciler",
            standalone_mode=False,
            obj=out,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort as exc:
        # click turns Ctrl-C and end of input into Abort (its prompts `from None`, so
        # look at the context too). Apply catches Ctrl-C itself while it writes
        # (ApplyInterrupted), so here nothing has been changed.
        if isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):
            out.error("interrupted; nothing was changed")
            return 130
        out.error("aborted; nothing was changed")
        return 1
    except click.UsageError as exc:
        # Usage errors must not exit 2: 2 means "changes present".
        where = exc.ctx.command_path if exc.ctx else "reconciler"
        out.error(f"{exc.format_message()} (see '{where} --help')")
        return 1
    except click.ClickException as exc:
        out.error(exc.format_message())
        return 1
    except ReconcilerError as exc:
        out.error(exc)
        return exc.exit_code
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())
