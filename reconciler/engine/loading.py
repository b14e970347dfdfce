"""The engine's first step: load the desired state, remember its secrets, select apps.

Its own module, without the HTTP client and the apply machinery of
:mod:`reconciler.engine.core`: ``validate`` runs it alone, and starts in the time
its users wait for at every commit (the pre-commit hook).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.credentials import CredentialSource, remember_secrets
from reconciler.desired.loader import DesiredApp, load_desired
from reconciler.desired.policy import safety_settings
from reconciler.engine.events import Events
from reconciler.engine.options import SafetyRails, Selection
from reconciler.engine.selection import select_apps

if TYPE_CHECKING:
    from reconciler.plan.safety import Thresholds


def load_selected(
    directory: Path, selection: Selection, credentials: CredentialSource, events: Events
) -> list[DesiredApp]:
    """Load and validate DIRECTORY; keep the selected apps.

    Every key and token the desired state names is remembered, so that it is scrubbed
    from all output, whatever the filters select.
    """
    state = load_desired(directory, lenient=selection.lenient, policy=selection.policy)
    remember_secrets(state.apps, credentials)
    for warning in state.warnings:
        events.config_warning(warning.location, warning.shown)
    return select_apps(state.apps, selection.apps, selection.shard, selection.exclude_apps)


def thresholds_for(rails: SafetyRails, directory: Path, policy: Path | None) -> Thresholds:
    """The safety thresholds of a run on ``directory``: the flags given, else the
    ``safety:`` settings of its policy file (``policy``, else DIR/policy.yaml), else
    the defaults; each knows where it was set, for the unsafe message."""
    settings = {
        name: (value, f"set at {where}")
        for name, (value, where) in safety_settings(directory, policy).items()
    }
    return rails.resolve(settings)
