"""Local HTTPS receivers for ``plan --check-urls`` tests: loopback only, self-signed.

Certificates come from ``trustme`` (a throw-away CA per test). Each server records
every request it got: method, path, headers and the body bytes it read.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme

from reconciler.api import urlprobe

_PRODUCT_RESOLVER = urlprobe.system_resolver  # before any test replaces it


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)


def _handler(receiver: Receiver, status: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            receiver.requests.append(
                Received(self.command, self.path, dict(self.headers.items()), body)
            )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET = do_POST = do_OPTIONS = _record

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


@contextmanager
def https_receiver(ca: trustme.CA, status: int = 405, path: str = "/hook") -> Iterator[Receiver]:
    """An HTTPS server on 127.0.0.1 with a certificate for 127.0.0.1 issued by ``ca``."""
    cert = ca.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver(""), status))
    receiver = Receiver(f"https://127.0.0.1:{server.server_address[1]}{path}")
    server.RequestHandlerClass = _handler(receiver, status)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def silent_listener() -> Iterator[str]:
    """A loopback port that accepts connections and never answers (a hung receiver)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield f"https://127.0.0.1:{sock.getsockname()[1]}/hook"
    finally:
        sock.close()


def closed_port_url() -> str:
    """A loopback URL on a port nothing listens on (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"https://127.0.0.1:{port}/hook"


def loopback_resolver(seen: list[str]) -> urlprobe.Resolver:
    """A resolver for tests that never asks DNS: 127.0.0.1 resolves, ``.invalid`` names
    go to the product's own resolver (which refuses them without a query), and any
    other name fails as unresolvable. Every host asked is appended to ``seen``."""

    async def resolve(host: str, port: int) -> object:
        seen.append(host)
        if host == "127.0.0.1":
            return [host]
        if host.endswith(".invalid"):
            return await _PRODUCT_RESOLVER(host, port)
        raise socket.gaierror(socket.EAI_NONAME, f"{host}: not resolved in tests")

    return resolve
