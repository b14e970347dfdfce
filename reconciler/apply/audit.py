"""``apply --audit-log FILE``: one JSON line per change, appended, no secret."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reconciler.apply.executor import ChangeResult
from reconciler.errors import ReconcilerError


def audit_record(result: ChangeResult, *, now: datetime | None = None) -> dict[str, Any]:
    c = result.change
    return {
        "time": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "app": c.resource.app,
        "sdkappid": c.resource.sdkappid,
        "product": c.resource.product,
        "action": c.action.value,
        "before": c.public_before(),
        "after": c.public_after(),
        "result": result.outcome.value,
        "message": result.message or None,
        "error_code": result.error_code,
        "error_info": result.error_info,
        "request_id": result.request_id,
    }


def check_audit_log(path: Path) -> None:
    """Refuse before any write when the audit log could not be appended to
    (without creating it: a refused apply leaves no trace)."""
    target = path if path.exists() else path.parent
    problem = None
    if path.exists() and not path.is_file():
        problem = "it is not a file"
    elif not target.is_dir() and not path.exists():
        problem = f"the folder {path.parent} does not exist"
    elif not os.access(target, os.W_OK):
        problem = "permission denied"
    if problem:
        raise ReconcilerError(
            f"cannot append to the audit log {path}: {problem}; nothing was applied"
        )


class AuditLog:
    """Appends one line per result as soon as it is known, so that an interrupted or
    crashed apply still leaves a record of every change it finished.

    A write that fails does not stop the apply (the changes are already being made);
    :attr:`problem` says why, and the command reports it and exits 1 at the end.
    """

    def __init__(self, path: Path, *, forced: bool = False) -> None:
        self.path = path
        self.forced = forced  # --force: the safety thresholds were overridden
        self.problem: str | None = None
        self.written = 0

    def append(self, result: ChangeResult) -> None:
        if self.problem is not None:
            return
        record = audit_record(result)
        if self.forced:
            record["safety_override"] = True
        line = json.dumps(record, sort_keys=True) + "\n"
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line)
        except OSError as exc:
            self.problem = (
                f"cannot append to the audit log {self.path}: {exc.strerror or exc}; "
                f"{self.written} record(s) were written, the apply report on stdout has the rest"
            )
            return
        self.written += 1
