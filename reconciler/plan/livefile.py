"""Live-state snapshots: ``reconciler snapshot DIR --out live.json``, ``plan DIR --live FILE``.

A trusted job that holds the secret keys reads the live state of every app of
the desired state and writes it here, without any secret: a callback's URL and
events as they are (they are not secret), a Live token only as whether it
equals the token the desired state asks for. A pull-request job with no key at
all then plans against this file. Its plan cannot be applied (nothing in it is
signed): the apply job re-plans against live with the keys and applies only the
changes the reviewed plan also lists (``apply --plan FILE --reviewed PLAN``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reconciler.api.client import AppTarget
from reconciler.configs import CallbackConfig, Config, Resource, TokenConfig, Unreadable
from reconciler.desired.loader import DesiredApp
from reconciler.errors import PlanFileError
from reconciler.escape import escape
from reconciler.facts.regions import REGIONS
from reconciler.fetch import CannotHave, Key, LiveSnapshot
from reconciler.plan.build import build_plan
from reconciler.plan.change import Plan
from reconciler.plan.planjson import checksum
from reconciler.products.catalog import PRODUCT_KEYS, resource_order
from reconciler.resolve import DesiredResource, ResolvedApp
from reconciler.secret import Secret, mask_known

KIND = "trtc-callback-reconciler/live-snapshot"
FORMAT_VERSION = "1.1"
# 1.1 adds ``unavailable``: resources the app cannot have (v1 50001), with the reason;
# and per app ``identifier``, ``secret_key_env`` (the variable's name, never its
# value) and ``protect``: what ``reconciler restore`` needs to sign and to stay safe.
# and ``unreadable``: the resources of the apps that could not be read (left out).
# Stand-ins for token values, which never leave the trusted job: the desired token,
# and "some other token".
_DESIRED_TOKEN = Secret("(the desired token)")
_OTHER_TOKEN = Secret("(another token)")
_NO_KEY = Secret("")  # an offline plan signs nothing and sends nothing
_IDENTIFIER = re.compile(r"[^\x00-\x20\x7f]{1,64}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,254}")


def _ci_source(env: Mapping[str, str]) -> dict[str, str] | None:
    if not env.get("GITHUB_RUN_ID"):
        return None
    server = env.get("GITHUB_SERVER_URL", "https://github.com")
    run = f"{server}/{env.get('GITHUB_REPOSITORY', '')}/actions/runs/{env['GITHUB_RUN_ID']}"
    return {"commit": env.get("GITHUB_SHA", ""), "run_url": run}


def snapshot_document(
    apps: Sequence[ResolvedApp],
    live: LiveSnapshot,
    *,
    now: datetime | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The snapshot file's content. Holds no secret: tokens are only compared."""
    desired: dict[Key, Config | None] = {
        (d.resource.sdkappid, d.resource.product): d.desired for a in apps for d in a.resources
    }
    configs: list[dict[str, Any]] = []
    unreadable = live.unreadable_apps
    for (sdkappid, product), config in sorted(live.configs.items()):
        if sdkappid in unreadable:
            continue  # not fully read: the app is recorded as unreadable, nothing of it
        state: dict[str, Any] | None
        if isinstance(config, TokenConfig):
            wanted = desired.get((sdkappid, product))
            matches = (
                wanted.token == config.token
                if isinstance(wanted, TokenConfig) and wanted.manages_token
                else None  # not desired, or switch-only: the token is not compared
            )
            state = {**config.to_public(), "token_matches_desired": matches}
        else:
            state = None if config is None else config.to_public()
            if state is not None:  # a live URL may quote a secret the run knows
                state["url"] = mask_known(state["url"])
        configs.append({"sdkappid": sdkappid, "product": product, "state": state})
    taken = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    doc: dict[str, Any] = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "taken_at": taken,
        "source": _ci_source(os.environ if env is None else env),
        "apps": [
            {
                "app": a.app.name,
                "sdkappid": a.target.sdkappid,
                "region": a.app.region,
                "identifier": a.app.identifier,
                "secret_key_env": a.app.secret_key_env,
                "protect": a.app.protect,
            }
            for a in sorted(apps, key=lambda a: a.target.sdkappid)
            if a.target.sdkappid not in unreadable
        ],
        "configs": configs,
        "unreadable": [
            {
                "app": f.resource.app,
                "sdkappid": f.resource.sdkappid,
                "product": f.resource.product,
                "error": mask_known(f.error),
            }
            for f in sorted(live.failures, key=lambda f: resource_order(f.resource))
        ],
        "warnings": [mask_known(w) for w in live.warnings],
    }
    if live.unavailable:  # only when there are (v1 50001: no Group Call package)
        doc["unavailable"] = [
            {
                "sdkappid": u.resource.sdkappid,
                "app": u.resource.app,
                "product": u.resource.product,
                "reason": mask_known(u.reason),
                "remedy": u.remedy,
            }
            for u in live.unavailable
        ]
    doc["checksum"] = checksum(doc)
    return doc


