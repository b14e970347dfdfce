"""The GitOps flow through the real CLI against the real emulator: a pull request's
edits told from live drift (``plan --base``), a plan against a live snapshot with no
key (``snapshot`` / ``plan --live``), the reviewed plan applied and nothing else
(``apply --plan FRESH --reviewed PLAN``), safety at plan time, one ignore list."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reconciler.configs import CallbackConfig, TokenConfig
from reconciler.emulator.embedded import RunningEmulator
from reconciler.secret import Secret
from tests.integration.conftest import assert_no_secrets, read_log
from tests.integration.test_drift import PROD_SG, change_live

STAGING_US = (1400000003, "usa", "demo-key-not-secret-3")
HIJACK = "https://evil.example.net/cb"
KEY_VARS = (
    "TRTC_SECRET_KEY_PROD_SG",
    "TRTC_SECRET_KEY_1400000002",
    "TRTC_SECRET_KEY_STAGING_US",
    "LIVE_WEBHOOK_TOKEN_PROD_SG",
)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def writes(log: Path) -> list[dict[str, Any]]:
    return [e for e in read_log(log) if e["write"]]


@pytest.fixture
def repo(tmp_path: Path, desired: Path, cli: Any, env: dict[str, str]) -> Path:
    """A git repository whose base commit holds the example desired state, applied
    live (so live equals the base's desired state, but for prod-cn call_legacy)."""
    repo = desired.parent
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "desired")
    git(repo, "commit", "-q", "-m", "base")
    applied = cli("apply", desired, "--auto-approve")
    assert applied.code == 0, applied.err
    return repo


def edit_three(desired: Path) -> None:
    """The pull request: three URL swaps."""
    for path, old, new in (
        ("apps/prod-sg.yaml", "trtc/live\n", "trtc/live-v2\n"),
        ("apps/prod-cn/live.yaml", "trtc/live\n", "trtc/live-v2\n"),
        ("apps/staging-us.yaml", "trtc/call\n", "trtc/call-v2\n"),
    ):
        file = desired / path
        text = file.read_text()
        assert text.count(old) == 1, (path, old)
        file.write_text(text.replace(old, new))


def drift_two(emulator: RunningEmulator) -> None:
    """Behind the tool's back: a hijacked URL and a hand-rotated token."""
    change_live(
        emulator, PROD_SG, "call", CallbackConfig(HIJACK, frozenset({"Call.CallbackAfterEndCall"}))
    )
    change_live(emulator, PROD_SG, "live_token", TokenConfig(Secret("hand-rotated-x"), True))


def by_cause(doc: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"edit": [], "drift": []}
    for c in doc["changes"]:
        out[c["cause"]].append(f"{c['app']}/{c['product']}")
    return out


def test_a_pull_request_plan_tells_three_edits_from_two_drift_reverts(
    cli: Any, repo: Path, desired: Path, emulator: RunningEmulator
) -> None:
    drift_two(emulator)
    edit_three(desired)
    as_json = cli("plan", desired, "--base", "main", "--format", "json")
    assert as_json.code == 0, as_json.err
    doc = as_json.json()
    assert doc["format_version"] == "1.4"
    assert doc["warnings"] == [
        "2 change(s) revert live drift (changed outside reconciler): "
        "prod-sg/call, prod-sg/live_token"
    ]
    assert by_cause(doc) == {
        "edit": ["prod-sg/live", "prod-cn/live", "staging-us/call"],
        "drift": ["prod-sg/call", "prod-sg/live_token"],
    }

    text = cli("plan", desired, "--base", "main")
    assert text.code == 0, text.err
    edits_at = text.out.index("Changes made by this pull request")
    drift_at = text.out.index("Objects have changed outside of reconciler")
    assert text.out.count("!! REVERTS LIVE DRIFT:") == 2 + 1  # two changes + the summary line
    hijack_at = text.out.index(HIJACK)
    assert drift_at < hijack_at and edits_at < drift_at
    assert "prod-sg/call, prod-sg/live_token" in text.out

    markdown = cli("plan", desired, "--base", "main", "--format", "markdown")
    assert markdown.code == 0, markdown.err
    assert "> [!CAUTION]\n> **!! REVERTS LIVE DRIFT:** 2 change(s)" in markdown.out
    assert "</details>\n\n#### ⚠️ Objects have changed outside of reconciler" in markdown.out
    assert_no_secrets(as_json.out, text.out, markdown.out, text.err)
    assert "hand-rotated-x" not in as_json.out + text.out + markdown.out


def test_without_base_the_cause_is_not_guessed(cli: Any, repo: Path, desired: Path) -> None:
    edit_three(desired)
    doc = cli("plan", desired, "--format", "json").json()
    assert {c["cause"] for c in doc["changes"]} == {None}


