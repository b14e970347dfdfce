"""The engine's Python API, against the embedded emulator (no CLI involved)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.credentials import MappingCredentials
from reconciler.engine import Connection, Events, Reconciler, Selection
from reconciler.errors import PlanFileError, UsageError
from reconciler.fetch import FetchError
from tests.integration.conftest import EXAMPLES, SEED

KEYS = {
    1400000001: "demo-key-not-secret-1",
    1400000002: "demo-key-not-secret-2",
    1400000003: "demo-key-not-secret-3",
}
TOKENS = {"LIVE_WEBHOOK_TOKEN_PROD_SG": "rotated-demo-token"}


class Recorder(Events):
    def __init__(self) -> None:
        self.infos: list[str] = []
        self.reads: list[int] = []

    def info(self, message: str) -> None:
        self.infos.append(message)

    def reading(self, total: int, apps: int) -> Callable[[], None]:
        self.reads.append(total)
        return lambda: None


def engine(
    credentials: MappingCredentials | None = None, events: Events | None = None
) -> Reconciler:
    creds = credentials or MappingCredentials(KEYS, TOKENS)
    return Reconciler(Connection(emulator_seed=SEED), credentials=creds, events=events)


def test_plan_apply_converge() -> None:
    events = Recorder()
    seen: list[ChangeResult] = []
    with engine(events=events) as reconciler:
        result = reconciler.plan(EXAMPLES)
        assert result.plan.summary() == {"create": 3, "update": 3, "delete": 1, "unchanged": 2}
        assert not result.plan.errors
        applied = reconciler.apply(result.saved(), on_result=seen.append)
        assert applied.ok and len(applied.results) == 7 == len(seen)
        assert {r.outcome for r in applied.results} == {Outcome.APPLIED}
        again = reconciler.plan(EXAMPLES)
        assert not again.plan.has_changes
        # the plan made before the apply is now stale, change by change (same path as a file)
        stale = reconciler.apply(result.saved())
        assert {r.outcome for r in stale.results} == {Outcome.STALE}
    assert any("embedded emulator" in m for m in events.infos)
    assert events.reads and events.reads[0] > 0


def test_selection_and_drift() -> None:
    with engine() as reconciler:
        one = reconciler.plan(EXAMPLES, Selection(apps=("prod-sg",), products=("call",)))
        assert [c.resource.product for c in one.plan.changes] == ["call"]
        report = reconciler.drift(EXAMPLES, ignores=["*/*"])
        assert not report.plan.has_changes and report.ignored == 8
        with pytest.raises(UsageError, match="--app nope: no such app"):
            reconciler.plan(EXAMPLES, Selection(apps=("nope",)))


def test_one_wrong_key_fails_only_its_app() -> None:
    wrong = MappingCredentials({**KEYS, 1400000002: "wrong"}, TOKENS)
    with engine(wrong) as reconciler:
        result = reconciler.plan(EXAMPLES)
        assert {c.resource.app for c in result.plan.changes} == {"prod-sg", "staging-us"}
        assert result.plan.unreadable_apps == [("prod-cn", 1400000002)]
        applied = reconciler.apply(result.saved())
        assert applied.ok
        assert {r.change.resource.sdkappid for r in applied.results} == {1400000001, 1400000003}


def test_no_readable_app_is_an_error() -> None:
    wrong = MappingCredentials(dict.fromkeys(KEYS, "wrong"), TOKENS)
    with engine(wrong) as reconciler, pytest.raises(FetchError, match="could not read the live"):
        reconciler.plan(EXAMPLES)


def test_a_saved_plan_is_checked_with_the_keys_at_hand() -> None:
    with engine() as reconciler:
        saved = reconciler.plan(EXAMPLES).saved()
    other = MappingCredentials({**KEYS, 1400000001: "another-key"}, TOKENS)
    with engine(other) as reconciler, pytest.raises(PlanFileError, match="signature"):
        reconciler.prepare(saved)


def test_read_app_for_import() -> None:
    with engine() as reconciler:
        configs = reconciler.read_app(name="prod-sg", sdkappid=1400000001, region="singapore")
    assert configs["call"] is not None and configs["live"] is None


def test_the_backend_needs_a_with_block() -> None:
    with pytest.raises(RuntimeError, match="with"):
        engine().plan(EXAMPLES)


def test_seed_keys_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRTC_SECRET_KEY", "TRTC_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_SG", "rotated-demo-token")
    with Reconciler(Connection(emulator_seed=SEED)) as reconciler:
        assert reconciler.plan(EXAMPLES).plan.has_changes
