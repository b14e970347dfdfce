"""Benchmark: the real CLI against each hostile server of tests/hostile.py.

For every case, starts its server on 127.0.0.1, runs

    python -m reconciler plan DIR --endpoint URL --timeout T --product P

as a child process, and prints the exit code, the elapsed time, the child's peak
RSS and the length of stderr. The bounds of issue 9: elapsed under T + 5 s, peak
RSS under 200 MB, exit code 1, no secret in the output. Exits 1 when any case
breaks a bound.

    python benchmarks/hostile.py [--timeout 2] [--case gzip-bomb ...]
    python benchmarks/hostile.py --case near-cap-events --apps 200 --parallelism 256
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import CASES, LIVE_TOKEN, SECRET_KEY  # noqa: E402
from tests.integration.test_hostile import APP  # noqa: E402

BENCH_CASES = (
    "drip-headers",
    "drip-body",
    "gzip-bomb",
    "huge-body",
    "huge-error-info",
    "long-error-info",
    "many-events",
    "live-many-events",
    "token-quoted",
)
"""The cases of issue 9, each expected to end in exit 1. Left out: "silent" (no byte
at all: retried like any network timeout, by design, so it takes attempts x
--timeout) and "live-garbage" (a valid answer: plan exits 0, escaped; see the tests)."""

MAX_RSS_MB = 200.0
SLACK_SECONDS = 5.0


def run_case(
    case: str, directory: Path, timeout: float, parallelism: int = 32, apps: int = 1
) -> dict[str, object]:
    product = "live_token" if case == "token-quoted" else "live"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TRTC_", "GITHUB_"))},
        "HOSTILE_SECRET_KEY": SECRET_KEY,
        "HOSTILE_LIVE_TOKEN": LIVE_TOKEN,
        "PYTHONPATH": str(ROOT),
    }
    # the server runs in a process of its own: a child forked from a parent holding
    # its big answers would count the parent's pages in its own peak RSS
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.hostile", case],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        command = [
            sys.executable, "-m", "reconciler", "plan", str(directory),
            "--endpoint", url, "--timeout", str(timeout), "--product", product,
            "--parallelism", str(parallelism),
        ]  # fmt: skip
        started = time.monotonic()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            child = subprocess.Popen(command, stdout=out, stderr=err, env=env)
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = time.monotonic() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(), err.read().decode()
    finally:
        server.terminate()
        server.wait(10)
    rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    leaked = any(s in stdout + stderr for s in (SECRET_KEY, LIVE_TOKEN))
    ok = (
        child.returncode == 1
        and (elapsed < timeout + SLACK_SECONDS or apps > 1)  # the bound is per request
        and rss_mb < MAX_RSS_MB
        and not leaked
    )
    first = stderr.splitlines()[1].strip() if len(stderr.splitlines()) > 1 else stderr.strip()
    return {
        "case": case,
        "exit": child.returncode,
        "elapsed_s": round(elapsed, 2),
        "peak_rss_mb": round(rss_mb, 1),
        "stderr_chars": len(stderr),
        "secret_leaked": leaked,
        "ok": ok,
        "message": first[:160],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=2.0, help="--timeout given to plan")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="only these")
    parser.add_argument(
        "--apps", type=int, default=1, help="apps in the desired state (all read at once)"
    )
    parser.add_argument("--parallelism", type=int, default=32, help="--parallelism given to plan")
    args = parser.parse_args()
    cases = args.case or list(BENCH_CASES)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "desired"
        directory.mkdir()
        for i in range(args.apps):
            app = APP.replace("name: hostile", f"name: hostile-{i}")
            app = app.replace("sdkappid: 1400000099", f"sdkappid: {1400000099 + i}")
            (directory / f"hostile-{i}.yaml").write_text(app)
        print(f"{'case':<16} {'exit':>4} {'elapsed s':>9} {'peak RSS MB':>11} {'stderr':>7}  ok")
        for case in cases:
            row = run_case(case, directory, args.timeout, args.parallelism, args.apps)
            failed += not row["ok"]
            print(
                f"{row['case']:<16} {row['exit']:>4} {row['elapsed_s']:>9} "
                f"{row['peak_rss_mb']:>11} {row['stderr_chars']:>7}  {'yes' if row['ok'] else 'NO'}"
            )
            print(f"    {row['message']}")
    print(
        f"bounds: exit 1, elapsed < --timeout + {SLACK_SECONDS:g} s (with --apps 1), "
        f"peak RSS < {MAX_RSS_MB:g} MB, no secret in the output"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
