"""A local emulator of Tencent's callback-configuration REST APIs (docs/emulator.md).

Modules, one job each:

- :mod:`~reconciler.emulator.sigverify` verifies TLSSigAPIv2 UserSigs;
- :mod:`~reconciler.emulator.seed` loads the seed YAML;
- :mod:`~reconciler.emulator.store` keeps state in SQLite;
- :mod:`~reconciler.emulator.ratelimit` per-app, per-family token buckets;
- :mod:`~reconciler.emulator.faults` seeded fault injection;
- :mod:`~reconciler.emulator.checks` URL query and body checks;
- :mod:`~reconciler.emulator.operations` what each path does;
- :mod:`~reconciler.emulator.envelope` the v1 / v4 response envelopes;
- :mod:`~reconciler.emulator.codes` the error-code table;
- :mod:`~reconciler.emulator.requestlog` the JSON-lines request log;
- :mod:`~reconciler.emulator.app` the starlette app (and the [U] choices);
- :mod:`~reconciler.emulator.server` uvicorn on a socket we bind;
- :mod:`~reconciler.emulator.embedded` an in-process emulator on a thread;
- :mod:`~reconciler.emulator.cli` the ``emulator`` click command.
"""

from __future__ import annotations

from reconciler.emulator.app import create_app
from reconciler.emulator.embedded import EmulatorStartError, RunningEmulator, start_emulator
from reconciler.emulator.faults import FaultConfig, FaultKind
from reconciler.emulator.seed import Seed, SeedApp, SeedCallback, SeedToken, load_seed, parse_seed
from reconciler.emulator.sigverify import SigError, verify_usersig
from reconciler.emulator.store import Store, StoreError

__all__ = [
    "EmulatorStartError",
    "FaultConfig",
    "FaultKind",
    "RunningEmulator",
    "Seed",
    "SeedApp",
    "SeedCallback",
    "SeedToken",
    "SigError",
    "Store",
    "StoreError",
    "create_app",
    "load_seed",
    "parse_seed",
    "start_emulator",
    "verify_usersig",
]
