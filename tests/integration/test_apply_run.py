"""An apply run as CI sees it: SIGTERM mid-apply, two applies at once, ``--format
json``, ``-v`` phase times. Real CLI processes against the real emulator; overlaps
are made exact with a gate in the emulator (tests/integration/gate.py), not sleeps.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from reconciler.emulator.embedded import RunningEmulator, start_emulator
from tests.integration.conftest import (
    DEMO_TOKEN,
    EXAMPLES,
    SEED,
    assert_no_secrets,
    read_log,
)
from tests.integration.gate import POLL, Gate, Seen, install_gate, wait_for

GUARD = 120  # seconds: only a guard against a hung test, never a condition of it
RESULT_PREFIXES = ("applied: ", "failed: ", "stale: ", "unverified: ", "unknown: ")
EXAMPLE_ENV = {
    "TRTC_SECRET_KEY_PROD_SG": "demo-key-not-secret-1",
    "TRTC_SECRET_KEY_1400000002": "demo-key-not-secret-2",
    "TRTC_SECRET_KEY_STAGING_US": "demo-key-not-secret-3",
    "LIVE_WEBHOOK_TOKEN_PROD_SG": DEMO_TOKEN,
}


def clean_environ(endpoint: str, extra: dict[str, str]) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRTC_", "LIVE_WEBHOOK_TOKEN", "GITHUB_"))
    }
    return {**base, "TRTC_ENDPOINT": endpoint, **extra}


def start_cli(*args: str | Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *(str(a) for a in args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def lines_of(stream: IO[str]) -> queue.Queue[str | None]:
    """Read a pipe on a thread, line by line (None at its end)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


class HoldOneWrite(Gate):
    """Holds the write to one resource until released."""

    def __init__(self, service: str, command: str, sdkappid: int) -> None:
        self.target = (service, command, sdkappid)
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def before(self, seen: Seen) -> None:
        if (seen.service, seen.command, seen.sdkappid) == self.target:
            self.arrived.set()
            await wait_for(self.release)


@pytest.fixture
def held_live_create(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[HoldOneWrite, RunningEmulator]]:
    gate = HoldOneWrite("live_config", "set_callback", 1400000001)  # prod-sg live: a create
    install_gate(monkeypatch, gate)
    with start_emulator(SEED, request_log=tmp_path / "requests.jsonl") as running:
        try:
            yield gate, running
        finally:
            gate.release.set()


def test_sigterm_mid_apply_reports_finished_changes_and_completes_the_audit(
    held_live_create: tuple[HoldOneWrite, RunningEmulator], tmp_path: Path
) -> None:
    """A CI cancel sends SIGTERM while one write has no answer yet: the six finished
    changes are reported, the seventh is `unknown`, the audit has an outcome for
    every intent, and the exit code is 143."""
    gate, emulator = held_live_create
    audit = tmp_path / "audit.jsonl"
    env = clean_environ(emulator.base_url, EXAMPLE_ENV)
    proc = start_cli(
        "apply", EXAMPLES, "--auto-approve", "--audit-log", audit, "--format", "json", env=env
    )
    err_lines = lines_of(proc.stderr)  # type: ignore[arg-type]
    seen_err: list[str] = []
    results = 0
    while results < 6:  # the marker: six result lines on stderr
        line = err_lines.get(timeout=GUARD)
        assert line is not None, "".join(seen_err)
        seen_err.append(line)
        results += line.startswith(RESULT_PREFIXES)
    assert gate.arrived.wait(GUARD)  # and the seventh write is in flight, unanswered
    proc.send_signal(signal.SIGTERM)
    out = proc.stdout.read()  # type: ignore[union-attr]
    assert proc.wait(GUARD) == 143
    while (line := err_lines.get(timeout=GUARD)) is not None:
        seen_err.append(line)
    err = "".join(seen_err)
    gate.release.set()

    assert "Traceback" not in err
    assert (
        f"error: interrupted (SIGTERM): 6 of 7 change(s) finished, recorded in {audit}; "
        "the others may or may not have been written"
    ) in err
    document = json.loads(out)
    assert document["interrupted"] == "SIGTERM"
    summary = document["summary"]
    assert (summary["total"], summary["finished"], summary["applied"], summary["unknown"]) == (
        7,
        7,
        6,
        1,
    )
    (unknown,) = [c for c in document["changes"] if c["outcome"] == "unknown"]
    assert (unknown["app"], unknown["product"], unknown["action"]) == ("prod-sg", "live", "create")
    assert all(c["request_id"] for c in document["changes"] if c["outcome"] == "applied")

    rows = [json.loads(line) for line in audit.read_text().splitlines()]
    intents = {r["seq"]: r for r in rows if r["result"] == "intent"}
    outcomes = {r["seq"]: r for r in rows if r["result"] != "intent"}
    assert len(intents) == 7 and set(outcomes) == set(intents)  # the audit is complete
    held = next(s for s, r in intents.items() if (r["app"], r["product"]) == ("prod-sg", "live"))
    assert outcomes[held]["result"] == "unknown"
    assert [r["result"] for r in outcomes.values()].count("applied") == 6
    assert_no_secrets(out, err, audit.read_text())


