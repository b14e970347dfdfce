"""Shared helpers for the desired-state tests: fixture paths, and running from the fixtures dir."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the fixtures folder, so messages show paths like ``errors/x/a.yaml``."""
    monkeypatch.chdir(FIXTURES)
    return FIXTURES


LOADERS = ["libyaml", "pure-python"]


@pytest.fixture(params=LOADERS)
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with libyaml parsing (errors re-parsed in Python), then without libyaml."""
    from reconciler.desired import yamlsource

    if request.param == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(yamlsource, "FAST_LOADER", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yamlsource, "FAST_LOADER", None)
    return str(request.param)
