"""Desired state: YAML files in git, loaded and validated into typed value objects.

``load_desired(root)`` is the entry point; ``desired_state_json_schema()`` gives
the JSON Schema for editors. Secrets are looked up by ``reconciler.credentials``.
"""

from __future__ import annotations

from reconciler.desired.loader import load_desired
from reconciler.desired.models import desired_state_json_schema
from reconciler.desired.result import ConfigWarning, DesiredApp, DesiredProduct, DesiredState

__all__ = [
    "ConfigWarning",
    "DesiredApp",
    "DesiredProduct",
    "DesiredState",
    "desired_state_json_schema",
    "load_desired",
]