# Two applies at once -----------------------------------------------------------

APP = 1400000777
APP_KEY = "shared-key-not-secret"
CALL_EVENTS = "[Call.CallbackAfterEndCall]"
LIVE_EVENTS = "[Live.CallbackAfterCreateRoom]"


def shared_app(root: Path, who: str) -> Path:
    desired = root / f"desired-{who}"
    (desired / "apps").mkdir(parents=True)
    (desired / "apps" / "shared.yaml").write_text(
        f"sdkappid: {APP}\nregion: singapore\nsecret_key_env: TRTC_SECRET_KEY_SHARED\n"
        "callbacks:\n"
        f"  call: {{url: 'https://{who}.example.com/call', events: {CALL_EVENTS}}}\n"
        f"  live: {{url: 'https://{who}.example.com/live', events: {LIVE_EVENTS}}}\n"
    )
    return desired


class Interleave(Gate):
    """Both applies have read everything and have both their writes waiting; then:
    A writes call, B writes call (over A's), B writes live, A writes live (over B's).
    Each write is followed by its writer's read-back before the next is let go, and
    any other read of the two resources (the re-check for other writers) waits until
    all four writes are done."""

    ORDER = (("a", "call_config"), ("b", "call_config"), ("b", "live_config"), ("a", "live_config"))

    def __init__(self) -> None:
        self.arrived: set[tuple[str, str]] = set()
        self.turn = 0
        self.writing = False
        self.read_back: str | None = None  # the service whose read-back is due
        self.reading_back = False

    def mine(self, seen: Seen) -> bool:
        return seen.sdkappid == APP and seen.service in ("call_config", "live_config")

    @property
    def started(self) -> bool:
        return len(self.arrived) == len(self.ORDER)

    @property
    def finished(self) -> bool:
        return self.turn == len(self.ORDER) and not self.reading_back

    async def before(self, seen: Seen) -> None:
        if not self.mine(seen):
            return
        if seen.write:
            key = ("a" if "//a." in str(seen.body.get("Url")) else "b", seen.service)
            self.arrived.add(key)
            while not (
                self.started
                and not self.finished
                and self.ORDER[self.turn] == key
                and not self.writing
                and self.read_back is None
            ):
                await _poll()
            self.writing = True
            return
        if not self.started:
            return  # plan and stale-check reads come before every write
        if self.read_back == seen.service and not self.reading_back:
            self.reading_back = True  # the writer's own read-back
            return
        while not self.finished:  # a re-check: after all four writes
            await _poll()

    def after(self, seen: Seen) -> None:
        if not self.mine(seen):
            return
        if seen.write:
            self.writing = False
            self.read_back = seen.service
        elif self.reading_back and seen.service == self.read_back:
            self.reading_back = False
            self.read_back = None
            self.turn += 1


async def _poll() -> None:
    await asyncio.sleep(POLL)


