"""Benchmark: what each speed mechanism buys, on the plan of a fleet, in one run.

    python benchmarks/mechanisms.py --apps 2000 --rounds 3
    python benchmarks/mechanisms.py --apps 50 --rounds 7

One run writes a fleet and starts the emulator as ``benchmarks/fleet.py`` does, then
times ``reconciler plan`` through the CLI with everything on, and with one mechanism
taken out at a time, alternately (``--rounds`` times each), beside the bare aiohttp
loop on the plan's reads. A mechanism is taken out by the wrapper that starts the
CLI (a patch applied before the command runs, or an environment variable), never by
a switch in the package. It prints, per variant, the median wall time and CPU, the
median ratio to the bare loop, and the mechanism's gain: how much slower the plan is
without it (``(without - with) / without``, on the medians). Timing is measured here
only, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import fleet

PATCHES: dict[str, tuple[str, str, dict[str, str]]] = {
    "everything on": ("", "the CLI as shipped", {}),
    "no GC tuning": (
        "import reconciler.cli.main as m\nm.tune_collector = lambda: None\n",
        "the CLI's gc.freeze() and young-generation threshold of 10,000",
        {},
    ),
    "asyncio loop": (
        "",
        "uvloop (RECONCILER_EVENT_LOOP=asyncio takes it out)",
        {"RECONCILER_EVENT_LOOP": "asyncio"},
    ),
    "no lean lane": (
        "import reconciler.api.client as c\nclass _Never: pass\nc.BoundedPoster = _Never\n",
        "POST through aiohttp without httpx Request/Response objects",
        {},
    ),
    "httpx's own transport": (
        "import httpx, reconciler.api.transport as t\n"
        "t.AiohttpTransport = lambda max_connections, **_: httpx.AsyncHTTPTransport("
        "limits=httpx.Limits(max_connections=max_connections))\n",
        "aiohttp's pool and C parser under httpx, instead of httpcore's pool",
        {},
    ),
    "TLS context always": (
        "import reconciler.api.transport as t\n_open = t.AiohttpTransport._open\n"
        "t.AiohttpTransport._open = lambda self, secure: _open(self, True)\n",
        "no CA bundle loaded for an http:// endpoint (the emulator)",
        {},
    ),
}


def runner(patch: str) -> str:
    """The CLI as ``benchmarks/fleet.py`` runs it, with ``patch`` applied first."""
    return (
        fleet.PEAK_REPORTER
        + patch
        + (
            "import runpy, sys\n"
            "sys.argv[0] = 'reconciler'\n"
            "runpy.run_module('reconciler', run_name='__main__', alter_sys=True)\n"
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=300, help="apps in the fleet (300)")
    parser.add_argument("--latency-ms", type=int, default=20, help="emulator latency (20)")
    parser.add_argument("--parallelism", type=int, default=32, help="requests in flight (32)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each variant (3)")
    parser.add_argument("--variants", default=",".join(PATCHES), help="comma list (default: all)")
    opts = parser.parse_args(argv)
    variants = [v for v in opts.variants.split(",") if v in PATCHES]
    if "everything on" not in variants:
        variants.insert(0, "everything on")
    fleet.compile_package()
    with tempfile.TemporaryDirectory(prefix="reconciler-mech-") as tmp:
        root = Path(tmp)
        desired, seed, keys = fleet.write_fleet(root, opts.apps)
        log_path = root / "requests.jsonl"
        emulator, url = fleet.start_emulator(seed, log_path, opts.latency_ms)
        log = fleet.RequestLog(log_path)
        env = {**os.environ, **keys, "TRTC_ENDPOINT": url}
        args = ["-q", "plan", str(desired), "--format", "json"]
        args += ["--parallelism", str(opts.parallelism)]
        print(
            f"mechanisms: {opts.apps:,} apps, latency {opts.latency_ms} ms, parallelism "
            f"{opts.parallelism}, {opts.rounds} rounds, load average {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
        )
        walls: dict[str, list[float]] = {v: [] for v in variants}
        cpus: dict[str, list[float]] = {v: [] for v in variants}
        ratios: dict[str, list[float]] = {v: [] for v in variants}
        reads: list[dict[str, object]] = []
        try:
            for _ in range(opts.rounds):
                for variant in variants:  # alternately: the machine's drift hits all alike
                    patch, _, extra = PATCHES[variant]
                    log.since_last()
                    run = fleet.run_python(["-c", runner(patch), *args], {**env, **extra})
                    time.sleep(0.05)
                    got = log.since_last()
                    if run.code not in (0, 2):
                        print(f"{variant}: exit {run.code}\n{run.stderr[-1500:]}", file=sys.stderr)
                    reads = reads or got.reads
                    bare, _, _ = asyncio.run(fleet.bare_loop(url, reads, keys, opts.parallelism))
                    log.since_last()
                    walls[variant].append(run.seconds)
                    cpus[variant].append(run.cpu)
                    ratios[variant].append(run.seconds / bare)
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
    on = statistics.median(walls["everything on"])
    on_cpu = statistics.median(cpus["everything on"])
    print("| variant | what is taken out | plan (median) | client CPU | ÷ bare loop | gain |")
    print("|---|---|---|---|---|---|")
    for variant in variants:
        wall, cpu = statistics.median(walls[variant]), statistics.median(cpus[variant])
        ratio = statistics.median(ratios[variant])
        gain = "-" if variant == "everything on" else f"{(wall - on) / wall:+.1%}"
        cpu_gain = "" if variant == "everything on" else f" (CPU {(cpu - on_cpu) / cpu:+.1%})"
        print(
            f"| {variant} | {PATCHES[variant][1]} | {wall:.2f} s | {cpu:.2f} s | "
            f"{ratio:.2f}x | {gain}{cpu_gain} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
