"""The ``emulator`` command: CliRunner for refusals, a real subprocess for serving."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reconciler.emulator.cli import emulator_command

from .helpers import Api, query, usersig, v4_code

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
APP = 1400000001
KEY = "demo-key-not-secret-1"  # from fixtures/seed.yaml
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))\n")


# -- CliRunner: everything that must not start a server ------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(emulator_command, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_documents_every_option() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for option in (
        "--host",
        "--port",
        "--seed",
        "--db",
        "--latency-ms",
        "--fault-rate",
        "--fault-seed",
        "--fault-kinds",
        "--hang-seconds",
        "--no-rate-limit",
        "--log-requests",
        "--v1-missing",
        "--variant-spellings",
        "--allow-remote",
    ):
        assert option in out
    assert "listening on http://HOST:PORT" in " ".join(out.split())


def test_bad_seed_is_one_located_line_and_exit_1() -> None:
    path = FIXTURES / "bad-seed.yaml"
    code, out, err = run("--port", "0", "--seed", str(path))
    assert code == 1
    assert out == ""
    assert err == (
        f"{path}:7:18: unknown command word 'Call.CallbackAfterStrtCall' "
        "(did you mean 'Call.CallbackAfterStartCall'?) for product call\n"
    )


def test_missing_seed_file_is_exit_1(tmp_path: Path) -> None:
    code, _, err = run("--port", "0", "--seed", str(tmp_path / "nope.yaml"))
    assert code == 1
    assert "cannot read seed file" in err


def test_unusable_db_is_exit_1(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_text("not a database " * 100)
    code, _, err = run("--port", "0", "--db", str(db))
    assert code == 1
    assert "not a usable emulator database" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])  # noqa: S104
def test_non_loopback_host_is_refused_without_allow_remote(host: str) -> None:
    code, _, err = run("--host", host, "--port", "0")
    assert code == 1
    assert "--allow-remote" in err


def test_bad_fault_kind_is_a_usage_error() -> None:
    code, _, err = run("--port", "0", "--fault-kinds", "100001,boom")
    assert code == 2
    assert "unknown fault kind 'boom'" in err


def test_fault_rate_above_one_is_a_usage_error() -> None:
    code, _, _ = run("--port", "0", "--fault-rate", "1.5")
    assert code == 2


# -- a real process ----------------------------------------------------------------------


class Process:
    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        code = "from reconciler.emulator.cli import emulator_command; emulator_command()"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def first_line(self, timeout: float = 20) -> str:
        lines: list[str] = []
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not lines:
            self.proc.kill()
            pytest.fail("the emulator printed nothing")
        return lines[0]

    def finish(self, sig: int, timeout: float = 20) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serves_until_a_signal_then_exits_0(
    processes: list[Process], tmp_path: Path, sig: int
) -> None:
    log = tmp_path / "requests.jsonl"
    process = Process(
        "--port", "0", "--seed", str(FIXTURES / "seed.yaml"), "--log-requests", str(log)
    )
    processes.append(process)
    line = process.first_line()
    match = LISTENING.fullmatch(line)
    assert match, line
    url = match.group(1)

    sig_value = usersig(APP, key=KEY)
    with httpx.Client(base_url=url) as client:
        result = Api(client).call("/v4/call_config/get_callback", params=query(APP, sig=sig_value))
    assert v4_code(result) == 0

    code, out, err = process.finish(sig)
    assert code == 0, err
    assert out == ""  # nothing after the one "listening on" line
    assert "Traceback" not in err
    assert sig_value not in err
    assert sig_value not in log.read_text()
    assert KEY not in err


def test_restart_on_the_same_db_keeps_state(processes: list[Process], tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    seed = str(FIXTURES / "seed.yaml")
    body = {
        "Url": "https://new.example.com/cb",
        "CallbackCommandList": ["Call.CallbackAfterStartCall"],
    }
    params = query(APP, sig=usersig(APP, key=KEY))

    first = Process("--port", "0", "--seed", seed, "--db", db)
    processes.append(first)
    url = LISTENING.fullmatch(first.first_line()).group(1)  # type: ignore[union-attr]
    with httpx.Client(base_url=url) as client:
        assert v4_code(Api(client).call("/v4/call_config/set_callback", body, params=params)) == 0
    assert first.finish(signal.SIGTERM)[0] == 0

    second = Process("--port", "0", "--seed", seed, "--db", db)
    processes.append(second)
    url = LISTENING.fullmatch(second.first_line()).group(1)  # type: ignore[union-attr]
    with httpx.Client(base_url=url) as client:
        got = Api(client).call("/v4/call_config/get_callback", params=params)
    assert got["Response"] == body
    code, _, err = second.finish(signal.SIGTERM)
    assert code == 0
    assert "seed" in err and "ignored" in err


def test_bad_seed_in_a_real_process(processes: list[Process]) -> None:
    path = FIXTURES / "bad-seed.yaml"
    process = Process("--port", "0", "--seed", str(path))
    processes.append(process)
    out, err = process.proc.communicate(timeout=20)
    assert process.proc.returncode == 1
    assert out == ""
    assert err.splitlines() == [
        f"{path}:7:18: unknown command word 'Call.CallbackAfterStrtCall' "
        "(did you mean 'Call.CallbackAfterStartCall'?) for product call"
    ]


def test_seed_behaviour_and_flags_pick_the_v1_missing_answer(
    processes: list[Process], tmp_path: Path
) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        f"apps:\n  - sdkappid: {APP}\n    secret_key: {KEY}\nbehaviour:\n  v1_missing: 999\n",
        encoding="utf-8",
    )
    params = query(APP, sig=usersig(APP, key=KEY))
    for flags, expected in (((), 999), (("--v1-missing", "empty"), 0)):
        process = Process("--port", "0", "--seed", str(seed), *flags)
        processes.append(process)
        url = LISTENING.fullmatch(process.first_line()).group(1)  # type: ignore[union-attr]
        with httpx.Client(base_url=url) as client:
            answer = Api(client).call("/v1/callback/get", params=params)
        assert answer["errorCode"] == expected, flags
        assert process.finish(signal.SIGTERM)[0] == 0
