"""Socket binding and URL helpers."""

from __future__ import annotations

import pytest

from reconciler.emulator.server import base_url, bind_socket


def test_base_url() -> None:
    assert base_url("127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert base_url("::1", 1) == "http://[::1]:1"
    assert base_url("[::1]", 1) == "http://[::1]:1"


def test_bind_port_zero_picks_a_free_port() -> None:
    first = bind_socket("127.0.0.1", 0)
    second = bind_socket("127.0.0.1", 0)
    try:
        assert first.getsockname()[1] > 0
        assert first.getsockname()[1] != second.getsockname()[1]
        with pytest.raises(OSError):
            bind_socket("127.0.0.1", first.getsockname()[1])
    finally:
        first.close()
        second.close()
