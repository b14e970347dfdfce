"""Where text goes: the product (plan, report) to stdout; logs, warnings, prompts to stderr.

Every text written here is first scrubbed of every secret the process knows
(:func:`reconciler.api.redact.scrub_known`): whatever a message quotes, from a
server or a file, no secret key, UserSig or token of any app of the run gets out.
Then it is made inert for a terminal and a CI log (:func:`reconciler.escape.terminal_lines`):
whatever a value quotes, no control, bidi or invisible character gets out raw and no
line starts a GitHub workflow command, even where a caller forgot to escape it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from reconciler.api.redact import scrub_known
from reconciler.cli.progress import clear_line
from reconciler.errors import ConfigError, ConfigErrors, Location, OutputError, ReconcilerError
from reconciler.escape import annotation_data, annotation_property, terminal_lines
from reconciler.render.color import RED, YELLOW, colorize, paint, use_color


def _clean(text: str) -> str:
    """``text`` scrubbed of known secrets and made inert, before any colour is added."""
    return terminal_lines(scrub_known(text))


def _echo(
    text: str,
    *,
    err: bool = True,
    nl: bool = True,
    color: bool | None = None,
    scrubbed: bool = False,
) -> None:
    """``click.echo`` of ``text`` scrubbed of every known secret and made inert
    (``scrubbed``: the caller did both before painting it, and a plan of thousands of
    apps is not scanned twice). A progress counter on the terminal is cleared first."""
    clear_line()
    try:
        click.echo(text if scrubbed else _clean(text), err=err, nl=nl, color=color)
    except OSError as exc:  # a full disk, a closed pipe: one line, not a traceback
        if err:
            return  # stderr itself cannot be written: there is nowhere to say so
        _drop_stdout()
        reason = exc.strerror or type(exc).__name__
        raise OutputError(
            f"cannot write to standard output: {reason}; the output is incomplete "
            "(free disk space, or write it elsewhere)"
        ) from None


def _drop_stdout() -> None:
    """Send what is left for stdout to the null device, so that the buffered text
    Python flushes at exit does not fail a second time (with a traceback)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file (captured in tests)
        pass


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def github_annotation(error: ConfigError, level: str = "error") -> str:
    """A GitHub workflow command (``::error file=...::message``), its file and message
    escaped (:func:`reconciler.escape.annotation_property`, ``annotation_data``)."""
    loc = error.location
    props = [f"file={annotation_property(loc.path)}"]
    if loc.line > 0:
        props.append(f"line={loc.line}")
    if loc.column > 0:
        props.append(f"col={loc.column}")
    return f"::{level} {','.join(props)}::{annotation_data(error.message)}"


def _annotate(error: ConfigError, level: str = "error") -> None:
    """Write the annotation line: scrubbed, never defused (it is meant to be a command)."""
    _echo(scrub_known(github_annotation(error, level)), err=True, scrubbed=True)


@dataclass
class Output:
    """Where text goes, and the global options that shape it (-q, -v, --no-color).

    The global options may be given before or after the subcommand; each occurrence
    adds to this one object (see :mod:`reconciler.cli.global_options`).
    """

    quiet: bool = False
    verbose: int = 0
    no_color: bool = False

    def color_stdout(self) -> bool:
        return use_color(sys.stdout, no_color_flag=self.no_color)

    def color_stderr(self) -> bool:
        return use_color(sys.stderr, no_color_flag=self.no_color)

    def result(self, text: str, *, colorize_text: bool = False) -> None:
        """The product of the command (plan, report): stdout.

        ``colorize_text`` for the text format only (never Markdown or JSON): painted
        when colour is on for stdout.
        """
        color = self.color_stdout()
        text = _clean(text)  # before painting: a secret is matched as written
        if colorize_text and color:
            text = colorize(text)
        _echo(text, err=False, nl=not text.endswith("\n"), color=color, scrubbed=True)

    def _err(self, message: str, colour: str | None = None) -> None:
        color = self.color_stderr()
        message = _clean(message)
        if colour and color:
            message = paint(message, colour)
        _echo(message, err=True, color=color, scrubbed=True)

    def info(self, message: str, *, colorize_text: bool = False) -> None:
        """Progress and previews on stderr (``colorize_text``: a text plan or result line)."""
        if self.quiet:
            return
        color = self.color_stderr()
        message = _clean(message)
        if colorize_text and color:
            message = colorize(message)
        _echo(message, err=True, color=color, scrubbed=True)

    def always(self, message: str) -> None:
        """stderr even under ``-q``: what a prompt asks about must be seen."""
        color = self.color_stderr()
        message = _clean(message)
        _echo(colorize(message) if color else message, err=True, color=color, scrubbed=True)

    def warn(self, message: str) -> None:
        if not self.quiet:
            self._err(f"warning: {message}", YELLOW)

    def config_warning(self, location: Location, message: str) -> None:
        """A located warning from loading the desired state (annotated in GitHub Actions)."""
        if self.quiet:
            return
        self._err(f"{location}: warning: {message}", YELLOW)
        if in_github_actions():
            _annotate(ConfigError(location, message), "warning")

    def error(self, error: ReconcilerError | str) -> None:
        if isinstance(error, (ConfigError, ConfigErrors)):
            errors = error.errors if isinstance(error, ConfigErrors) else [error]
            for e in errors:  # one `error: path:line:col: message` line each
                self._err(f"error: {e}", RED)
            if in_github_actions():
                for e in errors:
                    _annotate(e)
            return
        first, *rest = str(error).split("\n")
        self._err(f"error: {first}", RED)
        for line in rest:
            self._err(f"  {line}" if not line.startswith("  ") else line, RED)

    @property
    def stderr_is_tty(self) -> bool:
        return sys.stderr.isatty()


def append_step_summary(markdown: str | Callable[[], str]) -> None:
    """In GitHub Actions, add ``markdown`` to the job's summary page.

    ``markdown`` may be a function that renders it: called only in GitHub Actions,
    so a plan of thousands of apps is not rendered a second time for nothing.
    """
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not in_github_actions() or not target:
        return
    text = markdown() if callable(markdown) else markdown
    try:
        with Path(target).open("a", encoding="utf-8") as fh:
            fh.write(scrub_known(text.rstrip("\n")) + "\n\n")
    except OSError as exc:
        _echo(f"warning: cannot write the step summary to {target}: {exc.strerror}", err=True)
