"""One post-plan pipeline (ignore rules → safety → warnings): every command that plans a
desired-state directory gives the warnings and the verdict ``plan`` gives, for the same
tree (issue 22). Real CLI, real emulator on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.conftest import EXAMPLES, assert_no_secrets, read_log


def downgrade(desired: Path) -> None:
    """Two warnings of two kinds: a change's (the URL goes from https:// to plain
    http://) and the desired state's (a URL in plain http://)."""
    sg = desired / "apps" / "prod-sg.yaml"
    sg.write_text(
        sg.read_text().replace(
            "https://hooks.example.com/trtc/call\n", "http://hooks.example.com/trtc/call\n"
        )
    )


def writes(log: Path) -> list[dict[str, Any]]:
    return [e for e in read_log(log) if e["write"]]


def test_apply_dir_gives_every_warning_plan_gives(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    downgrade(desired)
    planned = cli("plan", desired, "--format", "json")
    assert planned.code == 0, planned.err
    warnings = planned.json()["warnings"]
    assert any("goes from https:// to plain http://" in w for w in warnings)
    assert any("prod-sg.yaml:" in w and "uses http://" in w for w in warnings)

    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.err
    downgraded = next(w for w in warnings if "goes from https:// to plain http://" in w)
    assert downgraded in applied.err  # the warning apply DIR used to drop
    for warning in warnings:
        assert warning in applied.err, f"apply DIR dropped a warning plan gives: {warning}"
    assert_no_secrets(applied.out, applied.err)


def test_apply_dir_shows_the_verdict_plan_shows(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    planned = cli("plan", desired)
    verdict = next(line for line in planned.out.splitlines() if line.startswith("Safety: "))
    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.err
    assert verdict in applied.err.splitlines()


def test_apply_dir_ignores_what_plan_ignores(
    cli: Any, env: dict[str, str], desired: Path, request_log: Path
) -> None:
    """.driftignore and --ignore leave out the same changes and unmanaged configs, and
    both commands say how many."""
    (desired / ".driftignore").write_text("prod-sg/call\n")
    flags = ("--ignore", "staging-us/*")
    doc = cli("plan", desired, "--format", "json", *flags).json()
    planned_err = cli("plan", desired, *flags).err
    applied = cli("apply", desired, "--auto-approve", *flags)
    assert applied.code == 0, applied.err
    changed = {(c["app"], c["product"]) for c in doc["changes"]}
    assert ("prod-sg", "call") not in changed
    assert not any(app == "staging-us" for app, _ in changed)
    notes = [line for line in planned_err.splitlines() if "accepted difference(s)" in line]
    assert notes and all(note in applied.err for note in notes)
    ignored = "\n".join(json.dumps(i) for i in doc["ignored"])
    assert "prod-sg" in ignored
    assert writes(request_log)  # the rest was applied
    again = cli("plan", desired, "--format", "json", *flags).json()
    assert again["changes"] == []


def test_restore_gives_the_downgrade_warning_plan_would(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    """A snapshot taken while a URL was plain http://: restoring it downgrades the live
    https:// URL, and restore says so as plan and apply DIR do."""
    downgrade(desired)
    assert cli("apply", desired, "--auto-approve").code == 0
    snap = tmp_path / "live.json"
    assert cli("snapshot", desired, "--out", snap).code == 0
    assert cli("apply", EXAMPLES, "--auto-approve").code == 0  # back to https://
    warning = "prod-sg/call: the callback URL goes from https:// to plain http://"
    saved = cli("restore", snap, "--out", tmp_path / "restore.json")
    assert saved.code == 0, saved.err
    assert f"Warning: {warning}" in saved.out and f"warning: {warning}" in saved.err
    restored = cli("restore", snap, "--auto-approve")
    assert restored.code == 0, restored.err
    assert f"warning: {warning}" in restored.err
