"""Make a drift (or plan) HTML report over a generated fleet, to look at in a browser.

    python benchmarks/html_report.py --apps 2000 --out /tmp/drift.html [--plan]

The fleet mixes every state a cell can have: in sync, changed live, deleted live,
declared absent, unmanaged, ignored (.driftignore), and live URLs with HTML in them
(app names must be plain since the loader refuses others; the live state is the server's).
It runs the real CLI against an embedded emulator (loopback only) and prints the
time the run took and the file's size. Render it headless with, e.g.:

    chromium --headless --no-sandbox --screenshot=/tmp/x.png --window-size=1400,1000 \\
        file:///tmp/drift.html
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CALL = ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"]
LIVE = ["Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom"]
ROOM = ["Room.CallbackAfterCreateRoom", "Room.CallbackAfterDestroyRoom"]


def write_fleet(root: Path, apps: int) -> tuple[Path, Path]:
    desired = root / "desired"
    desired.mkdir()
    seed_apps = []
    for i in range(apps):
        sdkappid = 1500000000 + i
        name = f"team-{i % 7}-app-{i:04d}" if i % 50 != 7 else f"odd.app-{i}"
        call = {"url": f"https://hooks.example.com/call/{i}", "events": CALL}
        live = {"url": f"https://hooks.example.com/live/{i}", "events": LIVE}
        room = {"url": f"https://hooks.example.com/room/{i}", "events": ROOM}
        live_state: dict[str, object] = {"call": dict(call), "live": dict(live)}
        kind = i % 10
        if kind == 1:  # changed live: URL and an event
            live_state["call"] = {"url": "https://console.example.com/x", "events": CALL[:1]}
        if i % 50 == 7:  # changed live, to a URL with HTML in it (the server's text)
            url = "https://console.example.com/<b>odd</b>&x</script><script>alert(1)</script>"
            live_state["call"] = {"url": url, "events": CALL}
        elif kind == 2:  # deleted live
            del live_state["live"]
        elif kind == 3:  # unmanaged
            live_state["conference"] = room
        elif kind == 4:  # declared absent, still there
            live_state["call_legacy"] = {"url": "https://old.example.com/v1", "events": ["reject"]}
        seed_apps.append(
            {"sdkappid": sdkappid, "secret_key": f"report-key-{i}", "callbacks": live_state}
        )
        lines = [
            f"name: {json.dumps(name)}",
            f"sdkappid: {sdkappid}",
            "region: singapore",
            "callbacks:",
            f"  call: {json.dumps(call)}",
            f"  live: {json.dumps(live)}",
        ]
        if kind == 4:
            lines.append("  call_legacy: {ensure: absent}")
        (desired / f"app-{i:04d}.yaml").write_text("\n".join(lines) + "\n")
    (desired / ".driftignore").write_text("*-app-0011/*\n*-app-0121/call\n")
    seed = root / "seed.json"  # JSON is YAML
    seed.write_text(json.dumps({"apps": seed_apps}))
    return desired, seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=20)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--plan", action="store_true", help="a plan report instead of drift")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        desired, seed = write_fleet(Path(tmp), args.apps)
        command = "plan" if args.plan else "drift"
        argv = [sys.executable, "-m", "reconciler", command, str(desired), "--emulator", str(seed)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRTC_")}
        started = time.perf_counter()
        with args.out.open("w", encoding="utf-8") as fh:
            done = subprocess.run(
                [*argv, "--format", "html", "-q"], stdout=fh, env=env, timeout=1800, check=False
            )
        elapsed = time.perf_counter() - started
    if done.returncode not in (0, 2):
        sys.exit(f"{command} failed with exit code {done.returncode}")
    size = args.out.stat().st_size
    print(f"{args.apps} apps: {command} --format html took {elapsed:.1f} s, {size:,} bytes")


if __name__ == "__main__":
    main()
