"""``apply --audit-log FILE``: one JSON line per change, appended, no secret."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
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


def append_audit_log(path: Path, results: Sequence[ChangeResult]) -> None:
    lines = "".join(json.dumps(audit_record(r), sort_keys=True) + "\n" for r in results)
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(lines)
    except OSError as exc:
        raise ReconcilerError(f"cannot append to the audit log {path}: {exc.strerror}") from None
