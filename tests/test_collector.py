"""The cycle collector settings of a run: relaxed while requests fly, restored after."""

from __future__ import annotations

import gc
import threading

import pytest

from reconciler import collector
from reconciler.api import runner


def test_relaxed_freezes_what_exists_and_collects_less_often_then_restores() -> None:
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    with collector.relaxed():
        assert gc.get_threshold()[0] >= collector.RELAXED_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > frozen_before
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_relaxed_restores_after_an_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collector.relaxed():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_paused_turns_the_collector_off_and_back_on() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # nested: still off, and the outer one turns it on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_a_pause_made_goes_to_the_oldest_generation_unexamined() -> None:
    with collector.paused():
        made = [[i] for i in range(1000)]
    assert gc.get_freeze_count() == 0
    assert not any(o is made for o in gc.get_objects(generation=0))
    assert any(o is made for o in gc.get_objects(generation=2))


def test_a_pause_leaves_a_freeze_of_the_host_program_as_it_is() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.paused():
            made = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == frozen
        assert any(o is made for o in gc.get_objects())  # not frozen: collected as usual
    finally:
        gc.unfreeze()


def test_the_network_runner_relaxes_the_collector_for_its_coroutine() -> None:
    seen: list[int] = []

    async def main() -> str:
        seen.append(gc.get_threshold()[0])
        return "done"

    assert runner.run(main()) == "done"
    assert seen and seen[0] >= collector.RELAXED_THRESHOLD
    assert gc.get_threshold()[0] < collector.RELAXED_THRESHOLD


def test_nested_relaxed_freezes_what_was_made_since_and_only_the_outer_restores() -> None:
    before = gc.get_threshold()
    with collector.relaxed():
        frozen_outer = gc.get_freeze_count()
        made_since = [[i] for i in range(1000)]  # tracked containers, made after the freeze
        with collector.relaxed():
            assert gc.get_freeze_count() >= frozen_outer + len(made_since)
        assert gc.get_threshold()[0] >= collector.RELAXED_THRESHOLD  # still the outer block
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_relaxed_in_two_threads_restores_only_when_both_have_left() -> None:
    before = gc.get_threshold()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector.relaxed():
            inside.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(timeout=30)
    with collector.relaxed():
        pass
    assert gc.get_threshold()[0] >= collector.RELAXED_THRESHOLD  # the other is still inside
    release.set()
    thread.join(timeout=30)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_relaxed_leaves_a_freeze_made_by_the_host_program_alone() -> None:
    host_frozen = [[i] for i in range(100)]  # what a pre-fork server froze before
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        made_after = [[i] for i in range(1000)]  # frozen too if relaxed() froze
        with collector.relaxed():
            assert gc.get_threshold()[0] >= collector.RELAXED_THRESHOLD
        count = gc.get_freeze_count()
        assert 0 < count < frozen + len(made_after)  # neither unfrozen nor frozen more
    finally:
        gc.unfreeze()
    assert host_frozen
