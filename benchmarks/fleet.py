"""Benchmark: plan, apply and drift over a generated fleet, against the emulator.

Starts `reconciler emulator` as a separate process on 127.0.0.1 (port 0), with
per-app rate limits ON and a request log, then times the real CLI:

    python benchmarks/fleet.py --apps 500 [--latency-ms 20] [--parallelism 32]

Prints wall time, requests/s and how many answers were frequency-limit codes
(the client's pacing should keep that at 0). Traffic stays on loopback; every
step is bounded by a timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

FREQUENCY_CODES = {60007, 60011, 60018, 60019}
LIVE_EVENTS = ["Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom"]


def write_fleet(root: Path, apps: int) -> tuple[Path, Path, dict[str, str]]:
    desired = root / "desired"
    desired.mkdir()
    seed_apps = []
    env = {}
    for i in range(apps):
        sdkappid = 1500000000 + i
        key = f"bench-key-{i}"
        env[f"TRTC_SECRET_KEY_{sdkappid}"] = key
        # live state: half the apps have an old call URL, a third have a live config
        callbacks: dict[str, object] = {}
        if i % 2:
            old = ["Call.CallbackAfterEndCall"]
            callbacks["call"] = {"url": "https://old.example.com/cb", "events": old}
        if i % 3 == 0:
            url = f"https://hooks.example.com/live/{i}"
            callbacks["live"] = {"url": url, "events": LIVE_EVENTS}
        seed_apps.append({"sdkappid": sdkappid, "secret_key": key, "callbacks": callbacks})
        (desired / f"app-{i}.yaml").write_text(
            f"sdkappid: {sdkappid}\nregion: singapore\ncallbacks:\n"
            f"  call:\n    url: https://hooks.example.com/call/{i}\n"
            f"    events: [Call.CallbackAfterStartCall, Call.CallbackAfterEndCall]\n"
            f"  live:\n    url: https://hooks.example.com/live/{i}\n"
            f"    events: [{', '.join(LIVE_EVENTS)}]\n"
            f"  call_legacy:\n    url: https://hooks.example.com/v1/{i}\n    events: [normal_end]\n"
        )
    seed = root / "seed.json"  # JSON is YAML
    seed.write_text(json.dumps({"apps": seed_apps}))
    return desired, seed, env


def start_emulator(seed: Path, log: Path, latency_ms: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "emulator",
            "--port",
            "0",
            "--seed",
            str(seed),
            "--log-requests",
            str(log),
            "--latency-ms",
            str(latency_ms),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"emulator did not start: {line!r}")
    return proc, line.removeprefix("listening on ")


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 2):
        print(done.stderr[-2000:], file=sys.stderr)
    return elapsed, done.returncode


def count(log: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in log.read_text().splitlines():
        record = json.loads(line)
        counts["requests"] += 1
        counts["writes"] += bool(record["write"])
        if record["code"] in FREQUENCY_CODES:
            counts["frequency_limited"] += 1
        elif record["code"] not in (0, 100301, 100302):
            counts[f"code_{record['code']}"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=300)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--parallelism", type=int, default=32)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        desired, seed, keys = write_fleet(root, opts.apps)
        log = root / "requests.jsonl"
        proc, url = start_emulator(seed, log, opts.latency_ms)
        env = {**os.environ, **keys, "TRTC_ENDPOINT": url}
        common = ["--parallelism", str(opts.parallelism), "--quiet"]
        try:
            print(
                f"fleet: {opts.apps} apps x 3 managed products, emulator latency "
                f"{opts.latency_ms} ms, parallelism {opts.parallelism}"
            )
            for label, args in [
                ("plan", ["plan", str(desired), "--format", "json", *common[:2]]),
                ("apply", ["apply", str(desired), "--auto-approve", "--force", *common[:2]]),
                ("plan (converged)", ["plan", str(desired), "--detailed-exitcode", *common[:2]]),
                ("drift", ["drift", str(desired), *common[:2]]),
            ]:
                before = count(log) if log.exists() else Counter()
                elapsed, code = timed(["-q", *args], env)
                after = count(log)
                delta = after - before
                rps = delta["requests"] / elapsed if elapsed else 0.0
                extra = {k: v for k, v in delta.items() if k.startswith("code_")}
                print(
                    f"{label:17s} exit {code}  {elapsed:6.2f} s  {delta['requests']:6d} requests "
                    f"({rps:7.1f}/s)  writes {delta['writes']:5d}  "
                    f"frequency-limited {delta['frequency_limited']}  {extra or ''}"
                )
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
