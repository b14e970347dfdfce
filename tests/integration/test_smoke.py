"""The README's main job, through the real CLI against the real emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.conftest import EXAMPLES, assert_no_secrets, read_log


def test_plan_apply_plan_converges(cli: Any, env: dict[str, str], request_log: Path) -> None:
    first = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert first.code == 2, first.err
    assert "Plan: 3 to create, 3 to update, 1 to delete, 2 unchanged." in first.out
    assert not [r for r in read_log(request_log) if r["write"]]  # plan only reads

    applied = cli("apply", EXAMPLES, "--auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply: 7 applied, 0 failed, 0 stale, 0 unverified." in applied.out

    again = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert again.code == 0, again.err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 9 unchanged." in again.out
    assert_no_secrets(first.out, first.err, applied.out, applied.err, again.out, again.err)
