"""The secrets bundle: many secret variables in one place.

``RECONCILER_SECRETS`` (an environment variable) holds a JSON object of variable
name → value, and ``--secrets-file FILE`` the same as JSON, YAML or dotenv. Every
lookup of a secret variable (secret keys, live tokens) also looks here; a real,
non-empty environment variable wins (see :mod:`reconciler.credentials`).

Every value becomes a :class:`~reconciler.secret.Secret` when read, so it is
scrubbed from every output. A malformed bundle is an error that names the
variable or the file (with ``line:col`` where known) and quotes none of it.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconciler.errors import ReconcilerError
from reconciler.secret import Secret

BUNDLE_ENV = "RECONCILER_SECRETS"
MAX_BUNDLE_BYTES = 1024 * 1024
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SecretsBundleError(ReconcilerError):
    """A secrets bundle that cannot be used; the message quotes none of its content."""


@dataclass(frozen=True)
class SecretsBundle:
    """Variable name → value, and where the values came from (for messages)."""

    values: Mapping[str, str] = field(default_factory=dict, repr=False)  # never shown
    origin: str = ""  # "RECONCILER_SECRETS", "--secrets-file FILE" or both

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def __bool__(self) -> bool:
        return bool(self.values)

    def merged_over(self, other: SecretsBundle) -> SecretsBundle:
        """This bundle's values over ``other``'s (which they win against)."""
        if not other:
            return self
        if not self:
            return other
        origin = f"{other.origin} and {self.origin}"
        return SecretsBundle({**other.values, **self.values}, origin)


def _fail(where: str, what: str, line: int = 0, column: int = 0) -> SecretsBundleError:
    at = f"{where}:{line}:{column}" if line > 0 else where
    return SecretsBundleError(f"{at}: {what}")


def _checked(raw: Any, where: str, how_to_fix: str) -> dict[str, str]:
    """A mapping of variable names to strings, each made a Secret; else an error."""
    if not isinstance(raw, dict):
        kind = "empty" if raw is None else _kind(raw)
        raise _fail(where, f"not an object of variable name → value (it is {kind}); {how_to_fix}")
    values: dict[str, str] = {}
    for index, (name, value) in enumerate(raw.items(), start=1):
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise _fail(
                where,
                f"entry {index}: its name is not an environment variable name (letters, "
                "digits and '_', not starting with a digit)",
            )
        if not isinstance(value, str):
            raise _fail(
                where,
                f"the value of {name} is {_kind(value)}, not a string; write it as a quoted string",
            )
        Secret(value)  # remembered: scrubbed from every output from now on
        values[name] = value
    return values


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _no_duplicates(where: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for name, value in pairs:
            if name in seen:
                shown = name if _NAME.fullmatch(name) else "a name"
                raise _fail(where, f"{shown} is given twice; keep one")
            seen[name] = value
        return seen

    return hook


def parse_json_bundle(text: str, where: str) -> dict[str, str]:
    """A JSON object of name → string; errors located by line:col, without content."""
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicates(where))
    except json.JSONDecodeError as exc:
        raise _fail(where, f"not valid JSON ({exc.msg})", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _fail(where, "not valid JSON (nested too deeply)") from None
    return _checked(raw, where, 'write {"VARIABLE": "value", …}')


def _without_quotes(text: str) -> str:
    return re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "'…'", text)


def parse_yaml_bundle(text: str, where: str) -> dict[str, str]:
    """A YAML mapping of name → string; values must be strings (quote numbers)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = _without_quotes(str(exc.problem or "syntax error"))
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        raise _fail(where, f"not valid YAML ({problem})", line, column) from None
    except yaml.YAMLError:
        raise _fail(where, "not valid YAML") from None
    except RecursionError:
        raise _fail(where, "not valid YAML (nested too deeply)") from None
    if not isinstance(node, yaml.MappingNode):
        raw: Any = None if node is None else ""
        if isinstance(node, yaml.SequenceNode):
            raw = []
        return _checked(raw, where, "write one `VARIABLE: value` per line")
    values: dict[str, str] = {}
    for key, value in node.value:
        line, column = value.start_mark.line + 1, value.start_mark.column + 1
        if not isinstance(key, yaml.ScalarNode) or not _NAME.fullmatch(str(key.value)):
            at = (key.start_mark.line + 1, key.start_mark.column + 1)
            raise _fail(where, "not an environment variable name", *at)
        name = str(key.value)
        if not (isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:str"):
            raise _fail(where, f"the value of {name} is not a string; quote it ('…')", line, column)
        if name in values:
            raise _fail(where, f"{name} is given twice; keep one", line, column)
        Secret(value.value)
        values[name] = value.value
    return values


_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SINGLE_QUOTED = re.compile(r"'([^']*)'")
_ESCAPE = re.compile(r"\\(.)")
_DOTENV_LINE = re.compile(r"\s*(?:export\s+)?(?P<name>[^=\s]+)\s*=\s*(?P<value>.*?)\s*")


def parse_dotenv_bundle(text: str, where: str) -> dict[str, str]:
    """``NAME=value`` lines (``export`` allowed; ``#`` comments; '…' or "…" quotes)."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _DOTENV_LINE.fullmatch(line)
        if match is None:
            raise _fail(where, "expected NAME=value", number, 1)
        name, value = match.group("name"), match.group("value")
        if not _NAME.fullmatch(name):
            column = match.start("name") + 1
            raise _fail(where, "not an environment variable name", number, column)
        column = match.start("value") + 1
        if value[:1] in ("'", '"'):
            quote = value[0]
            quoted = (_DOUBLE_QUOTED if quote == '"' else _SINGLE_QUOTED).match(value)
            rest = value[quoted.end() :].strip() if quoted else ""
            if quoted is None or (rest and not rest.startswith("#")):
                raise _fail(where, f"the value of {name} has an unmatched {quote}", number, column)
            value = quoted.group(1)
            if quote == '"':  # \n is a newline, \X is X (\\, \"), in one pass
                value = _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), value)
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0]
        if name in values:
            raise _fail(where, f"{name} is given twice; keep one", number, 1)
        Secret(value)
        values[name] = value
    return values


def _format_of(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".env" or path.name.startswith(".env"):
        return "dotenv"
    if text.lstrip().startswith("{"):
        return "json"
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if lines and all(_DOTENV_LINE.fullmatch(ln) and ":" not in ln.split("=")[0] for ln in lines):
        return "dotenv"
    return "yaml"


def group_or_others_can_read(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(stat.S_IMODE(mode) & 0o077)


def read_secrets_file(path: Path) -> SecretsBundle:
    """The bundle in ``path`` (JSON, YAML or dotenv, by its suffix or its look)."""
    where = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BUNDLE_BYTES + 1)
    except OSError as exc:
        raise _fail(where, f"cannot read the secrets file: {exc.strerror}") from None
    if len(data) > MAX_BUNDLE_BYTES:
        raise _fail(where, f"the secrets file is larger than {MAX_BUNDLE_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(where, f"not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None
    parse = {
        "json": parse_json_bundle,
        "yaml": parse_yaml_bundle,
        "dotenv": parse_dotenv_bundle,
    }[_format_of(path, text)]
    return SecretsBundle(parse(text, where), f"--secrets-file {path}")


def bundle_from_env(env: Mapping[str, str]) -> SecretsBundle:
    """The bundle in ``env[RECONCILER_SECRETS]`` (JSON); empty when unset or blank."""
    text = env.get(BUNDLE_ENV)
    if text is None or not text.strip():
        return SecretsBundle()
    if len(text) > MAX_BUNDLE_BYTES:
        raise _fail(BUNDLE_ENV, f"longer than {MAX_BUNDLE_BYTES} characters")
    return SecretsBundle(parse_json_bundle(text, BUNDLE_ENV), BUNDLE_ENV)


_configured_file: contextvars.ContextVar[SecretsBundle | None] = contextvars.ContextVar(
    "secrets_file", default=None
)
"""The ``--secrets-file`` of the run in this context (a CLI command sets it and clears
it when done): nothing process-wide, as for the run's secrets."""


def use_secrets_file(bundle: SecretsBundle) -> None:
    """Make ``bundle`` (read from ``--secrets-file``) part of this run's environment."""
    _configured_file.set(bundle)


def process_bundle(env: Mapping[str, str] | None = None) -> SecretsBundle:
    """``RECONCILER_SECRETS`` of ``env`` (default: ``os.environ``) with the file given by
    ``--secrets-file`` over it."""
    from_env = bundle_from_env(os.environ if env is None else env)
    configured = _configured_file.get()
    return from_env if configured is None else configured.merged_over(from_env)
