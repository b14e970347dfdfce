"""Safety rails: ``protect: true`` and the update/delete thresholds."""

from __future__ import annotations

import pytest

from reconciler.errors import SafetyError
from reconciler.plan.change import Action, Change, Plan
from reconciler.plan.safety import Thresholds, check_protect, check_thresholds
from tests.plan.factories import SG, US, cb, res

CFG = cb("https://a.example/cb", "e")
DEFAULT = Thresholds()


def counts(update: int = 0, delete: int = 0, create: int = 0) -> dict[str, int]:
    return {"create": create, "update": update, "delete": delete, "unchanged": 0}


def test_defaults_are_octodns_like() -> None:
    assert Thresholds(max_update_pct=30.0, max_delete_pct=30.0, min_existing=10) == DEFAULT


def test_protect_blocks_deletes_in_protected_apps() -> None:
    plan = Plan(
        (
            Change(res("call"), Action.DELETE, CFG, None),
            Change(res("conference"), Action.DELETE, CFG, None),
            Change(res("live", US), Action.DELETE, CFG, None),
        )
    )
    with pytest.raises(SafetyError) as caught:
        check_protect(plan, {SG})
    message = str(caught.value)
    assert "prod-sg/call, prod-sg/conference" in message
    assert "staging-us" not in message
    assert "protect: true" in message and "protect: false" in message


def test_protect_allows_creates_and_updates_and_unprotected_deletes() -> None:
    plan = Plan(
        (
            Change(res("call"), Action.CREATE, None, CFG),
            Change(res("live"), Action.UPDATE, CFG, cb("https://b.example/cb", "e")),
            Change(res("live", US), Action.DELETE, CFG, None),
        )
    )
    check_protect(plan, {SG})
    check_protect(plan, set())


@pytest.mark.parametrize("action", ["update", "delete"])
def test_exactly_at_threshold_passes(action: str) -> None:
    check_thresholds(counts(**{action: 3}), 10, DEFAULT)  # 30% of 10
    check_thresholds(counts(**{action: 30}), 100, DEFAULT)


@pytest.mark.parametrize("action", ["update", "delete"])
def test_above_threshold_fails(action: str) -> None:
    with pytest.raises(SafetyError) as caught:
        check_thresholds(counts(**{action: 31}), 100, DEFAULT)
    message = str(caught.value)
    assert f"31 {action}s are 31.0% of 100 existing managed configs (threshold 30%)" in message
    assert "--force" in message
    assert "nothing applied" in message


def test_just_above_threshold_fails() -> None:
    with pytest.raises(SafetyError):
        check_thresholds(counts(update=4), 13, DEFAULT)  # 30.8%


def test_both_problems_reported_together() -> None:
    with pytest.raises(SafetyError) as caught:
        check_thresholds(counts(update=5, delete=6), 10, DEFAULT)
    message = str(caught.value)
    assert "5 updates are 50.0% of 10" in message
    assert "6 deletes are 60.0% of 10" in message
    assert "--max-update-pct / --max-delete-pct" in message


def test_below_min_existing_passes_whatever_the_share() -> None:
    check_thresholds(counts(update=9, delete=9), 9, DEFAULT)


def test_at_min_existing_is_checked() -> None:
    with pytest.raises(SafetyError):
        check_thresholds(counts(delete=4), 10, DEFAULT)


def test_creates_never_count() -> None:
    check_thresholds(counts(create=1000), 10, DEFAULT)


def test_custom_thresholds() -> None:
    loose = Thresholds(max_update_pct=50, max_delete_pct=0, min_existing=1)
    check_thresholds(counts(update=1), 2, loose)
    with pytest.raises(SafetyError, match=r"threshold 0%"):
        check_thresholds(counts(delete=1), 2, loose)


def test_message_share_is_above_the_threshold_it_names() -> None:
    with pytest.raises(SafetyError) as caught:
        check_thresholds(counts(update=304), 1000, DEFAULT)
    assert "are 30% of" not in str(caught.value)


def test_min_existing_zero_with_nothing_existing() -> None:
    check_thresholds(counts(create=5), 0, Thresholds(min_existing=0))
