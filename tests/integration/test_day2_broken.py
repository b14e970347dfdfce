"""Three behaviours that were broken (issue 21, point 10), each through the real CLI:

- on a terminal, the progress counter ran into the result lines;
- Ctrl-C after every write was answered labelled them all `unknown`;
- the HTML report left out an app declared with ``callbacks: {}``.
"""

from __future__ import annotations

import errno
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from tests.integration.conftest import EXAMPLES, SEED, assert_no_secrets
from tests.integration.gate import Gate, Seen, install_gate, wait_for
from tests.integration.test_apply_run import EXAMPLE_ENV, GUARD, clean_environ, start_cli
from tests.integration.test_html_report import _rows
from tests.render.htmlparse import parse

KEY = "fleet-key-not-secret"
RESULT_PREFIXES = ("applied: ", "failed: ", "stale: ", "unverified: ", "unknown: ")


def small_fleet(tmp_path: Path, count: int, *, empty: tuple[int, ...] = ()) -> tuple[Path, Path]:
    """A seed with ``count`` apps (nothing live) and a desired state declaring a call
    callback for each, but ``callbacks: {}`` for the indexes in ``empty``."""
    ids = [1400300001 + i for i in range(count)]
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        yaml.safe_dump(
            {"apps": [{"sdkappid": i, "secret_key": KEY, "admins": ["administrator"]} for i in ids]}
        )
    )
    desired = tmp_path / "desired"
    (desired / "apps").mkdir(parents=True)
    for n, sdkappid in enumerate(ids):
        body = f"sdkappid: {sdkappid}\nregion: singapore\n"
        if n in empty:
            body += "callbacks: {}\n"
        else:
            body += (
                "callbacks:\n  call:\n"
                f"    url: https://hooks.example.com/call/{sdkappid}\n"
                "    events: [Call.CallbackAfterEndCall]\n"
            )
        (desired / "apps" / f"app-{n + 1}.yaml").write_text(body)
    return seed, desired


# (a) the progress line on a terminal ---------------------------------------------

_CSI = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])")


def screen_lines(raw: str) -> list[str]:
    """What a terminal shows for ``raw``: carriage returns move to column 0 and later
    text overwrites earlier text; ``ESC[K`` clears to the end of the line; colours drop."""
    lines: list[str] = []
    line: list[str] = []
    col = 0
    i = 0
    while i < len(raw):
        ch = raw[i]
        match = _CSI.match(raw, i)
        if match:
            if match[2] == "K":
                del line[col:]
            i = match.end()
            continue
        if ch == "\r":
            col = 0
        elif ch == "\n":
            lines.append("".join(line).rstrip())
            line, col = [], 0
        else:
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
        i += 1
    if line:
        lines.append("".join(line).rstrip())
    return lines


