"""Error paths of ``plan`` (and ``apply``): one ``error: ...`` message, exit 1, never a
traceback and never exit 2 (docs/desired-state.md and docs/plan-and-apply.md). Credentials are checked before
any request is sent."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import reconciler.api.client as client_module
from reconciler.api.retry import RetryPolicy
from reconciler.emulator.embedded import start_emulator
from reconciler.products.catalog import PRODUCT_KEYS
from tests.integration.conftest import EXAMPLES, SEED, assert_no_secrets, read_log

ATTEMPTS = RetryPolicy().attempts


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the real retry policy (same number of attempts) but without its backoff waits,
    so failing-endpoint tests do not spend ~8 s sleeping between attempts."""
    monkeypatch.setattr(
        client_module,
        "RetryPolicy",
        lambda: RetryPolicy(initial_wait=0.0, max_wait=0.0, jitter=0.0),
    )


def assert_clean_error(result: Any) -> None:
    """Exit 1, an ``error: ...`` line, no traceback, nothing on stdout."""
    assert result.code == 1, (result.code, result.err)
    assert result.out == ""
    assert "Traceback" not in result.err
    assert result.err.startswith("error: "), result.err
    assert_no_secrets(result.out, result.err)


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- 7. missing credentials -------------------------------------------------------------


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_missing_secret_key_fails_only_its_app_and_names_every_variable_tried(
    cli: Any,
    env: dict[str, str],
    request_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    # issue 21: a missing key used to stop the whole fleet; now it fails only its app
    monkeypatch.delenv("TRTC_SECRET_KEY_1400000002")  # prod-cn: no secret_key_env
    args = ("--auto-approve",) if command == "apply" else ()
    result = cli(command, EXAMPLES, *args)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert_no_secrets(result.out, result.err)
    message = result.err
    assert "no secret key for app 'prod-cn' (sdkappid 1400000002" in message
    tried = ["TRTC_SECRET_KEY_1400000002, ", "TRTC_SECRET_KEY\n"]
    positions = [message.find(name) for name in tried]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), message
    sent = read_log(request_log)
    assert not [r for r in sent if r["sdkappid"] == 1400000002], "nothing sent for prod-cn"
    assert {r["sdkappid"] for r in sent} == {1400000001, 1400000003}  # the others go on
    if command == "plan":
        assert "# prod-sg (1400000001) call will be updated in place" in result.out
        assert "  ! prod-cn (1400000002) live: no secret key" in result.out
    else:
        assert "applied: prod-sg (1400000001) call update" in result.out
        assert not [ln for ln in result.out.splitlines() if "prod-cn (1400000002)" in ln]


