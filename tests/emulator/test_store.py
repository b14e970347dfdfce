"""The SQLite store: configs per (app, product), seeding, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.emulator.seed import load_seed
from reconciler.emulator.store import (
    AppRecord,
    CallbackRecord,
    Store,
    StoreError,
    TokenRecord,
)

from .helpers import APP, SEED

FIXTURES = Path(__file__).parent / "fixtures"
A = CallbackRecord("https://a.example.com/", ("Call.CallbackAfterEndCall",))
B = CallbackRecord(
    "https://b.example.com/", ("Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall")
)


@pytest.fixture
def store() -> Store:
    s = Store(None)
    assert s.fill_from_seed(SEED)
    return s


def test_seed_fills_an_empty_store(store: Store) -> None:
    assert [app.sdkappid for app in store.list_apps()] == [a.sdkappid for a in SEED.apps]
    app = store.get_app(APP)
    assert app == AppRecord(APP, SEED.app(APP).secret_key, ("administrator", "ops-bot"), True)
    assert store.get_app(1) is None
    assert store.secret_keys() == SEED.secret_keys()


def test_seed_callbacks_and_token_are_stored() -> None:
    store = Store(None)
    store.fill_from_seed(load_seed(FIXTURES / "seed.yaml"))
    assert store.get_callback(1400000001, "call") == CallbackRecord(
        "https://old.example.com/cb", ("Call.CallbackAfterEndCall",)
    )
    assert store.get_callback(1400000001, "call_legacy") == CallbackRecord(
        "http://legacy.example.com/v1", ("normal_end", "call_busy")
    )
    assert store.get_token(1400000001) == TokenRecord("demo-token", enabled=False)
    assert store.get_app(1400000002) is not None
    assert store.get_app(1400000002).group_call is False  # type: ignore[union-attr]


def test_seed_is_ignored_when_the_store_has_apps(store: Store) -> None:
    other = load_seed(FIXTURES / "seed.yaml")
    assert store.fill_from_seed(other) is False
    assert store.get_callback(1400000001, "call") is None
    assert store.get_app(1400000002) == AppRecord(
        1400000002, SEED.app(1400000002).secret_key, ("administrator",), False
    )


def test_put_is_an_upsert(store: Store) -> None:
    assert store.get_callback(APP, "call") is None
    store.put_callback(APP, "call", A)
    store.put_callback(APP, "call", B)
    assert store.get_callback(APP, "call") == B


def test_insert_is_create_only(store: Store) -> None:
    assert store.insert_callback(APP, "live", A) is True
    assert store.insert_callback(APP, "live", B) is False
    assert store.get_callback(APP, "live") == A


def test_replace_needs_an_existing_config(store: Store) -> None:
    assert store.replace_callback(APP, "conference", A) is False
    assert store.get_callback(APP, "conference") is None
    store.put_callback(APP, "conference", A)
    assert store.replace_callback(APP, "conference", B) is True
    assert store.get_callback(APP, "conference") == B


def test_delete_reports_whether_something_was_there(store: Store) -> None:
    store.put_callback(APP, "call", A)
    assert store.delete_callback(APP, "call") is True
    assert store.delete_callback(APP, "call") is False
    assert store.get_callback(APP, "call") is None


def test_products_are_independent(store: Store) -> None:
    store.put_callback(APP, "call", A)
    store.put_token(APP, TokenRecord("t", True))
    assert store.get_callback(APP, "live") is None
    assert store.get_callback(APP + 2, "call") is None
    store.delete_token(APP)
    assert store.get_callback(APP, "call") == A


def test_token_round_trip(store: Store) -> None:
    assert store.get_token(APP) is None
    store.put_token(APP, TokenRecord("t1", True))
    store.put_token(APP, TokenRecord("t2", False))
    assert store.get_token(APP) == TokenRecord("t2", False)
    assert store.delete_token(APP) is True
    assert store.get_token(APP) is None


def test_token_is_not_a_callback_product(store: Store) -> None:
    with pytest.raises(ValueError, match="not a callback product"):
        store.get_callback(APP, "live_token")


def test_state_persists_in_a_file(tmp_path: Path) -> None:
    path = str(tmp_path / "emu.db")
    first = Store(path)
    first.fill_from_seed(SEED)
    first.put_callback(APP, "call", A)
    first.close()
    second = Store(path)
    assert second.is_empty() is False
    assert second.fill_from_seed(load_seed(FIXTURES / "seed.yaml")) is False
    assert second.get_callback(APP, "call") == A
    second.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match="not a usable emulator database"):
        Store(str(path))


def test_records_hide_secrets_in_repr(store: Store) -> None:
    store.put_token(APP, TokenRecord("very-secret-token", True))
    assert "very-secret-token" not in repr(store.get_token(APP))
    assert SEED.app(APP).secret_key not in repr(store.get_app(APP))
