"""Earlier applies, from their audit logs: what this tool already set back.

``drift --audit-log FILE`` (repeatable) reads the logs that ``apply --audit-log``
wrote (:mod:`reconciler.apply.audit`). An ``applied`` line that wrote the value the
desired state still asks for, for a resource that has drifted again since, makes
that drift *recurring*: another writer keeps changing it (see
:mod:`reconciler.plan.recurring`).

A log is hostile input: its size is bounded, every line must be a JSON object, and
an ``applied`` line must have the fields this module reads, with the right types; a
problem is a located error (``FILE:LINE: what is wrong``) before anything is sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from reconciler.apply.executor import Outcome
from reconciler.errors import Location, ReconcilerError
from reconciler.plan.change import Change, Plan
from reconciler.plan.recurring import RecurringDrift
from reconciler.products.catalog import PRODUCT_KEYS, resource_order

MAX_LOG_BYTES = 64 * 1024 * 1024  # a year of nightly applies of a large fleet fits
MAX_REQUEST_ID = 128  # Tencent's are UUIDs: 36 characters
_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_REQUEST_ID}}}")
Key = tuple[int, str]


class AuditLogError(ReconcilerError):
    """An audit log given to ``drift --audit-log`` cannot be read."""


@dataclass(frozen=True)
class SetBack:
    """One ``applied`` line: a write of ``after`` at ``time``."""

    time: datetime
    after: Mapping[str, Any] | None
    request_id: str | None
    identity: tuple[Any, ...]  # the same line in two logs (a log passed twice) counts once


def _fail(path: Path, line: int, what: str) -> AuditLogError:
    where = Location(str(path), line)
    return AuditLogError(
        f"{where}: {what}; pass the JSON-lines file that `apply --audit-log` wrote"
    )


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_LOG_BYTES + 1)
    except OSError as exc:
        raise AuditLogError(
            f"{path}: cannot read the audit log: {exc.strerror or exc}; check the path"
        ) from None
    if len(data) > MAX_LOG_BYTES:
        raise AuditLogError(
            f"{path}: the audit log is larger than {MAX_LOG_BYTES:,} bytes; "
            "pass only the recent part (e.g. `tail -n 100000 FILE > recent.jsonl`)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AuditLogError(
            f"{path}: the audit log is not UTF-8 text (byte {exc.start}); pass the file "
            "that `apply --audit-log` wrote"
        ) from None


def _set_back(path: Path, number: int, record: Mapping[str, Any]) -> tuple[Key, SetBack]:
    sdkappid, product = record.get("sdkappid"), record.get("product")
    if isinstance(sdkappid, bool) or not isinstance(sdkappid, int):
        raise _fail(path, number, "an applied line needs an integer `sdkappid`")
    if product not in PRODUCT_KEYS:
        raise _fail(path, number, f"an applied line needs a `product`, one of {PRODUCT_KEYS}")
    try:
        time = datetime.fromisoformat(str(record.get("time")))
    except ValueError:
        raise _fail(path, number, "an applied line needs an ISO 8601 `time`") from None
    if time.tzinfo is None:
        raise _fail(path, number, "the `time` of an applied line needs its time zone")
    after = record.get("after")
    if after is not None and not isinstance(after, dict):
        raise _fail(path, number, "`after` must be an object or null")
    request_id = record.get("request_id")
    if request_id is not None and (
        not isinstance(request_id, str) or not _REQUEST_ID.fullmatch(request_id)
    ):
        raise _fail(
            path,
            number,
            f"`request_id` must be null or a RequestId (letters, digits, `-_.:`, at most "
            f"{MAX_REQUEST_ID})",
        )
    run_id, seq = record.get("run_id"), record.get("seq")
    if run_id is not None and not isinstance(run_id, str):
        raise _fail(path, number, "`run_id` must be null or a string")
    if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int)):
        raise _fail(path, number, "`seq` must be null or an integer")
    identity = (run_id, seq, sdkappid, product, time, request_id)
    return (sdkappid, str(product)), SetBack(time, after, request_id, identity)


def read_audit_logs(paths: Iterable[Path]) -> dict[Key, list[SetBack]]:
    """Every ``applied`` line of the logs, per (sdkappid, product), oldest first."""
    found: dict[Key, dict[tuple[Any, ...], SetBack]] = {}
    for path in paths:
        for number, line in enumerate(_read_text(path).splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):
                raise _fail(path, number, "not a JSON line") from None
            if not isinstance(record, dict) or not isinstance(record.get("result"), str):
                raise _fail(path, number, "not an audit-log line (an object with a `result`)")
            if record["result"] != Outcome.APPLIED.value:
                continue
            key, entry = _set_back(path, number, record)
            found.setdefault(key, {})[entry.identity] = entry
    return {k: sorted(v.values(), key=lambda e: e.time) for k, v in found.items()}


def _wrote_desired(logged: Mapping[str, Any] | None, change: Change) -> bool:
    """Whether a logged write put the value ``change`` would put now (the desired one)."""
    wanted = change.public_after()
    if wanted is None or logged is None:
        return wanted is None and logged is None
    if "url" in wanted:
        events = logged.get("events")
        return (
            logged.get("url") == wanted["url"]
            and isinstance(events, list)
            and sorted(map(str, events)) == sorted(wanted["events"])
        )
    return logged.get("enabled") == wanted.get("enabled")  # a token: only its switch shows


def recurring_drift(
    changes: Sequence[Change], history: Mapping[Key, Sequence[SetBack]]
) -> tuple[RecurringDrift, ...]:
    """The drifted resources (``changes`` of a drift run) this tool already set back to
    the value the desired state asks for now."""
    found = []
    for change in changes:
        r = change.resource
        logged = history.get((r.sdkappid, r.product), ())
        writes = [w for w in logged if _wrote_desired(w.after, change)]
        if writes:
            ids = tuple(w.request_id for w in writes if w.request_id)
            last = writes[-1].time.isoformat(timespec="seconds")
            found.append(RecurringDrift(r, len(writes), last, ids))
    return tuple(sorted(found, key=lambda d: resource_order(d.resource)))


def with_recurring(plan: Plan, history: Mapping[Key, Sequence[SetBack]]) -> Plan:
    """``plan`` (a drift run's) with its recurring drift marked."""
    return replace(plan, recurring=recurring_drift(plan.changes, history))
