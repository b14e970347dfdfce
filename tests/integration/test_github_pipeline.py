"""The GitOps pipeline end to end: ``reconciler github …`` against a fake of GitHub's
REST API (fake_github.py) and the real CLI against the real emulator, step by step as
the shipped workflows run them. Every REST call made is checked against GitHub's
published OpenAPI description (fixtures/github_openapi/subset.json)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

from reconciler.configs import CallbackConfig
from reconciler.emulator.embedded import RunningEmulator, start_emulator
from tests.integration.conftest import ROOT, read_log
from tests.integration.fake_github import (
    REPO,
    TOKEN,
    FakeGitHub,
    assert_calls_match_openapi,
    files_of,
    serve,
    sha,
)
from tests.integration.fixtures.ops.fleet import (
    EVENTS,
    FLEET_KEY,
    Fleet,
    call_url,
    clean_env,
    make_fleet,
    sdkappid,
)
from tests.integration.test_drift import change_live

NEW_URL = "https://new-hooks.example.com/call"
HIJACK = "https://evil.example.net/cb"
LABEL = "reconciler:allow-unsafe"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as running:
        yield running


@pytest.fixture
def fleet(tmp_path: Path) -> Fleet:
    return make_fleet(tmp_path / "fleet", 10)


@pytest.fixture
def fleet_emulator(fleet: Fleet, tmp_path: Path) -> Iterator[RunningEmulator]:
    with start_emulator(fleet.seed, request_log=tmp_path / "requests.jsonl") as running:
        yield running


class Job:
    """One workflow job's environment: the GitHub variables, $GITHUB_OUTPUT, and keys
    only where the workflow gives them."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        fake: FakeGitHub,
        emulator: RunningEmulator,
        work: Path,
        cli: Any,
    ) -> None:
        self.monkeypatch, self.fake, self.emulator, self.work, self.cli = (
            monkeypatch,
            fake,
            emulator,
            work,
            cli,
        )
        self.output = work / "github-output"

    def start(self, *, keys: bool, run_id: int = 1) -> None:
        clean_env(
            self.monkeypatch,
            TRTC_ENDPOINT=self.emulator.base_url,
            GITHUB_TOKEN=TOKEN,
            GITHUB_API_URL=self.fake.url,
            GITHUB_SERVER_URL=self.fake.url,
            GITHUB_REPOSITORY=REPO,
            GITHUB_RUN_ID=str(run_id),
            GITHUB_OUTPUT=str(self.output),
        )
        if keys:
            self.monkeypatch.setenv("TRTC_SECRET_KEY", FLEET_KEY)
        self.output.write_text("")

    def run(self, *args: str | Path, expect: int | tuple[int, ...] = 0) -> Any:
        result = self.cli(*args)
        codes = expect if isinstance(expect, tuple) else (expect,)
        assert result.code in codes, (args, result.code, result.err)
        for text in (result.out, result.err):
            assert TOKEN not in text and FLEET_KEY not in text
        return result

    def outputs(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for line in self.output.read_text().splitlines():
            name, _, value = line.partition("=")
            found[name] = value
        return found


@pytest.fixture
def job(
    monkeypatch: pytest.MonkeyPatch,
    fake: FakeGitHub,
    fleet_emulator: RunningEmulator,
    tmp_path: Path,
    cli: Any,
) -> Job:
    monkeypatch.chdir(tmp_path)
    return Job(monkeypatch, fake, fleet_emulator, tmp_path, cli)


def plan_job(
    job: Job, fleet: Fleet, number: int, head: str, out: Path
) -> tuple[int, dict[str, str]]:
    """plan.yml: record the PR context, plan the merge result against the snapshot with
    NO key, leave out/ as the artifact; returns the plan's exit code and the outputs."""
    job.start(keys=False)
    out.mkdir(parents=True, exist_ok=True)
    job.run(
        "github",
        "pr-context",
        "--pr",
        str(number),
        "--head-sha",
        head,
        "--out",
        out / "context.json",
    )
    outputs = job.outputs()
    args = [
        "plan",
        fleet.desired,
        "--live",
        job.work / "live-snapshot.json",
        "--base",
        "main",
        "--format",
        "markdown",
        "--out",
        out / "plan.json",
        "--detailed-exitcode",
    ]
    if outputs["override"]:
        args.append(outputs["override"])
    result = job.cli(*args)
    (out / "plan.md").write_text(result.out)
    (out / "plan.err").write_text(result.err)
    (out / "status").write_text(str(result.code))
    return result.code, outputs


def apply_report_artifact(workspace: Path) -> dict[str, bytes]:
    """What apply.yml's keyed job uploads as ``reconciler-apply-report`` from its
    workspace: the paths its upload step lists (as upload-artifact keeps them)."""
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "apply.yml").read_text())
    (upload,) = [
        s
        for s in doc["jobs"]["apply"]["steps"]
        if (s.get("with") or {}).get("name") == "reconciler-apply-report"
    ]
    names = str(upload["with"]["path"]).split()
    return {n: (workspace / n).read_bytes() for n in names if (workspace / n).is_file()}


