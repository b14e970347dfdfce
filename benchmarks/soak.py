"""Soak: apply a generated fleet against a faulty emulator, SIGKILL it at random
moments, then apply again until it converges, and check what happened.

    python benchmarks/soak.py --apps 50 --fault-rates 0.2,0.4 --kills 20

For each fault rate, one emulator process (``--fault-rate R``, a request log, an
SQLite database) serves every run:

1. kill phase: applies, each SIGKILLed once it has sent a random number (1-8) of
   writes (seen in the emulator's request log), until ``--kills`` were killed; a run
   that finishes first is counted apart, and one that converges ends the phase;
2. convergence: applies, not killed, until the live state equals the desired
   (counted: "runs to converge"; checked after each run by ``plan
   --detailed-exitcode`` on a fault-free emulator over the same database);
3. checks:
   - the final live state equals the desired;
   - the audit log is complete: every write in the request log happened while an
     intent for its resource was open (written before it, its outcome not before it);
   - nothing was written twice without need: the desired state is fixed and there is
     no other writer, so every resource has at most one successful write.

Prints one line per fault rate; exit 1 when a check fails. Loopback only; every
step is bounded by a timeout. ``run_soak`` is importable (the test suite runs a small
configuration with kill points fixed by ``kill_after``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

KEY = "soak-key-not-secret"
FIRST_SDKAPPID = 1600000000
CALL_EVENTS = ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"]
LIVE_EVENTS = ["Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom"]
ROOM_EVENTS = ["Room.CallbackAfterCreateRoom", "Room.CallbackAfterDestroyRoom"]
KILL_WITHIN_WRITES = 8  # a kill point is drawn from 1..8 writes into a run
STEP_TIMEOUT = 600.0  # seconds for one CLI run: a guard, not a measurement
V4_SERVICES = {"call_config": "call", "live_config": "live", "room_config": "conference"}


# the fleet ---------------------------------------------------------------------


def token_env(i: int) -> str:
    return f"SOAK_LIVE_TOKEN_{i}"


def write_fleet(root: Path, apps: int) -> tuple[Path, Path, dict[str, str], int]:
    """Seed and desired state for ``apps`` apps: creates, updates, deletes and
    unchanged configs mixed. Returns (desired, seed, env, managed configs)."""
    desired = root / "desired" / "apps"
    desired.mkdir(parents=True)
    seed_apps: list[dict[str, Any]] = []
    env = {"TRTC_SECRET_KEY": KEY}
    managed = 0
    for i in range(apps):
        sdkappid = FIRST_SDKAPPID + i
        live: dict[str, Any] = {}
        if i % 4 == 1:  # updates
            live["call"] = {"url": "https://old.example.com/call", "events": CALL_EVENTS[:1]}
            live["call_legacy"] = {"url": "https://old.example.com/v1", "events": ["reject"]}
        if i % 4 == 2:  # already right
            live["call"] = {"url": f"https://hooks.example.com/call/{i}", "events": CALL_EVENTS}
        if i % 3 == 0:
            live["live"] = {"url": "https://old.example.com/live", "events": LIVE_EVENTS}
        if i % 5 == 0:  # delete
            live["conference"] = {"url": "https://old.example.com/room", "events": ROOM_EVENTS}
        if i % 2 == 0:
            live["live_token"] = {"token": f"old-token-{i}", "enabled": True}
        seed_apps.append({"sdkappid": sdkappid, "secret_key": KEY, "callbacks": live})
        lines = [
            f"sdkappid: {sdkappid}",
            "region: singapore",
            "callbacks:",
            f"  call: {{url: 'https://hooks.example.com/call/{i}', events: {CALL_EVENTS}}}",
            f"  call_legacy: {{url: 'https://hooks.example.com/v1/{i}', events: [normal_end]}}",
            f"  live: {{url: 'https://hooks.example.com/live/{i}', events: {LIVE_EVENTS}}}",
        ]
        managed += 3
        if i % 5 == 0:
            lines.append("  conference: {ensure: absent}")
        else:
            lines.append(
                f"  conference: {{url: 'https://hooks.example.com/room/{i}', "
                f"events: {ROOM_EVENTS}}}"
            )
        managed += 1
        if i % 2 == 0:
            lines.append(f"  live_token: {{token_env: {token_env(i)}, enabled: true}}")
            env[token_env(i)] = f"soak-token-{i}-not-secret"
            managed += 1
        (desired / f"soak-{i:03d}.yaml").write_text("\n".join(lines).replace("'", '"') + "\n")
    seed = root / "seed.json"  # JSON is YAML
    seed.write_text(json.dumps({"apps": seed_apps}))
    return desired.parent, seed, env, managed


# processes ---------------------------------------------------------------------


def reconciler(*args: str) -> list[str]:
    return [sys.executable, "-m", "reconciler", *args]


class Emulator:
    """``reconciler emulator`` as a separate process on 127.0.0.1 (port 0)."""

    def __init__(self, seed: Path, db: Path, log: Path, fault_rate: float, fault_seed: int) -> None:
        args = ["emulator", "--port", "0", "--seed", str(seed), "--db", str(db)]
        args += ["--log-requests", str(log)]
        if fault_rate:
            args += ["--fault-rate", str(fault_rate), "--fault-seed", str(fault_seed)]
            args += ["--fault-kinds", "100001,502"]
        self.proc = subprocess.Popen(
            reconciler(*args), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.stop()
            raise SystemExit(f"emulator did not start: {line!r}")
        self.url = line.removeprefix("listening on ")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:  # a line cut by SIGKILL
            continue
    return rows


def count_writes(log: Path) -> int:
    return sum(1 for r in read_jsonl(log) if r.get("write"))


def apply_args(desired: Path, audit: Path) -> list[str]:
    return ["-q", "apply", str(desired), "--auto-approve", "--force", "--audit-log", str(audit)]


def killed_apply(
    desired: Path, audit: Path, env: dict[str, str], log: Path, after_writes: int
) -> int | None:
    """Run apply; SIGKILL it once the request log shows ``after_writes`` more writes.
    None when it was killed, else its exit code (it finished first)."""
    start = count_writes(log)
    proc = subprocess.Popen(
        reconciler(*apply_args(desired, audit)),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + STEP_TIMEOUT
    try:
        while proc.poll() is None:
            if count_writes(log) - start >= after_writes:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return None
            if time.monotonic() > deadline:
                raise TimeoutError("apply did not finish within the step timeout")
            time.sleep(0.01)  # polling the log; the kill point is a write count, not a time
        return proc.returncode
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def plain_apply(desired: Path, audit: Path, env: dict[str, str]) -> int:
    done = subprocess.run(
        reconciler(*apply_args(desired, audit)),
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    return done.returncode


# checks ------------------------------------------------------------------------


def product_of(path: str) -> str:
    parts = path.strip("/").split("/")
    if parts[0] == "v1":
        return "call_legacy"
    if parts[-1].endswith("_token"):
        return "live_token"
    return V4_SERVICES.get(parts[1], parts[1])


def _seconds(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).replace(microsecond=0)


def writes_without_intent(
    requests: Sequence[dict[str, Any]], audit: Sequence[dict[str, Any]]
) -> int:
    """Writes in the request log that happened while no intent for their resource was
    open (an intent at or before the write, whose outcome is not before it)."""
    windows: dict[tuple[int, str], list[tuple[datetime, datetime | None]]] = defaultdict(list)
    outcomes: dict[tuple[str, int], datetime] = {}
    for row in audit:
        if row.get("result") not in (None, "intent") and row.get("seq") is not None:
            outcomes[(row["run_id"], row["seq"])] = _seconds(row["time"])
    for row in audit:
        if row.get("result") == "intent":
            end = outcomes.get((row["run_id"], row["seq"]))
            windows[(row["sdkappid"], row["product"])].append((_seconds(row["time"]), end))
    missing = 0
    for record in requests:
        if not record.get("write"):
            continue
        at = _seconds(record["time"])
        spans = windows.get((record["sdkappid"], product_of(record["path"])), [])
        if not any(start <= at and (end is None or end >= at) for start, end in spans):
            missing += 1
    return missing


def needless_writes(requests: Sequence[dict[str, Any]]) -> int:
    """Successful writes beyond the first per resource (the desired state is fixed and
    there is no other writer: a second one was not needed)."""
    ok = Counter(
        (r["sdkappid"], product_of(r["path"]))
        for r in requests
        if r.get("write") and r.get("code") == 0
    )
    return sum(n - 1 for n in ok.values() if n > 1)


# the soak ----------------------------------------------------------------------


def state_matches(
    seed_file: Path,
    db: Path,
    log: Path,
    desired: Path,
    base_env: dict[str, str],
    fleet_env: dict[str, str],
    result: SoakResult,
) -> bool:
    """``plan --detailed-exitcode`` exits 0 on a fault-free emulator over ``db``."""
    checker = Emulator(seed_file, db, log, 0.0, 0)
    try:
        env = {**base_env, **fleet_env, "TRTC_ENDPOINT": checker.url}
        plan = subprocess.run(
            reconciler("-q", "plan", str(desired), "--detailed-exitcode"),
            env=env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
    finally:
        checker.stop()
    if plan.returncode not in (0, 2):
        result.notes.append(plan.stdout[-2000:] + plan.stderr[-2000:])
    return plan.returncode == 0


@dataclass
class SoakResult:
    fault_rate: float
    apps: int
    managed: int
    kills: int = 0
    killed_runs_finished: int = 0  # kill-phase runs that ended before their kill point
    runs_to_converge: int = 0
    converged: bool = False
    final_state_ok: bool = False
    writes: int = 0
    writes_without_intent: int = 0
    needless_writes: int = 0
    seconds: float = 0.0
    exit_codes: list[int] = field(default_factory=list)  # of the runs after the kills
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.converged
            and self.final_state_ok
            and self.writes_without_intent == 0
            and self.needless_writes == 0
        )

    def line(self) -> str:
        return (
            f"fault rate {self.fault_rate:.0%}: {self.apps} apps ({self.managed} managed configs), "
            f"{self.kills} SIGKILLs ({self.killed_runs_finished} run(s) ended before their "
            f"kill point), converged in {self.runs_to_converge} run(s) after the kills "
            f"(exit codes {' '.join(map(str, self.exit_codes))})"
            f"{'' if self.converged else ' (NOT CONVERGED)'}; final state "
            f"{'= desired' if self.final_state_ok else 'DIFFERS'}; {self.writes} writes, "
            f"{self.writes_without_intent} without an intent line, "
            f"{self.needless_writes} needless; {self.seconds:.0f} s"
        )


def run_soak(
    root: Path,
    *,
    apps: int,
    fault_rate: float,
    kills: int,
    max_runs: int = 10,
    seed: int = 1,
    kill_after: Sequence[int] | None = None,
) -> SoakResult:
    """One soak at one fault rate in ``root``. ``kill_after`` fixes the first kill
    points (writes seen per killed run); the others are drawn from ``seed``."""
    started = time.monotonic()
    root.mkdir(parents=True, exist_ok=True)
    desired, seed_file, fleet_env, managed = write_fleet(root, apps)
    db, log, audit = root / "live.sqlite", root / "requests.jsonl", root / "audit.jsonl"
    rng = random.Random(seed)
    result = SoakResult(fault_rate, apps, managed)
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRTC_", "GITHUB_", "SOAK_", "LIVE_WEBHOOK_TOKEN"))
    }
    emulator = Emulator(seed_file, db, log, fault_rate, seed)
    try:
        env = {**base_env, **fleet_env, "TRTC_ENDPOINT": emulator.url}
        points = list(kill_after) if kill_after is not None else []
        attempts = 0
        while result.kills < kills and attempts < 3 * kills:
            attempts += 1
            after = points.pop(0) if points else rng.randint(1, KILL_WITHIN_WRITES)
            code = killed_apply(desired, audit, env, log, after)
            if code is None:
                result.kills += 1
                continue
            result.killed_runs_finished += 1
            if code == 0:
                break  # converged before the kill point: nothing left to interrupt
        for run in range(1, max_runs + 1):
            result.exit_codes.append(plain_apply(desired, audit, env))
            result.runs_to_converge = run
            emulator.stop()
            # converged = the live state equals the desired (a run at 40 % faults may
            # still exit 1 because a read failed, with nothing left to change)
            if state_matches(
                seed_file, db, root / "check-requests.jsonl", desired, base_env, fleet_env, result
            ):
                result.converged = True
                break
            emulator = Emulator(seed_file, db, log, fault_rate, seed + run)
            env = {**base_env, **fleet_env, "TRTC_ENDPOINT": emulator.url}
    finally:
        emulator.stop()
    result.final_state_ok = state_matches(
        seed_file, db, root / "check-requests.jsonl", desired, base_env, fleet_env, result
    )
    requests = read_jsonl(log)
    result.writes = sum(1 for r in requests if r.get("write"))
    result.writes_without_intent = writes_without_intent(requests, read_jsonl(audit))
    result.needless_writes = needless_writes(requests)
    result.seconds = time.monotonic() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=50)
    parser.add_argument("--fault-rates", default="0.2,0.4")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--max-runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep logs and audit here")
    opts = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        base = opts.keep or Path(tmp)
        for rate in (float(r) for r in opts.fault_rates.split(",")):
            result = run_soak(
                base / f"rate-{rate}",
                apps=opts.apps,
                fault_rate=rate,
                kills=opts.kills,
                max_runs=opts.max_runs,
                seed=opts.seed,
            )
            print(result.line(), flush=True)
            for note in result.notes:
                print(note, file=sys.stderr)
            ok = ok and result.ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
