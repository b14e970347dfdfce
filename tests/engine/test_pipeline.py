"""The post-plan pipeline through the Python API (``Reconciler.review`` and ``drift``):
the same ignore rules, verdict and warnings as the commands, against the embedded
emulator (no CLI involved)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconciler.engine import Reconciler, SafetyRails
from reconciler.errors import SafetyError
from reconciler.plan.safety import change_warnings
from reconciler.render.drift import CHANGED
from tests.engine.test_reconciler import engine
from tests.integration.conftest import EXAMPLES


@pytest.fixture
def downgraded(tmp_path: Path) -> Path:
    """The examples, with prod-sg's call URL in plain http:// (live has https://)."""
    target = tmp_path / "desired"
    shutil.copytree(EXAMPLES, target)
    sg = target / "apps" / "prod-sg.yaml"
    sg.write_text(
        sg.read_text().replace(
            "https://hooks.example.com/trtc/call\n", "http://hooks.example.com/trtc/call\n"
        )
    )
    return target


def test_review_carries_the_verdict_warnings_and_what_was_ignored(downgraded: Path) -> None:
    with engine() as reconciler:
        raw = reconciler.plan(downgraded)
        result = reconciler.review(downgraded, ignores=["staging-us/*"])
    assert raw.plan.safety is None  # plan() is the bare diff
    plan = result.plan
    assert plan.safety is not None and plan.safety.status == "safe"
    assert {r.app for r in plan.ignored} == {"staging-us"}
    assert not any(c.resource.app == "staging-us" for c in plan.changes)
    downgrade = "prod-sg/call: the callback URL goes from https:// to plain http://"
    assert any(w.startswith(downgrade) for w in plan.warnings)
    # the desired state's own warning, located, is in the plan too (every output shows it)
    assert any("prod-sg.yaml:" in w and "uses http://" in w for w in plan.warnings)
    assert result.config_warnings and set(result.config_warnings) <= set(plan.warnings)
    assert set(change_warnings(plan)) <= set(plan.warnings)


def test_check_plan_enforces_the_reviewed_verdict_and_force_overrides_it() -> None:
    strict = SafetyRails(
        max_update_pct=0.0, min_existing=1, explicit=frozenset({"max_update_pct", "min_existing"})
    )
    with engine() as reconciler:
        unsafe = reconciler.review(EXAMPLES, rails=strict)
        forced = reconciler.review(
            EXAMPLES,
            rails=SafetyRails(
                force=True,
                max_update_pct=0.0,
                min_existing=1,
                explicit=frozenset({"max_update_pct", "min_existing"}),
            ),
        )
    assert unsafe.plan.safety is not None and unsafe.plan.safety.status == "unsafe"
    with pytest.raises(
        SafetyError, match=r"unsafe plan, nothing applied: .*set by --max-update-pct"
    ):
        Reconciler.check_plan(unsafe)
    assert forced.plan.safety is not None and forced.plan.safety.status == "overridden"
    Reconciler.check_plan(forced)  # --force lets the breach through, as apply DIR does


def test_drift_gives_the_same_warnings_in_drift_words(downgraded: Path) -> None:
    with engine() as reconciler:
        report = reconciler.drift(downgraded)
    plan = report.plan
    assert plan.safety is None  # a report, not an apply: no verdict
    words = f"prod-sg/call: {CHANGED} (was → now): the declared callback URL is plain http://"
    assert any(w.startswith(words) for w in plan.warnings)
    assert report.config_warnings and set(report.config_warnings) <= set(plan.warnings)
