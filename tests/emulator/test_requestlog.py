"""The JSON-lines request log."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from reconciler.emulator.requestlog import RequestLog, RequestRecord

RECORD = RequestRecord(
    time="2026-01-01T00:00:00.000+00:00",
    path="/v1/callback/set",
    command="set",
    family="v1",
    sdkappid=1400000001,
    identifier="administrator",
    code=0,
    write=True,
)


def test_fields_are_exactly_the_documented_ones() -> None:
    assert [f.name for f in dataclasses.fields(RequestRecord)] == [
        "time",
        "path",
        "command",
        "family",
        "sdkappid",
        "identifier",
        "code",
        "write",
    ]


def test_appends_one_line_per_record_and_reopens_after_close(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text('{"earlier": true}\n')
    log = RequestLog(path)
    log.write(RECORD)
    log.close()
    log.write(dataclasses.replace(RECORD, code=999, sdkappid=None))
    log.close()
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[1]) == dataclasses.asdict(RECORD)
    assert json.loads(lines[2])["sdkappid"] is None
