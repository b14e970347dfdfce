"""The ``reconciler`` command: a click group and the one place that maps errors to exit codes.

Exit codes: 0 ok; 1 any error (user error, network fault, bad answer, refusal);
2 only for "changes/drift present" where a command documents it. Never a traceback
for anything but a bug.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Sequence

import click

from reconciler import __version__
from reconciler.cli.global_options import add_global_options, configure_logging
from reconciler.cli.output import Output
from reconciler.errors import ReconcilerError
from reconciler.secret import run_secrets
from reconciler.secretsbundle import SecretsBundle, use_secrets_file

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("reconciler.cli.commands.validate", "validate_command"),
    "plan": ("reconciler.cli.commands.plan", "plan_command"),
    "apply": ("reconciler.cli.commands.apply", "apply_command"),
    "drift": ("reconciler.cli.commands.drift", "drift_command"),
    "import": ("reconciler.cli.commands.import_", "import_command"),
    "render": ("reconciler.cli.commands.render", "render_command"),
    "snapshot": ("reconciler.cli.commands.snapshot", "snapshot_command"),
    "restore": ("reconciler.cli.commands.restore", "restore_command"),
    "schema": ("reconciler.cli.commands.schema", "schema_command"),
    "emulator": ("reconciler.emulator.cli", "emulator_command"),
    "completion": ("reconciler.cli.commands.completion", "completion_command"),
    "github": ("reconciler.cli.commands.github", "github_group"),
}
"""Each command's module and attribute, imported only when the command is used.

``reconciler validate`` then loads the desired-state stages and nothing of the
HTTP client, the emulator or the renderers (click's "lazily loading subcommands"
pattern); ``--help`` and shell completion load every command.
"""


class LazyGroup(click.Group):
    """A group whose commands (:data:`COMMANDS`) are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attribute)
            add_global_options(command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Config-as-code for Tencent RTC callbacks: validate, plan, apply, detect drift.

    Reads the desired callback configuration (per app and product) from YAML,
    compares it with the live configuration and makes them match.

    The options -v, -q, --secrets-file and --no-color may also follow the command.

    Secrets: each app's secret key comes from the variable its `secret_key_env`
    names, else TRTC_SECRET_KEY_<SDKAPPID>, else TRTC_SECRET_KEY; a live token from
    its `token_env`. Any of them may also come from RECONCILER_SECRETS (a JSON
    object of name → value) or --secrets-file; a real environment variable wins.
    """
    ctx.ensure_object(Output)


add_global_options(cli)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (never raises for user errors).

    The command is one run: the secrets it meets are remembered (and scrubbed from
    every output) until it returns, and forgotten then (see :func:`run_secrets`).
    """
    with run_secrets():
        return _run_command(argv)


def _run_command(argv: Sequence[str] | None) -> int:
    out = Output()  # the global options fill it in; errors below print through it
    configure_logging(0)
    use_secrets_file(SecretsBundle())  # --secrets-file of this run only (tests run many)
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
    finally:
        use_secrets_file(SecretsBundle())
    return result if isinstance(result, int) else 0


RELAXED_THRESHOLD = 10_000
"""Allocations between two collections of the youngest generation in a CLI process."""


def tune_collector() -> None:
    """The CLI process's use of the cycle collector: the one place that changes it.

    A run makes few reference cycles but many objects (parsed documents, tens of
    thousands of answers): what exists at start (the imported modules) is frozen, so no
    collection walks it again, and the youngest generation is collected every
    :data:`RELAXED_THRESHOLD` allocations instead of 700. The library itself never
    touches the collector: a host program embedding it keeps its own settings.
    """
    gc.freeze()
    _, *rest = gc.get_threshold()
    gc.set_threshold(RELAXED_THRESHOLD, *rest)


def main() -> None:
    tune_collector()
    code = run()
    gc.freeze()  # the interpreter's final walk at exit has nothing left to look at
    sys.exit(code)
