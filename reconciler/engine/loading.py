"""The engine's first step: load the desired state, remember its secrets, select apps.

Its own module, without the HTTP client and the apply machinery of
:mod:`reconciler.engine.core`: ``validate`` runs it alone, and starts in the time
its users wait for at every commit (the pre-commit hook).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler.credentials import CredentialSource, remember_secrets
from reconciler.desired.loader import DesiredApp, load_desired
from reconciler.engine.events import Events
from reconciler.engine.options import Selection
from reconciler.engine.selection import select_apps

Settings = Mapping[str, tuple[float, str]]
"""Safety settings by name: value, and where it was set (as :meth:`SafetyRails.resolve`
takes them)."""


@dataclass(frozen=True)
class Selected:
    """What one load gives the rest of the run."""

    apps: list[DesiredApp]
    """The selected apps."""
    safety: Settings
    """The ``safety:`` thresholds of the policy file read in this load, each with
    ``set at file:line:col`` (the policy is read once per run: here)."""
    warnings: tuple[str, ...] = ()
    """The desired state's warnings (``file:line:col: message``), when recorded."""


def load_selected(
    directory: Path, selection: Selection, credentials: CredentialSource, events: Events
) -> list[DesiredApp]:
    """Load and validate DIRECTORY; keep the selected apps.

    Every key and token the desired state names is remembered, so that it is scrubbed
    from all output, whatever the filters select.
    """
    return load_selection(directory, selection, credentials, events).apps


def load_selection(
    directory: Path, selection: Selection, credentials: CredentialSource, events: Events
) -> Selected:
    """:func:`load_selected`, and the policy's ``safety:`` thresholds."""
    state = load_desired(directory, lenient=selection.lenient, policy=selection.policy)
    remember_secrets(state.apps, credentials)
    for warning in state.warnings:
        events.config_warning(warning.location, warning.shown)
    apps = select_apps(state.apps, selection.apps, selection.shard, selection.exclude_apps)
    safety = {name: (value, f"set at {where}") for name, (value, where) in state.safety.items()}
    return Selected(apps, safety)
