"""The engine's first step: load the desired state, remember its secrets, select apps.

Its own module, without the HTTP client and the apply machinery of
:mod:`reconciler.engine.core`: ``validate`` runs it alone, and starts in the time
its users wait for at every commit (the pre-commit hook).
"""

from __future__ import annotations

from pathlib import Path

from reconciler.credentials import CredentialSource, remember_secrets
from reconciler.desired.loader import DesiredApp, load_desired
from reconciler.engine.events import Events
from reconciler.engine.options import Selection
from reconciler.engine.selection import select_apps


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
        events.config_warning(warning.location, warning.message)
    return select_apps(state.apps, selection.apps, selection.shard, selection.exclude_apps)
