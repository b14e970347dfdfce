"""``reconciler import --factor`` through the real CLI against the emulator.

The fleet of ``examples/import-factor`` (26 apps over 4 regions, set up by hand:
shared URLs per region, URLs ending with the app's name, repeated event lists, a
few odd apps) is imported flat and factored: the factored layout has at most half
the lines, loads to the same apps, and a plan right after shows no changes. The
examples' own fleets are factored the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.desired import load_desired
from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.emulator.seed import load_seed
from tests.integration.conftest import EXAMPLES, ROOT, SEED, read_log
from tests.integration.fixtures.ops.fleet import clean_env
from tests.integration.test_fleet import FLEET, KEY
from tests.integration.test_fleet import _seed as fleet_seed

EXAMPLE = ROOT / "examples" / "import-factor"
FACTOR_SEED = EXAMPLE / "seed.yaml"
APPS = EXAMPLE / "apps.txt"
LIVE_TOKEN = "demo-live-token-not-secret"


def yaml_lines(folder: Path) -> int:
    return sum(len(p.read_text().splitlines()) for p in folder.rglob("*.yaml"))


def desired(folder: Path) -> dict[int, Any]:
    """What plan compares of each app, without where it was written."""
    return {
        a.sdkappid: (
            a.name, a.region, a.identifier, a.secret_key_env, a.protect, a.lenient,
            {k: (p.ensure, p.config, p.token_env, p.enabled) for k, p in a.products.items()},
        )
        for a in load_desired(folder).apps
    }  # fmt: skip


def no_secret(seed: Path, *texts: str) -> None:
    secrets = [*load_seed(seed).secret_keys().values(), LIVE_TOKEN]
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"secret {secret[:8]}… leaked"


@pytest.fixture
def factor_emulator(
    request_log: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningEmulator]:
    with start_emulator(FACTOR_SEED, request_log=request_log) as running:
        keys = load_seed(FACTOR_SEED).secret_keys()
        clean_env(
            monkeypatch,
            TRTC_ENDPOINT=running.base_url,
            # two apps hold their live token: it is managed through the variable
            LIVE_WEBHOOK_TOKEN_STREAM_SG_1=LIVE_TOKEN,
            LIVE_WEBHOOK_TOKEN_STREAM_SG_2=LIVE_TOKEN,
            **{f"TRTC_SECRET_KEY_{n}": key for n, key in keys.items()},
        )
        yield running


def test_factored_fleet_has_half_the_lines_the_same_apps_and_plans_no_changes(
    cli: Any, factor_emulator: RunningEmulator, tmp_path: Path
) -> None:
    flat, dry = tmp_path / "flat", tmp_path / "dry"
    imported = cli("import", "--apps-file", APPS, "--out", flat)
    assert imported.code == 0, imported.err
    factored = cli("import", "--factor", "--apps-file", APPS, "--out", dry)
    assert factored.code == 0, factored.err
    before, after = yaml_lines(flat), yaml_lines(dry)
    assert after * 2 <= before, (before, after)
    assert f"factored 26 app(s) into a DRY layout: 31 file(s), {after} YAML lines" in factored.err
    assert f"(the flat import: {before})" in factored.err
    assert (dry / "usa" / "defaults.yaml").is_file() and (dry / "defaults.yaml").is_file()
    assert desired(dry) == desired(flat)
    assert (
        "token_env: LIVE_WEBHOOK_TOKEN_STREAM_SG_1"
        in (dry / "singapore" / "stream-sg-1.yaml").read_text()
    )
    plan = cli("plan", dry, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    assert "Plan: 0 to create, 0 to update, 0 to delete," in plan.out
    texts = [p.read_text() for p in dry.rglob("*.yaml")]
    no_secret(FACTOR_SEED, factored.out, factored.err, plan.out, plan.err, *texts)


def test_one_app_failing_leaves_the_others_factored(
    cli: Any, factor_emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRTC_SECRET_KEY_1400300022")  # support-sg
    result = cli("import", "--factor", "--apps-file", APPS, "--out", tmp_path / "dry")
    assert result.code == 1
    assert "support-sg (1400300022" in result.err and "not imported" in result.err
    assert not (tmp_path / "dry" / "singapore" / "support-sg.yaml").exists()
    assert len(desired(tmp_path / "dry")) == 25
    plan = cli("plan", tmp_path / "dry", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err


def test_refusals_come_before_any_request(
    cli: Any, factor_emulator: RunningEmulator, tmp_path: Path, request_log: Path
) -> None:
    base = ("import", "--factor", "--apps-file", APPS)
    to_stdout = cli(*base, "--out", "-")
    assert to_stdout.code == 1 and "give --out DIR, without --template" in to_stdout.err
    templated = cli(*base, "--out", tmp_path / "a", "--template", "x")
    assert templated.code == 1 and "without --template" in templated.err
    busy = tmp_path / "busy"
    (busy / "legacy").mkdir(parents=True)
    (busy / "legacy" / "old-app.yaml").write_text("sdkappid: 1400000001\nregion: china\n")
    refused = cli(*base, "--out", busy)
    assert refused.code == 1
    assert "--factor writes defaults.yaml files that would apply to" in refused.err
    assert "old-app.yaml" in refused.err
    assert read_log(request_log) == []
    # an earlier --factor import is overwritten only with --force
    first = cli(*base, "--out", tmp_path / "dry")
    assert first.code == 0, first.err
    again = cli(*base, "--out", tmp_path / "dry")
    assert again.code == 1 and "exists; pass --force to overwrite" in again.err
    forced = cli(*base, "--out", tmp_path / "dry", "--force")
    assert forced.code == 0, forced.err


def _apps_file(folder: Path, target: Path) -> Path:
    lines = [
        f"{a.sdkappid} {a.region} {a.name}"
        + (f" secret_key_env={a.secret_key_env}" if a.secret_key_env else "")
        for a in load_desired(folder).apps
    ]
    target.write_text("\n".join(lines) + "\n")
    return target


def test_examples_fleet_factored(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request_log: Path
) -> None:
    with start_emulator(fleet_seed(FLEET, tmp_path / "seed.yaml"), request_log=request_log) as em:
        clean_env(monkeypatch, TRTC_ENDPOINT=em.base_url, TRTC_SECRET_KEY=KEY)
        listing = _apps_file(FLEET, tmp_path / "apps.txt")
        flat = cli("import", "--apps-file", listing, "--out", tmp_path / "flat")
        assert flat.code == 0, flat.err
        dry = cli("import", "--factor", "--apps-file", listing, "--out", tmp_path / "dry")
        assert dry.code == 0, dry.err
        before, after = yaml_lines(tmp_path / "flat"), yaml_lines(tmp_path / "dry")
        assert after * 2 <= before, (before, after)
        assert desired(tmp_path / "dry") == desired(tmp_path / "flat")
        plan = cli("plan", tmp_path / "dry", "--detailed-exitcode")
        assert plan.code == 0, plan.out + plan.err


def test_examples_desired_state_factored(
    cli: Any, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIVE_WEBHOOK_TOKEN_PROD_SG")  # the env's token is not the live one
    listing = _apps_file(EXAMPLES, tmp_path / "apps.txt")
    dry = cli("import", "--factor", "--apps-file", listing, "--out", tmp_path / "dry")
    assert dry.code == 0, dry.err
    flat = cli("import", "--apps-file", listing, "--out", tmp_path / "flat")
    assert flat.code == 0, flat.err
    assert desired(tmp_path / "dry") == desired(tmp_path / "flat")
    assert yaml_lines(tmp_path / "dry") <= yaml_lines(tmp_path / "flat")
    plan = cli("plan", tmp_path / "dry", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    no_secret(SEED, dry.out, dry.err, *(p.read_text() for p in (tmp_path / "dry").rglob("*.yaml")))


def test_repeated_sdkappid_factored(
    cli: Any, factor_emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the Singapore apps under their default names app-SDKAPPID; both streams hold
    # their token in LIVE_WEBHOOK_TOKEN_APP_<SDKAPPID>
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_APP_1400300006", LIVE_TOKEN)
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_APP_1400300007", LIVE_TOKEN)
    ids = [str(n) for n in range(1400300001, 1400300008)]
    flags = [a for n in ids for a in ("--sdkappid", n)]
    dry, flat = tmp_path / "dry", tmp_path / "flat"
    result = cli("import", "--factor", *flags, "--region", "singapore", "--out", dry)
    assert result.code == 0, result.err
    assert cli("import", *flags, "--region", "singapore", "--out", flat).code == 0
    assert sorted(p.name for p in (dry / "singapore").iterdir()) == [
        *(f"app-{n}.yaml" for n in ids),
        "defaults.yaml",
    ]
    everything = "".join(p.read_text() for p in dry.rglob("*.yaml"))
    stream = (dry / "singapore" / "app-1400300006.yaml").read_text()
    assert "token_env: LIVE_WEBHOOK_TOKEN_APP_1400300006" in stream
    assert desired(dry) == desired(flat)
    assert yaml_lines(dry) * 2 <= yaml_lines(flat)
    plan = cli("plan", dry, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    no_secret(FACTOR_SEED, result.out, result.err, plan.out, plan.err, everything)


def test_forced_import_over_an_earlier_one_leaves_no_stale_defaults(
    cli: Any, factor_emulator: RunningEmulator, tmp_path: Path
) -> None:
    flags = [a for n in range(1400300001, 1400300008) for a in ("--sdkappid", str(n))]
    base = ("import", *flags, "--region", "singapore")
    dry = tmp_path / "dry"
    first = cli(*base, "--factor", "--out", dry)
    assert first.code == 0, first.err
    assert "call:" in (dry / "defaults.yaml").read_text()  # every app has the same call
    # only conference now, configured nowhere: no app gets anything from a defaults file
    again = cli(*base, "--product", "conference", "--factor", "--force", "--out", dry)
    assert again.code == 0, again.err
    flat = cli(*base, "--product", "conference", "--out", tmp_path / "flat")
    assert flat.code == 0, flat.err
    assert not (dry / "defaults.yaml").exists()
    assert desired(dry) == desired(tmp_path / "flat")


def test_the_docs_figures_are_what_the_command_prints(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_env(monkeypatch)  # the embedded emulator's seed gives the keys
    monkeypatch.chdir(ROOT)
    result = cli(
        "import", "--factor", "--apps-file", "examples/import-factor/apps.txt",
        "--emulator", "examples/import-factor/seed.yaml", "--out", tmp_path / "fleet",
    )  # fmt: skip
    assert result.code == 0, result.err
    printed = next(line for line in result.err.splitlines() if line.startswith("factored "))
    assert f"# {printed}" in (ROOT / "docs" / "import.md").read_text()