def write_snapshot(path: Path, doc: Mapping[str, Any]) -> None:
    try:
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise PlanFileError(f"cannot write the snapshot to {path}: {exc.strerror}") from None


@dataclass(frozen=True)
class SnapshotApp:
    """One app as the snapshot recorded it. A 1.0 snapshot holds no ``identifier``,
    ``secret_key_env`` or ``protect``: they are None there."""

    name: str
    sdkappid: int
    region: str
    identifier: str | None = None
    secret_key_env: str | None = None
    protect: bool | None = None


@dataclass(frozen=True)
class LoadedSnapshot:
    live: LiveSnapshot
    taken_at: datetime
    apps: frozenset[int]
    run_url: str | None
    entries: tuple[SnapshotApp, ...] = ()
    format_version: str = FORMAT_VERSION

    def describe(self, now: datetime | None = None) -> str:
        age = (now or datetime.now(timezone.utc)) - self.taken_at
        minutes = max(0, int(age.total_seconds() // 60))
        span = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"
        where = f", by {self.run_url}" if self.run_url else ""
        return (
            f"a snapshot taken at {self.taken_at.isoformat(timespec='seconds')} "
            f"({span} old{where}), not read just now; the apply re-checks every change "
            "against live and refuses what moved since"
        )


def _fail(path: Path, what: str) -> PlanFileError:
    return PlanFileError(
        f"{path}: {what}; make a new one with `reconciler snapshot DIR --out {path.name}`"
    )


def _state(raw: Any, product: str) -> Config | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise TypeError("state must be an object or null")
    if "url" in raw:
        url, events = raw["url"], raw["events"]
        if not isinstance(url, str) or not isinstance(events, list):
            raise TypeError("url must be a string and events a list")
        if not all(isinstance(e, str) for e in events):
            raise TypeError("events must be strings")
        return CallbackConfig(url, frozenset(events))
    enabled = raw["enabled"]
    if not isinstance(enabled, bool):
        raise TypeError("enabled must be true or false")
    matches = raw.get("token_matches_desired")
    return TokenConfig(_DESIRED_TOKEN if matches is True else _OTHER_TOKEN, enabled)


def _optional_str(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a string or null")
    return value


def _app_entry(raw: Any) -> SnapshotApp:
    """One app of the snapshot, checked: restore signs and sends with these values."""
    if not isinstance(raw, dict):
        raise TypeError("each app must be an object")
    name, region = raw["app"], raw["region"]
    if not isinstance(name, str) or not isinstance(region, str):
        raise TypeError("app and region must be strings")
    if region not in REGIONS:
        raise ValueError(f"unknown region {escape(region[:40])!r}")
    identifier = _optional_str(raw, "identifier")
    if identifier is not None and not _IDENTIFIER.fullmatch(identifier):
        raise ValueError("identifier must be 1 to 64 printable characters")
    key_env = _optional_str(raw, "secret_key_env")
    if key_env is not None and not _ENV_NAME.fullmatch(key_env):
        raise ValueError("secret_key_env must be an environment variable name")
    protect = raw.get("protect")
    if protect is not None and not isinstance(protect, bool):
        raise TypeError("protect must be true or false")
    sdkappid = raw["sdkappid"]
    if isinstance(sdkappid, bool) or not isinstance(sdkappid, int) or sdkappid <= 0:
        raise ValueError("sdkappid must be a positive integer")
    return SnapshotApp(name, sdkappid, region, identifier, key_env, protect)


def read_snapshot(path: Path) -> LoadedSnapshot:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanFileError(f"cannot read the snapshot {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _fail(path, "not a live-state snapshot (not JSON)") from None
    if not isinstance(doc, dict) or doc.get("kind") != KIND:
        raise _fail(path, "not a live-state snapshot (written by `reconciler snapshot`?)")
    if str(doc.get("format_version", "")).split(".")[0] != "1":
        raise _fail(path, "format_version is not supported (this tool reads 1.x)")
    if doc.get("checksum") != checksum(doc):
        raise _fail(path, "the snapshot was edited after it was written (checksum mismatch)")
    try:
        taken = datetime.fromisoformat(str(doc["taken_at"]))
        if taken.tzinfo is None:
            raise ValueError("taken_at has no time zone")
        configs: dict[Key, Config | None] = {}
        for entry in doc["configs"]:
            product = str(entry["product"])
            if product not in PRODUCT_KEYS:
                raise ValueError(f"unknown product {product!r}")
            configs[(int(entry["sdkappid"]), product)] = _state(entry["state"], product)
        entries = tuple(_app_entry(a) for a in doc["apps"])
        apps = frozenset(e.sdkappid for e in entries)
        failures = tuple(
            Unreadable(
                Resource(str(u["app"]), int(u["sdkappid"]), str(u["product"])),
                str(u["error"]),
            )
            for u in doc.get("unreadable", [])
        )
        warnings = tuple(str(w) for w in doc.get("warnings", []))
        unavailable = tuple(
            CannotHave(
                Resource(str(u["app"]), int(u["sdkappid"]), str(u["product"])),
                str(u["reason"]),
                str(u["remedy"]),
            )
            for u in doc.get("unavailable", [])
        )
        source = doc.get("source")
        run_url = str(source["run_url"]) if isinstance(source, dict) else None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise _fail(path, f"malformed snapshot ({type(exc).__name__}: {exc})") from None
    return LoadedSnapshot(
        LiveSnapshot(configs, warnings, failures, unavailable=unavailable),
        taken,
        apps,
        run_url,
        entries,
        str(doc["format_version"]),
    )


def offline_apps(
    apps: Sequence[DesiredApp], products: frozenset[str] | None = None
) -> list[ResolvedApp]:
    """Resolve ``apps`` without any credential, for a plan against a snapshot: no key
    (nothing is signed or sent) and a stand-in for each desired token."""
    resolved = []
    for app in apps:
        resources = []
        for key, spec in sorted(app.products.items()):
            if products is not None and key not in products:
                continue
            desired: Config | None = None
            if spec.ensure == "present":
                token = _DESIRED_TOKEN if spec.token_env else None  # None: switch-only
                desired = spec.config or TokenConfig(token, bool(spec.enabled))
            resources.append(DesiredResource(Resource(app.name, app.sdkappid, key), desired))
        target = AppTarget(app.sdkappid, app.region, app.identifier, _NO_KEY)
        resolved.append(ResolvedApp(app, target, tuple(resources)))
    return resolved


def plan_against_snapshot(
    apps: Sequence[DesiredApp], snapshot_file: Path, products: Sequence[str] = ()
) -> tuple[list[ResolvedApp], Plan]:
    """Plan ``apps`` against a snapshot file: no credential, no network.

    An app the snapshot does not hold (new in this change) is planned as if nothing
    were configured live, with a warning; an app the snapshot records as unreadable is
    unreadable here too (in ``errors``, never planned as new); ``live_source`` says how
    old the snapshot is.
    """
    snapshot = read_snapshot(snapshot_file)
    wanted = frozenset(products) if products else None
    resolved = offline_apps(apps, wanted)
    live = _unreadable_as_declared(snapshot.live, apps, wanted)
    plan = build_plan(resolved, live, wanted)
    unreadable = snapshot.live.unreadable_apps
    notes = tuple(
        f"{a.name} ({a.sdkappid}) is not in the live-state snapshot (a new app?): planned "
        "as if nothing were configured live; the apply reads its real live state"
        for a in apps
        if a.sdkappid not in snapshot.apps and a.sdkappid not in unreadable
    )
    return resolved, replace(
        plan, warnings=(*plan.warnings, *notes), live_source=snapshot.describe()
    )


def _unreadable_as_declared(
    live: LiveSnapshot, apps: Sequence[DesiredApp], products: frozenset[str] | None
) -> LiveSnapshot:
    """``live`` with each app it records as unreadable failing on the products the
    desired state declares for it now (named as it is named now)."""
    if not live.failures:
        return live
    errors: dict[int, str] = {}
    for failure in live.failures:
        errors.setdefault(failure.resource.sdkappid, failure.error)
    failures: list[Unreadable] = []
    for app in apps:
        error = errors.get(app.sdkappid)
        if error is None:
            continue
        declared = [p for p in app.products if products is None or p in products]
        for product in declared or [p for p in PRODUCT_KEYS if products is None or p in products]:
            failures.append(
                Unreadable(
                    Resource(app.name, app.sdkappid, product),
                    f"not read when the snapshot was taken: {error}",
                )
            )
    return replace(live, failures=tuple(failures))
