"""Which threshold is in force, and where it came from: a flag given, else the
repository's ``safety:`` setting, else the default."""

from __future__ import annotations

from reconciler.engine.options import SafetyRails
from reconciler.plan.safety import Thresholds, threshold_breaches

REPO = {"max_update_pct": (80.0, "set at policy.yaml:2:19"), "min_existing": (3.0, "set at x")}


def test_the_repository_setting_wins_over_the_default() -> None:
    thresholds = SafetyRails().resolve(REPO)
    assert (thresholds.max_update_pct, thresholds.max_delete_pct, thresholds.min_existing) == (
        80.0,
        30.0,
        3,
    )
    assert thresholds.origin("max_update_pct") == "set at policy.yaml:2:19"
    assert thresholds.origin("max_delete_pct") == (
        "the default; set `safety: max_delete_pct:` in policy.yaml, or pass --max-delete-pct"
    )


def test_a_flag_given_wins_over_the_repository_setting() -> None:
    rails = SafetyRails(max_update_pct=20.0, explicit=frozenset({"max_update_pct"}))
    thresholds = rails.resolve(REPO)
    assert thresholds.max_update_pct == 20.0
    assert thresholds.origin("max_update_pct") == "set by --max-update-pct"
    assert thresholds.min_existing == 3  # the others still come from the repository


def test_a_flag_left_at_its_default_does_not_hide_the_repository_setting() -> None:
    assert SafetyRails(max_update_pct=30.0).resolve(REPO).max_update_pct == 80.0


def test_the_breach_names_the_threshold_the_excess_and_where_it_is_set() -> None:
    thresholds = Thresholds(50.0, 30.0, 10, {"max_update_pct": "set at policy.yaml:2:19"})
    counts = {"create": 0, "update": 8, "delete": 0}
    assert threshold_breaches(counts, 10, thresholds) == (
        "8 updates are 80.0% of 10 existing managed configs (threshold 50%): 30.0 points "
        "over max_update_pct (set at policy.yaml:2:19)",
    )
    assert thresholds == Thresholds(50.0, 30.0, 10)  # where it was set is not compared
