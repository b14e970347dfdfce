"""Input that cannot attack the run: control characters in desired state, quoted file
content, leftover tracebacks. Each through the real CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.embedded import start_emulator
from reconciler.plan.planfile import _checksum
from tests.integration.conftest import EXAMPLES, SEED

APP = """\
name: {name}
sdkappid: 1400000001
region: singapore
secret_key_env: {key_env}
callbacks:
  call:
    url: {url}
    events: [{event}]
"""

PLAIN = {
    "name": "ok",
    "key_env": "KEY_ENV",
    "url": "https://hooks.example.com/cb",
    "event": "Call.CallbackAfterStartCall",
}

UNSAFE_OUTPUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def write_app(directory: Path, **fields: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / "app.yaml"
    path.write_text(APP.format(**{**PLAIN, **fields}), encoding="utf-8")
    return path


def assert_no_forged_output(result: Any) -> None:
    for text in (result.out, result.err):
        assert UNSAFE_OUTPUT.search(text) is None, repr(text)
        for line in text.splitlines():
            assert line.startswith(("error:", "warning:", "  ", "::error file=")), repr(line)


@pytest.mark.parametrize(
    ("field", "value", "line", "shown"),
    [
        ("url", '"https://hooks.example.com/cb\\a"', 7, "`url` holds the control character \\x07"),
        ("name", '"a\\nerror: fake"', 1, "`name` holds the control character \\n"),
        ("name", '"\\e[31mred"', 1, "`name` holds the control character \\x1b"),
        ("name", '"x\\u202Eevil"', 1, "`name` holds the control character \\u202e"),
        ("name", '"x\\u0085y"', 1, "`name` holds the control character \\x85"),
        ("name", '"x\\x7fy"', 1, "`name` holds the control character \\x7f"),
        (
            "event",
            '"Call.CallbackAfterStartCall\\t"',
            8,
            "`events` holds the control character \\t",
        ),
        ("key_env", '"KEY\\rENV"', 4, "`secret_key_env` holds the control character \\r"),
        ("name", "|\n  two\n  lines", 1, "`name` holds the control character \\n"),
    ],
)
def test_control_characters_are_a_located_error(
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    field: str,
    value: str,
    line: int,
    shown: str,
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = write_app(tmp_path / "d", **{field: value})
    result = cli("validate", tmp_path / "d")
    assert result.code == 1
    assert f"error: {path}:{line}:" in result.err
    assert shown in result.err
    assert "Traceback" not in result.err
    assert_no_forged_output(result)


def test_a_control_character_in_a_key_is_located(cli: Any, tmp_path: Path) -> None:
    directory = tmp_path / "d"
    path = write_app(directory)
    path.write_text(path.read_text() + '"bad\\bkey": 1\n')
    result = cli("validate", directory)
    assert result.code == 1
    assert f"{path}:9:1: a key holds the control character \\x08" in result.err
    assert_no_forged_output(result)


def test_a_raw_bidi_control_in_the_file_is_refused(cli: Any, tmp_path: Path) -> None:
    path = write_app(tmp_path / "d", name="admin\u202e")  # YAML's reader lets it through
    result = cli("validate", tmp_path / "d")
    assert result.code == 1
    assert f"{path}:1:7: `name` holds the control character \\u202e" in result.err
    assert_no_forged_output(result)


def test_a_file_that_is_not_yaml_settings_is_not_quoted(cli: Any, tmp_path: Path) -> None:
    """E.g. an env file a pull request links in as `x.yaml`: none of its content is shown."""
    directory = tmp_path / "d"
    directory.mkdir()
    (directory / "x.yaml").write_text("TRTC_SECRET_KEY=do-not-print-me-0123\nOTHER=2\n")
    result = cli("validate", directory)
    assert result.code == 1
    assert "x.yaml:1:1: the top level of the file must be a mapping" in result.err
    assert "found a string" in result.err
    assert "do-not-print" not in result.err and "TRTC_SECRET_KEY" not in result.err


def test_a_long_value_is_quoted_short(cli: Any, tmp_path: Path) -> None:
    path = write_app(tmp_path / "d")
    path.write_text(path.read_text().replace("region: singapore", "region: " + "x" * 5000))
    result = cli("validate", tmp_path / "d")
    assert result.code == 1
    assert f"{path}:3:9: unknown region '{'x' * 60}...' (4,940 more characters)" in result.err
    assert "x" * 61 not in result.err


@pytest.mark.parametrize("where", ["/proc/x", "{tmp}/a-file/log.jsonl"])
def test_the_emulator_refuses_a_request_log_it_cannot_write(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "reconciler",
            "emulator",
            "--port",
            "0",
            "--log-requests",
            where.format(tmp=tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert "cannot write the request log" in proc.stderr
    assert "pass a writable file to --log-requests" in proc.stderr
    assert "listening on" not in proc.stdout
    assert "Traceback" not in proc.stderr


def test_a_request_log_that_fails_later_never_fails_a_committed_write(
    cli: Any, env: dict[str, str], desired: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = Path("/dev/full")  # opens fine; every write fails with ENOSPC
    if not full.exists():
        pytest.skip("no /dev/full on this system")
    with start_emulator(SEED, request_log=full) as emulator:
        monkeypatch.setenv("TRTC_ENDPOINT", emulator.base_url)
        applied = cli("apply", desired, "--auto-approve", "--product", "live")
        assert applied.code == 0, applied.err
        again = cli("plan", desired, "--product", "live", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-1", "-inf", "1e400"])
def test_an_unusable_timeout_is_a_clean_error(cli: Any, env: dict[str, str], value: str) -> None:
    result = cli("plan", EXAMPLES, "--timeout", value)
    assert result.code == 1
    assert result.err.startswith("error: Invalid value for '--timeout'")
    assert "Traceback" not in result.err


@pytest.mark.parametrize("command", ["plan", "apply"])
@pytest.mark.parametrize("option", ["--max-update-pct", "--max-delete-pct"])
def test_a_nan_threshold_is_refused_not_read_as_no_limit(
    cli: Any, env: dict[str, str], command: str, option: str
) -> None:
    result = cli(command, EXAMPLES, option, "nan")
    assert result.code == 1
    assert result.err.startswith(f"error: Invalid value for '{option}'")


@pytest.mark.parametrize("field", ["existing", "sdkappid", "summary", "nan"])
def test_a_saved_plan_with_out_of_range_numbers_is_a_clean_error(
    cli: Any, env: dict[str, str], tmp_path: Path, field: str
) -> None:
    path = tmp_path / "plan.json"
    assert cli("plan", EXAMPLES, "--out", path).code == 0
    doc = json.loads(path.read_text())
    marker = 123456789.5
    if field == "existing":
        doc["existing"] = marker
    elif field == "sdkappid":
        doc["apps"][0]["sdkappid"] = marker
    elif field == "summary":
        doc["summary"]["create"] = marker
    else:
        doc["existing"] = float("nan")
    doc["checksum"] = _checksum(doc)  # recomputed, so only the number is wrong
    text = json.dumps(doc).replace(str(marker), "1e400")
    if field != "nan":  # the checksum of the file as read (1e400 reads as inf)
        doc = json.loads(text)
        doc["checksum"] = _checksum(doc)
        text = json.dumps(doc).replace("Infinity", "1e400")
    path.write_text(text)
    result = cli("apply", "--plan", path)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert f"error: {path}: not a plan file (the number " in result.err
    assert "is out of range)" in result.err


@pytest.mark.parametrize("twice", [False, True])
def test_a_long_key_is_quoted_short(cli: Any, tmp_path: Path, twice: bool) -> None:
    path = write_app(tmp_path / "d")
    key = "k" * 500
    path.write_text(path.read_text() + f"{key}: 1\n" + (f"{key}: 2\n" if twice else ""))
    result = cli("validate", tmp_path / "d")
    assert result.code == 1
    assert f"'{'k' * 60}...' (440 more characters)" in result.err
    assert "k" * 61 not in result.err
