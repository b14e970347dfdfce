"""The emulator's state in SQLite: apps and one config per (app, product).

``Store(None)`` keeps everything in memory; ``Store("file.db")`` persists it,
so a restart on the same file sees what was set through the API. The seed only
fills an EMPTY database (one without apps); see :meth:`Store.fill_from_seed`.

One connection, guarded by a lock: the server thread and the thread that
started an embedded emulator may both use the store.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Final

from reconciler.emulator.seed import TOKEN_PRODUCT, Seed
from reconciler.errors import ReconcilerError
from reconciler.products.catalog import PRODUCTS, Kind

SCHEMA_VERSION: Final = 1

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS apps (
    sdkappid   INTEGER PRIMARY KEY,
    secret_key TEXT    NOT NULL,
    admins     TEXT    NOT NULL,            -- JSON list of identifiers
    group_call INTEGER NOT NULL DEFAULT 1   -- 0: v1 API answers 50001
);
CREATE TABLE IF NOT EXISTS callbacks (
    sdkappid INTEGER NOT NULL REFERENCES apps (sdkappid),
    product  TEXT    NOT NULL,              -- call | call_legacy | live | conference | live_token
    url      TEXT,                          -- callback products
    events   TEXT,                          -- JSON list, as last set
    token    TEXT,                          -- live_token only
    enabled  INTEGER,                       -- live_token only
    PRIMARY KEY (sdkappid, product)
);
"""


class StoreError(ReconcilerError):
    """The database file cannot be used by the emulator."""


@dataclass(frozen=True)
class AppRecord:
    sdkappid: int
    secret_key: str = field(repr=False)
    admins: tuple[str, ...]
    group_call: bool = True


@dataclass(frozen=True)
class CallbackRecord:
    url: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class TokenRecord:
    token: str = field(repr=False)
    enabled: bool


def _callback_product(product: str) -> str:
    info = PRODUCTS.get(product)
    if info is None or info.kind is not Kind.CALLBACK:
        raise ValueError(f"not a callback product: {product!r}")
    return product


class Store:
    """SQLite-backed state. ``path=None`` keeps it in memory."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        target = ":memory:" if path is None else path
        try:
            self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open emulator database {path}: {exc}") from None
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise StoreError(
                    f"{path} has emulator schema version {version}, this emulator "
                    f"needs {SCHEMA_VERSION}; use another --db file"
                )
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(
                f"{path} is not a usable emulator database ({exc}); pass another --db file"
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- apps ---------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when the database holds no app (a new file, or ``:memory:``)."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM apps LIMIT 1").fetchone() is None

    def fill_from_seed(self, seed: Seed) -> bool:
        """Load ``seed`` if the database is empty; return whether it was loaded."""
        with self._lock:
            if self._db.execute("SELECT 1 FROM apps LIMIT 1").fetchone() is not None:
                return False
            self._db.execute("BEGIN")
            try:
                for app in seed.apps:
                    self._db.execute(
                        "INSERT INTO apps (sdkappid, secret_key, admins, group_call) "
                        "VALUES (?, ?, ?, ?)",
                        (app.sdkappid, app.secret_key, json.dumps(app.admins), app.group_call),
                    )
                    for product, callback in app.callbacks.items():
                        self._db.execute(
                            "INSERT INTO callbacks (sdkappid, product, url, events) "
                            "VALUES (?, ?, ?, ?)",
                            (app.sdkappid, product, callback.url, json.dumps(callback.events)),
                        )
                    if app.live_token is not None:
                        self._db.execute(
                            "INSERT INTO callbacks (sdkappid, product, token, enabled) "
                            "VALUES (?, ?, ?, ?)",
                            (
                                app.sdkappid,
                                TOKEN_PRODUCT,
                                app.live_token.token,
                                app.live_token.enabled,
                            ),
                        )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return True

    def add_app(self, app: AppRecord) -> bool:
        """Add ``app`` (no callbacks yet); False (and no change) when it exists."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO apps (sdkappid, secret_key, admins, group_call) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (sdkappid) DO NOTHING",
                (app.sdkappid, app.secret_key, json.dumps(app.admins), app.group_call),
            )
            return cursor.rowcount == 1

    def get_app(self, sdkappid: int) -> AppRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT sdkappid, secret_key, admins, group_call FROM apps WHERE sdkappid = ?",
                (sdkappid,),
            ).fetchone()
        return None if row is None else _app(row)

    def list_apps(self) -> list[AppRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT sdkappid, secret_key, admins, group_call FROM apps ORDER BY sdkappid"
            ).fetchall()
        return [_app(row) for row in rows]

    def secret_keys(self) -> dict[int, str]:
        return {app.sdkappid: app.secret_key for app in self.list_apps()}

    # -- callback configs (call, call_legacy, live, conference) -------------

    def get_callback(self, sdkappid: int, product: str) -> CallbackRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT url, events FROM callbacks WHERE sdkappid = ? AND product = ?",
                (sdkappid, _callback_product(product)),
            ).fetchone()
        if row is None:
            return None
        return CallbackRecord(url=row[0], events=tuple(json.loads(row[1])))

    def put_callback(self, sdkappid: int, product: str, record: CallbackRecord) -> None:
        """Create or overwrite (upsert)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO callbacks (sdkappid, product, url, events) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (sdkappid, product) DO UPDATE SET url = excluded.url, "
                "events = excluded.events",
                (sdkappid, _callback_product(product), record.url, json.dumps(record.events)),
            )

    def insert_callback(self, sdkappid: int, product: str, record: CallbackRecord) -> bool:
        """Create only; False (and no change) when a config exists."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO callbacks (sdkappid, product, url, events) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (sdkappid, product) DO NOTHING",
                (sdkappid, _callback_product(product), record.url, json.dumps(record.events)),
            )
            return cursor.rowcount == 1

    def replace_callback(self, sdkappid: int, product: str, record: CallbackRecord) -> bool:
        """Overwrite only; False (and no change) when nothing is configured."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE callbacks SET url = ?, events = ? WHERE sdkappid = ? AND product = ?",
                (record.url, json.dumps(record.events), sdkappid, _callback_product(product)),
            )
            return cursor.rowcount == 1

    def delete_callback(self, sdkappid: int, product: str) -> bool:
        """Delete; returns whether something was configured."""
        return self._delete(sdkappid, _callback_product(product))

    # -- the Live webhook token ---------------------------------------------

    def get_token(self, sdkappid: int) -> TokenRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT token, enabled FROM callbacks WHERE sdkappid = ? AND product = ?",
                (sdkappid, TOKEN_PRODUCT),
            ).fetchone()
        return None if row is None else TokenRecord(token=row[0], enabled=bool(row[1]))

    def put_token(self, sdkappid: int, record: TokenRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO callbacks (sdkappid, product, token, enabled) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (sdkappid, product) DO UPDATE SET token = excluded.token, "
                "enabled = excluded.enabled",
                (sdkappid, TOKEN_PRODUCT, record.token, record.enabled),
            )

    def delete_token(self, sdkappid: int) -> bool:
        return self._delete(sdkappid, TOKEN_PRODUCT)

    def _delete(self, sdkappid: int, product: str) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM callbacks WHERE sdkappid = ? AND product = ?", (sdkappid, product)
            )
            return cursor.rowcount == 1


def _app(row: tuple[int, str, str, int]) -> AppRecord:
    return AppRecord(
        sdkappid=row[0],
        secret_key=row[1],
        admins=tuple(json.loads(row[2])),
        group_call=bool(row[3]),
    )
