"""Fixtures for integration tests: the real emulator on loopback, the real CLI.

``cli(...)`` runs ``reconciler`` in-process through :func:`reconciler.cli.main.run`
(the same entry point as the console script) and captures stdout, stderr and the
exit code. ``emulator`` is a running emulator seeded from ``SEED`` with a request
log; ``env`` holds the environment the CLI sees (secret keys, tokens, endpoint).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli.main import run
from reconciler.emulator.embedded import RunningEmulator, start_emulator

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "desired-state"
SEED = ROOT / "examples" / "emulator-seed.yaml"
DEMO_TOKEN = "rotated-demo-token"
SECRET_VALUES = (
    "demo-key-not-secret-1",
    "demo-key-not-secret-2",
    "demo-key-not-secret-3",
    "demo-token-old",
    DEMO_TOKEN,
)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    with start_emulator(SEED, request_log=tmp_path / "requests.jsonl") as running:
        yield running


@pytest.fixture
def request_log(tmp_path: Path) -> Path:
    return tmp_path / "requests.jsonl"


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: RunningEmulator) -> dict[str, str]:
    """Environment for running against ``emulator`` with the example desired state."""
    for name in list(__import__("os").environ):
        if name.startswith(("TRTC_", "LIVE_WEBHOOK_TOKEN", "GITHUB_")):
            monkeypatch.delenv(name, raising=False)
    values = {
        "TRTC_ENDPOINT": emulator.base_url,
        "TRTC_SECRET_KEY_PROD_SG": "demo-key-not-secret-1",
        "TRTC_SECRET_KEY_1400000002": "demo-key-not-secret-2",
        "TRTC_SECRET_KEY_STAGING_US": "demo-key-not-secret-3",
        "LIVE_WEBHOOK_TOKEN_PROD_SG": DEMO_TOKEN,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    def invoke(*args: str | Path) -> Result:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def desired(tmp_path: Path) -> Path:
    """A private copy of the example desired state, safe to edit."""
    target = tmp_path / "desired"
    shutil.copytree(EXAMPLES, target)
    return target


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRET_VALUES:
            assert secret not in text, f"secret {secret[:6]}… leaked"