def run_in_pty(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI with stdout and stderr on one pseudo-terminal; its exit code and all
    it wrote there."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + GUARD  # a hung CLI fails this test, not the suite
    while True:
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            proc.kill()
            os.close(master)
            raise AssertionError(f"the CLI wrote nothing for {GUARD} s: {b''.join(chunks)!r}")
        try:
            data = os.read(master, 65536)
        except OSError as exc:  # EIO: the other side closed
            if exc.errno != errno.EIO:
                raise
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(GUARD), b"".join(chunks).decode("utf-8", "replace")


def test_progress_line_on_a_terminal_never_shares_a_line_with_a_result(tmp_path: Path) -> None:
    seed, desired = small_fleet(tmp_path, 8)  # more than a handful: a counter on a terminal
    with start_emulator(seed) as emulator:
        env = clean_environ(emulator.base_url, {"TRTC_SECRET_KEY": KEY, "NO_COLOR": "1"})
        code, raw = run_in_pty(["apply", str(desired), "--auto-approve"], env)
    assert code == 0, raw
    assert "applying: 1/8" in raw and "reading live state: 1/" in raw  # counters were drawn
    shown = screen_lines(raw)
    results = [line for line in shown if any(p in line for p in RESULT_PREFIXES)]
    assert len(results) >= 8, shown
    for line in shown:
        if any(p in line for p in RESULT_PREFIXES):
            assert line.startswith(RESULT_PREFIXES), f"a result shares its line: {line!r}"
        assert not ("applying: " in line and "applied: " in line), line
        if "reading live state: " in line:
            assert line.startswith("reading live state: "), line
    assert KEY not in raw


# (b) Ctrl-C once every write was answered ----------------------------------------


def _resource(seen: Seen) -> tuple[str, int, str]:
    """The resource a request is about: the verb dropped from its command."""
    return (seen.service, seen.sdkappid, seen.command.partition("_")[2])


class HoldReadBacks(Gate):
    """Answers every write, then holds the read-back that follows it."""

    def __init__(self) -> None:
        self.written: set[tuple[str, int, str]] = set()
        self.held: set[tuple[str, int, str]] = set()
        self.release = threading.Event()
        self.changed = threading.Condition()

    async def before(self, seen: Seen) -> None:
        if not seen.write and _resource(seen) in self.written:
            with self.changed:
                self.held.add(_resource(seen))
                self.changed.notify_all()
            await wait_for(self.release)

    def after(self, seen: Seen) -> None:
        if seen.write:
            with self.changed:
                self.written.add(_resource(seen))
                self.changed.notify_all()


@pytest.fixture
def held_read_backs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[HoldReadBacks, RunningEmulator]]:
    gate = HoldReadBacks()
    install_gate(monkeypatch, gate)
    with start_emulator(SEED) as running:
        try:
            yield gate, running
        finally:
            gate.release.set()


def test_ctrl_c_after_every_write_was_answered_reports_none_unknown(
    held_read_backs: tuple[HoldReadBacks, RunningEmulator], tmp_path: Path
) -> None:
    """Seven writes answered (each with a RequestId), their read-backs held: Ctrl-C then
    reports every change as unverified with its RequestId, none as unknown."""
    gate, emulator = held_read_backs
    audit = tmp_path / "audit.jsonl"
    env = clean_environ(emulator.base_url, EXAMPLE_ENV)
    proc = start_cli(
        "apply", EXAMPLES, "--auto-approve", "--audit-log", audit, "--format", "json", env=env
    )
    with gate.changed:
        assert gate.changed.wait_for(
            lambda: len(gate.written) == 7 and gate.held == gate.written, GUARD
        ), (gate.written, gate.held)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=GUARD)
    gate.release.set()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "7 of 7 change(s) finished" in err and "every write was answered" in err
    document = json.loads(out)
    assert document["interrupted"] is not None
    outcomes = [c["outcome"] for c in document["changes"]]
    assert outcomes == ["unverified"] * 7, document["changes"]
    assert all(c["request_id"] for c in document["changes"])
    assert "unknown" not in err and "interrupted while being written" not in err
    rows = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [r["result"] for r in rows if r["result"] != "intent"] == ["unverified"] * 7
    assert_no_secrets(out, err, audit.read_text())


# (c) the HTML report lists every declared app -------------------------------------


def test_html_report_shows_an_app_declared_with_no_callbacks(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed, desired = small_fleet(tmp_path, 3, empty=(1,))
    with start_emulator(seed) as emulator:
        monkeypatch.setenv("TRTC_ENDPOINT", emulator.base_url)
        monkeypatch.setenv("TRTC_SECRET_KEY", KEY)
        for command in ("plan", "drift"):
            report = tmp_path / f"{command}.html"
            result = cli(command, desired, "--html", report)
            assert result.code in (0, 2), result.err
            rows = _rows(parse(report.read_text()))
            assert set(rows) == {"app-1", "app-2", "app-3"}, command
            assert set(rows["app-2"].values()) == {"none"}  # declared, manages nothing
            assert rows["app-1"]["call"] != "none"
            assert "3 app(s)" in report.read_text()
