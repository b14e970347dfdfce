"""The library changes no process-wide state: the cycle collector is the host program's.

Only the CLI's entry point (``reconciler.cli.main.main``) tunes the collector; the
loader, the network runner and the engine leave its settings, its frozen objects and
the host program's garbage as they were, even when two threads use them at once.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from pathlib import Path

import pytest

from reconciler.api import runner
from reconciler.desired.loader import load_desired


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_two_overlapping_runs_in_threads_leave_the_collector_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("sdkappid: 1400000001\nregion: singapore\n")
    threshold, frozen, enabled = gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    async def wait_inside() -> None:
        inside.set()
        await asyncio.to_thread(release.wait, 30)

    def other() -> None:
        load_desired(tmp_path)
        runner.run(wait_inside())

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        # the host program makes garbage cycles while the other run is inside its fetch
        cycles = [_Cycle() for _ in range(2000)]
        refs = [weakref.ref(c) for c in cycles]
        load_desired(tmp_path)

        async def nothing() -> str:
            return "done"

        assert runner.run(nothing()) == "done"
        del cycles
        gc.collect()  # while the other thread's run is still inside its fetch
        assert sum(ref() is not None for ref in refs) == 0  # every cycle was collected
    finally:
        release.set()
        thread.join(timeout=30)
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled() == enabled


def test_the_cli_entry_point_is_the_one_place_that_tunes_the_collector() -> None:
    import reconciler

    package = Path(reconciler.__file__).parent
    tuning = ("gc.freeze", "gc.set_threshold", "gc.disable", "gc.unfreeze")
    users = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if any(call in path.read_text(encoding="utf-8") for call in tuning)
    )
    assert users == ["cli/main.py"]


def test_the_secrets_of_a_run_are_forgotten_when_it_ends() -> None:
    from reconciler.secret import Secret, known_secrets, mask_known, run_secrets

    outer = known_secrets()  # the test's own run (tests/conftest.py)
    with run_secrets() as shared:  # inside an open run: that run, not a new one
        Secret("first-run-secret-value")
        assert "first-run-secret-value" in known_secrets()[1]
    assert "first-run-secret-value" in outer[1] | known_secrets()[1]
    shared.forget()

    def in_a_fresh_context() -> tuple[str, str, frozenset[str]]:
        with run_secrets():
            Secret("second-run-secret-value")
            inside = mask_known("x second-run-secret-value y")
        after = mask_known("x second-run-secret-value y")
        return inside, after, known_secrets()[1]

    import contextvars

    inside, after, left = contextvars.Context().run(in_a_fresh_context)
    assert inside == "x (sensitive) y"
    assert after == "x second-run-secret-value y"  # the run ended: nothing kept
    assert left == frozenset()


def test_a_cli_run_scrubs_its_secrets_and_forgets_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import contextvars

    from reconciler.cli.main import run
    from reconciler.secret import known_secrets

    bundle = tmp_path / "secrets.json"
    bundle.write_text('{"TRTC_SECRET_KEY": "a-key-of-this-cli-run"}')
    (tmp_path / "a.yaml").write_text("sdkappid: a-key-of-this-cli-run\nregion: singapore\n")

    def fresh() -> tuple[int, frozenset[str]]:
        code = run(["--secrets-file", str(bundle), "validate", str(tmp_path / "a.yaml")])
        return code, known_secrets()[1]

    code, left = contextvars.Context().run(fresh)
    printed = capsys.readouterr()
    assert code == 1
    assert "(sensitive)" in printed.err  # the run knew the secret while it wrote
    assert "a-key-of-this-cli-run" not in printed.out + printed.err
    assert left == frozenset()  # and forgot it when it ended
