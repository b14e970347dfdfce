"""Every known secret (of any app of the run) is scrubbed from every text: a live URL
holding one is shown masked, in every format, and in errors of reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import DEMO_TOKEN, assert_no_secrets

OTHER_APPS_KEY = "demo-key-not-secret-3"  # staging-us's secret key
LIVE_URL = "https://hooks.example.com/trtc/live"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_a_live_url_holding_a_known_secret_is_masked(
    cli: Any, env: dict[str, str], desired: Path, fmt: str
) -> None:
    app = desired / "apps" / "prod-sg.yaml"
    original = app.read_text()
    leaky = f"{LIVE_URL}?key={OTHER_APPS_KEY}&t={DEMO_TOKEN}"
    app.write_text(original.replace(f"url: {LIVE_URL}", f"url: {leaky}"))
    applied = cli("apply", desired, "--auto-approve", "--app", "prod-sg", "--product", "live")
    assert applied.code == 0, applied.err
    assert_no_secrets(applied.out, applied.err)

    app.write_text(original)  # the live URL now holds both secrets: plan shows it as before
    result = cli("plan", desired, "--app", "prod-sg", "--product", "live", "--format", fmt)
    assert result.code == 0, result.err
    assert "?key=(sensitive)&t=(sensitive)" in result.out
    assert_no_secrets(result.out, result.err)


def test_verbose_logs_hold_no_secret(cli: Any, env: dict[str, str], desired: Path) -> None:
    result = cli("-vv", "plan", desired)
    assert result.code == 0, result.err
    assert_no_secrets(result.out, result.err)


def test_a_saved_plan_masks_a_secret_in_a_live_url(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    app = desired / "apps" / "prod-sg.yaml"
    original = app.read_text()
    app.write_text(original.replace(f"url: {LIVE_URL}", f"url: {LIVE_URL}?t={DEMO_TOKEN}"))
    assert cli("apply", desired, "--auto-approve", "--product", "live").code == 0
    app.write_text(original)
    saved = tmp_path / "plan.json"
    planned = cli("plan", desired, "--product", "live", "--out", saved)
    assert planned.code == 0, planned.err
    assert "?t=(sensitive)" in saved.read_text()
    assert_no_secrets(saved.read_text())
    applied = cli(
        "apply", "--plan", saved, "--auto-approve"
    )  # the masked `before` does not stop apply
    assert applied.code == 0, applied.err
    assert_no_secrets(applied.out, applied.err)
