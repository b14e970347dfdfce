"""Property: for any desired state and any live state, ``apply --auto-approve`` then
``plan`` shows no changes; what apply did matches an independent diff; products and
apps that are not declared are never touched. Also under injected faults: a partial
apply followed by a fault-free re-run converges (docs/formats.md).

Each example writes its own seed and desired-state YAML, and starts its own emulator.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import reconciler.api.client as client_module
from reconciler.api.limits import RateLimits
from reconciler.api.retry import RetryPolicy
from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.products.catalog import PRODUCT_KEYS, PRODUCTS, Family, Kind
from tests.integration.conftest import read_log

SDKAPPIDS = (1400000101, 1400000102, 1400000103)
KEYS = {i: f"prop-secret-key-{i}" for i in SDKAPPIDS}
TOKENS = ("token-alpha", "token-beta")
URLS = (
    "https://a.example.com/cb",
    "https://b.example.com/trtc/hook",
    "https://c.example.com:8443/x/y",
    "http://plain.example.com/cb",  # allowed, with a warning
)
ABSENT = "absent"

Config = dict[str, Any]


def config(key: str) -> st.SearchStrategy[Config]:
    if PRODUCTS[key].kind is Kind.TOKEN:
        return st.fixed_dictionaries({"token": st.sampled_from(TOKENS), "enabled": st.booleans()})
    return st.fixed_dictionaries(
        {
            "url": st.sampled_from(URLS),
            "events": st.lists(
                st.sampled_from(sorted(PRODUCTS[key].events)), min_size=1, max_size=4, unique=True
            ),
        }
    )


@dataclass(frozen=True)
class App:
    sdkappid: int
    live: dict[str, Config | None]  # product -> live config (None: not configured)
    desired: dict[str, Config | str | None] | None  # None: app not declared; value None: unlisted
    folder: bool  # folder layout (app.yaml + one file per product) instead of one file

    @property
    def name(self) -> str:
        return f"app-{self.sdkappid}"


@st.composite
def worlds(draw: st.DrawFn) -> list[App]:
    declared = draw(st.sets(st.sampled_from(SDKAPPIDS), min_size=1))
    apps = []
    for sdkappid in SDKAPPIDS:
        live = {k: draw(st.none() | config(k)) for k in PRODUCT_KEYS}
        desired = None
        if sdkappid in declared:
            desired = {k: draw(st.sampled_from([None, ABSENT]) | config(k)) for k in PRODUCT_KEYS}
        apps.append(App(sdkappid, live, desired, draw(st.booleans())))
    return apps


# A variant spelling is the same event as its canonical word (docs/tencent-api.md section 9 item 4).
CANONICAL = {v: c for spec in PRODUCTS.values() for v, c in spec.vocabulary.aliases.items()}


def same(have: Config, want: Config) -> bool:
    if "token" in want:
        return have == want

    def words(config: Config) -> set[str]:
        return {CANONICAL.get(word, word) for word in config["events"]}

    return have["url"] == want["url"] and words(have) == words(want)


def expected_plan(world: list[App]) -> tuple[set[tuple[int, str, str]], int, set[tuple[int, str]]]:
    """(changes as (sdkappid, product, action), unchanged count, unmanaged) by hand."""
    changes: set[tuple[int, str, str]] = set()
    unchanged = 0
    unmanaged: set[tuple[int, str]] = set()
    for app in world:
        if app.desired is None:
            continue
        for key, want in app.desired.items():
            have = app.live[key]
            if want is None:
                if have is not None:
                    unmanaged.add((app.sdkappid, key))
            elif want == ABSENT:
                if have is None:
                    unchanged += 1
                else:
                    changes.add((app.sdkappid, key, "delete"))
            elif have is None:
                changes.add((app.sdkappid, key, "create"))
            elif same(have, want):  # type: ignore[arg-type]
                unchanged += 1
            else:
                changes.add((app.sdkappid, key, "update"))
    return changes, unchanged, unmanaged


def yaml_product(sdkappid: int, value: Config | str) -> dict[str, Any]:
    if value == ABSENT:
        return {"ensure": "absent"}
    assert isinstance(value, dict)
    if "token" in value:
        return {"token_env": f"PROP_LIVE_TOKEN_{sdkappid}", "enabled": value["enabled"]}
    return {"url": value["url"], "events": value["events"]}


def write_world(world: list[App], root: Path) -> tuple[Path, Path, dict[str, str]]:
    """Seed file, desired-state directory and the environment they need."""
    seed_apps = []
    for app in world:
        callbacks: dict[str, Any] = {k: v for k, v in app.live.items() if v is not None}
        seed_apps.append(
            {"sdkappid": app.sdkappid, "secret_key": KEYS[app.sdkappid], "callbacks": callbacks}
        )
    seed = root / "seed.yaml"
    seed.write_text(yaml.safe_dump({"apps": seed_apps}))

    desired = root / "desired"
    (desired / "apps").mkdir(parents=True)
    env = {"TRTC_SECRET_KEY": "not-the-key"}  # per-app variables must win over this
    for app in world:
        env[f"TRTC_SECRET_KEY_{app.sdkappid}"] = KEYS[app.sdkappid]
        if app.desired is None:
            continue
        listed = {k: v for k, v in app.desired.items() if v is not None}
        for value in listed.values():
            if isinstance(value, dict) and "token" in value:
                env[f"PROP_LIVE_TOKEN_{app.sdkappid}"] = value["token"]
        head = {"sdkappid": app.sdkappid, "region": "singapore"}
        if app.folder:
            folder = desired / "apps" / app.name
            folder.mkdir()
            (folder / "app.yaml").write_text(yaml.safe_dump(head))
            for key, value in listed.items():
                (folder / f"{key}.yaml").write_text(
                    yaml.safe_dump(yaml_product(app.sdkappid, value))
                )
        else:
            body = {
                **head,
                "callbacks": {k: yaml_product(app.sdkappid, v) for k, v in listed.items()},
            }
            (desired / "apps" / f"{app.name}.yaml").write_text(yaml.safe_dump(body))
    return seed, desired, env


@contextmanager
def environment(values: dict[str, str], endpoint: str) -> Iterator[None]:
    import os

    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("TRTC_", "LIVE_WEBHOOK_TOKEN", "PROP_", "GITHUB_")):
                mp.delenv(name)
        for name, value in values.items():
            mp.setenv(name, value)
        mp.setenv("TRTC_ENDPOINT", endpoint)
        yield


def live_of(emulator: RunningEmulator, sdkappid: int, key: str) -> Config | None:
    if key == "live_token":
        token = emulator.store.get_token(sdkappid)
        return None if token is None else {"token": token.token, "enabled": token.enabled}
    record = emulator.store.get_callback(sdkappid, key)
    return None if record is None else {"url": record.url, "events": list(record.events)}


def assert_converged(cli: Any, desired: Path, world: list[App], emulator: RunningEmulator) -> None:
    """Plan shows nothing to do; live equals desired; undeclared things kept their seed."""
    _, unchanged, unmanaged = expected_plan(world)
    changes, _, _ = expected_plan(world)
    again = cli("plan", desired, "--detailed-exitcode", "--format", "json")
    assert again.code == 0, again.out + again.err
    doc = again.json()
    assert doc["changes"] == []
    assert doc["summary"] == {
        "create": 0,
        "update": 0,
        "delete": 0,
        "unchanged": unchanged + len(changes),
    }
    assert {(u["sdkappid"], u["product"]) for u in doc["unmanaged"]} == unmanaged
    for app in world:
        for key in PRODUCT_KEYS:
            want = None if app.desired is None else app.desired[key]
            now = live_of(emulator, app.sdkappid, key)
            if want is None:  # not declared: untouched
                assert now == app.live[key], (app.sdkappid, key)
            elif want == ABSENT:
                assert now is None, (app.sdkappid, key)
            else:
                assert now is not None and same(now, want), (app.sdkappid, key)  # type: ignore[arg-type]


def written(log: list[dict[str, Any]]) -> set[tuple[int, str]]:
    out = set()
    for r in log:
        if not r["write"]:
            continue
        path = r["path"]
        if path.startswith("/v1/"):
            key = "call_legacy"
        elif path.startswith("/v4/call_config/"):
            key = "call"
        elif path.startswith("/v4/room_config/"):
            key = "conference"
        else:
            key = "live_token" if path.endswith("_token") else "live"
        out.add((r["sdkappid"], key))
    return out


@contextmanager
def unpaced_client(**retry: Any) -> Iterator[None]:
    """The client paces v1 requests at 8/s per app, which would make every example wait
    ~0.5 s; rate limits are not what these properties are about (tests/api covers them).
    The emulator still enforces Tencent's limits. ``retry`` replaces the retry policy."""
    with pytest.MonkeyPatch.context() as mp:
        fast = {Family.V1: 1000.0, Family.V4: 1000.0}
        mp.setattr(client_module, "RateLimits", lambda *a, **k: RateLimits(fast))
        if retry:
            mp.setattr(client_module, "RetryPolicy", lambda: RetryPolicy(**retry))
        yield


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(world=worlds())
def test_apply_then_plan_shows_no_changes(cli: Any, tmp_path: Path, world: list[App]) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    seed, desired, env = write_world(world, root)
    changes, unchanged, unmanaged = expected_plan(world)
    log_path = root / "requests.jsonl"
    with (
        unpaced_client(),
        start_emulator(seed, request_log=log_path) as emulator,
        environment(env, emulator.base_url),
    ):
        # --force: random worlds easily cross the update/delete thresholds
        applied = cli("apply", desired, "--auto-approve", "--force")
        assert applied.code == 0, applied.out + applied.err
        summary = re.search(
            r"^Plan: (\d+) to create, (\d+) to update, (\d+) to delete, (\d+) unchanged\.$",
            applied.err,
            re.M,
        )
        assert summary, applied.err
        counts = [int(x) for x in summary.groups()]
        actions = [a for _, _, a in changes]
        assert counts == [
            actions.count("create"),
            actions.count("update"),
            actions.count("delete"),
            unchanged,
        ]
        shown_unmanaged = set(re.findall(r"^  \? app-(\d+) \(\d+\) (\S+)$", applied.err, re.M))
        assert {(int(i), k) for i, k in shown_unmanaged} == unmanaged
        if changes:
            results = set(
                re.findall(r"^applied: app-\d+ \((\d+)\) (\S+) (\w+)$", applied.out, re.M)
            )
            assert {(int(i), k, a) for i, k, a in results} == changes
            assert f"Apply: {len(changes)} applied, 0 failed, 0 stale, 0 unverified." in applied.out
        else:
            assert "No changes. Nothing to do." in applied.out
        # only the planned resources were written
        assert written(read_log(log_path)) == {(i, k) for i, k, _ in changes}
        assert_converged(cli, desired, world, emulator)


