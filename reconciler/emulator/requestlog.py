"""The request log: one JSON line per request (``--log-requests FILE``).

Fields: ``time`` (ISO 8601, UTC), ``path``, ``command`` (last path segment),
``family`` (``v1``/``v4``), ``sdkappid`` (int or null), ``identifier`` (str or
null), ``code`` (the ErrorCode answered, or the HTTP status of a 502) and
``write`` (true for set/update/delete commands). Never a UserSig, token or key:
the record type has no field that could hold one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from reconciler.errors import ReconcilerError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestRecord:
    time: str
    path: str
    command: str
    family: str
    sdkappid: int | None
    identifier: str | None
    code: int
    write: bool

    def to_json(self) -> str:
        # by hand: dataclasses.asdict deep-copies every field, on every request
        fields = {f: getattr(self, f) for f in _FIELDS}
        return json.dumps(fields, ensure_ascii=False)


_FIELDS = tuple(f.name for f in dataclasses.fields(RequestRecord))


class RequestLogError(ReconcilerError):
    """The request log file cannot be opened for writing."""


class RequestLog:
    """Appends :class:`RequestRecord` lines to a file, opened at once.

    A file that cannot be opened is an error at start (:class:`RequestLogError`),
    not at the first request. A line that cannot be written later (disk full) is
    reported once on the log and dropped: by then the request has been answered
    and a write committed, and the log must not turn that into an HTTP 500.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._failed = False
        try:
            self._file: TextIO | None = path.open("a", encoding="utf-8")
        except OSError as exc:
            raise RequestLogError(
                f"cannot write the request log {path}: {exc.strerror or exc}; "
                "pass a writable file to --log-requests"
            ) from None

    def write(self, record: RequestRecord) -> None:
        line = record.to_json() + "\n"
        with self._lock:
            if self._failed:
                return
            try:
                if self._file is None:  # closed, then used again: reopen
                    self._file = self.path.open("a", encoding="utf-8")
                self._file.write(line)
                self._file.flush()
            except (OSError, ValueError) as exc:  # ValueError: the file was closed
                self._failed = True
                logger.error(
                    "request log %s: cannot write (%s); no further requests are logged",
                    self.path,
                    getattr(exc, "strerror", None) or exc,
                )

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                with contextlib.suppress(OSError):
                    self._file.close()
                self._file = None
