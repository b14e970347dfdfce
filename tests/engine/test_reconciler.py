"""The engine's Python API, against the embedded emulator (no CLI involved)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.credentials import MappingCredentials
from reconciler.engine import Connection, Events, Reconciler, Selection
from reconciler.engine.core import ImportRequest
from reconciler.errors import CredentialsError, PlanFileError, UsageError
from reconciler.fetch import FetchError
from reconciler.products.catalog import PRODUCT_KEYS
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


APPS = [
    ImportRequest(1400000001, "singapore", "prod-sg"),
    ImportRequest(1400000002, "china", "prod-cn"),
    ImportRequest(1400000003, "usa", "staging-us"),
]


@pytest.mark.parametrize("products", [(), ("call",), ("live", "call_legacy")])
def test_read_app_gives_what_read_apps_gives(products: tuple[str, ...]) -> None:
    """``read_app`` is ``read_apps`` of one app: the same configurations, product by product."""
    with engine() as reconciler:
        many = reconciler.read_apps(APPS, products=products)
        for request, result in zip(APPS, many, strict=True):
            one = reconciler.read_app(
                name=request.name,
                sdkappid=request.sdkappid,
                region=request.region,
                products=products,
            )
            assert not result.error
            assert one == result.configs
            assert list(one) == [p for p in PRODUCT_KEYS if not products or p in products]
    # something configured was read, not only "nothing there"
    assert any(c is not None for r in many for c in (r.configs or {}).values())


def test_read_app_raises_the_error_read_apps_reports() -> None:
    keyless = MappingCredentials({1400000001: KEYS[1400000001]}, TOKENS)
    request = ImportRequest(1400000002, "china", "prod-cn", secret_key_env="KEY_PROD_CN")
    with engine(keyless) as reconciler:
        (result,) = reconciler.read_apps([request])
        with pytest.raises(CredentialsError) as caught:
            reconciler.read_app(
                name="prod-cn", sdkappid=1400000002, region="china", secret_key_env="KEY_PROD_CN"
            )
    assert result.configs is None
    assert result.error == str(caught.value) and "prod-cn (sdkappid 1400000002)" in result.error


def test_read_app_and_read_apps_refuse_an_unknown_product_alike() -> None:
    with engine() as reconciler:
        with pytest.raises(UsageError, match="unknown product"):
            reconciler.read_app(name="x", sdkappid=1400000001, region="singapore", products=["cal"])
        with pytest.raises(UsageError, match="unknown product"):
            reconciler.read_apps(APPS[:1], products=["cal"])


def test_the_backend_needs_a_with_block() -> None:
    with pytest.raises(RuntimeError, match="with"):
        engine().plan(EXAMPLES)


def test_seed_keys_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRTC_SECRET_KEY", "TRTC_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_SG", "rotated-demo-token")
    with Reconciler(Connection(emulator_seed=SEED)) as reconciler:
        assert reconciler.plan(EXAMPLES).plan.has_changes
