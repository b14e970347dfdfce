"""Benchmark: every bounded input of issue 20 through the real CLI, time and peak memory.

    python benchmarks/bounds.py [--case NAME ...] [--apps 100000]

Each case writes its hostile input into a fresh folder and runs
``python -m reconciler ...`` as a child process; it prints the exit code, the
elapsed time, the child's peak RSS (``wait4``), the size of stderr and whether the
expected message is there. The bound of issue 20: every case under 5 s and
300 MB, exit code 1 with a clear message (``distinct-apps``: exit 0). Exits 1
when any case breaks a bound. The ``drift`` and ``apply`` cases run against an
emulator (``reconciler emulator``) on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


EXAMPLES = ROOT / "examples" / "desired-state"
SEED = ROOT / "examples" / "emulator-seed.yaml"
MAX_SECONDS = 5.0
MAX_RSS_MB = 300.0
KEYS = {
    "TRTC_SECRET_KEY_PROD_SG": "demo-key-not-secret-1",
    "TRTC_SECRET_KEY_1400000002": "demo-key-not-secret-2",
    "TRTC_SECRET_KEY_STAGING_US": "demo-key-not-secret-3",
    "LIVE_WEBHOOK_TOKEN_PROD_SG": "rotated-demo-token",
}


@dataclass(frozen=True)
class Case:
    name: str
    finding: str
    make: Callable[[Path], list[str]]  # writes the input below the folder, returns the args
    expect: str  # a piece of the message on stderr (or stdout)
    code: int = 1


def _copy(tmp: Path) -> Path:
    target = tmp / "desired"
    shutil.copytree(EXAMPLES, target)
    return target


def token_from_key(tmp: Path) -> list[str]:
    desired = _copy(tmp)
    app = desired / "apps" / "prod-sg.yaml"
    app.write_text(
        app.read_text().replace("LIVE_WEBHOOK_TOKEN_PROD_SG", "TRTC_SECRET_KEY_STAGING_US")
    )
    return ["plan", str(desired)]


def driftignore_environ(tmp: Path) -> list[str]:
    desired = _copy(tmp)
    (desired / ".driftignore").symlink_to("/proc/self/environ")
    return ["drift", str(desired)]


def driftignore_200mb(tmp: Path) -> list[str]:
    desired = _copy(tmp)
    with (desired / ".driftignore").open("wb") as out:
        out.truncate(200 * 1024 * 1024)  # sparse: the size is what counts
    return ["drift", str(desired)]


def driftignore_at_cap(tmp: Path) -> list[str]:
    desired = _copy(tmp)
    (desired / ".driftignore").write_text("".join(f"*-{i}-*/call\n" for i in range(100)))
    return ["drift", str(desired)]


def reconcilerignore_200k(tmp: Path) -> list[str]:
    desired = _copy(tmp)
    (desired / ".reconcilerignore").write_text("".join(f"p{i}\n" for i in range(200_000)))
    return ["validate", str(desired)]


def reconcilerignore_at_cap(tmp: Path) -> list[str]:
    desired = _copy(tmp)
    patterns = "".join(f"*-{i}-draft*\n" for i in range(100))
    (desired / ".reconcilerignore").write_text(patterns)
    return ["validate", str(desired)]


def placeholder_bomb(tmp: Path) -> list[str]:
    folder = tmp / "apps"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(
        f"name: {'n' * 500_000}\nsdkappid: 1400000001\nregion: singapore\ncallbacks:\n"
        f'  call:\n    url: "https://h.example.com/{"{name}" * 4000}"\n'
        "    events: [Call.CallbackAfterEndCall]\n"
    )
    return ["validate", str(folder)]


def placeholder_var_bomb(tmp: Path) -> list[str]:
    folder = tmp / "apps"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(
        f"name: {'n' * 250_000}\nsdkappid: 1400000001\nregion: singapore\n"
        f'vars: {{big: "{"{name}" * 4000}"}}\ncallbacks:\n'
        f'  call:\n    url: "https://h.example.com/{"{big}" * 4000}"\n'
        "    events: [Call.CallbackAfterEndCall]\n"
    )
    return ["validate", str(folder)]


def known_names(tmp: Path) -> list[str]:
    folder = tmp / "apps"
    folder.mkdir()
    many = "".join(f"  var{i:05}: v\n" for i in range(45_000))
    words = ", ".join(f'"{{nope{i}}}"' for i in range(200))
    (folder / "app.yaml").write_text(
        f"sdkappid: 1400000001\nregion: singapore\nlenient: true\nvars:\n{many}callbacks:\n"
        f"  call:\n    url: https://h.example.com/\n    events: [{words}]\n"
    )
    return ["validate", str(folder)]


def _reviewed(tmp: Path, unit: str, count: int, last: str, entry: str = "--reviewed") -> list[str]:
    """``apply --plan FRESH --reviewed HOSTILE`` (or, with ``entry="--plan"``, ``apply
    --plan HOSTILE``: every plan file goes through the same bounded reader)."""
    desired = _copy(tmp)
    fresh = tmp / "fresh.json"
    subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", str(desired), "--out", str(fresh)],
        env=_env(),
        capture_output=True,
        check=False,
    )
    reviewed = tmp / "reviewed.json"
    with reviewed.open("w") as out:  # written in pieces: this process stays small
        out.write("[")
        piece = unit * 65536
        for _ in range(count // 65536):
            out.write(piece)
        out.write(unit * (count % 65536) + last + "]")
    if entry == "--plan":
        return ["apply", "--plan", str(reviewed), "--auto-approve"]
    return ["apply", "--plan", str(fresh), "--reviewed", str(reviewed), "--auto-approve"]


def reviewed_60mb(tmp: Path) -> list[str]:
    return _reviewed(tmp, "{},", 20 * 1024 * 1024, "{}")


def reviewed_objects(tmp: Path) -> list[str]:
    return _reviewed(tmp, "{},", 5 * 1024 * 1024, "{}")  # 15 MiB, under the size cap


def reviewed_numbers(tmp: Path) -> list[str]:
    return _reviewed(tmp, "1.5,", 4 * 1024 * 1024 - 2, "1")  # 16 MiB of floats


def plan_60mb(tmp: Path) -> list[str]:
    return _reviewed(tmp, "{},", 20 * 1024 * 1024, "{}", entry="--plan")


def plan_objects(tmp: Path) -> list[str]:
    return _reviewed(tmp, "{},", 5 * 1024 * 1024, "{}", entry="--plan")


def plan_numbers(tmp: Path) -> list[str]:
    return _reviewed(tmp, "1.5,", 4 * 1024 * 1024 - 2, "1", entry="--plan")


def distinct_apps(tmp: Path, apps: int) -> list[str]:
    root = tmp / "fleet"
    for i in range(apps):
        folder = root / f"group-{i % 100}"
        folder.mkdir(parents=True, exist_ok=True)
        sdkappid = 1500000000 + i
        (folder / f"app-{i}.yaml").write_text(
            f"sdkappid: {sdkappid}\nregion: singapore\ncallbacks:\n  call:\n"
            f"    url: https://tenant-{i}.hooks.example.com/trtc/call/{sdkappid}\n"
            "    events: [Call.CallbackAfterStartCall, Call.CallbackAfterEndCall]\n"
        )
    return ["validate", str(root)]


CASES = (
    Case("token-from-key", "M2", token_from_key, "names a variable that holds a secret key"),
    Case("driftignore-environ", "M3", driftignore_environ, "symbolic link that leads out"),
    Case("driftignore-200mb", "M3", driftignore_200mb, "65,536-byte limit"),
    Case("driftignore-100-rules", "M3", driftignore_at_cap, "Drift:", code=2),
    Case("placeholder-bomb", "M6", placeholder_bomb, "longer than 2,048 characters"),
    Case("placeholder-var-bomb", "M6", placeholder_var_bomb, "longer than 2,048 characters"),
    Case("45000-vars-200-unknown", "L1", known_names, "and 44,998 more"),
    Case("reconcilerignore-200k", "L2", reconcilerignore_200k, "65,536-byte limit"),
    Case("reconcilerignore-100", "L2", reconcilerignore_at_cap, "", code=0),
    Case("reviewed-60mb", "L4", reviewed_60mb, "16,777,216-byte limit"),
    Case("reviewed-15mb-objects", "L4", reviewed_objects, "JSON objects and arrays"),
    Case("reviewed-16mb-numbers", "L4", reviewed_numbers, "not a saved plan"),
    Case("plan-60mb", "L4", plan_60mb, "16,777,216-byte limit"),
    Case("plan-15mb-objects", "L4", plan_objects, "JSON objects and arrays"),
    Case("plan-16mb-numbers", "L4", plan_numbers, "not a saved plan"),
)


def _hwm_mb(pid: int, field: str = "VmHWM") -> float:
    """The peak RSS of process ``pid`` so far (Linux ``VmHWM``; ``VmRSS``: the current)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def emulator_cases(url: str, pid: int) -> int:
    """L6, L7 against the running emulator: a 40 MB header, 1,100 dribbling connections
    with a legitimate request among them, 5,000 forged 7 KB UserSigs. Returns failures."""
    import base64
    import socket
    import zlib

    import httpx

    host, port = url.removeprefix("http://").rsplit(":", 1)
    failed = 0
    start_mb = _hwm_mb(pid)
    sock = socket.create_connection((host, int(port)), timeout=30)
    started = time.monotonic()
    try:
        sock.sendall(b"POST /v4/x HTTP/1.1\r\nHost: h\r\nX-Big: ")
        chunk = b"a" * 1024 * 1024
        for _ in range(40):
            sock.sendall(chunk)
    except OSError:
        pass  # closed by the emulator while sending
    answer = b""
    with contextlib.suppress(OSError):
        answer = sock.recv(100)
    sock.close()
    elapsed = time.monotonic() - started
    ok = answer.startswith(b"HTTP/1.1 431") and elapsed < MAX_SECONDS
    failed += not ok
    print(
        f"L7  emulator-40mb-header    {answer[:12].decode(errors='replace'):12} {elapsed:5.2f} s  "
        f"emulator peak {_hwm_mb(pid):6.1f} MB (was {start_mb:.1f})"
        f"{'' if ok else '  <-- out of bounds'}",
        flush=True,
    )
    dribblers = []
    for _ in range(1100):
        conn = socket.create_connection((host, int(port)), timeout=30)
        conn.sendall(b"POST /v4/x HTTP/1.1\r\nHost: h\r\nX-Slow: a")
        dribblers.append(conn)
    started = time.monotonic()
    served = httpx.post(f"{url}/no/such/path", json={}, timeout=30).json()
    elapsed = time.monotonic() - started
    for conn in dribblers:
        conn.close()
    ok = "ErrorCode" in served and elapsed < MAX_SECONDS
    failed += not ok
    print(
        f"L7  emulator-1100-dribblers  served {elapsed:5.2f} s  emulator peak "
        f"{_hwm_mb(pid):6.1f} MB{'' if ok else '  <-- out of bounds'}",
        flush=True,
    )
    before = _hwm_mb(pid, "VmRSS")
    started = time.monotonic()
    with httpx.Client(base_url=url, timeout=30) as client:
        for index in range(5000):
            document = {
                "TLS.ver": "2.0", "TLS.identifier": "administrator", "TLS.sdkappid": 1400000001,
                "TLS.expire": 86400, "TLS.time": int(time.time()),
                "TLS.sig": base64.b64encode(index.to_bytes(32, "big")).decode(),
                "TLS.pad": "x" * 5000,
            }  # fmt: skip
            raw = base64.b64encode(zlib.compress(json.dumps(document).encode(), 0)).decode()
            sig = raw.translate(str.maketrans("+/=", "*-_"))
            client.post(
                "/v4/call_config/get_callback",
                params={"sdkappid": "1400000001", "identifier": "administrator",
                        "usersig": sig, "random": str(index), "contenttype": "json"},
                json={},
            )  # fmt: skip
    elapsed = time.monotonic() - started
    grown = _hwm_mb(pid, "VmRSS") - before
    ok = grown < 20
    failed += not ok
    print(
        f"L6  emulator-5000-forged-sigs {elapsed:5.2f} s  emulator RSS grew {grown:5.1f} MB"
        f"{'' if ok else '  <-- out of bounds'}",
        flush=True,
    )
    return failed


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def run(case: Case, args: list[str], tmp: Path) -> tuple[bool, str]:
    command = [sys.executable, "-m", "reconciler", *args]
    with (tmp / "out").open("w+b") as out, (tmp / "err").open("w+b") as err:
        started = time.monotonic()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=_env())
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.monotonic() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors="replace") + err.read().decode(errors="replace")
        err_size = err.tell()
    rss = usage.ru_maxrss / 1024  # KiB on Linux
    found = case.expect in text
    ok = (
        child.returncode == case.code
        and found
        and elapsed < MAX_SECONDS
        and rss < MAX_RSS_MB
        and "Traceback" not in text
        and "planted" not in text
    )
    line = (
        f"{case.finding:3} {case.name:24} exit {child.returncode}  {elapsed:5.2f} s  "
        f"{rss:6.1f} MB  stderr {err_size:>8,} B  message {'yes' if found else 'NO'}"
        f"{'' if ok else '  <-- out of bounds'}"
    )
    return ok, line


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", action="append", help="run only these cases (emulator: L6, L7)")
    parser.add_argument("--apps", type=int, default=100_000, help="apps of distinct-apps (L8)")
    opts = parser.parse_args()
    cases = [
        *CASES,
        Case(
            "distinct-apps",
            "L8",
            lambda tmp: distinct_apps(tmp, opts.apps),
            "",
            code=0,
        ),
    ]
    chosen = [c for c in cases if not opts.case or c.name in opts.case]
    failed = 0
    # the emulator runs in a process of its own: a child forked from a big parent would
    # count the parent's pages in its own peak RSS
    emulator = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "emulator", "--port", "0", "--seed", str(SEED)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert emulator.stdout is not None
        url = emulator.stdout.readline().strip().removeprefix("listening on ")
        os.environ.update(KEYS)
        os.environ["TRTC_ENDPOINT"] = url
        os.environ["AWS_SECRET_ACCESS_KEY"] = "planted-secret-value"  # noqa: S105 - never printed
        with tempfile.TemporaryDirectory() as name:
            ok, line = run(
                Case("baseline", "-", lambda _: [], "", code=0), ["--version"], Path(name)
            )
            print(line.replace("message yes", "(the interpreter alone)"), flush=True)
        for case in chosen:
            with tempfile.TemporaryDirectory() as name:
                tmp = Path(name)
                ok, line = run(case, case.make(tmp), tmp)
                print(line, flush=True)
                failed += not ok
        if not opts.case or "emulator" in opts.case:
            failed += emulator_cases(url, emulator.pid)
    finally:
        emulator.terminate()
        emulator.wait()
    print(json.dumps({"cases": len(chosen), "out_of_bounds": failed}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
