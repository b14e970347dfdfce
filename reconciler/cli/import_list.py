"""Which apps ``reconciler import`` reads: ``--sdkappid`` flags, or a file of
``sdkappid region [name] [identifier=NAME] [secret_key_env=VAR]`` lines (``--apps-file``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler.desired.diagnostics import did_you_mean
from reconciler.desired.models import ENV_NAME_PATTERN, unknown_region
from reconciler.errors import ConfigError, ConfigErrors, Location, UsageError
from reconciler.facts.regions import canonical_region
from reconciler.products.catalog import MAX_SDKAPPID

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
NAME_RULE = "use letters, digits, '.', '_' or '-' (starting with a letter or digit)"
LINE_FORMAT = "sdkappid region [name] [identifier=NAME] [secret_key_env=VAR]"
LOOKS_LIKE_A_KEY = re.compile(r"[0-9A-Fa-f]{32,}")
"""A secret key (64 hex digits) pasted where its variable's name goes: never echoed."""
COLUMNS = ("identifier", "secret_key_env")
"""The ``key=value`` columns a line may add after its name, each at most once."""


@dataclass(frozen=True)
class ImportTarget:
    sdkappid: int
    region: str
    name: str
    where: str  # "--sdkappid" or "FILE:LINE", for messages
    identifier: str | None = None
    """The admin account to sign as (None: the command's ``--identifier``)."""
    secret_key_env: str | None = None
    """The variable holding the secret key (None: the command's ``--secret-key-env``)."""


def default_name(sdkappid: int) -> str:
    return f"app-{sdkappid}"


def from_flags(
    sdkappids: tuple[int, ...], region: str | None, name: str | None
) -> list[ImportTarget]:
    if region is None:
        raise UsageError("--sdkappid needs --region (the apps' data center)")
    if name is not None and len(sdkappids) > 1:
        raise UsageError(
            "--name names one app; with several --sdkappid, each is named app-SDKAPPID "
            "(or give the names in an --apps-file)"
        )
    if name is not None and not NAME.match(name):
        raise UsageError(f"--name {name!r}: {NAME_RULE}")
    return [
        ImportTarget(i, region, name if name is not None else default_name(i), "--sdkappid")
        for i in dict.fromkeys(sdkappids)
    ]


def parse_apps_file(path: Path) -> list[ImportTarget]:
    """Every ``sdkappid region [name] [key=value...]`` line; ``#`` starts a comment.

    All errors at once, each at its ``FILE:LINE:COL``.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(Location(str(path)), "not UTF-8 text: save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(Location(str(path)), f"cannot read it: {exc.strerror}") from None
    targets: list[ImportTarget] = []
    errors: list[ConfigError] = []
    seen: dict[int, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        found = list(re.finditer(r"\S+", raw.split("#", 1)[0]))
        if not found:
            continue
        before = len(errors)
        target = _parse_line(path, number, found, errors)
        if target is None or len(errors) > before:
            continue
        if target.sdkappid in seen:
            where = Location(str(path), number, found[0].start() + 1)
            first = seen[target.sdkappid]
            message = f"sdkappid {target.sdkappid} is listed twice (first on line {first})"
            errors.append(ConfigError(where, message))
            continue
        seen[target.sdkappid] = number
        targets.append(target)
    if errors:
        raise ConfigErrors(errors)
    if not targets:
        raise ConfigError(
            Location(str(path)), f"no apps listed: write one `{LINE_FORMAT}` per line"
        )
    return targets


def _parse_line(
    path: Path, number: int, found: list[re.Match[str]], errors: list[ConfigError]
) -> ImportTarget | None:
    """One listed app, or None with its mistakes added to ``errors``."""

    def fail(match: re.Match[str], message: str, offset: int = 0) -> None:
        errors.append(ConfigError(Location(str(path), number, match.start() + 1 + offset), message))

    fields = [m.group() for m in found]
    positional = 2
    while positional < len(fields) and positional < 3 and "=" not in fields[positional]:
        positional += 1
    if len(fields) < 2 or "=" in fields[0] or "=" in fields[1]:
        fail(found[0], f"expected `{LINE_FORMAT}`, found {len(fields)} field(s)")
        return None
    sdkappid_text, region = fields[0], fields[1]
    name = fields[2] if positional == 3 else None
    decimal = sdkappid_text.isascii() and sdkappid_text.isdigit()  # not '²', not '١'
    if not decimal or not 1 <= int(sdkappid_text) <= MAX_SDKAPPID:
        fail(found[0], f"{sdkappid_text!r} is not an sdkappid (a whole number, e.g. 1400000001)")
    if canonical_region(region) is None:
        fail(found[1], unknown_region(region))
    region = canonical_region(region) or region
    if name is not None and not NAME.match(name):
        fail(found[2], f"name {name!r}: {NAME_RULE}")
    columns: dict[str, str] = {}
    for match in found[positional:]:
        key, _, value = match.group().partition("=")
        problem = _column_problem(match.group(), columns)
        if problem is None:
            columns[key] = value
        else:
            fail(match, *problem)
    sdkappid = int(sdkappid_text) if decimal else 0
    return ImportTarget(
        sdkappid,
        region,
        name or default_name(sdkappid),
        f"{path}:{number}",
        identifier=columns.get("identifier"),
        secret_key_env=columns.get("secret_key_env"),
    )


def _column_problem(text: str, given: Mapping[str, str]) -> tuple[str, int] | None:
    """What is wrong with the ``key=value`` column ``text`` (and at which offset), or None."""
    key, equals, value = text.partition("=")
    at_value = len(key) + 1
    if not equals:
        return f"expected `key=value` here (after the name), as in `{LINE_FORMAT}`", 0
    if key not in COLUMNS:
        columns = ", ".join(c + "=" for c in COLUMNS)
        return f"unknown column {key[:40]!r}{did_you_mean(key, COLUMNS)}; columns: {columns}", 0
    if key in given:
        return f"{key}= is given twice on this line: keep one", 0
    if key == "identifier" and not value:
        return "identifier= needs the admin account to sign as, e.g. identifier=admin", 0
    if key == "identifier" and not NAME.match(value):
        return f"identifier {value[:40]!r}: {NAME_RULE}", at_value
    if key == "secret_key_env" and not is_key_variable_name(value):
        # without the value: it may be the key itself, pasted by mistake
        return (
            "secret_key_env= takes the name of the environment variable that holds "
            "the secret key (letters, digits and '_'), not the key",
            at_value,
        )
    return None


def is_key_variable_name(value: str) -> bool:
    """Whether ``value`` may name a secret key's variable: a variable name that does not
    look like a key pasted in its place (a key never reaches a message)."""
    return bool(re.fullmatch(ENV_NAME_PATTERN, value)) and not LOOKS_LIKE_A_KEY.fullmatch(value)


def check_unique_names(targets: list[ImportTarget]) -> None:
    """Two apps with one name would write one file twice."""
    first: dict[str, ImportTarget] = {}
    for target in targets:
        other = first.setdefault(target.name, target)
        if other is not target:
            raise UsageError(
                f"the name {target.name!r} is given to {other.sdkappid} ({other.where}) and "
                f"{target.sdkappid} ({target.where}); give each app its own name"
            )
