"""Benchmark: validate N one-line apps that take everything else from a defaults.yaml.

    python benchmarks/authoring.py --apps 10000

The goal (issue 13, held to issue 11's validate goal): ``reconciler validate`` of the
fleet, through the CLI, within 2x of a bare libyaml load (``yaml.CSafeLoader``) of the
same files, each a fresh interpreter; both are run alternately ``--repeat`` times
(default 3; the README's figures use 11) and the medians, the median ratio and
the fastest run of each over the fastest of the other are printed.

Then, in this process, as a breakdown: (a) a bare libyaml load of every file,
(b) the full ``load_desired`` (discover, parse with locations, merge defaults and a
template, expand placeholders, validate, check the policy), and (c) ``load_desired``
of the same fleet written out in full, without defaults, so the cost of the
authoring stages themselves shows.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import yaml
from fleet import compile_package, validate_against_bare  # benchmarks/fleet.py: the same

from reconciler.desired import load_desired

DEFAULTS = """\
region: singapore
vars: {tenant: shared}
callbacks:
  call:
    url: https://{tenant}.hooks.example.com/trtc/call/{sdkappid}
    events: [Call.CallbackAfterStartCall, Call.CallbackAfterEndCall]
templates:
  live-rooms:
    callbacks:
      live:
        url: https://{tenant}.hooks.example.com/trtc/live/{name}
        events: [Live.CallbackAfterCreateRoom]
"""
POLICY = """\
require_https: true
products:
  call: {allowed_hosts: ["*.hooks.example.com"], required_for: ["*"]}
"""


def write(root: Path, apps: int) -> list[Path]:
    (root / "defaults.yaml").write_text(DEFAULTS)
    (root / "policy.yaml").write_text(POLICY)
    files = []
    for i in range(apps):
        folder = root / f"group-{i % 20}"
        folder.mkdir(exist_ok=True)
        path = folder / f"app-{i}.yaml"
        extra = "use: [live-rooms]\n" if i % 3 == 0 else ""
        path.write_text(f"sdkappid: {1500000000 + i}\n{extra}")
        files.append(path)
    return files


def write_flat(root: Path, apps: int) -> None:
    """The same fleet written out in full, with no defaults, template or policy."""
    for i in range(apps):
        folder = root / f"group-{i % 20}"
        folder.mkdir(exist_ok=True)
        sdkappid = 1500000000 + i
        text = (
            f"sdkappid: {sdkappid}\nregion: singapore\ncallbacks:\n  call:\n"
            f"    url: https://shared.hooks.example.com/trtc/call/{sdkappid}\n"
            "    events: [Call.CallbackAfterStartCall, Call.CallbackAfterEndCall]\n"
        )
        if i % 3 == 0:
            text += (
                f"  live:\n    url: https://shared.hooks.example.com/trtc/live/app-{i}\n"
                "    events: [Live.CallbackAfterCreateRoom]\n"
            )
        (folder / f"app-{i}.yaml").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the CLI comparison")
    args = parser.parse_args()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = write(root, args.apps)
        cli = validate_against_bare(root, dict(os.environ), max(1, args.repeat))
        print(cli.summary(f"{args.apps:,} one-line apps with defaults, a template and a policy"))
        start = time.perf_counter()
        for path in files:
            yaml.load(path.read_text(), Loader=loader)  # noqa: S506 - a safe loader
        bare = time.perf_counter() - start
        start = time.perf_counter()
        state = load_desired(root)
        full = time.perf_counter() - start
        flat_root = root / "flat"
        flat_root.mkdir()
        write_flat(flat_root, args.apps)
        start = time.perf_counter()
        flat_state = load_desired(flat_root)
        flat = time.perf_counter() - start
    assert len(state.apps) == len(flat_state.apps) == args.apps
    print(f"in process: yaml load ({loader.__name__}) {bare:.2f}s; ", end="")
    print(f"load_desired with defaults+template+policy {full:.2f}s ({full / bare:.1f}x); ", end="")
    print(f"the same apps written out in full, no defaults {flat:.2f}s ({flat / bare:.1f}x)")


if __name__ == "__main__":
    main()