def test_two_overlapping_applies_each_report_what_the_other_overwrote(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        f"apps:\n  - sdkappid: {APP}\n    secret_key: {APP_KEY}\n    callbacks:\n"
        f"      call: {{url: 'https://old.example.com/call', events: {CALL_EVENTS}}}\n"
        f"      live: {{url: 'https://old.example.com/live', events: {LIVE_EVENTS}}}\n"
    )
    gate = Interleave()
    install_gate(monkeypatch, gate)
    with start_emulator(seed, request_log=tmp_path / "requests.jsonl") as emulator:
        env = clean_environ(emulator.base_url, {"TRTC_SECRET_KEY_SHARED": APP_KEY})
        args = ("--auto-approve", "--timeout", str(GUARD))
        a = start_cli("apply", shared_app(tmp_path, "a"), *args, env=env)
        b = start_cli("apply", shared_app(tmp_path, "b"), *args, env=env)
        out_a, err_a = a.communicate(timeout=GUARD * 2)
        out_b, err_b = b.communicate(timeout=GUARD * 2)
        assert gate.finished, (err_a, err_b)
        live_call = emulator.store.get_callback(APP, "call")
        live_live = emulator.store.get_callback(APP, "live")
        writes = [r for r in read_log(tmp_path / "requests.jsonl") if r["write"]]

    assert (a.returncode, b.returncode) == (1, 1), (err_a, err_b)
    assert live_call is not None and live_call.url == "https://b.example.com/call"
    assert live_live is not None and live_live.url == "https://a.example.com/live"
    assert len(writes) == 4
    overwritten = "changed by another writer during the apply"
    # A wrote call, then B overwrote it; B wrote live, then A overwrote it
    assert f"overwritten: shared ({APP}) call update: {overwritten}" in out_a
    assert f"applied: shared ({APP}) live update" in out_a
    assert f"overwritten: shared ({APP}) live update: {overwritten}" in out_b
    assert f"applied: shared ({APP}) call update" in out_b
    for out in (out_a, out_b):
        assert out.splitlines()[-1] == (
            "Apply: 1 applied, 0 failed, 0 stale, 0 unverified, 1 overwritten."
        )
    assert_no_secrets(out_a, err_a, out_b, err_b)
    assert APP_KEY not in out_a + err_a + out_b + err_b


# --format json and -v, in-process ---------------------------------------------


def test_format_json_documents_each_change_and_a_summary(
    cli: Any, env: dict[str, str], tmp_path: Path
) -> None:
    result = cli("apply", EXAMPLES, "--auto-approve", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)  # stdout is the document and nothing else
    assert document["format_version"] == "1.1"
    assert document["interrupted"] is None
    assert document["summary"] == {
        "total": 7,
        "finished": 7,
        "applied": 7,
        "failed": 0,
        "stale": 0,
        "unverified": 0,
        "overwritten": 0,
        "unknown": 0,
    }
    changes = document["changes"]
    assert [(c["app"], c["product"], c["action"]) for c in changes][:2] == [
        ("prod-sg", "call", "update"),
        ("prod-sg", "live", "create"),
    ]
    for change in changes:
        assert set(change) == {
            "app",
            "sdkappid",
            "product",
            "action",
            "outcome",
            "request_id",
            "error",
        }
        assert change["outcome"] == "applied" and change["error"] is None
        assert change["request_id"].startswith("Id-")
    assert "applied: prod-sg (1400000001) call update" in result.err  # lines on stderr
    assert_no_secrets(result.out, result.err)

    again = cli("apply", EXAMPLES, "--auto-approve", "--format", "json")
    assert again.code == 0
    assert json.loads(again.out)["summary"]["total"] == 0
    assert "No changes. Nothing to do." in again.err


def test_format_json_of_a_failure_carries_the_error(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    path = desired / "apps" / "staging-us.yaml"
    path.write_text(
        path.read_text()
        + "  call_legacy:\n    url: https://staging-hooks.example.com/v1\n"
        + "    events: [brand_new_word]\n"
    )
    result = cli("apply", desired, "--auto-approve", "--format", "json")
    assert result.code == 1
    document = json.loads(result.out)
    assert document["summary"]["failed"] == 1 and document["summary"]["applied"] == 7
    (failed,) = [c for c in document["changes"] if c["outcome"] == "failed"]
    assert failed["error"]["code"] == 100002
    assert "brand_new_word" in failed["error"]["info"]
    assert failed["request_id"] and failed["request_id"] in failed["error"]["message"]


def test_v_logs_the_time_of_each_phase_and_vv_leaks_no_secret(emulator: RunningEmulator) -> None:
    env = clean_environ(emulator.base_url, EXAMPLE_ENV)
    verbose = start_cli("-v", "apply", EXAMPLES, "--auto-approve", env=env)
    out, err = verbose.communicate(timeout=GUARD)
    assert verbose.returncode == 0, err
    phases = re.findall(r"phase (\w+): \d+\.\d\d s", err)
    assert phases == ["load", "credentials", "fetch", "plan", "apply", "verify"]
    debug = start_cli("-vv", "plan", EXAMPLES, env=env)  # everything at debug level
    debug_out, debug_err = debug.communicate(timeout=GUARD)
    assert debug.returncode == 0, debug_err
    assert "phase fetch" in debug_err
    assert_no_secrets(out, err, debug_out, debug_err)
