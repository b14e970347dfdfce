"""Which apps ``reconciler import`` reads: ``--sdkappid`` flags, or a file of
``sdkappid region [name]`` lines (``--apps-file``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reconciler.desired.models import unknown_region
from reconciler.errors import ConfigError, ConfigErrors, Location, UsageError
from reconciler.facts.regions import canonical_region
from reconciler.products.catalog import MAX_SDKAPPID

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
NAME_RULE = "use letters, digits, '.', '_' or '-' (starting with a letter or digit)"


@dataclass(frozen=True)
class ImportTarget:
    sdkappid: int
    region: str
    name: str
    where: str  # "--sdkappid" or "FILE:LINE", for messages


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
    """Every ``sdkappid region [name]`` line; ``#`` starts a comment. All errors at once."""
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
        line = raw.split("#", 1)[0]
        found = list(re.finditer(r"\S+", line))
        fields = [m.group() for m in found]
        if not fields:
            continue

        def fail(
            index: int, message: str, _number: int = number, _found: list[re.Match[str]] = found
        ) -> None:
            where = Location(str(path), _number, _found[index].start() + 1)
            errors.append(ConfigError(where, message))

        if len(fields) not in (2, 3):
            fail(0, f"expected `sdkappid region [name]`, found {len(fields)} field(s)")
            continue
        sdkappid_text, region = fields[0], fields[1]
        name = fields[2] if len(fields) == 3 else None
        ok = True
        if not sdkappid_text.isdigit() or not 1 <= int(sdkappid_text) <= MAX_SDKAPPID:
            fail(0, f"{sdkappid_text!r} is not an sdkappid (a whole number, e.g. 1400000001)")
            ok = False
        if canonical_region(region) is None:
            fail(1, unknown_region(region))
            ok = False
        region = canonical_region(region) or region
        if name is not None and not NAME.match(name):
            fail(2, f"name {name!r}: {NAME_RULE}")
            ok = False
        if not ok:
            continue
        sdkappid = int(sdkappid_text)
        if sdkappid in seen:
            fail(0, f"sdkappid {sdkappid} is listed twice (first on line {seen[sdkappid]})")
            continue
        seen[sdkappid] = number
        targets.append(
            ImportTarget(sdkappid, region, name or default_name(sdkappid), f"{path}:{number}")
        )
    if errors:
        raise ConfigErrors(errors)
    if not targets:
        raise ConfigError(
            Location(str(path)), "no apps listed: write one `sdkappid region [name]` per line"
        )
    return targets


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
