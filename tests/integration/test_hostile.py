"""Hostile servers (tests/hostile.py) against the real CLI: every case ends in exit 1,
with a clear, short message that quotes no secret and forges no line.

Elapsed time and memory are not asserted here (no test depends on timing); they are
measured by benchmarks/hostile.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import LIVE_TOKEN, SECRET_KEY, hostile_server

APP = """\
name: hostile
sdkappid: 1400000099
region: singapore
secret_key_env: HOSTILE_SECRET_KEY
callbacks:
  live:
    url: https://hooks.example.com/trtc/live
    events: [Live.CallbackAfterCreateRoom]
  live_token:
    token_env: HOSTILE_LIVE_TOKEN
    enabled: true
"""

MAX_ERROR_CHARS = 2_000
"""No error line about a hostile answer is longer than this."""


@pytest.fixture
def hostile_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("TRTC_ENDPOINT", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOSTILE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("HOSTILE_LIVE_TOKEN", LIVE_TOKEN)
    directory = tmp_path / "desired"
    directory.mkdir()
    (directory / "hostile.yaml").write_text(APP)
    return directory


def plan_against(cli: Any, case: str, directory: Path, *extra: str) -> Any:
    with hostile_server(case) as url:
        return cli("plan", directory, "--endpoint", url, "--timeout", "2", *extra)


def assert_clean_failure(result: Any, *expected: str) -> None:
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert result.out == ""
    for needle in expected:
        assert needle in result.err, result.err
    for line in result.err.splitlines():
        assert len(line) <= MAX_ERROR_CHARS, line[:200]
        assert not line.startswith("::"), line
        assert "\x1b" not in line
    for secret in (SECRET_KEY, LIVE_TOKEN):
        assert secret not in result.err


@pytest.mark.parametrize("case", ["drip-headers", "drip-body"])
def test_a_dripping_server_meets_one_deadline(cli: Any, hostile_dir: Path, case: str) -> None:
    result = plan_against(cli, case, hostile_dir, "--product", "live")
    assert_clean_failure(result, "no complete answer within 2 s", "--timeout")


@pytest.mark.parametrize("case", ["gzip-bomb", "huge-body", "huge-error-info", "many-events"])
def test_an_oversized_answer_stops_at_the_cap(cli: Any, hostile_dir: Path, case: str) -> None:
    result = plan_against(cli, case, hostile_dir, "--product", "live")
    assert_clean_failure(result, "larger than 1,048,576 bytes")


def test_a_long_error_info_is_cut_and_escaped(cli: Any, hostile_dir: Path) -> None:
    result = plan_against(cli, "long-error-info", hostile_dir, "--product", "live")
    assert_clean_failure(result, "ErrorCode 90001", "\\n::error::forged\\x1b[31m")
    assert len(result.err) < MAX_ERROR_CHARS
    assert "E" * 1000 not in result.err


def test_a_read_error_quoting_the_desired_token_is_scrubbed(cli: Any, hostile_dir: Path) -> None:
    result = plan_against(cli, "token-quoted", hostile_dir, "--product", "live_token")
    assert_clean_failure(result, "ErrorCode 100002", "token (sensitive) does not match")


UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_hostile_live_values_are_shown_escaped(cli: Any, hostile_dir: Path, fmt: str) -> None:
    result = plan_against(cli, "live-garbage", hostile_dir, "--product", "live", "--format", fmt)
    assert result.code == 0, result.err
    for text in (result.out, result.err):
        assert UNSAFE.search(text) is None, repr(text)
        for line in text.splitlines():
            assert not line.lstrip().startswith("::"), line
    assert "Live.Unknown" in result.out  # shown (to be removed), not interpreted


def test_a_live_config_past_the_bounds_is_malformed(cli: Any, hostile_dir: Path) -> None:
    result = plan_against(cli, "live-many-events", hostile_dir, "--product", "live")
    assert_clean_failure(result, "the answer lists 5,000 event words (more than 256)")
