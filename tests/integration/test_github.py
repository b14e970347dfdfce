"""GitHub-native output: ``::error``/``::warning`` annotations and ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import EXAMPLES, assert_no_secrets

TYPO = "Call.CallbackAfterStrtCall"


def locate(path: Path, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in ``path``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


def annotations(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("::")]


@pytest.fixture
def broken(tmp_path: Path, desired: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example copy with two located errors, run from tmp_path (relative paths)."""
    monkeypatch.chdir(tmp_path)
    sg = desired / "apps" / "prod-sg.yaml"
    sg.write_text(sg.read_text().replace("- Call.CallbackAfterStartCall", f"- {TYPO}"))
    live = desired / "apps" / "prod-cn" / "live.yaml"
    live.write_text(live.read_text().replace("https://hooks.example.cn/trtc/live", "ftp://x.cn/l"))
    return Path("desired")


def expected_annotations(root: Path) -> list[str]:
    sg_line, sg_col = locate(root / "apps" / "prod-sg.yaml", TYPO)
    cn_line, cn_col = locate(root / "apps" / "prod-cn" / "live.yaml", "ftp://")
    return [
        f"::error file=desired/apps/prod-cn/live.yaml,line={cn_line},col={cn_col}::"
        "`url` must start with https:// (or http://), found 'ftp://x.cn/l': "
        "Tencent sends callbacks only over HTTP(S)",
        f"::error file=desired/apps/prod-sg.yaml,line={sg_line},col={sg_col}::"
        f"unknown event '{TYPO}' for product call (did you mean 'Call.CallbackAfterStartCall'?)",
    ]


