"""``reconciler restore SNAPSHOT``: a snapshot file as the desired state.

Every config the snapshot read becomes a managed product: a callback present with
its URL and events, one absent (``state: null``) as ``ensure: absent``, and a Live
token as its on/off switch only (switch-only: the snapshot holds no token, so the
token value is never written). The apps come out as :class:`DesiredApp` values, so
the restore is planned, checked and applied by the very path ``apply DIR`` takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.configs import CallbackConfig, Config, TokenConfig
from reconciler.desired.loader import DesiredApp
from reconciler.desired.result import DesiredProduct
from reconciler.errors import Location
from reconciler.escape import escape
from reconciler.plan.livefile import LoadedSnapshot, SnapshotApp
from reconciler.products.catalog import PRODUCT_KEYS
from reconciler.secret import REDACTED

DEFAULT_IDENTIFIER = "administrator"
_SWITCH_NOTE = (
    "{product} of {app} ({sdkappid}): a snapshot holds no token, so restore sets only "
    "its on/off switch (enabled: {enabled}) and never a token value; the token stays as "
    "set in Tencent"
)


@dataclass(frozen=True)
class RestoreNote:
    """What restore cannot do, for one resource (or, without sdkappid, the snapshot)."""

    text: str
    sdkappid: int | None = None
    product: str | None = None

    def concerns(self, sdkappids: set[int], products: set[str]) -> bool:
        """Whether the note is about the selected apps and products (empty: all)."""
        return (self.sdkappid is None or self.sdkappid in sdkappids) and (
            not products or self.product is None or self.product in products
        )


@dataclass(frozen=True)
class RestoreSource:
    """The apps to restore, and notes for the user (what restore cannot do)."""

    apps: list[DesiredApp]
    notes: tuple[RestoreNote, ...]


def _product(key: str, state: Config | None, where: Location) -> DesiredProduct:
    if state is None:
        return DesiredProduct(key, "absent", None, None, None, where)
    if isinstance(state, TokenConfig):  # switch-only: never a token value
        return DesiredProduct(key, "present", None, None, state.enabled, where)
    assert isinstance(state, CallbackConfig)
    return DesiredProduct(key, "present", state, None, None, where)


def _app(
    entry: SnapshotApp, snapshot: LoadedSnapshot, where: Location, notes: list[RestoreNote]
) -> DesiredApp:
    name = f"{escape(entry.name)} ({entry.sdkappid})"
    products: dict[str, DesiredProduct] = {}
    for key in PRODUCT_KEYS:
        if (entry.sdkappid, key) not in snapshot.live.configs:
            text = f"{name} {key}: the snapshot did not read it, so restore leaves it as it is"
            notes.append(RestoreNote(text, entry.sdkappid, key))
            continue
        state = snapshot.live.configs[(entry.sdkappid, key)]
        if isinstance(state, CallbackConfig) and REDACTED in state.url:
            text = (
                f"{name} {key}: the snapshot masked a secret in its URL, so restore cannot "
                "write it back and leaves it as it is"
            )
            notes.append(RestoreNote(text, entry.sdkappid, key))
            continue
        if isinstance(state, TokenConfig):
            text = _SWITCH_NOTE.format(
                product=key,
                app=escape(entry.name),
                sdkappid=entry.sdkappid,
                enabled=str(state.enabled).lower(),
            )
            notes.append(RestoreNote(text, entry.sdkappid, key))
        products[key] = _product(key, state, where)
    return DesiredApp(
        name=entry.name,
        sdkappid=entry.sdkappid,
        region=entry.region,
        identifier=entry.identifier or DEFAULT_IDENTIFIER,
        secret_key_env=entry.secret_key_env,
        protect=bool(entry.protect),
        lenient=True,  # these words were live: this tool's vocabulary does not judge them
        location=where,
        products={k: products[k] for k in PRODUCT_KEYS if k in products},
    )


def restore_source(snapshot: LoadedSnapshot, path: Path) -> RestoreSource:
    """The snapshot's apps as desired apps, sorted by sdkappid, with the notes."""
    notes: list[RestoreNote] = []
    if snapshot.format_version.startswith("1.0") and snapshot.entries:
        text = (
            f"{escape(str(path))} is a format 1.0 snapshot: it records no identifier, "
            "secret-key variable or `protect`, so restore signs as "
            f"{DEFAULT_IDENTIFIER!r} with the key from TRTC_SECRET_KEY_<SDKAPPID> or "
            "TRTC_SECRET_KEY, and no app is protected; take a new snapshot to record them"
        )
        notes.append(RestoreNote(text))
    where = Location(str(path))
    apps = [
        _app(entry, snapshot, where, notes)
        for entry in sorted(snapshot.entries, key=lambda e: e.sdkappid)
    ]
    return RestoreSource(apps, tuple(notes))
