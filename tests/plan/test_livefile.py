"""The live-state snapshot holds no secret, even one quoted in a live URL or a warning."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from reconciler.configs import CallbackConfig
from reconciler.fetch import LiveSnapshot
from reconciler.plan.change import Action
from reconciler.plan.livefile import plan_against_snapshot, snapshot_document, write_snapshot
from reconciler.secret import Secret
from tests.plan.factories import SG, app, resolved, tok, token_present


def test_a_known_secret_in_a_live_url_or_warning_is_masked_and_the_checksum_holds() -> None:
    Secret("k3y-quoted-live")  # known to the run from now on
    live = LiveSnapshot(
        {(1400000001, "call"): CallbackConfig("https://h.example/?k=k3y-quoted-live", frozenset())},
        warnings=("could not check: server said k3y-quoted-live",),
    )
    doc = snapshot_document([], live, env={})
    text = json.dumps(doc)
    assert "k3y-quoted-live" not in text
    assert doc["configs"][0]["state"]["url"] == "https://h.example/?k=(sensitive)"
    assert doc["warnings"] == ["could not check: server said (sensitive)"]
    assert doc["checksum"]  # computed over the masked content (read back by plan --live)


def test_a_switch_only_token_plans_against_a_snapshot_on_its_switch_alone(
    tmp_path: Path,
) -> None:
    # the trusted job: desired switch-only, so the token is not even compared
    apps = resolved(app("prod-sg", SG, token_present(None, enabled=False)))
    live = LiveSnapshot({(SG, "live_token"): tok("held-by-tencent", True)})
    doc = snapshot_document(apps, live, env={})
    assert "held-by-tencent" not in json.dumps(doc)
    assert doc["configs"][0]["state"] == {
        "token": "(sensitive)",
        "enabled": True,
        "token_matches_desired": None,
    }
    path = tmp_path / "live.json"
    write_snapshot(path, doc)
    # the keyless pull-request job: only the switch differs
    desired = [a.app for a in apps]
    _, plan = plan_against_snapshot(desired, path)
    (change,) = plan.changes
    assert change.action is Action.UPDATE
    assert change.public_after() == {"token": "(not managed)", "enabled": False}
    assert [d.name for d in change.field_diffs()] == ["enabled"]
    same = [replace(desired[0], products={"live_token": token_present(None, enabled=True)})]
    assert plan_against_snapshot(same, path)[1].changes == ()