def test_every_missing_secret_key_is_reported_at_once(
    cli: Any, env: dict[str, str], request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRTC_SECRET_KEY_PROD_SG")
    monkeypatch.delenv("TRTC_SECRET_KEY_1400000002")
    monkeypatch.setenv("TRTC_SECRET_KEY", "")  # set but empty: not a key, and said so
    result = cli("plan", EXAMPLES, "--format", "json")
    assert result.code == 1, result.err
    assert "secret_key_env names TRTC_SECRET_KEY_PROD_SG, but" in result.err
    assert "TRTC_SECRET_KEY_1400000002" in result.err
    assert "TRTC_SECRET_KEY is set but empty" in result.err
    assert "staging-us" not in result.err  # that app's key is there
    doc = result.json()
    assert {e["app"] for e in doc["errors"]} == {"prod-sg", "prod-cn"}
    assert {c["app"] for c in doc["changes"]} == {"staging-us"}
    assert {r["sdkappid"] for r in read_log(request_log)} == {1400000003}


def test_global_secret_key_is_the_last_fallback(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # prod-cn has no secret_key_env and no TRTC_SECRET_KEY_1400000002: TRTC_SECRET_KEY is used
    monkeypatch.delenv("TRTC_SECRET_KEY_1400000002")
    monkeypatch.setenv("TRTC_SECRET_KEY", "demo-key-not-secret-2")
    result = cli("plan", EXAMPLES, "--app", "prod-cn", "--detailed-exitcode")
    assert result.code == 2, result.err


def test_missing_key_of_a_filtered_out_app_does_not_matter(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRTC_SECRET_KEY_PROD_SG")
    result = cli("plan", EXAMPLES, "--app", "prod-cn", "--detailed-exitcode")
    assert result.code == 2, result.err


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_missing_token_variable_fails_only_that_live_token(
    cli: Any,
    env: dict[str, str],
    request_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    # (issue 12: one missing token used to fail the whole fleet before any request)
    monkeypatch.delenv("LIVE_WEBHOOK_TOKEN_PROD_SG")
    args = ("--auto-approve",) if command == "apply" else ()
    result = cli(command, EXAMPLES, *args)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert "LIVE_WEBHOOK_TOKEN_PROD_SG" in result.err and "not set" in result.err
    assert "1 resource(s) not planned, the rest of their app(s) was" in result.err
    assert_no_secrets(result.out, result.err)
    token_calls = [r for r in read_log(request_log) if "callback_token" in r["path"]]
    assert not [r for r in token_calls if r["sdkappid"] == 1400000001]  # never read nor written
    if command == "plan":
        # prod-sg's other products are planned as usual
        assert "# prod-sg (1400000001) call will be updated in place" in result.out
        assert "# prod-sg (1400000001) live will be created" in result.out
        assert "  ! prod-sg (1400000001) live_token: " in result.out
    else:
        assert "applied: prod-sg (1400000001) call update" in result.out
        assert "prod-sg (1400000001) live_token" not in result.out  # nothing tried there
        json_plan = cli("plan", EXAMPLES, "--format", "json")
        assert json_plan.code == 1
        (skipped,) = json_plan.json()["skipped"]
        assert (skipped["app"], skipped["product"]) == ("prod-sg", "live_token")
        assert "LIVE_WEBHOOK_TOKEN_PROD_SG" in skipped["error"]


def test_wrong_secret_key_is_tencents_error_with_a_hint_and_no_secret(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRTC_SECRET_KEY_PROD_SG", "wrong-key-value-xyz")
    result = cli("plan", EXAMPLES, "--app", "prod-sg", "--product", "call")
    assert_clean_error(result)
    assert "ErrorCode 70009" in result.err
    assert "check the secret key variable" in result.err
    # which variable the refused key came from (issue 21)
    assert "the secret key from TRTC_SECRET_KEY_PROD_SG does not match this SDKAppID" in (
        result.err
    )
    assert "RequestId " in result.err
    assert "wrong-key-value-xyz" not in result.err


def test_identifier_that_is_not_an_admin_is_reported_with_a_hint(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    path = desired / "apps" / "prod-sg.yaml"
    path.write_text(path.read_text().replace("identifier: administrator", "identifier: intern"))
    result = cli("plan", desired, "--app", "prod-sg", "--product", "call")
    assert_clean_error(result)
    assert "ErrorCode 60010" in result.err
    assert "set `identifier:` to an admin account" in result.err


# -- 8. error paths -------------------------------------------------------------------


def test_invalid_yaml_is_a_located_error(
    cli: Any, env: dict[str, str], desired: Path, request_log: Path
) -> None:
    bad = desired / "apps" / "broken.yaml"
    bad.write_text("name: broken\nsdkappid: 1400000009\nregion: [singapore\ncallbacks: {}\n")
    for command in ("plan", "apply"):
        result = cli(command, desired, *(("--auto-approve",) if command == "apply" else ()))
        assert_clean_error(result)
        assert result.err.startswith(f"error: {bad}:4:10: invalid YAML"), result.err
    assert read_log(request_log) == []


def test_unknown_event_is_a_located_error_with_a_suggestion(
    cli: Any, env: dict[str, str], desired: Path, request_log: Path
) -> None:
    path = desired / "apps" / "prod-sg.yaml"
    path.write_text(
        path.read_text().replace("- Call.CallbackAfterStartCall", "- Call.CallbackAfterStrtCall")
    )
    result = cli("plan", desired)
    assert_clean_error(result)
    assert result.err.startswith(f"error: {path}:")
    assert "did you mean 'Call.CallbackAfterStartCall'?" in result.err
    assert read_log(request_log) == []


def test_endpoint_down_is_a_transport_error(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, fast_retries: None
) -> None:
    monkeypatch.setenv("TRTC_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    result = cli("plan", EXAMPLES, "--timeout", "0.2", "--detailed-exitcode")
    assert_clean_error(result)
    assert "could not read the live state" in result.err
    assert "network error" in result.err or "no answer within the timeout" in result.err
    # apply fails the same way (one product only: v1 requests are paced at 8/s per app)
    applied = cli("apply", EXAMPLES, "--timeout", "0.2", "--auto-approve", "--product", "live")
    assert_clean_error(applied)
    assert "could not read the live state" in applied.err


def test_non_loopback_http_endpoint_via_the_console_script(
    env: dict[str, str], request_log: Path
) -> None:
    """The console script, for real: TRTC_ENDPOINT over plain http to a remote host."""
    proc = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", str(EXAMPLES), "--detailed-exitcode"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        env={**os.environ, "TRTC_ENDPOINT": "http://callbacks.example.com"},
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: endpoint 'http://callbacks.example.com' uses plain http")
    assert read_log(request_log) == []


def test_plain_http_to_a_non_loopback_endpoint_is_refused(
    cli: Any, env: dict[str, str], request_log: Path
) -> None:
    for endpoint in ("http://example.com", "http://10.1.2.3:8080", "http://127.0.0.1.example.com"):
        result = cli("plan", EXAMPLES, "--endpoint", endpoint)
        assert_clean_error(result)
        assert "plain http" in result.err and "loopback" in result.err, endpoint
    assert read_log(request_log) == []


def test_bad_endpoint_is_reported_before_missing_credentials(
    cli: Any, env: dict[str, str], request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIVE_WEBHOOK_TOKEN_PROD_SG")
    for command in (("plan", EXAMPLES), ("drift", EXAMPLES), ("apply", EXAMPLES)):
        result = cli(*command, "--endpoint", "http://127.0.0.1:99999")
        assert_clean_error(result)
        assert result.err == (
            "error: endpoint 'http://127.0.0.1:99999' has port 99999: use a port from 1 to 65535\n"
        ), command
    assert read_log(request_log) == []


def test_endpoint_flag_and_env_both_work_on_loopback(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = env["TRTC_ENDPOINT"]
    monkeypatch.delenv("TRTC_ENDPOINT")
    # no endpoint at all would go to Tencent's real hosts; an explicit one must win
    result = cli("plan", EXAMPLES, "--endpoint", endpoint.replace("127.0.0.1", "localhost"))
    assert result.code == 0, result.err


class _HtmlHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self) -> None:
        type(self).hits += 1
        length = int(self.headers.get("content-length", 0))
        self.rfile.read(length)
        body = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def html_server() -> Iterator[str]:
    _HtmlHandler.hits = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_server_answering_html_is_a_clean_error(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, html_server: str
) -> None:
    monkeypatch.setenv("TRTC_ENDPOINT", html_server)
    result = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert_clean_error(result)
    assert "not JSON" in result.err
    assert "check --endpoint" in result.err
    assert "usersig" not in result.err.lower()
    assert _HtmlHandler.hits > 0  # it really asked that server


def test_faults_on_every_request_end_in_the_error_code(
    cli: Any,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fast_retries: None,
) -> None:
    log_path = tmp_path / "faulty.jsonl"
    with start_emulator(
        SEED, fault_rate=1.0, fault_seed=7, fault_kinds=["100001"], request_log=log_path
    ) as faulty:
        monkeypatch.setenv("TRTC_ENDPOINT", faulty.base_url)
        result = cli("plan", EXAMPLES, "--detailed-exitcode")
        assert_clean_error(result)
        assert "ErrorCode 100001" in result.err
        assert "nothing was changed" in result.err

        applied = cli("apply", EXAMPLES, "--auto-approve", "--product", "live")
        assert_clean_error(applied)
        assert "ErrorCode 100001" in applied.err
    log = read_log(log_path)
    assert log and all(r["code"] == 100001 for r in log)
    assert not [r for r in log if r["write"]]
    # each read was retried exactly as often as the retry policy allows, no more
    per_read: dict[tuple[int, str], int] = {}
    for r in log:
        per_read[(r["sdkappid"], r["path"])] = per_read.get((r["sdkappid"], r["path"]), 0) + 1
    assert len(per_read) == 3 * len(PRODUCT_KEYS)
    for (_, path), count in per_read.items():
        # plan read everything; apply (--product live) read live again
        expected = 2 * ATTEMPTS if path == "/v4/live_config/get_callback" else ATTEMPTS
        assert count == expected, (path, count)


BAD_USAGE = [
    ["plan", str(EXAMPLES), "--format", "yaml"],
    ["plan", str(EXAMPLES), "--parallelism", "0"],
    ["plan", str(EXAMPLES), "--product", "chat"],
    ["plan", str(EXAMPLES), "--shard", "0/2"],
    ["plan", str(EXAMPLES), "--shard", "3/2"],
    ["plan", str(EXAMPLES), "--shard", "x/2"],
    ["plan", "/nonexistent/desired"],
    ["plan"],
    ["plan", str(EXAMPLES), "--no-such-option"],
    ["-vv", "plan", str(EXAMPLES), "--detailed-exitcode", "--format", "yaml"],
    ["apply", "--plan", "/nonexistent/plan.json"],
    ["apply"],
    ["apply", str(EXAMPLES), "--plan", str(SEED)],
    ["apply", str(EXAMPLES), "--auto-approve", "--max-update-pct", "101"],
]


def test_bad_usage_is_exit_1_not_2(cli: Any, env: dict[str, str], request_log: Path) -> None:
    for argv in BAD_USAGE:
        result = cli(*argv)
        assert result.code == 1, (argv, result.code, result.err)
        assert "Traceback" not in result.err, argv
        assert "error:" in result.err.lower(), argv
        assert result.out == "", argv
    assert read_log(request_log) == []
