"""Shared helpers for the desired-state tests: fixture paths, and running from the fixtures dir."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the fixtures folder, so messages show paths like ``errors/x/a.yaml``."""
    monkeypatch.chdir(FIXTURES)
    return FIXTURES