def markdown_html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


def only_comment(fake: FakeGitHub, number: int) -> str:
    (comment,) = fake.pr_comments(number)
    body: str = comment["body"]
    return body


def test_the_whole_life_of_a_change(
    job: Job,
    fake: FakeGitHub,
    fleet: Fleet,
    fleet_emulator: RunningEmulator,
    tmp_path: Path,
) -> None:
    requests = tmp_path / "requests.jsonl"
    # main: the fleet, committed; the trusted snapshot job reads live WITH the key
    git(fleet.desired, "init", "-q", "-b", "main")
    git(fleet.desired, "add", ".")
    git(fleet.desired, "commit", "-q", "-m", "base")
    job.start(keys=True)
    job.run("snapshot", fleet.desired, "--out", tmp_path / "live-snapshot.json")

    # a pull request moves 4 of 10 apps: over the 30 % update threshold
    git(fleet.desired, "checkout", "-q", "-b", "feature")
    fleet.set_call(range(4), NEW_URL)
    git(fleet.desired, "commit", "-q", "-am", "move four apps")
    head = sha(0xA1)
    fake.open_pull(7, head)

    # 1. plan without keys: unsafe, fails; the comment says "plan failed"
    reads_before = len(read_log(requests))
    code, outputs = plan_job(job, fleet, 7, head, tmp_path / "run1")
    assert code == 1 and outputs == {"override": "", "override-by": ""}
    assert len(read_log(requests)) == reads_before, "the PR plan read nothing live"
    run1 = fake.add_run(
        "plan.yml",
        head,
        pull_requests=(7,),
        conclusion="failure",
        artifacts={"reconciler-plan": files_of(tmp_path / "run1")},
    )
    job.start(keys=False)
    job.run("github", "comment", "--run-id", str(run1))
    body = only_comment(fake, 7)
    assert "plan failed" in body and "unsafe" in body.lower()

    # 2. a maintainer adds the override label: the next plan reads it at plan time
    fake.label(7, LABEL, actor="alice")
    code, outputs = plan_job(job, fleet, 7, head, tmp_path / "run2")
    assert code == 2 and outputs == {"override": "--force", "override-by": "alice"}
    context = json.loads((tmp_path / "run2" / "context.json").read_text())
    assert context["override"] is True and context["override_added_by"] == "alice"
    run2 = fake.add_run(
        "plan.yml",
        head,
        pull_requests=(7,),
        artifacts={"reconciler-plan": files_of(tmp_path / "run2")},
    )
    job.start(keys=False)
    job.run("github", "comment", "--run-id", str(run2))
    body = only_comment(fake, 7)  # the same single comment, replaced
    assert body.startswith("<!-- trtc-callback-reconciler:plan run=2.1 sha=" + head + " -->")
    html = markdown_html(body)
    assert html.index("<table>") < html.index("UNSAFE, OVERRIDDEN")
    assert "added by <code>alice</code>" in html
    assert html.count("<tr>") == 1 + 4  # header + the four updates

    # 3. merge; the apply job finds the reviewed plan by PR number AND head commit
    merge = sha(0xB1)
    fake.merge(7, merge)
    git(fleet.desired, "checkout", "-q", "main")
    git(fleet.desired, "merge", "-q", "feature")
    job.start(keys=False)
    job.run("github", "find-plan", "--sha", merge, "--base", "main", "--dir", tmp_path / "reviewed")
    found = job.outputs()
    assert found == {"mode": "reviewed", "pr": "7", "override": "--force", "override-by": "alice"}
    override = json.loads((tmp_path / "reviewed" / "override.json").read_text())
    assert override["added_by"] == "alice" and override["plan_run"] == run2
    assert sorted(p.name for p in (tmp_path / "reviewed").iterdir()) == [
        "context.json",
        "override.json",
        "plan.json",
        "status",
    ]

    # the keyed steps: plan main, apply only the reviewed changes, check convergence
    job.start(keys=True)
    job.run("plan", fleet.desired, "--out", tmp_path / "fresh.json", "--force")
    applied = job.run(
        "apply",
        "--plan",
        tmp_path / "fresh.json",
        "--reviewed",
        tmp_path / "reviewed" / "plan.json",
        "--auto-approve",
        "--audit-log",
        tmp_path / "audit.jsonl",
        "--force",
    )
    (tmp_path / "apply.txt").write_text(applied.out)
    assert "Apply: 4 applied" in applied.out
    job.run("plan", fleet.desired, "--detailed-exitcode")
    # apply.yml's report job: no key, a fresh workspace holding only what the keyed
    # job saved (the artifact reconciler-apply-report) and its outputs
    report_job = tmp_path / "report-job"
    for name, data in apply_report_artifact(tmp_path).items():
        (report_job / name).parent.mkdir(parents=True, exist_ok=True)
        (report_job / name).write_bytes(data)
    job.monkeypatch.chdir(report_job)
    job.start(keys=False)
    job.run(
        "github",
        "report-apply",
        "--pr",
        found["pr"],
        "--apply-output",
        "apply.txt",
        "--left",
        "left.txt",
        "--converged",
        "0",
        "--override-by",
        found["override-by"],
        "--refused",
        "reviewed/refused.txt",
    )
    job.monkeypatch.chdir(tmp_path)
    report = fake.pr_comments(7)[-1]["body"]
    assert "apply of the reviewed plan done" in report and "Apply: 4 applied" in report
    fake.add_run(
        "apply.yml",
        merge,
        event="push",
        head_ref="main",
        artifacts={
            "reconciler-audit-log": {"audit.jsonl": (tmp_path / "audit.jsonl").read_bytes()}
        },
    )

    # 4. the snapshot after the apply; then drift appears behind the tool's back
    job.start(keys=True)
    job.run("snapshot", fleet.desired, "--out", tmp_path / "live-snapshot.json")
    target = (sdkappid(5), "singapore", FLEET_KEY)
    change_live(fleet_emulator, target, "call", CallbackConfig(HIJACK, frozenset(EVENTS)))

    def drift_night(expect: int) -> None:
        shard = tmp_path / "drift-shard-1"
        shard.mkdir(exist_ok=True)
        job.start(keys=False)
        job.run(
            "github",
            "audit-logs",
            "--workflow",
            "apply.yml",
            "--branch",
            "main",
            "--out",
            tmp_path / "audit-all.jsonl",
        )
        assert job.outputs()["args"] == f"--audit-log {tmp_path / 'audit-all.jsonl'}"
        job.start(keys=True)
        result = job.run("drift", fleet.desired, "--format", "markdown", expect=expect)
        (shard / "drift.md").write_text(result.out)
        (shard / "exit-code").write_text(str(result.code))
        job.start(keys=False)
        job.run("github", "drift-issue", "--shards", "1", "--dir", tmp_path)

    drift_night(expect=2)
    (issue,) = [i for i in fake.issues.values() if "pull_request" not in i]
    assert issue["state"] == "open" and issue["title"] == "Tencent RTC callback drift detected"
    assert "<!-- trtc-callback-reconciler:drift -->" in issue["body"]
    assert "fleet-005" in issue["body"] and HIJACK in issue["body"]
    drift_night(expect=2)  # still there: the same issue, updated
    assert [i["number"] for i in fake.issues.values() if "pull_request" not in i] == [
        issue["number"]
    ]

    # 5. drift cleared: the issue is closed with a comment
    change_live(fleet_emulator, target, "call", CallbackConfig(call_url(5), frozenset(EVENTS)))
    drift_night(expect=0)
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    assert "Drift cleared" in fake.pr_comments(issue["number"])[-1]["body"]

    assert fake.blob_auth and not any(fake.blob_auth), "the token never goes to storage"
    assert_calls_match_openapi(fake.calls)