@pytest.mark.parametrize("ref", ["--upload-pack=x", "no-such-branch", "main;id"])
def test_a_bad_base_is_a_clean_error(cli: Any, repo: Path, desired: Path, ref: str) -> None:
    result = cli("plan", desired, "--base", ref)
    assert result.code == 1
    assert result.err.startswith("error: --base")
    assert "Traceback" not in result.err


def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pull-request job: no key, no token, no endpoint."""
    for name in (*KEY_VARS, "TRTC_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)


def test_reviewed_plan_flow_snapshot_pr_plan_without_keys_apply_refuses_stale(
    cli: Any,
    repo: Path,
    desired: Path,
    emulator: RunningEmulator,
    request_log: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
) -> None:
    # 1. trusted main job: snapshot the live state (no secret in it)
    drift_two(emulator)
    snap = tmp_path / "live.json"
    taken = cli("snapshot", desired, "--out", snap)
    assert taken.code == 0, taken.err
    assert_no_secrets(snap.read_text(), taken.err)
    assert "hand-rotated-x" not in snap.read_text()

    # 2. pull-request job: no key at all, plans the PR against the snapshot
    edit_three(desired)
    with monkeypatch.context() as m:
        _offline(m)
        before = len(read_log(request_log))
        reviewed = tmp_path / "reviewed.json"
        pr = cli(
            "plan",
            desired,
            "--live",
            snap,
            "--base",
            "main",
            "--out",
            reviewed,
            "--format",
            "markdown",
            "--detailed-exitcode",
        )
        assert pr.code == 2, pr.err
        assert len(read_log(request_log)) == before, "the PR job must not reach the API"
    assert "Live state: a snapshot taken at" in pr.out
    assert "min old" in pr.out
    doc = json.loads(reviewed.read_text())
    assert by_cause(doc) == {
        "edit": ["prod-sg/live", "prod-cn/live", "staging-us/call"],
        "drift": ["prod-sg/call", "prod-sg/live_token"],
    }
    assert_no_secrets(reviewed.read_text(), pr.out, pr.err)
    refused = cli("apply", "--plan", reviewed, "--auto-approve")
    assert refused.code == 1
    assert "made against a live-state snapshot" in refused.err

    # 3. merged; meanwhile someone changes a reviewed resource live
    git(repo, "commit", "-q", "-am", "PR")
    change_live(
        emulator,
        STAGING_US,
        "call",
        CallbackConfig(
            "https://concurrent.example.com/cb", frozenset({"Call.CallbackAfterEndCall"})
        ),
    )

    # 4. apply job (keys): plan main afresh, apply only what was reviewed
    fresh = tmp_path / "fresh.json"
    assert cli("plan", desired, "--out", fresh).code == 0
    audit = tmp_path / "audit.jsonl"
    applied = cli(
        "apply", "--plan", fresh, "--reviewed", reviewed, "--auto-approve", "--audit-log", audit
    )
    assert applied.code == 1, applied.err
    assert_no_secrets(applied.out, applied.err, audit.read_text())
    assert "Apply: 4 applied, 0 failed, 1 stale, 0 unverified." in applied.out
    assert "stale: staging-us (1400000003) call update: stale: the live state changed since" in (
        applied.out
    )
    lines = [json.loads(x) for x in audit.read_text().splitlines()]
    # write-ahead: an intent before each write; the refused change was never written
    assert sorted(x["result"] for x in lines) == ["applied"] * 4 + ["intent"] * 4 + ["stale"]

    # 5. what is left: exactly the refused change
    left = cli("plan", desired, "--format", "json", "--detailed-exitcode")
    assert left.code == 2
    assert [(c["app"], c["product"]) for c in left.json()["changes"]] == [("staging-us", "call")]


def test_apply_refuses_drift_that_appeared_after_review(
    cli: Any,
    repo: Path,
    desired: Path,
    emulator: RunningEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    snap = tmp_path / "live.json"
    assert cli("snapshot", desired, "--out", snap).code == 0
    edit_three(desired)
    reviewed = tmp_path / "reviewed.json"
    with monkeypatch.context() as m:
        _offline(m)
        assert cli("plan", desired, "--live", snap, "--out", reviewed).code == 0
    drift_two(emulator)  # after review: nobody saw these
    fresh = tmp_path / "fresh.json"
    assert cli("plan", desired, "--out", fresh).code == 0
    applied = cli("apply", "--plan", fresh, "--reviewed", reviewed, "--auto-approve")
    assert applied.code == 1
    assert "Apply: 3 applied, 0 failed, 2 stale, 0 unverified." in applied.out
    assert applied.out.count("not in the reviewed plan") == 2


def test_an_edited_reviewed_plan_is_refused(
    cli: Any, repo: Path, desired: Path, tmp_path: Path, request_log: Path
) -> None:
    edit_three(desired)
    fresh = tmp_path / "fresh.json"
    assert cli("plan", desired, "--out", fresh).code == 0
    reviewed = tmp_path / "reviewed.json"
    doc = json.loads(fresh.read_text())
    doc["changes"] = []
    reviewed.write_text(json.dumps(doc))
    before = len(writes(request_log))
    result = cli("apply", "--plan", fresh, "--reviewed", reviewed, "--auto-approve")
    assert result.code == 1
    assert "checksum" in result.err
    assert len(writes(request_log)) == before


# -- safety at plan time ----------------------------------------------------------------


def test_thresholds_fail_the_plan_and_pass_with_the_override(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    strict = ("--max-update-pct", "10", "--min-existing", "1")
    unsafe = cli("plan", desired, "--detailed-exitcode", "--format", "json", *strict)
    assert unsafe.code == 1
    assert "error: unsafe plan: 3 updates are" in unsafe.err
    assert "reconciler:allow-unsafe" in unsafe.err
    assert unsafe.json()["safety"]["verdict"] == "unsafe"
    assert any(w.startswith("safety: UNSAFE: 3 updates") for w in unsafe.json()["warnings"])

    without = cli("plan", desired, *strict)
    assert without.code == 0  # without --detailed-exitcode: shown, not failed
    assert "Safety: UNSAFE: 3 updates are" in without.out

    forced = cli("plan", desired, "--detailed-exitcode", "--format", "markdown", "--force", *strict)
    assert forced.code == 2, forced.err
    # (the verdict is literal Markdown text: its punctuation backslash-escaped)
    assert "> [!WARNING]\n> **Safety:** UNSAFE, OVERRIDDEN by --force\\: 3 updates" in forced.out
    as_json = cli("plan", desired, "--format", "json", "--force", *strict).json()
    assert as_json["safety"]["verdict"] == "overridden" and as_json["safety"]["override"] is True

    audit = tmp_path / "audit.jsonl"
    refused = cli(
        "apply", desired, "--auto-approve", "--max-update-pct", "10", "--min-existing", "1"
    )
    assert refused.code == 1
    applied = cli(
        "apply",
        desired,
        "--auto-approve",
        "--force",
        "--max-update-pct",
        "10",
        "--min-existing",
        "1",
        "--audit-log",
        audit,
    )
    assert applied.code == 0, applied.err
    records = [json.loads(x) for x in audit.read_text().splitlines()]
    assert records and all(r["safety_override"] is True for r in records)


def test_a_safe_plan_says_so(cli: Any, env: dict[str, str], desired: Path) -> None:
    text = cli("plan", desired)
    assert "Safety: safe: within the thresholds" in text.out
    markdown = cli("plan", desired, "--format", "markdown")
    assert "**Safety:** safe" in markdown.out


# -- warnings reach Markdown and JSON ---------------------------------------------------


def test_downgrade_and_lenient_warnings_reach_markdown_and_json(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    sg = desired / "apps" / "prod-sg.yaml"
    sg.write_text(
        sg.read_text().replace(
            "https://hooks.example.com/trtc/call\n", "http://hooks.example.com/trtc/call\n"
        )
    )
    staging = desired / "apps" / "staging-us.yaml"
    staging.write_text(
        staging.read_text().replace(
            "[Call.CallbackAfterEndCall]", "[Call.CallbackAfterEndCall, Call.CallbackFromTheFuture]"
        )
    )
    doc = cli("plan", desired, "--format", "json").json()
    warnings = "\n".join(doc["warnings"])
    assert "prod-sg/call: the callback URL goes from https:// to plain http://" in warnings
    assert "prod-sg.yaml" in warnings and "http://" in warnings
    assert "Call.CallbackFromTheFuture" in warnings
    markdown = cli("plan", desired, "--format", "markdown").out
    assert "> [!WARNING]\n> - " in markdown
    assert "goes from https\\:// to plain http\\://" in markdown  # no autolink
    assert "Call.CallbackFromTheFuture" in markdown


# -- one ignore list --------------------------------------------------------------------


def test_ignored_resources_are_neither_changed_nor_dropped_from_the_output(
    cli: Any, env: dict[str, str], desired: Path, request_log: Path
) -> None:
    (desired / ".driftignore").write_text("prod-sg/call   # accepted: owned by the call team\n")
    flags = ("--ignore", "staging-us/*")
    doc = cli("plan", desired, "--format", "json", *flags).json()
    changed = {(c["app"], c["product"]) for c in doc["changes"]}
    assert ("prod-sg", "call") not in changed
    assert not any(app == "staging-us" for app, _ in changed)
    assert {(r["app"], r["product"]) for r in doc["ignored"]} == {
        ("prod-sg", "call"),
        ("staging-us", "call"),
        ("staging-us", "conference"),
    }
    text = cli("plan", desired, *flags)
    assert "Ignored (accepted differences left alone" in text.out
    assert "  = prod-sg (1400000001) call" in text.out
    markdown = cli("plan", desired, "--format", "markdown", *flags)
    assert "Ignored (accepted differences left alone" in markdown.out
    assert "`prod-sg/call`" in markdown.out

    applied = cli("apply", desired, "--auto-approve", *flags)
    assert applied.code == 0, applied.err
    assert "  = prod-sg (1400000001) call" in applied.err  # the preview lists it too
    written = {e["sdkappid"] for e in writes(request_log)}
    assert written == {1400000001, 1400000002}  # prod-sg live/live_token, prod-cn; no staging
    after = cli("plan", desired, "--format", "json").json()  # .driftignore only, now
    assert {(c["app"], c["product"]) for c in after["changes"]} == {
        ("staging-us", "call"),
        ("staging-us", "conference"),
    }
    assert [(r["app"], r["product"]) for r in after["ignored"]] == [("prod-sg", "call")]
    drift = cli("drift", desired, "--format", "json", *flags).json()
    assert drift["changes"] == []
    assert len(drift["ignored"]) == 3


def test_ignore_is_refused_with_a_saved_plan(
    cli: Any, env: dict[str, str], tmp_path: Path, desired: Path
) -> None:
    saved = tmp_path / "p.json"
    assert cli("plan", desired, "--out", saved).code == 0
    result = cli("apply", "--plan", saved, "--ignore", "prod-sg/call", "--auto-approve")
    assert result.code == 1
    assert "--ignore applies when planning" in result.err


# -- snapshots and the base, at their edges ---------------------------------------------


def test_an_edited_snapshot_is_refused(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path
) -> None:
    snap = tmp_path / "live.json"
    assert cli("snapshot", desired, "--out", snap).code == 0
    doc = json.loads(snap.read_text())
    doc["configs"][0]["state"] = None
    snap.write_text(json.dumps(doc))
    result = cli("plan", desired, "--live", snap)
    assert result.code == 1
    assert "the snapshot was edited after it was written (checksum mismatch)" in result.err
    not_a_snapshot = tmp_path / "x.json"
    not_a_snapshot.write_text('{"format_version": "1.3"}')
    result = cli("plan", desired, "--live", not_a_snapshot)
    assert result.code == 1 and "not a live-state snapshot" in result.err


def test_a_new_app_missing_from_the_snapshot_is_planned_with_a_warning(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = tmp_path / "live.json"
    assert cli("snapshot", desired, "--out", snap).code == 0
    (desired / "apps" / "new-app.yaml").write_text(
        "sdkappid: 1400000077\nregion: singapore\ncallbacks:\n  call:\n"
        "    url: https://hooks.example.com/new\n    events: [Call.CallbackAfterEndCall]\n"
    )
    with monkeypatch.context() as m:
        _offline(m)
        result = cli("plan", desired, "--live", snap, "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    assert any(c["app"] == "new-app" and c["action"] == "create" for c in doc["changes"])
    assert any(
        "new-app (1400000077) is not in the live-state snapshot" in w for w in doc["warnings"]
    )
    assert doc["live_source"].startswith("a snapshot taken at")


def test_a_symlink_in_the_base_is_not_followed(
    cli: Any, repo: Path, desired: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "runner.env"
    outside.write_text("name: [TRTC_SECRET_KEY=runner-secret\n")
    (desired / "evil.yaml").symlink_to(outside)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a symlink in the base")
    (desired / "evil.yaml").unlink()
    result = cli("plan", desired, "--base", "main")
    assert result.code == 0, result.err  # the base loads without the link's target
    assert "runner-secret" not in result.out + result.err


def test_a_protect_violation_shows_the_blocked_verdict_then_fails(
    cli: Any, env: dict[str, str], desired: Path
) -> None:
    sg = desired / "apps" / "prod-sg.yaml"
    text = sg.read_text()
    start = text.index("  call_legacy:")
    end = text.index("  # TUILiveKit")
    sg.write_text(text[:start] + "  call_legacy:\n    ensure: absent\n\n" + text[end:])
    result = cli("plan", desired, "--format", "json")
    assert result.code == 1
    assert result.json()["safety"]["verdict"] == "blocked"
    assert "error: the plan deletes prod-sg/call_legacy" in result.err
