"""Small hostile HTTP servers on 127.0.0.1, for the tests and benchmarks/hostile.py.

Each case is a function that gets the connected socket (the request already read)
and misbehaves: drips its answer, inflates, sends far too much, or quotes a secret.
The servers are plain sockets in daemon threads: nothing here trusts or needs the
client to behave either, and every write stops as soon as the client hangs up.

Run one by hand: ``python -m tests.hostile CASE`` prints its base URL and serves
until killed.
"""

from __future__ import annotations

import functools
import json
import socket
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

DRIP_INTERVAL = 2.0
"""Seconds between two bytes of a dripping answer."""

SECRET_KEY = "hostile-secret-key-0123456789"
LIVE_TOKEN = "hostile-live-token-0123456789"
"""What the desired state of the hostile cases resolves from the environment."""

Case = Callable[[socket.socket, str, threading.Event], None]


def _headers(status: str = "200 OK", extra: str = "", length: int | None = None) -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else ""
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{size}{extra}"
        "Connection: close\r\n\r\n"
    ).encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _v4_error(info: str, code: int = 90001) -> bytes:
    return json.dumps(
        {"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info, "RequestId": "rid-hostile"}
    ).encode()


def drip_headers(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """The status line and headers, one byte every :data:`DRIP_INTERVAL` seconds."""
    for byte in _headers(length=2):
        conn.sendall(bytes([byte]))
        if stop.wait(DRIP_INTERVAL):
            return


def silent(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """Reads the request, then says nothing until the client gives up."""
    stop.wait(600)


def drip_body(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """Headers at once, then a body one byte every :data:`DRIP_INTERVAL` seconds."""
    body = _v4_error("x" * 1000)
    conn.sendall(_headers(length=len(body)))
    for byte in body:
        conn.sendall(bytes([byte]))
        if stop.wait(DRIP_INTERVAL):
            return


def gzip_bomb(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """A gzip answer that would inflate to 1 GiB, compressed as it is sent."""
    conn.sendall(_headers(extra="Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"))
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    conn.sendall(_chunk(packer.compress(b'{"ErrorCode": 0, "Response": "')))
    block = b"A" * (1024 * 1024)
    for _ in range(1024):
        if stop.is_set():
            return
        data = packer.compress(block)
        if data:
            conn.sendall(_chunk(data))
    conn.sendall(_chunk(packer.compress(b'"}') + packer.flush()) + _chunk(b""))


def huge_body(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """A 100 MB body (declared with its length) of one long JSON string."""
    size = 100 * 1000 * 1000
    head, tail = b'{"ErrorCode": 0, "Response": "', b'"}'
    conn.sendall(_headers(length=size))
    conn.sendall(head)
    block = b"A" * (64 * 1024)
    left = size - len(head) - len(tail)
    while left > 0 and not stop.is_set():
        part = block[: min(left, len(block))]
        conn.sendall(part)
        left -= len(part)
    conn.sendall(tail)


@functools.cache
def _huge_error_body() -> bytes:
    return _v4_error("E" * (20 * 1000 * 1000))


@functools.cache
def _many_events_body() -> bytes:
    words = [f"Live.CallbackAfterHostileEvent{i:06d}" for i in range(500_000)]
    return json.dumps(
        {
            "ActionStatus": "OK",
            "ErrorCode": 0,
            "ErrorInfo": "",
            "RequestId": "rid-hostile",
            "Response": {
                "CallbackConfig": {"CallbackUrl": "https://hooks.example.com/x", "Events": words}
            },
        }
    ).encode()


def huge_error_info(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """An error answer whose ErrorInfo is 20 MB."""
    body = _huge_error_body()
    conn.sendall(_headers(length=len(body)))
    conn.sendall(body)


def long_error_info(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """An error answer under the size cap whose ErrorInfo is 500 kB of forged lines
    and terminal escapes, quoting the secret key."""
    forged = f"\n::error::forged\x1b[31m {SECRET_KEY} "
    body = _v4_error(forged + "E" * 500_000)
    conn.sendall(_headers(length=len(body)))
    conn.sendall(body)


def many_events(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """A success answer listing 500,000 event words (about 18 MB)."""
    body = _many_events_body()
    conn.sendall(_headers(length=len(body)))
    conn.sendall(body)


def token_quoted(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """Every answer is an error that quotes the desired live token (and the secret key)."""
    body = _v4_error(f"token {LIVE_TOKEN} does not match; key {SECRET_KEY}", code=100002)
    conn.sendall(_headers(length=len(body)))
    conn.sendall(body)


def _live_answer(url: str, events: list[str]) -> bytes:
    return json.dumps(
        {
            "ActionStatus": "OK",
            "ErrorCode": 0,
            "ErrorInfo": "",
            "RequestId": "rid-hostile",
            "Response": {LIVE_URL_FIELD: url, LIVE_EVENTS_FIELD: events},
        }
    ).encode()


LIVE_URL_FIELD, LIVE_EVENTS_FIELD = "Url", "CallbackCommandList"
"""How the live product's get answer names its fields."""

FORGED = "\n::error::forged\x1b[31m\u202e\x85"
"""What a hostile live value holds to forge a line, an annotation, colours, reordering."""


def live_garbage(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """A live config (under every bound) whose URL and unknown event words try to forge
    lines, annotations and terminal escapes."""
    body = _live_answer(
        f"https://hooks.example.com/x{FORGED}", [f"Live.Unknown{FORGED}", "```", "<b>x</b>"]
    )
    conn.sendall(_headers(length=len(body)))
    conn.sendall(body)


def live_many_events(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """A live config under the size cap listing 5,000 event words."""
    body = _live_answer("https://hooks.example.com/x", [f"Live.E{i:05d}" for i in range(5000)])
    conn.sendall(_headers(length=len(body)))
    conn.sendall(body)


@functools.cache
def _near_cap_body() -> bytes:
    words: list[str] = []
    size = 200
    while size < 1024 * 1024 - 64:  # as many short words as fit under the 1 MiB cap
        words.append(str(len(words) % 10))
        size += 5
    return _live_answer("https://hooks.example.com/x", words)


def near_cap_events(conn: socket.socket, path: str, stop: threading.Event) -> None:
    """A live config just under the 1 MiB cap: about 200,000 one-character words, the
    most JSON objects an answer within the cap can make."""
    body = _near_cap_body()
    conn.sendall(_headers(length=len(body)))
    conn.sendall(body)


CASES: dict[str, Case] = {
    "drip-headers": drip_headers,
    "drip-body": drip_body,
    "silent": silent,
    "gzip-bomb": gzip_bomb,
    "huge-body": huge_body,
    "huge-error-info": huge_error_info,
    "long-error-info": long_error_info,
    "many-events": many_events,
    "token-quoted": token_quoted,
    "live-garbage": live_garbage,
    "live-many-events": live_many_events,
    "near-cap-events": near_cap_events,
}


def _read_request(conn: socket.socket) -> str:
    """Read one request (headers and a Content-Length body); return its path."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            return ""
        data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:
        more = conn.recv(65536)
        if not more:
            break
        rest += more
    parts = lines[0].split(" ")
    return parts[1] if len(parts) > 1 else ""


@contextmanager
def hostile_server(case: str, requests: list[str] | None = None) -> Iterator[str]:
    """Serve ``case`` on a free port of 127.0.0.1; yield its base URL.

    ``requests``, when given, gets one entry per connection served.
    """
    behave = CASES[case]
    for prepare, case_ in (
        (_huge_error_body, huge_error_info),
        (_many_events_body, many_events),
        (_near_cap_body, near_cap_events),
    ):  # before the client's clock runs
        if behave is case_:
            prepare()
    stop = threading.Event()
    requests = requests if requests is not None else []
    count_lock = threading.Lock()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)

    def serve_one(conn: socket.socket) -> None:
        with count_lock:
            requests.append(case)
        with conn:
            try:
                path = _read_request(conn)
                if path:
                    behave(conn, path, stop)
            except OSError:  # the client hung up: that is what it should do
                pass

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


if __name__ == "__main__":  # pragma: no cover - a tool for trying a case by hand
    with hostile_server(sys.argv[1]) as url:
        print(url, flush=True)
        threading.Event().wait()
