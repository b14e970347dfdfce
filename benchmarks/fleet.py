"""Benchmark: plan, apply, drift and validate over a generated fleet, against the emulator.

    pip install -e '.[bench]'
    python benchmarks/fleet.py --apps 2000 --latency-ms 20 --parallelism 32

One run:

1. writes a fleet of ``--apps`` app files and an emulator seed (half the apps hold an
   old call URL, a third a live config), in a temporary folder;
2. starts ``reconciler emulator`` in its own process on 127.0.0.1 (port 0), with the
   per-app rate limits ON, ``--latency-ms`` and a request log;
3. times ``plan``, ``apply`` and ``drift`` through the real CLI, each a subprocess;
4. replays the exact reads of the plan (same paths, apps and order, signed the same
   way) with a bare aiohttp loop at the same concurrency, in this process;
5. times ``reconciler validate`` of the app files beside a bare libyaml load
   (``yaml.CSafeLoader``) of the same files, each a fresh interpreter, alternately
   ``--repeat`` times (default 3), and reports the medians and the median ratio.

It prints a Markdown table: per step the wall time, the bare-loop time on the same
reads, the latency bound (reads x latency / parallelism), the ratios, the CLI
process's CPU time and peak RSS, the emulator's CPU share (CPU seconds over wall
seconds, 100 % = one core) and the number of frequency-limited answers. Traffic stays
on loopback; every subprocess is bounded by a timeout. Timing is measured here only,
never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

FREQUENCY_CODES = {60007, 60011, 60018, 60019}
OK_CODES = {0, 100301, 100302}  # success, and "nothing configured" answers
LIVE_EVENTS = ["Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom"]
STEP_TIMEOUT = 3600
IDENTIFIER = "administrator"


def compile_package() -> None:
    """Byte-compile the package, as ``pip install`` does: an editable checkout run with
    ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module at every start."""
    import compileall

    import reconciler

    compileall.compile_dir(Path(reconciler.__file__).parent, quiet=1)


def write_fleet(root: Path, apps: int) -> tuple[Path, Path, dict[str, str]]:
    """The desired-state folder, the emulator seed and the secret-key environment."""
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


# -- processes ---------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc, else psutil)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        import psutil  # the bench extra; only off Linux

        times = psutil.Process(pid).cpu_times()
        return float(times.user + times.system)


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


@dataclass
class Run:
    """One CLI subprocess: wall time, exit code, CPU and peak RSS (from wait4)."""

    seconds: float
    code: int
    cpu: float
    peak_rss_mb: float
    stderr: str = ""


# Peak RSS: wait4's ru_maxrss is no good here, since Linux carries the high-water mark of
# the address space a child is forked from (this process, holding the fleet) across exec.
# The child reports its own VmHWM (its address space since exec) as it exits.
PEAK_REPORTER = (
    "import atexit, os\n"
    "def _report_peak():\n"
    "    try:\n"
    "        with open('/proc/self/status') as status:\n"
    "            kib = next(line.split()[1] for line in status if line.startswith('VmHWM:'))\n"
    "        with open(os.environ['BENCH_PEAK_FILE'], 'w') as out:\n"
    "            out.write(kib)\n"
    "    except (OSError, StopIteration):\n"
    "        pass\n"
    "atexit.register(_report_peak)\n"
)
RUN_CLI = PEAK_REPORTER + (
    "import runpy, sys\n"
    "sys.argv[0] = 'reconciler'\n"
    "runpy.run_module('reconciler', run_name='__main__', alter_sys=True)\n"
)


def run_cli(args: Sequence[str], env: dict[str, str]) -> Run:
    """Run the CLI (``python -m reconciler ARGS``) and measure that very process."""
    return run_python(["-c", RUN_CLI, *args], env)


def run_python(args: Sequence[str], env: dict[str, str]) -> Run:
    """Run ``python ARGS``; its wall time, exit code, CPU and peak RSS."""
    with tempfile.TemporaryFile("w+") as err, tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *args],
            env={**env, "BENCH_PEAK_FILE": peak.name},
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
        deadline = start + STEP_TIMEOUT
        while True:  # wait4 gives this child's own rusage (RUSAGE_CHILDREN is a max over all)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
        reported = peak.read().strip()
    if reported.isdigit():
        peak_mb = int(reported) / 1024
    else:  # no /proc: ru_maxrss (KiB on Linux, bytes on macOS), an upper bound
        peak_mb = usage.ru_maxrss / (1024 if platform.system() == "Linux" else 1024 * 1024)
    return Run(seconds, proc.returncode, usage.ru_utime + usage.ru_stime, peak_mb, stderr)


def import_seconds(args: Sequence[str], env: dict[str, str]) -> float:
    """What ``python -X importtime ARGS`` spent importing: the sum of the top-level
    imports' cumulative times (importtime's own overhead included, so read it beside
    the bare loop's, measured the same way)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    total = 0
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if not name.startswith("  "):  # top level: one space after the bar
            total += int(cumulative)
    return total / 1e6


