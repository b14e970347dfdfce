"""Review issue 22: a run reads the environment's secrets bundle (``RECONCILER_SECRETS``)
and its ``--secrets-file`` once, and keeps nothing of them after it ends.

The readers are counted: :func:`reconciler.secretsbundle.read_secrets_file` (the
file) and :func:`reconciler.secretsbundle.bundle_from_env` (``RECONCILER_SECRETS`` of
the environment, with the run's file over it: every credential source's one way
in). Several runs in one process, each with its own bundle, see their own. Against
the real emulator on loopback, through the real CLI and the Python API.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler import secretsbundle
from reconciler.emulator.embedded import RunningEmulator
from reconciler.engine import Connection, Reconciler
from reconciler.engine.core import ImportRequest
from tests.integration.conftest import DEMO_TOKEN, EXAMPLES, SEED, Result, assert_no_secrets

KEYS = {
    "TRTC_SECRET_KEY_PROD_SG": "demo-key-not-secret-1",
    "TRTC_SECRET_KEY_1400000002": "demo-key-not-secret-2",
    "TRTC_SECRET_KEY_STAGING_US": "demo-key-not-secret-3",
}
TOKENS = {"LIVE_WEBHOOK_TOKEN_PROD_SG": DEMO_TOKEN}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Calls of the two bundle readers, by name."""
    calls: Counter[str] = Counter()

    def counting(name: str) -> None:
        real: Callable[..., Any] = getattr(secretsbundle, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(secretsbundle, name, wrapper)

    counting("read_secrets_file")
    counting("bundle_from_env")
    return calls


@pytest.fixture
def bundled(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No secret in the environment itself: the keys in a secrets file, the token in
    RECONCILER_SECRETS. Returns the file."""
    for name in (*KEYS, *TOKENS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps(TOKENS))
    return _secrets_file(tmp_path / "secrets.json", KEYS)


def _secrets_file(path: Path, values: dict[str, str]) -> Path:
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return path


def _unreadable(result: Result) -> set[str]:
    """The apps whose live configuration the plan could not read (JSON plan)."""
    return {entry["app"] for entry in result.json()["errors"]}


@pytest.mark.parametrize(
    "command",
    [
        ("plan", "DIR", "--format", "json"),
        ("drift", "DIR"),
        ("apply", "DIR", "--auto-approve"),
        ("validate", "DIR"),
    ],
    ids=lambda command: command[0],
)
def test_a_run_reads_the_bundle_once(
    cli: Any, bundled: Path, desired: Path, counted: Counter[str], command: tuple[str, ...]
) -> None:
    args = [desired if word == "DIR" else word for word in command]
    result = cli(*args, "--secrets-file", bundled)
    assert result.code in (0, 2), result.err  # 2: drift found
    assert "no secret key" not in result.err and "not set" not in result.err
    assert counted == {"read_secrets_file": 1, "bundle_from_env": 1}


def test_applying_a_saved_plan_reads_the_bundle_once(
    cli: Any, bundled: Path, desired: Path, tmp_path: Path, counted: Counter[str]
) -> None:
    saved = tmp_path / "reviewed.plan.json"
    made = cli("plan", desired, "--out", saved, "--secrets-file", bundled)
    assert made.code == 0, made.err
    counted.clear()
    applied = cli("apply", saved, "--secrets-file", bundled)
    assert applied.code == 0, applied.err
    assert "applied:" in applied.err
    assert counted == {"read_secrets_file": 1, "bundle_from_env": 1}


def test_import_reads_the_bundle_once(
    cli: Any, bundled: Path, tmp_path: Path, counted: Counter[str]
) -> None:
    result = cli(
        "import",
        "--sdkappid",
        "1400000001",
        "--region",
        "singapore",
        "--name",
        "prod-sg",
        "--secret-key-env",
        "TRTC_SECRET_KEY_PROD_SG",
        "--out",
        tmp_path / "imported",
        "--secrets-file",
        bundled,
    )
    assert result.code == 0, result.err
    written = (tmp_path / "imported" / "prod-sg.yaml").read_text()
    assert "token_env: LIVE_WEBHOOK_TOKEN_PROD_SG" in written  # the bundle's token was seen
    assert counted == {"read_secrets_file": 1, "bundle_from_env": 1}


def test_runs_in_one_process_each_see_their_own_bundle(
    cli: Any, bundled: Path, desired: Path, tmp_path: Path
) -> None:
    wrong = _secrets_file(tmp_path / "wrong.json", {**KEYS, "TRTC_SECRET_KEY_PROD_SG": "wrong"})
    first = cli("plan", desired, "--format", "json", "--secrets-file", bundled)
    assert first.code == 0, first.err
    assert _unreadable(first) == set()
    second = cli("plan", desired, "--format", "json", "--secrets-file", wrong)
    assert _unreadable(second) == {"prod-sg"}  # its key, from this run's file, is refused
    third = cli("plan", desired)  # no file: the first run's keys are gone with it
    assert third.code == 1
    assert "no secret key for" in third.err and "TRTC_SECRET_KEY_PROD_SG" in third.err
    again = cli("plan", desired, "--format", "json", "--secrets-file", bundled)
    assert again.code == 0 and _unreadable(again) == set()
    for result in (first, second, third, again):
        assert_no_secrets(result.out, result.err)


def test_a_changed_reconciler_secrets_is_seen_by_the_next_run(
    cli: Any, bundled: Path, desired: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps({**TOKENS, **KEYS}))
    assert _unreadable(cli("plan", desired, "--format", "json")) == set()
    monkeypatch.setenv(
        "RECONCILER_SECRETS", json.dumps({**TOKENS, **KEYS, "TRTC_SECRET_KEY_STAGING_US": "no"})
    )
    assert _unreadable(cli("plan", desired, "--format", "json")) == {"staging-us"}


def test_the_python_api_reads_the_environment_once_a_with_block(
    emulator: RunningEmulator,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    counted: Counter[str],
) -> None:
    """Two plans and an import read in one ``with`` block share one reading; the next
    block reads the environment as it is then."""
    for name in (*KEYS, *TOKENS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps({**KEYS, **TOKENS}))
    connection = Connection(endpoint=emulator.base_url)
    with Reconciler(connection) as engine:
        assert not engine.plan(EXAMPLES).plan.errors
        assert not engine.plan(EXAMPLES).plan.errors
        (read,) = engine.read_apps([ImportRequest(1400000002, "china", "prod-cn")])
        assert read.configs is not None, read.error
    assert counted == {"bundle_from_env": 1}
    prod_sg = {"TRTC_SECRET_KEY_PROD_SG": KEYS["TRTC_SECRET_KEY_PROD_SG"]}
    monkeypatch.setenv("RECONCILER_SECRETS", json.dumps({**TOKENS, **prod_sg}))
    with Reconciler(connection) as engine:
        plan = engine.plan(EXAMPLES).plan
    # the other keys went with the first block's reading
    assert {app for app, _ in plan.unreadable_apps} == {"prod-cn", "staging-us"}
    assert counted == {"bundle_from_env": 2}


def test_seed_keys_still_come_first(counted: Counter[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECONCILER_SECRETS", raising=False)
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_SG", DEMO_TOKEN)
    with Reconciler(Connection(emulator_seed=SEED)) as engine:
        assert engine.plan(EXAMPLES).plan.has_changes
    assert counted == {"bundle_from_env": 1}
