"""``reconciler.plan.restore``: a snapshot as desired apps, and what restore cannot do."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from reconciler.configs import CallbackConfig, Config, TokenConfig
from reconciler.fetch import LiveSnapshot
from reconciler.plan.livefile import LoadedSnapshot, SnapshotApp
from reconciler.plan.restore import restore_source
from reconciler.products.catalog import PRODUCT_KEYS
from reconciler.secret import REDACTED, Secret
from tests.plan.factories import SG, cb

PATH = Path("live.json")


def snapshot(
    configs: dict[str, Config | None], *, version: str = "1.1", entry: SnapshotApp | None = None
) -> LoadedSnapshot:
    entry = entry or SnapshotApp("prod-sg", SG, "singapore", "ops", "KEY_VAR", True)
    live = LiveSnapshot({(SG, k): v for k, v in configs.items()})
    now = datetime.now(timezone.utc)
    return LoadedSnapshot(live, now, frozenset({SG}), None, (entry,), version)


def test_every_read_config_becomes_managed_present_or_absent() -> None:
    source = restore_source(
        snapshot({"call": cb("https://a.example/cb", "x"), "live": None, "conference": None}),
        PATH,
    )
    (app,) = source.apps
    assert (app.identifier, app.secret_key_env, app.protect) == ("ops", "KEY_VAR", True)
    assert app.products["call"].config == cb("https://a.example/cb", "x")
    assert app.products["live"].ensure == "absent"
    # not read by the snapshot: left alone, and said
    assert "call_legacy" not in app.products and "live_token" not in app.products
    notes = {(n.product, n.text.split(": ", 1)[1]) for n in source.notes}
    assert ("call_legacy", "the snapshot did not read it, so restore leaves it as it is") in notes


def test_a_token_is_restored_as_its_switch_only_and_never_its_value() -> None:
    source = restore_source(snapshot({"live_token": TokenConfig(Secret("x"), False)}), PATH)
    spec = source.apps[0].products["live_token"]
    assert (spec.ensure, spec.token_env, spec.enabled) == ("present", None, False)
    (note,) = [n for n in source.notes if n.product == "live_token"]
    assert "never a token value" in note.text and "enabled: false" in note.text


def test_a_masked_url_is_not_written_back() -> None:
    masked = CallbackConfig(f"https://h.example/?key={REDACTED}", frozenset({"x"}))
    source = restore_source(snapshot({"call": masked}), PATH)
    assert "call" not in source.apps[0].products
    assert any("masked a secret" in n.text for n in source.notes)


def test_an_old_snapshot_falls_back_and_says_so() -> None:
    old = SnapshotApp("prod-sg", SG, "singapore")
    source = restore_source(
        snapshot({k: None for k in PRODUCT_KEYS}, version="1.0", entry=old), PATH
    )
    (app,) = source.apps
    assert (app.identifier, app.secret_key_env, app.protect) == ("administrator", None, False)
    (note,) = [n for n in source.notes if n.sdkappid is None]
    assert "format 1.0 snapshot" in note.text
    assert note.concerns({SG}, {"call"})  # about the whole snapshot: always shown


def test_notes_follow_the_selection() -> None:
    source = restore_source(snapshot({"live_token": TokenConfig(None, True)}), PATH)
    (note,) = [n for n in source.notes if n.product == "live_token"]
    assert note.concerns({SG}, set())
    assert not note.concerns({SG}, {"call"})
    assert not note.concerns({SG + 1}, set())
