"""The safety thresholds' defaults: their one home.

octoDNS's defaults (``update_pcent_threshold``, ``delete_pcent_threshold``,
``MIN_EXISTING_RECORDS``), read by the ``safety:`` model of policy.yaml (and so its
JSON Schema and reference page), the plan's :class:`reconciler.plan.safety.Thresholds`,
the engine's :class:`reconciler.engine.options.SafetyRails` and the command-line
flags (their ``--help`` defaults). A leaf with no import of the pipeline, so that
every layer reads it without a cycle (the plan imports the desired state, which
cannot import the plan).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class ThresholdDefaults:
    """What a plan is judged by when neither a flag nor ``safety:`` sets a threshold."""

    max_update_pct: float = 30.0
    """Unsafe when updates exceed this share (%) of the existing managed configs."""
    max_delete_pct: float = 30.0
    """Unsafe when deletes exceed this share (%) of the existing managed configs."""
    min_existing: int = 10
    """The shares count only once at least this many managed configs exist."""


DEFAULTS = ThresholdDefaults()

NAMES: tuple[str, ...] = tuple(f.name for f in fields(ThresholdDefaults))
"""The thresholds' names: each a ``safety:`` setting and, as ``--max-update-pct``, a flag."""
