"""The engine: load → credentials → fetch → plan → apply, importable outside the CLI.

Example (against an embedded emulator; see docs/python-api.md)::

    from pathlib import Path
    from reconciler.engine import Connection, Reconciler

    with Reconciler(Connection(emulator_seed=Path("examples/emulator-seed.yaml"))) as engine:
        result = engine.plan(Path("examples"))
        print(result.plan.summary_line())
        applied = engine.apply(result.saved())
        print(applied.ok)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.credentials import (
        CredentialSource,
        EnvironmentCredentials,
        MappingCredentials,
        SeededCredentials,
        credential_source,
    )
    from reconciler.engine.backend import Backend, open_backend
    from reconciler.engine.core import ApplyResult, DriftResult, PlanResult, Reconciler
    from reconciler.engine.events import Events
    from reconciler.engine.options import Connection, SafetyRails, Selection
    from reconciler.engine.selection import in_shard, select_apps
    from reconciler.plan.safety import Thresholds

# Imported on first use (PEP 562): `validate` needs the options and the selection,
# not the HTTP client, the apply machinery and the saved-plan format behind the core.
_HOMES = {
    "CredentialSource": "reconciler.credentials",
    "EnvironmentCredentials": "reconciler.credentials",
    "MappingCredentials": "reconciler.credentials",
    "SeededCredentials": "reconciler.credentials",
    "credential_source": "reconciler.credentials",
    "Backend": "reconciler.engine.backend",
    "open_backend": "reconciler.engine.backend",
    "ApplyResult": "reconciler.engine.core",
    "DriftResult": "reconciler.engine.core",
    "PlanResult": "reconciler.engine.core",
    "Reconciler": "reconciler.engine.core",
    "Events": "reconciler.engine.events",
    "Connection": "reconciler.engine.options",
    "SafetyRails": "reconciler.engine.options",
    "Selection": "reconciler.engine.options",
    "in_shard": "reconciler.engine.selection",
    "select_apps": "reconciler.engine.selection",
    "Thresholds": "reconciler.plan.safety",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "ApplyResult",
    "Backend",
    "Connection",
    "CredentialSource",
    "DriftResult",
    "EnvironmentCredentials",
    "Events",
    "MappingCredentials",
    "PlanResult",
    "Reconciler",
    "SafetyRails",
    "SeededCredentials",
    "Selection",
    "Thresholds",
    "credential_source",
    "in_shard",
    "open_backend",
    "select_apps",
]
