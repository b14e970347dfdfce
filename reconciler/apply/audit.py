"""``apply --audit-log FILE``: a write-ahead log of every change, appended, no secret.

Before a write is sent, an ``intent`` line is written, flushed and fsynced; after
it, the outcome (``applied`` with Tencent's RequestId, ``failed`` with the error,
``unverified``, ``overwritten``, or ``unknown`` when the process could not tell).
So a crash at any moment leaves every write that may have reached Tencent with at
least its intent line. Lines of one run share a ``run_id``; an intent and its
outcome share a ``seq``. Lines carry the tool version and the CI context when set.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from reconciler import __version__
from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.configs import Resource
from reconciler.errors import ReconcilerError
from reconciler.plan.change import Change
from reconciler.secret import mask_known

if TYPE_CHECKING:
    from reconciler.apply.schema import AuditRecord, CiContext
    from reconciler.plan.model import State

INTENT = "intent"


class AuditWriteError(ReconcilerError):
    """The audit log could not record an intent: the write is not sent."""


def ci_context(env: Mapping[str, str]) -> CiContext:
    """Who ran this and where, from the GitHub Actions environment (empty elsewhere)."""
    context: CiContext = {}
    if env.get("GITHUB_ACTOR"):
        context["actor"] = env["GITHUB_ACTOR"]
    if env.get("GITHUB_SHA"):
        context["sha"] = env["GITHUB_SHA"]
    server, repo, run = (
        env.get("GITHUB_SERVER_URL"),
        env.get("GITHUB_REPOSITORY"),
        env.get("GITHUB_RUN_ID"),
    )
    if server and repo and run:
        context["run_url"] = f"{server.rstrip('/')}/{repo}/actions/runs/{run}"
    return context


def _record(
    change: Change,
    result: str,
    now: datetime | None,
    *,
    message: str | None = None,
    error_code: int | None = None,
    error_info: str | None = None,
    request_id: str | None = None,
) -> AuditRecord:
    r = change.resource
    return {
        "time": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "app": r.app,
        "sdkappid": r.sdkappid,
        "product": r.product,
        "action": change.action.value,  # type: ignore[typeddict-item]  # the enum's JSON
        "before": cast("State | None", change.public_before()),
        "after": cast("State | None", change.public_after()),
        "result": result,  # type: ignore[typeddict-item]  # INTENT or an Outcome's value
        "message": message,
        "error_code": error_code,
        "error_info": error_info,
        "request_id": request_id,
    }


def audit_record(result: ChangeResult, *, now: datetime | None = None) -> AuditRecord:
    """The outcome of one change (without the run's context fields)."""
    return _record(
        result.change,
        result.outcome.value,
        now,
        message=result.message or None,
        error_code=result.error_code,
        error_info=result.error_info,
        request_id=result.request_id,
    )


def intent_record(change: Change, *, now: datetime | None = None) -> AuditRecord:
    """What is about to be written (``before`` is the live state just read)."""
    return _record(change, INTENT, now)


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
    """The write-ahead audit log of one apply run.

    :meth:`intent` must succeed before a write is sent (it raises
    :class:`AuditWriteError` otherwise, and the change is not written).
    :meth:`append` records an outcome as soon as it is known; a failure there does
    not stop the apply (the write already happened): :attr:`problem` says why, and
    the command reports it and exits 1 at the end. :meth:`close` gives every intent
    still without an outcome the outcome ``unknown``.
    """

    def __init__(
        self,
        path: Path,
        *,
        forced: bool = False,
        env: Mapping[str, str] | None = None,
        run_id: str | None = None,
    ) -> None:
        self.path = path
        self.forced = forced  # --force: the safety thresholds were overridden
        self.problem: str | None = None
        self.written = 0
        self.run_id = run_id or uuid.uuid4().hex
        self._ci = ci_context(os.environ if env is None else env)
        self._seq = 0
        self._open: dict[Resource, tuple[int, Change]] = {}  # intents without an outcome
        self._file: IO[str] | None = None

    @property
    def open_intents(self) -> int:
        return len(self._open)

    def _write(self, record: AuditRecord) -> None:
        if self.forced:  # on every line, intents too
            record["safety_override"] = True
        record["run_id"] = self.run_id
        record["tool_version"] = __version__
        if self._ci:
            record["ci"] = self._ci
        # a live URL or server text may quote a secret the run knows: never on disk
        line = mask_known(json.dumps(record, sort_keys=True)) + "\n"
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(line)
        self._file.flush()
        os.fsync(self._file.fileno())
        self.written += 1

    def _fail(self, exc: OSError) -> str:
        self.problem = (
            f"cannot append to the audit log {self.path}: {exc.strerror or exc}; "
            f"{self.written} record(s) were written, the apply report on stdout has the rest"
        )
        return self.problem

    def intent(self, change: Change) -> None:
        """Record, durably, that ``change`` is about to be written."""
        if self.problem is not None:
            raise AuditWriteError(f"not written: {self.problem}")
        self._seq += 1
        try:
            self._write({**intent_record(change), "seq": self._seq})
        except OSError as exc:
            raise AuditWriteError(f"not written: {self._fail(exc)}") from None
        self._open[change.resource] = (self._seq, change)

    def append(self, result: ChangeResult) -> None:
        """Record the outcome of a change (after its intent, if it had one)."""
        seq, _ = self._open.pop(result.change.resource, (None, None))
        if self.problem is not None:
            return
        try:
            self._write({**audit_record(result), "seq": seq})
        except OSError as exc:
            self._fail(exc)

    def close(self) -> None:
        """Give every open intent the outcome ``unknown``, then close the file."""
        for resource, (seq, change) in list(self._open.items()):
            del self._open[resource]
            if self.problem is not None:
                break
            unknown = ChangeResult(
                change,
                Outcome.UNKNOWN,
                "the apply stopped before it could tell whether this was written",
            )
            try:
                self._write({**audit_record(unknown), "seq": seq})
            except OSError as exc:
                self._fail(exc)
        if self._file is not None:
            with contextlib.suppress(OSError):  # the lines were fsynced already
                self._file.close()
            self._file = None