BARE_IMPORTS = "import asyncio, aiohttp, yaml"
"""What the bare loop (and a bare libyaml load) import before their first request."""


# -- the request log ---------------------------------------------------------------------


@dataclass
class LogSlice:
    records: list[dict[str, object]] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.records)

    @property
    def reads(self) -> list[dict[str, object]]:
        return [r for r in self.records if not r["write"]]

    @property
    def writes(self) -> int:
        return sum(1 for r in self.records if r["write"])

    @property
    def frequency_limited(self) -> int:
        return sum(1 for r in self.records if r["code"] in FREQUENCY_CODES)

    @property
    def other_codes(self) -> Counter[int]:
        codes = (int(str(r["code"])) for r in self.records)
        return Counter(c for c in codes if c not in OK_CODES and c not in FREQUENCY_CODES)


class RequestLog:
    """Reads what the emulator appended to its request log since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def since_last(self) -> LogSlice:
        if not self.path.exists():
            return LogSlice()
        with self.path.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self.offset += end
        return LogSlice([json.loads(line) for line in data[:end].splitlines()])


# -- the bare loop -----------------------------------------------------------------------


async def bare_loop(
    base_url: str, reads: Sequence[dict[str, object]], keys: dict[str, str], parallelism: int
) -> tuple[float, float, Counter[int]]:
    """Send ``reads`` (request-log records) with plain aiohttp, ``parallelism`` at a time.

    UserSigs are made before the clock starts (once per app, as any client would
    cache them); each request gets its own ``random``, like the CLI's.
    """
    import aiohttp
    from TLSSigAPIv2 import TLSSigAPIv2

    sigs: dict[int, str] = {}
    for record in reads:
        sdkappid = int(str(record["sdkappid"]))
        if sdkappid not in sigs:
            key = keys[f"TRTC_SECRET_KEY_{sdkappid}"]
            sigs[sdkappid] = str(TLSSigAPIv2(sdkappid, key).gen_sig(IDENTIFIER, 86400))
    codes: Counter[int] = Counter()
    gate = asyncio.Semaphore(parallelism)
    connector = aiohttp.TCPConnector(limit=parallelism)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(record: dict[str, object]) -> None:
            sdkappid = int(str(record["sdkappid"]))
            params = {
                "sdkappid": str(sdkappid),
                "identifier": IDENTIFIER,
                "usersig": sigs[sdkappid],
                "random": str(random.getrandbits(32)),
                "contenttype": "json",
            }
            async with (
                gate,
                session.post(f"{base_url}{record['path']}", params=params, json={}) as r,
            ):
                answer = await r.json(content_type=None)
            codes[int(answer.get("ErrorCode", answer.get("errorCode", -1)))] += 1

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(r) for r in reads))
        return time.perf_counter() - start, time.process_time() - cpu, codes


# -- validate ----------------------------------------------------------------------------

BARE_YAML = PEAK_REPORTER + (
    "import sys, pathlib, yaml\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n"
    "    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)\n"
)


def bare_yaml(desired: Path) -> Run:
    """A fresh interpreter loading every ``*.yaml`` below ``desired`` with libyaml."""
    return run_python(["-c", BARE_YAML, str(desired)], dict(os.environ))


@dataclass
class Validate:
    """``reconciler validate`` and the bare libyaml load, run alternately ``repeat`` times."""

    runs: list[tuple[Run, Run]]  # (validate, bare) per round

    @property
    def validate(self) -> Run:
        return _median_run([v for v, _ in self.runs])

    @property
    def bare(self) -> Run:
        return _median_run([b for _, b in self.runs])

    @property
    def ratios(self) -> list[float]:
        return [v.seconds / b.seconds for v, b in self.runs]

    @property
    def ratio(self) -> float:
        ratios = sorted(self.ratios)
        return ratios[len(ratios) // 2]

    @property
    def fastest_ratio(self) -> float:
        """The fastest validate over the fastest bare load: what each costs undisturbed."""
        return min(v.seconds for v, _ in self.runs) / min(b.seconds for _, b in self.runs)

    def summary(self, what: str) -> str:
        shown = ", ".join(f"{r:.2f}x" for r in self.ratios)
        return (
            f"validate ÷ bare libyaml load ({what}): median {self.ratio:.2f}x "
            f"over {len(self.runs)} rounds ({shown}); validate {self.validate.seconds:.2f} s, "
            f"libyaml {self.bare.seconds:.2f} s (medians); fastest of each: "
            f"{self.fastest_ratio:.2f}x"
        )


def _median_run(runs: Sequence[Run]) -> Run:
    ordered = sorted(runs, key=lambda run: run.seconds)
    return ordered[len(ordered) // 2]


def validate_against_bare(desired: Path, env: dict[str, str], repeat: int) -> Validate:
    """Both sides in the same run, alternately, so a busy machine slows both alike."""
    runs = []
    for _ in range(repeat):
        bare = bare_yaml(desired)
        run = run_cli(["-q", "validate", str(desired)], env)
        if run.code != 0:
            print(f"validate exited {run.code}:\n{run.stderr[-2000:]}", file=sys.stderr)
        runs.append((run, bare))
    return Validate(runs)


# -- report ------------------------------------------------------------------------------


@dataclass
class Row:
    step: str
    run: Run
    requests: int = 0
    reads: int = 0
    writes: int = 0
    bare: float | None = None
    bound: float | None = None
    emulator_cpu: float | None = None
    frequency_limited: int = 0
    other: str = ""


def ratio(a: float, b: float | None) -> str:
    return f"{a / b:.2f}x" if b else "-"


def table(rows: Sequence[Row]) -> str:
    head = (
        "| step | exit | time | bare loop | latency bound | ÷ bare | ÷ bound | requests "
        "(reads/writes) | client CPU | peak RSS | emulator CPU | frequency-limited |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        bare = f"{r.bare:.2f} s" if r.bare is not None else "-"
        bound = f"{r.bound:.2f} s" if r.bound is not None else "-"
        emu = f"{r.emulator_cpu:.0%}" if r.emulator_cpu is not None else "-"
        reqs = f"{r.requests:,} ({r.reads:,}/{r.writes:,})" if r.requests else "-"
        cpu = f"{r.run.cpu:.2f} s" if r.run.cpu else "-"
        rss = f"{r.run.peak_rss_mb:.0f} MB" if r.run.peak_rss_mb else "-"
        lines.append(
            f"| {r.step} | {r.run.code} | {r.run.seconds:.2f} s | {bare} | {bound} | "
            f"{ratio(r.run.seconds, r.bare)} | {ratio(r.run.seconds, r.bound)} | {reqs} | "
            f"{cpu} | {rss} | {emu} | {r.frequency_limited}{r.other} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=300, help="apps in the fleet (default 300)")
    parser.add_argument("--latency-ms", type=int, default=20, help="emulator latency (20)")
    parser.add_argument("--parallelism", type=int, default=32, help="requests in flight (32)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of validate and its bare load (3)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="rounds of plan and its bare loop, alternately; the median ratio is printed (1)",
    )
    parser.add_argument(
        "--steps",
        default="plan,bare,apply,drift,validate",
        help="comma list of steps to run (default: plan,bare,apply,drift,validate; "
        "'imports' adds the plan's import time beside the bare loop's, from -X importtime)",
    )
    opts = parser.parse_args(argv)
    steps = set(opts.steps.split(","))
    compile_package()
    latency = opts.latency_ms / 1000
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="reconciler-bench-") as tmp:
        root = Path(tmp)
        desired, seed, keys = write_fleet(root, opts.apps)
        log_path = root / "requests.jsonl"
        emulator, url = start_emulator(seed, log_path, opts.latency_ms)
        log = RequestLog(log_path)
        env = {**os.environ, **keys, "TRTC_ENDPOINT": url}
        par = ["--parallelism", str(opts.parallelism)]
        print(
            f"fleet: {opts.apps:,} apps, emulator latency {opts.latency_ms} ms (rate limits on), "
            f"parallelism {opts.parallelism}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
        )
        plan_reads: list[dict[str, object]] = []
        plan_ratios: list[float] = []
        plan_row: Row | None = None
        validated: Validate | None = None
        try:
            for label, args in [
                ("plan", ["-q", "plan", str(desired), "--format", "json", *par]),
                ("apply", ["-q", "apply", str(desired), "--auto-approve", "--force", *par]),
                ("drift", ["-q", "drift", str(desired), *par]),
            ]:
                if label not in steps:
                    continue
                log.since_last()
                emu_before = cpu_seconds(emulator.pid)
                run = run_cli(args, env)
                emu_cpu = cpu_seconds(emulator.pid) - emu_before
                time.sleep(0.05)  # the last log lines
                got = log.since_last()
                if run.code not in (0, 2):
                    print(f"{label} exited {run.code}:\n{run.stderr[-2000:]}", file=sys.stderr)
                reads = got.reads
                row = Row(
                    label,
                    run,
                    got.requests,
                    len(reads),
                    got.writes,
                    bound=got.requests * latency / opts.parallelism if latency else None,
                    emulator_cpu=emu_cpu / run.seconds if run.seconds else None,
                    frequency_limited=got.frequency_limited,
                    other=f" (other codes: {dict(got.other_codes)})" if got.other_codes else "",
                )
                rows.append(row)
                if label == "plan":
                    plan_reads, plan_row = reads, row
                    if "bare" in steps:
                        emu_before = cpu_seconds(emulator.pid)
                        seconds, cpu, codes = asyncio.run(
                            bare_loop(url, reads, keys, opts.parallelism)
                        )
                        emu_cpu = cpu_seconds(emulator.pid) - emu_before
                        log.since_last()
                        row.bare = seconds
                        plan_ratios.append(run.seconds / seconds)
                        for _ in range(opts.rounds - 1):  # the same pair again, alternately
                            again = run_cli(args, env)
                            log.since_last()
                            bare_again, _, _ = asyncio.run(
                                bare_loop(url, reads, keys, opts.parallelism)
                            )
                            log.since_last()
                            plan_ratios.append(again.seconds / bare_again)
                        limited = sum(n for c, n in codes.items() if c in FREQUENCY_CODES)
                        rows.append(
                            Row(
                                "bare aiohttp loop (plan's reads)",
                                Run(seconds, 0, cpu, 0.0),
                                len(reads),
                                len(reads),
                                0,
                                bound=row.bound,
                                emulator_cpu=emu_cpu / seconds if seconds else None,
                                frequency_limited=limited,
                            )
                        )
            if "imports" in steps:
                plan_args = ["-m", "reconciler", "-q", "plan", str(desired), *par]
                plan_imports = statistics.median(
                    import_seconds(plan_args, env) for _ in range(max(1, opts.repeat))
                )
                bare_imports = statistics.median(
                    import_seconds(["-c", BARE_IMPORTS], env) for _ in range(max(1, opts.repeat))
                )
                print(
                    f"imports (python -X importtime, median of {max(1, opts.repeat)}): plan "
                    f"{plan_imports:.2f} s, bare loop ({BARE_IMPORTS}) {bare_imports:.2f} s",
                    file=sys.stderr,
                )
            if "validate" in steps:
                validated = validate_against_bare(desired, env, max(1, opts.repeat))
                rows.append(
                    Row(
                        f"validate ({opts.apps:,} files, median of {len(validated.runs)})",
                        validated.validate,
                        bare=validated.bare.seconds,
                    )
                )
                rows.append(Row("bare libyaml load (same files)", validated.bare))
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
    print(table(rows))
    if validated is not None:
        print("\n" + validated.summary(f"{opts.apps:,} files"))
    if plan_row is not None and plan_row.bare:
        print(
            f"\nplan ÷ bare loop: {plan_row.run.seconds / plan_row.bare:.2f}x "
            f"on {len(plan_reads):,} reads",
            file=sys.stderr,
        )
    if len(plan_ratios) > 1:
        shown = ", ".join(f"{r:.2f}x" for r in plan_ratios)
        print(
            f"plan ÷ bare loop over {len(plan_ratios)} rounds: median "
            f"{statistics.median(plan_ratios):.2f}x ({shown})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
