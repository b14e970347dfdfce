"""The safety thresholds' defaults have one home (:mod:`reconciler.thresholds`): the
plan's, the engine's, the command-line flags' (and ``--help``) and the ``safety:``
model's (and its JSON Schema) are read from it, so a changed default shows everywhere."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from reconciler.cli.commands.apply import apply_command
from reconciler.cli.commands.plan import plan_command
from reconciler.cli.commands.restore import restore_command
from reconciler.desired.policy import SafetySettings
from reconciler.desired.schemas import policy_json_schema
from reconciler.engine.options import SafetyRails
from reconciler.plan.safety import Thresholds
from reconciler.thresholds import DEFAULTS

NAMES = [f.name for f in dataclasses.fields(DEFAULTS)]


@pytest.mark.parametrize("name", NAMES)
def test_every_default_is_read_from_the_one_home(name: str) -> None:
    expected = getattr(DEFAULTS, name)
    assert getattr(Thresholds(), name) == expected
    assert getattr(SafetyRails(), name) == expected
    assert getattr(SafetyRails().thresholds, name) == expected
    assert getattr(SafetySettings(), name) == expected
    safety = policy_json_schema()["$defs"]["SafetySettings"]["properties"]
    assert safety[name]["default"] == expected
    for command in (plan_command, apply_command, restore_command):
        (param,) = [p for p in command.params if p.name == name]
        assert param.default == expected, command.name


PROBE = """
import sys
import reconciler.thresholds as home
home.DEFAULTS = home.ThresholdDefaults(max_update_pct=42.5, max_delete_pct=17.0, min_existing=3)
from reconciler.cli.main import run
from reconciler.desired.policy import SafetySettings
from reconciler.engine.options import SafetyRails
from reconciler.plan.safety import Thresholds
print([Thresholds(), SafetyRails().thresholds, SafetySettings()])
code = run(["plan", "--help"])
"""


def test_a_changed_default_shows_in_the_plan_the_engine_the_policy_and_help() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    first, _, help_text = result.stdout.partition("\n")
    assert first == (
        "[Thresholds(max_update_pct=42.5, max_delete_pct=17.0, min_existing=3, origins={}), "
        "Thresholds(max_update_pct=42.5, max_delete_pct=17.0, min_existing=3, origins={}), "
        "SafetySettings(max_update_pct=42.5, max_delete_pct=17.0, min_existing=3)]"
    )
    shown = " ".join(help_text.split())  # --help wraps its lines
    assert "policy.yaml). [default: 42.5; 0<=x<=100]" in shown
    assert "policy.yaml). [default: 17.0; 0<=x<=100]" in shown
    assert "policy.yaml). [default: 3; x>=0]" in shown
