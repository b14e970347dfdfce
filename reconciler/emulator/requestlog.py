"""The request log: one JSON line per request (``--log-requests FILE``).

Fields: ``time`` (ISO 8601, UTC), ``path``, ``command`` (last path segment),
``family`` (``v1``/``v4``), ``sdkappid`` (int or null), ``identifier`` (str or
null), ``code`` (the ErrorCode answered, or the HTTP status of a 502) and
``write`` (true for set/update/delete commands). Never a UserSig, token or key:
the record type has no field that could hold one.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


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


class RequestLog:
    """Appends :class:`RequestRecord` lines to a file, opened on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file: TextIO | None = None

    def write(self, record: RequestRecord) -> None:
        line = record.to_json() + "\n"
        with self._lock:
            if self._file is None:
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line)
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