@settings(SETTINGS, max_examples=10)
@given(world=worlds(), fault_seed=st.integers(0, 2**16))
def test_apply_under_faults_converges_on_rerun(
    cli: Any, tmp_path: Path, world: list[App], fault_seed: int
) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    seed, desired, env = write_world(world, root)
    db = str(root / "emulator.db")
    # Two attempts without backoff waits: faults still get through (and no sleeping).
    # The faulty emulator has no rate limit, so every failure is an injected fault.
    with (
        unpaced_client(attempts=2, initial_wait=0.0, max_wait=0.0, jitter=0.0),
        start_emulator(
            seed,
            db=db,
            fault_rate=0.3,
            fault_seed=fault_seed,
            fault_kinds=["100001", "502"],
            rate_limit=False,
        ) as faulty,
        environment(env, faulty.base_url),
    ):
        first = cli("apply", desired, "--auto-approve", "--force")
    assert first.code in (0, 1), first.err
    assert "Traceback" not in first.err
    event(
        "faulty apply: "
        + ("all applied" if first.code == 0 else "partial" if "Apply:" in first.out else "no plan")
    )
    if first.code == 1:
        assert "error: " in first.err or " failed, " in first.out
    if "Apply:" in first.out:
        # faults change no state, and nobody else does: never stale, never overwritten
        assert ", 0 stale, " in first.out and "overwritten" not in first.out
        for line in first.out.splitlines():
            if line.startswith(("failed: ", "unknown: ")):
                assert "ErrorCode 100001" in line or "HTTP 502" in line, line
            if line.startswith("unverified: "):  # written; only the read-back failed
                assert "reading it back failed" in line, line

    # The same database, without faults: a plain re-run converges.
    with (
        unpaced_client(),
        start_emulator(seed, db=db) as healthy,
        environment(env, healthy.base_url),
    ):
        second = cli("apply", desired, "--auto-approve", "--force")
        assert second.code == 0, second.out + second.err
        assert_converged(cli, desired, world, healthy)
