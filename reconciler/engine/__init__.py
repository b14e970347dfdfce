"""The engine: load → credentials → fetch → plan → apply, importable outside the CLI.

Example (against an embedded emulator; see the README's "Python API" section)::

    from pathlib import Path
    from reconciler.engine import Connection, Reconciler

    with Reconciler(Connection(emulator_seed=Path("examples/emulator-seed.yaml"))) as engine:
        result = engine.plan(Path("examples"))
        print(result.plan.summary_line())
        applied = engine.apply(result.saved())
        print(applied.ok)
"""

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
from reconciler.engine.options import Connection, Selection
from reconciler.engine.selection import in_shard, select_apps
from reconciler.plan.safety import Thresholds

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
    "SeededCredentials",
    "Selection",
    "Thresholds",
    "credential_source",
    "in_shard",
    "open_backend",
    "select_apps",
]
