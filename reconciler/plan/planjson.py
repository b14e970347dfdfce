"""Saved-plan JSON read within bounds: the one reader of every plan file.

A saved plan may come from a pull request's run (``apply --reviewed FILE``, the plan
job's artifact), so every plan file is read like every file a PR may plant: not
through a symbolic link out of its folder, its size capped before it is read, its
JSON objects and arrays counted before it is parsed, its numbers finite and its
nesting shallow. Then one check of its header: a dict with a ``format_version`` this
tool reads and the ``checksum`` of its own content. What the plan must then hold is
:mod:`reconciler.plan.model`'s to say; what a caller accepts (a reviewed-only plan or
not) is the caller's.

Every refusal is a :class:`PlanFileError` naming the file, what is wrong and what to
do (``remedy``, given by the caller: what its command expected).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from reconciler.desired.yamlsource import read_text_within
from reconciler.errors import ConfigErrors, Location, PlanFileError
from reconciler.escape import escape

SUPPORTED_MAJOR = "1"

MAX_PLAN_BYTES = 16 * 1024 * 1024
"""Bytes of a plan file (a change takes about 400: some 40,000 changes)."""

MAX_PLAN_CONTAINERS = 400_000
"""JSON objects and arrays in a plan file (a change holds at most five): 16 MiB of
``[{},{},…]`` would otherwise take some 450 MB to parse."""

MAX_PLAN_DEPTH = 32
"""Nesting of objects and arrays in a plan file (a plan nests five deep)."""

_SNIFF_CHARACTERS = 64 * 1024
"""Text up to which a file that is not JSON is parsed as YAML, to say what it is (a
desired-state file is far smaller; PyYAML takes some 6 s for 1 MiB of a list)."""


def _digest(doc: Mapping[str, Any], leave_out: frozenset[str]) -> str:
    body = {k: v for k, v in doc.items() if k not in leave_out}
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def checksum(doc: Mapping[str, Any]) -> str:
    """The ``checksum`` a plan document carries: SHA-256 over everything else."""
    return _digest(doc, frozenset({"checksum"}))


def body_digest(doc: Mapping[str, Any]) -> str:
    """What each app signs: everything but the signatures and the checksum."""
    return _digest(doc, frozenset({"checksum", "signatures"}))


def shown_path(path: Path) -> str:
    """``path`` as messages name it: as given, escaped for a terminal or a CI log."""
    return escape(str(path))


def refusal(path: Path, problem: str, remedy: str) -> PlanFileError:
    """``FILE: what is wrong; what to do``."""
    return PlanFileError(f"{shown_path(path)}: {problem}; {remedy}")


class _OutOfRange(ValueError):
    """A number JSON can write but no plan holds: 1e400 (infinite as a float), NaN."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _OutOfRange(text[:40])
    return value


def _no_constant(text: str) -> float:
    raise _OutOfRange(text)


def _too_deep(doc: Any) -> bool:
    """Whether objects and arrays nest more than :data:`MAX_PLAN_DEPTH` deep in ``doc``.

    Level by level, holding containers only: 16 MiB of numbers in one array adds
    nothing to what the parse already took.
    """
    level: list[Any] = [doc]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_PLAN_DEPTH:
            return True
        below: list[Any] = []
        for value in level:
            children = value.values() if isinstance(value, dict) else value
            below.extend(child for child in children if isinstance(child, (dict, list)))
        level = below
    return False


def _what_it_is(text: str) -> str:
    """For a file that is not JSON: say what it looks like instead."""
    if len(text) > _SNIFF_CHARACTERS:
        return "it is not JSON"
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        return "it is neither JSON nor YAML"
    if isinstance(data, dict):
        return "it is YAML (a desired-state file? give its directory instead)"
    return "it is not JSON"


def parse_plan_json(text: str, path: Path, remedy: str) -> Any:
    """The JSON document in ``text`` (read from ``path``), within the bounds above."""
    containers = text.count("{") + text.count("[")  # counts brackets in strings too: an upper bound
    if containers > MAX_PLAN_CONTAINERS:
        raise refusal(
            path,
            f"more than {MAX_PLAN_CONTAINERS:,} JSON objects and arrays, too many for a saved "
            "plan (plan fewer apps: --app, --shard)",
            remedy,
        )
    too_deep = f"not a plan file (JSON nested more than {MAX_PLAN_DEPTH} deep)"
    try:
        doc = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except _OutOfRange as exc:
        raise refusal(path, f"not a plan file (the number {exc} is out of range)", remedy) from None
    except RecursionError:
        raise refusal(path, too_deep, remedy) from None
    except ValueError as exc:
        found = f"not a saved plan ({_what_it_is(text)}; invalid JSON: {exc})"
        raise refusal(path, found, remedy) from None
    if isinstance(doc, (dict, list)) and _too_deep(doc):
        raise refusal(path, too_deep, remedy)
    return doc


def read_plan_json(path: Path, *, what: str, remedy: str) -> Any:
    """The JSON document of the plan file ``path``: read without following a link out
    of its folder, at most :data:`MAX_PLAN_BYTES`, then :func:`parse_plan_json`.

    ``what`` names the file in the size message ("a saved plan", "a reviewed plan").
    """
    try:
        _, text = read_text_within(
            path, path.parent, limit=MAX_PLAN_BYTES, what=what, folder="its folder"
        )
    except ConfigErrors as errors:
        error = errors.errors[0]
        where = Location(str(path), error.location.line, error.location.column)
        raise PlanFileError(f"{where}: {error.message}; {remedy}") from None
    return parse_plan_json(text, path, remedy)


def check_plan_header(doc: Any, path: Path, remedy: str) -> dict[str, Any]:
    """``doc`` when it is a saved plan this tool reads (``format_version`` 1.x) and
    unedited (its ``checksum``); its content is the model's to check."""
    if not isinstance(doc, dict) or "checksum" not in doc:
        found = "it has no format_version"
        if isinstance(doc, dict) and "format_version" in doc:
            found = "it is plan JSON without a checksum, like `plan --format json` prints"
        raise refusal(path, f"not a saved plan ({found}; no checksum)", remedy)
    version = str(doc.get("format_version", ""))
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise refusal(
            path,
            f"format_version {version[:40]!r} is not supported (this tool reads 1.x)",
            remedy,
        )
    if doc["checksum"] != checksum(doc):
        raise refusal(
            path, "the plan file was edited after it was saved (checksum mismatch)", remedy
        )
    return doc


def load_plan_json(path: Path, *, what: str, remedy: str) -> dict[str, Any]:
    """The saved plan in ``path``: :func:`read_plan_json`, then :func:`check_plan_header`."""
    return check_plan_header(read_plan_json(path, what=what, remedy=remedy), path, remedy)
