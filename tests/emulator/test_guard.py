"""Issue 20 (L6, L7): hostile clients cannot grow the emulator's memory or hold its sockets.

Real emulators on 127.0.0.1 and raw sockets: a 1 MiB request head is answered
431 and closed, a head that never completes is answered 408 and closed, and a
legitimate client is served all the while. Forged UserSigs leave a bounded
number of small verification results behind.
"""

from __future__ import annotations

import base64
import json
import socket
import tracemalloc
import zlib
from collections.abc import Iterator

import httpx
import pytest

from reconciler.emulator import sigverify
from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.emulator.guard import MAX_HEAD_BYTES
from tests.emulator.helpers import APP, APP_KEY, SEED


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    with start_emulator(SEED, head_timeout=3.0) as running:
        yield running


def _connect(emulator: RunningEmulator) -> socket.socket:
    sock = socket.create_connection((emulator.host, emulator.port), timeout=15)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


def _served(emulator: RunningEmulator) -> None:
    """A legitimate client gets an emulator answer (JSON with an ErrorCode)."""
    answer = httpx.post(f"{emulator.base_url}/no/such/path", json={}, timeout=10)
    assert "ErrorCode" in answer.json()


def test_a_huge_request_head_is_refused_and_the_emulator_serves_others(
    emulator: RunningEmulator,
) -> None:
    sock = _connect(emulator)
    with sock:
        head = b"POST /v4/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
        try:
            sock.sendall(head)
            filler = b"a" * 65536
            for _ in range(16):  # 1 MiB of one header: 16 times the bound
                sock.sendall(filler)
            sock.sendall(b"\r\nContent-Length: 2\r\n\r\n{}")
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed by the server while sending: refused, as it should be
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:80]
    assert f"{MAX_HEAD_BYTES:,}".encode() in answer
    _served(emulator)


def test_a_head_that_never_completes_is_closed_and_others_are_served(
    emulator: RunningEmulator,
) -> None:
    dribblers = [_connect(emulator) for _ in range(8)]
    try:
        for sock in dribblers:
            sock.sendall(b"POST /v4/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
        _served(emulator)  # while they hang
        answers = [_answer(sock) for sock in dribblers]  # each ends: the server closes it
    finally:
        for sock in dribblers:
            sock.close()
    assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers), answers[0][:80]
    _served(emulator)


def test_a_silent_connection_is_closed(emulator: RunningEmulator) -> None:
    with _connect(emulator) as sock:
        assert _answer(sock).startswith(b"HTTP/1.1 408")


def test_a_kept_alive_connection_serves_several_requests(emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=emulator.base_url, timeout=10) as client:
        for _ in range(3):
            assert "ErrorCode" in client.post("/no/such/path", json={}).json()


def _forged(index: int) -> str:
    """A well-formed UserSig of APP whose signature is wrong, about 7 KB long."""
    document = {
        "TLS.ver": "2.0",
        "TLS.identifier": "administrator",
        "TLS.sdkappid": APP,
        "TLS.expire": 86400,
        "TLS.time": 1_700_000_000,
        "TLS.sig": base64.b64encode(index.to_bytes(32, "big")).decode(),
        "TLS.pad": "x" * 5000,
    }
    compressed = zlib.compress(json.dumps(document).encode(), level=0)
    return base64.b64encode(compressed).decode().translate(str.maketrans("+/=", "*-_"))


def _refused(sig: str) -> int:
    with pytest.raises(sigverify.SigError) as caught:
        sigverify.verify_usersig(
            sig, sdkappid=APP, identifier="administrator", secret_key=APP_KEY, now=1_700_000_000
        )
    return caught.value.code


def test_forged_usersigs_do_not_grow_the_emulators_memory() -> None:
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        for index in range(3000):  # kept whole, they took 3,000 x 7 KB = 21 MB
            assert _refused(_forged(index)) == sigverify.SIG_MISMATCH
        grown, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert grown - start < 3 * 1024 * 1024
    assert _refused(_forged(1)) == sigverify.SIG_MISMATCH  # a remembered result: the same


def test_at_most_max_cached_results_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sigverify, "MAX_CACHED", 50)
    for index in range(200):
        assert _refused(_forged(10_000 + index)) == sigverify.SIG_MISMATCH
    assert sigverify.cached_results() <= 50
