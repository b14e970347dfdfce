"""``drift`` speaks drift: "deleted live", "changed live (was → now)", "unmanaged", and a
first line that agrees with the exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.conftest import EXAMPLES


def test_each_kind_of_difference_in_drift_words(cli: Any, env: dict[str, str]) -> None:
    result = cli("drift", EXAMPLES)
    assert result.code == 2, result.err
    out = result.out
    assert out.splitlines()[0] == "Drift: the live configuration differs from the desired state."
    # declared, missing live
    assert "  # prod-sg (1400000001) live: deleted live\n  - live {" in out
    assert '      - url    = "https://hooks.example.com/trtc/live"' in out
    # declared, different live: was (declared) → now (live)
    assert "  # prod-sg (1400000001) call: changed live (was → now)" in out
    assert '~ url    = "https://hooks.example.com/trtc/call" → "https://old.example.com/cb"' in out
    assert '          + "Live.CallbackAfterEndBattle",   # added live' in out
    assert '          - "Live.CallbackBeforeSendGift",   # removed live' in out
    # ensure: absent, still there
    assert "  # staging-us (1400000003) conference: present live, declared absent" in out
    # configured live, not declared
    assert "  ? prod-cn (1400000002) call_legacy: unmanaged" in out
    assert out.rstrip().splitlines()[-1] == (
        "Drift: 3 deleted live, 3 changed live, 1 present live but declared absent, "
        "1 unmanaged (drift only with --strict); 2 in sync."
    )
    for plan_word in ("will be created", "will be updated", "will be deleted", "to create"):
        assert plan_word not in out


def test_markdown_uses_the_same_words(cli: Any, env: dict[str, str]) -> None:
    result = cli("drift", EXAMPLES, "--format", "markdown")
    assert result.code == 2, result.err
    assert "| deleted live | changed live | present live, declared absent |" in result.out
    assert "| 3 | 3 | 1 | 1 | 2 |" in result.out
    assert "deleted live: live" in result.out
    assert "will be" not in result.out


def test_strict_message_agrees_with_the_exit_code(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.err
    lenient = cli("drift", desired)
    assert lenient.code == 0
    assert lenient.out.startswith("No drift:")
    strict = cli("drift", desired, "--strict")
    assert strict.code == 2
    assert strict.out.startswith("Drift: 1 unmanaged live config(s)")
    assert "No drift" not in strict.out
    assert "drift under --strict" in strict.out
    # with nothing unmanaged, --strict is quiet again
    declared = desired / "apps" / "prod-cn" / "call_legacy.yaml"
    declared.write_text("ensure: absent\n")
    assert cli("apply", desired, "--auto-approve").code == 0
    clean = cli("drift", desired, "--strict")
    assert clean.code == 0, clean.out
    assert clean.out.startswith("No drift:")
