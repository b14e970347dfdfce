"""``reconciler completion SHELL``: print the shell-completion script (click's own machinery)."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from reconciler.cli.output import Output

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_RECONCILER_COMPLETE"


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion_command(ctx: click.Context, shell: str) -> int:
    """Print the completion script for SHELL (bash, zsh or fish).

    \b
    bash:  eval "$(reconciler completion bash)"        (in ~/.bashrc)
    zsh:   eval "$(reconciler completion zsh)"         (in ~/.zshrc)
    fish:  reconciler completion fish > ~/.config/fish/completions/reconciler.fish

    Commands, options, choices (--product, --format, --region) and paths complete.
    """
    out: Output = ctx.ensure_object(Output)
    completion_class = get_completion_class(shell)
    assert completion_class is not None  # every name in SHELLS is one of click's
    root = ctx.find_root().command
    script = completion_class(root, {}, "reconciler", COMPLETE_VAR).source()
    out.result(script if script.endswith("\n") else script + "\n")
    return 0