def test_validation_errors_are_annotated_in_github_actions(
    cli: Any, broken: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("validate", broken)
    assert result.code == 1
    assert annotations(result.err) == expected_annotations(broken)
    # the plain located lines are still there for humans and editors
    line, col = locate(broken / "apps" / "prod-sg.yaml", TYPO)
    assert f"error: desired/apps/prod-sg.yaml:{line}:{col}: unknown event '{TYPO}'" in result.err
    assert result.out == ""


def test_plan_annotates_the_same_errors(
    cli: Any, broken: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("plan", broken)
    assert result.code == 1
    assert annotations(result.err) == expected_annotations(broken)


@pytest.mark.parametrize("value", [None, "false", "1"])
def test_no_annotations_outside_github_actions(
    cli: Any, broken: Path, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    if value is not None:
        monkeypatch.setenv("GITHUB_ACTIONS", value)
    result = cli("validate", broken)
    assert result.code == 1
    assert annotations(result.err) == []
    assert TYPO in result.err


def test_warnings_are_annotated_as_warnings(
    cli: Any, desired: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = desired / "apps" / "staging-us.yaml"
    path.write_text(path.read_text().replace("url: https://", "url: http://"))
    line, col = locate(path, "http://")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("validate", "desired")
    assert result.code == 0, result.err
    (note,) = annotations(result.err)
    assert note.startswith(f"::warning file=desired/apps/staging-us.yaml,line={line},col={col}::")
    assert "http://" in note
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert annotations(cli("validate", "desired").err) == []


def test_annotation_properties_and_message_are_escaped(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    apps = tmp_path / "d" / "apps"
    apps.mkdir(parents=True)
    (apps / "a,b:c.yaml").write_text(  # (named: `a,b:c` is no app name)
        "name: abc\nsdkappid: 1400000001\nregion: singapore\ncallbacks:\n  call:\n"
        "    url: https://hooks.example.com/cb\n    events: ['100%done']\n"
    )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("validate", "d")
    assert result.code == 1
    (note,) = annotations(result.err)
    assert note.startswith("::error file=d/apps/a%2Cb%3Ac.yaml,line=7,col=14::unknown event ")
    assert "'100%25done'" in note and "100%done" not in note


def test_driftignore_errors_are_annotated(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (desired / ".driftignore").write_text("# accepted\n*/call\n  prod-sg\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("drift", "desired")
    assert result.code == 1
    assert annotations(result.err) == [
        "::error file=desired/.driftignore,line=3,col=3::"
        "'prod-sg' is not APP/PRODUCT (e.g. prod-sg/live or */call)"
    ]


@pytest.fixture
def summary(tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "step-summary.md"
    path.write_text("# an earlier step\n\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    return path


def test_plan_apply_and_drift_append_their_summary(cli: Any, summary: Path) -> None:
    plan = cli("plan", EXAMPLES, "--format", "json")
    assert plan.code == 0, plan.err
    assert plan.json()["summary"]["create"] == 3  # stdout stays the JSON plan
    after_plan = summary.read_text()
    assert after_plan.startswith("# an earlier step\n\n### trtc-callback-reconciler: Plan\n")
    assert "| to create | to update | to delete | unchanged | unmanaged |" in after_plan
    assert "| 3 | 3 | 1 | 2 | 1 |" in after_plan
    assert "<details><summary><b>prod-sg</b> (1400000001): +1 create, ~2 update</summary>" in (
        after_plan
    )
    assert "<details><summary><b>staging-us</b> (1400000003): +1 create, -1 delete</summary>" in (
        after_plan
    )
    assert "Unmanaged live configs (left alone): `prod-cn/call_legacy`" in after_plan

    applied = cli("apply", EXAMPLES, "--auto-approve")
    assert applied.code == 0, applied.err
    after_apply = summary.read_text()
    assert after_apply.startswith(after_plan)  # appended, nothing rewritten
    added = after_apply[len(after_plan) :]
    assert added.startswith("### trtc-callback-reconciler: Apply\n")
    assert "Apply: 7 applied, 0 failed, 0 stale, 0 unverified." in added
    assert "| app | sdkappid | product | action | result | detail |" in added
    assert "| prod-sg | 1400000001 | live_token | update | applied |  |" in added
    assert "| staging-us | 1400000003 | conference | delete | applied |  |" in added
    assert added.count("| applied |") == 7

    drift = cli("drift", EXAMPLES)
    assert drift.code == 0, drift.err
    after_drift = summary.read_text()
    assert after_drift.startswith(after_apply)
    added = after_drift[len(after_apply) :]
    assert added.startswith("### trtc-callback-reconciler: Drift report\n")
    assert "| 0 | 0 | 0 | 1 | 9 |" in added
    assert "No drift: the managed configurations match the desired state." in added
    assert_no_secrets(after_drift)
    # the summary goes to the file only, never into the command's own output
    for result in (plan, applied, drift):
        assert "trtc-callback-reconciler: " not in result.out + result.err


def test_partly_failed_apply_still_reports_to_the_summary(
    cli: Any, summary: Path, desired: Path
) -> None:
    # staging-us is lenient: a word the emulator (Tencent) does not know passes validation
    # with a warning, and its write is then rejected with ErrorCode 100002.
    path = desired / "apps" / "staging-us.yaml"
    path.write_text(
        path.read_text()
        + "  call_legacy:\n    url: https://staging-hooks.example.com/v1\n"
        + "    events: [brand_new_word]\n"
    )
    result = cli("apply", desired, "--auto-approve")
    assert result.code == 1
    added = summary.read_text().removeprefix("# an earlier step\n\n")
    assert added.startswith("### trtc-callback-reconciler: Apply\n")
    assert "Apply: 7 applied, 1 failed, 0 stale, 0 unverified." in added
    (row,) = [line for line in added.splitlines() if "| call_legacy |" in line]
    assert row.startswith("| staging-us | 1400000003 | call_legacy | create | failed | ")
    assert "ErrorCode 100002" in row and "RequestId Id-" in row


def test_an_apply_that_cannot_start_writes_no_summary(
    cli: Any, summary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no app can be read (one unreadable app alone no longer stops the others: issue 9)
    for name in ("TRTC_SECRET_KEY_STAGING_US", "TRTC_SECRET_KEY_PROD_SG"):
        monkeypatch.setenv(name, "not-the-key")
    monkeypatch.setenv("TRTC_SECRET_KEY_1400000002", "not-the-key")
    result = cli("apply", EXAMPLES, "--auto-approve")
    assert result.code == 1
    assert summary.read_text() == "# an earlier step\n\n"


def test_nothing_is_written_outside_github_actions(
    cli: Any, summary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert cli("plan", EXAMPLES).code == 0
    assert cli("apply", EXAMPLES, "--auto-approve").code == 0
    assert cli("drift", EXAMPLES).code == 0
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert cli("plan", EXAMPLES).code == 0
    assert cli("drift", EXAMPLES).code == 0
    assert summary.read_text() == "# an earlier step\n\n"


def test_an_unwritable_summary_only_warns(
    cli: Any, summary: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))  # a directory
    result = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert result.code == 2, result.err
    assert "warning: cannot write the step summary" in result.err


def test_apply_with_nothing_to_do_still_writes_a_summary(cli: Any, summary: Path) -> None:
    assert cli("apply", EXAMPLES, "--auto-approve").code == 0
    before = summary.read_text()
    again = cli("apply", EXAMPLES, "--auto-approve")
    assert again.code == 0
    assert "No changes" in again.out
    assert "### trtc-callback-reconciler: Apply" in summary.read_text()[len(before) :]
