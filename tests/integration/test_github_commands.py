"""``reconciler github …`` against the fake GitHub API: the cases around the happy path
(test_github_pipeline.py walks that): fork PRs, another PR with the same head commit,
a change pushed after review, racing comment runs, hostile artifacts, API faults."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from reconciler.github.drift import fair_shares
from reconciler.plan.change import Action, Change, Plan
from reconciler.render.drift import render_drift_markdown
from tests.https_servers import closed_port_url
from tests.integration.fake_github import (
    REPO,
    TOKEN,
    FakeGitHub,
    assert_calls_match_openapi,
    serve,
    sha,
)
from tests.integration.fixtures.ops.fleet import clean_env
from tests.plan.factories import cb, res

HEAD = sha(0xA1)
LABEL = "reconciler:allow-unsafe"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as running:
        yield running


@pytest.fixture
def gh(fake: FakeGitHub, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``reconciler github ARGS`` as a workflow step; returns (result, outputs)."""
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "github-output"

    def run(*args: str | Path, expect: int = 0) -> tuple[Any, dict[str, str]]:
        clean_env(
            monkeypatch,
            GITHUB_TOKEN=TOKEN,
            GITHUB_API_URL=fake.url,
            GITHUB_SERVER_URL=fake.url,
            GITHUB_REPOSITORY=REPO,
            GITHUB_RUN_ID="99",
            GITHUB_OUTPUT=str(output),
        )
        output.write_text("")
        result = cli("github", *args)
        assert result.code == expect, (args, result.code, result.err)
        assert TOKEN not in result.out + result.err
        assert "Traceback" not in result.err
        outputs = dict(line.partition("=")[::2] for line in output.read_text().splitlines())
        return result, outputs

    return run


def plan_doc(changes: list[dict[str, Any]], verdict: str = "safe") -> bytes:
    return json.dumps(
        {
            "format_version": "1.3",
            "changes": changes,
            "errors": [],
            "warnings": [],
            "safety": {"verdict": verdict},
        }
    ).encode()


def artifact(
    number: int, head: str = HEAD, status: str = "2", plan: bytes | None = None, **context: Any
) -> dict[str, dict[str, bytes]]:
    files = {
        "status": status.encode(),
        "context.json": json.dumps(
            {"pull_request": number, "head_sha": head, "override": False, **context}
        ).encode(),
        "plan.json": plan
        if plan is not None
        else plan_doc(
            [
                {
                    "app": "prod-sg",
                    "sdkappid": 1400000001,
                    "product": "call",
                    "action": "update",
                    "cause": "edit",
                    "before": {"url": "https://a.example.com/x"},
                    "after": {"url": "https://b.example.com/x"},
                }
            ]
        ),
        "plan.md": b"the PR job's own Markdown: never posted",
    }
    return {"reconciler-plan": files}


def render(body: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(body)


# -- the trusted comment -----------------------------------------------------------------


def test_a_hostile_plan_json_renders_as_text_under_the_trusted_table(
    gh: Any, fake: FakeGitHub
) -> None:
    # H1: an app named `<!-- note` hid the trusted table; a file name forged a heading
    hostile = [
        {
            "app": "<!-- note",
            "sdkappid": "1400000001 | forged | cell",
            "product": "call`</code><script>x</script>",
            "action": "update\n\n### Safety verdict: **safe**",
            "cause": "drift",
            "before": {"url": "```\n# fake heading\n<img src=x onerror=alert(1)>"},
            "after": {"url": "@acme/admins please approve \u202eevil"},
        }
    ]
    doc = json.loads(plan_doc(hostile, "unsafe"))
    # server text and file names reach the plan's errors and warnings
    doc["errors"] = [{"app": "a", "error": "ErrorInfo: <!-- hide\n# server heading ```"}]
    doc["warnings"] = ["apps/zz\n\n### Safety verdict: **safe**\n.yaml: events [<b>x</b>]"]
    fake.open_pull(7, HEAD)
    run = fake.add_run(
        "plan.yml",
        HEAD,
        pull_requests=(7,),
        artifacts=artifact(7, plan=json.dumps(doc).encode()),
    )
    gh("comment", "--run-id", str(run))
    body = fake.pr_comments(7)[0]["body"]
    html = render(body)
    # the first thing after the title is the trusted table, and it is whole
    assert html.index("<h3>") < html.index("<table>")
    assert "<!--" not in html.replace(body.split("\n", 1)[0], "")
    assert "&lt;!-- note" in html
    assert "<script>" not in html and "<img" not in html
    assert html.count("<h3>") == 1 and "<h1>" not in html  # no forged heading
    assert "&lt;!-- hide" in html and "### Safety verdict: **safe**" in html  # as text
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "Safety verdict, as plan.json states it: <strong>UNSAFE</strong>" in html
    assert "the PR job's own Markdown" not in body
    assert "\u202e" not in body and "\\u202e" in body
    # the mention is inside a code block: no ping
    assert "@acme/admins" not in html.split("<pre>")[0]
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    assert row.count("<td>") == 5  # the `|` in a value did not add cells


def test_a_fork_pull_request_gets_its_comment(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(9, HEAD, head_ref="patch-1", head_repo="mallory/callbacks")
    # GitHub lists no pull request on a fork's run: it is found by head repo, branch, commit
    run = fake.add_run(
        "plan.yml", HEAD, head_ref="patch-1", head_repo="mallory/callbacks", artifacts=artifact(9)
    )
    result, _ = gh("comment", "--run-id", str(run))
    assert "plan comment created on #9" in result.err
    assert "`prod-sg`" in fake.pr_comments(9)[0]["body"]
    assert_calls_match_openapi(fake.calls)


def test_an_older_run_never_replaces_a_newer_runs_comment(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    older = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    newer = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7, status="0"))
    gh("comment", "--run-id", str(newer))
    result, _ = gh("comment", "--run-id", str(older))  # finishes last
    assert "a newer plan run's comment is there" in result.err
    (comment,) = fake.pr_comments(7)
    assert comment["body"].startswith(f"<!-- trtc-callback-reconciler:plan run=2.1 sha={HEAD}")
    # a re-run (attempt 2) of the newer run replaces it
    rerun = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    fake.runs[rerun]["run_number"], fake.runs[rerun]["run_attempt"] = 2, 2
    gh("comment", "--run-id", str(rerun))
    (comment,) = fake.pr_comments(7)
    assert comment["body"].startswith("<!-- trtc-callback-reconciler:plan run=2.2 ")


def test_two_racing_comment_runs_leave_only_the_newest(gh: Any, fake: FakeGitHub, cli: Any) -> None:
    fake.open_pull(7, HEAD)
    older = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    newer = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7, status="0"))
    # the older run has seen no comment and is about to create one when the newer
    # run does all of its work
    fake.hooks[("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")] = lambda: cli(
        "github", "comment", "--run-id", str(newer)
    )
    gh("comment", "--run-id", str(older))
    (comment,) = fake.pr_comments(7)
    assert comment["body"].startswith("<!-- trtc-callback-reconciler:plan run=2.1 ")
    assert_calls_match_openapi(fake.calls)


def test_someone_elses_comment_with_the_marker_is_left_alone(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    forged = f"<!-- trtc-callback-reconciler:plan run=999.1 sha={HEAD} -->\nall safe!"
    fake.comments[1] = {
        "id": 1,
        "issue": 7,
        "body": forged,
        "user": {"login": "mallory", "type": "User"},
    }
    run = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    gh("comment", "--run-id", str(run))
    first, mine = fake.pr_comments(7)
    assert first["body"] == forged and "`prod-sg`" in mine["body"]


def test_a_failed_plan_and_a_cancelled_run_replace_the_comment(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    ok = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    gh("comment", "--run-id", str(ok))
    files = artifact(7, status="1")
    files["reconciler-plan"]["plan.err"] = b"error: apps/x.yaml:3:1: ```` bad\n"
    failed = fake.add_run(
        "plan.yml", HEAD, pull_requests=(7,), conclusion="failure", artifacts=files
    )
    gh("comment", "--run-id", str(failed))
    body = fake.pr_comments(7)[0]["body"]
    assert "plan failed" in body and "`````text" in body  # a fence longer than the content's
    cancelled = fake.add_run("plan.yml", HEAD, pull_requests=(7,), conclusion="cancelled")
    gh("comment", "--run-id", str(cancelled))
    assert "plan outdated" in fake.pr_comments(7)[0]["body"]


def test_another_apps_comment_with_the_marker_is_left_alone(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    forged = f"<!-- trtc-callback-reconciler:plan run=999.1 sha={HEAD} -->\nall safe!"
    other_bot = {"login": "some-app[bot]", "type": "Bot"}
    fake.comments[1] = {"id": 1, "issue": 7, "body": forged, "user": other_bot}
    run = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    gh("comment", "--run-id", str(run))
    assert [c["body"] == forged for c in fake.pr_comments(7)] == [True, False]


def test_a_pr_that_plans_nothing_gets_no_new_comment(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    untouched = fake.add_run(
        "plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7, status="untouched")
    )
    result, _ = gh("comment", "--run-id", str(untouched))
    assert fake.pr_comments(7) == [] and "no plan comment to replace" in result.err
    ok = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    gh("comment", "--run-id", str(ok))
    again = fake.add_run(
        "plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7, status="untouched")
    )
    gh("comment", "--run-id", str(again))
    (comment,) = fake.pr_comments(7)
    assert "does not change the desired state" in comment["body"]
    assert "no longer" not in comment["body"]  # not the cancelled-run text


def test_pr_context_reads_the_label_now_and_who_added_it(
    gh: Any, fake: FakeGitHub, tmp_path: Path
) -> None:
    fake.open_pull(7, HEAD)
    fake.label(7, LABEL, "alice")
    fake.label(7, LABEL, "bob", add=False)
    _, outputs = gh("pr-context", "--pr", "7", "--head-sha", HEAD, "--out", "c.json")
    assert outputs == {"override": "", "override-by": ""}
    fake.label(7, LABEL, "carol")
    _, outputs = gh("pr-context", "--pr", "7", "--head-sha", HEAD, "--out", "c.json")
    assert outputs == {"override": "--force", "override-by": "carol"}
    context = json.loads((tmp_path / "c.json").read_text())
    assert context["pull_request"] == 7 and context["head_sha"] == HEAD
    assert context["override_added_by"] == "carol"
    assert_calls_match_openapi(fake.calls)


def test_a_run_for_an_older_head_comments_nothing(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    run = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    fake.push(7, sha(0xA2))  # pushed after that plan ran
    result, _ = gh("comment", "--run-id", str(run))
    assert "no comment posted" in result.err and fake.pr_comments(7) == []


# -- the reviewed plan of a merge --------------------------------------------------------


def test_another_pr_with_the_same_head_commit_cannot_supply_the_plan(
    gh: Any, fake: FakeGitHub, tmp_path: Path
) -> None:
    fake.open_pull(7, HEAD)
    fake.open_pull(8, HEAD, head_ref="feature", head_repo="mallory/callbacks")
    # only the other PR has a plan of that commit, and its artifact claims #7
    fake.add_run(
        "plan.yml", HEAD, head_repo="mallory/callbacks", artifacts=artifact(7, override=True)
    )
    fake.merge(7, sha(0xB1))
    result, outputs = gh("find-plan", "--sha", sha(0xB1), "--dir", "reviewed", expect=1)
    assert "merged without a plan run of its last commit" in result.err
    assert outputs["mode"] == "refused" and outputs["pr"] == "7" and outputs["override"] == ""
    assert sorted(p.name for p in (tmp_path / "reviewed").iterdir()) == ["refused.txt"]
    # the report step says so on the PR
    gh("report-apply", "--pr", "7", "--refused", "reviewed/refused.txt")
    (report,) = fake.pr_comments(7)
    assert "nothing was applied" in report["body"] and "without a plan run" in report["body"]
    (tmp_path / "reviewed" / "refused.txt").unlink()
    # #7's own plan run: found
    fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    _, outputs = gh("find-plan", "--sha", sha(0xB1), "--dir", "reviewed")
    assert outputs["mode"] == "reviewed" and outputs["pr"] == "7"


def test_an_artifact_that_claims_another_pr_is_refused(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(8))
    fake.merge(7, sha(0xB1))
    result, outputs = gh("find-plan", "--sha", sha(0xB1), expect=1)
    assert "claims pull request '8'" in result.err and outputs["mode"] == "refused"


def test_a_change_pushed_after_review_is_not_applied(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    fake.push(7, sha(0xA2))  # a new commit, merged before its plan ran
    fake.merge(7, sha(0xB1))
    result, _ = gh("find-plan", "--sha", sha(0xB1), expect=1)
    assert f"head {sha(0xA2)[:12]}" in result.err and "nothing was applied" in result.err


def test_a_failed_last_plan_is_not_replaced_by_an_older_success(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    fake.label(7, LABEL, "alice")
    fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7, override=True))
    fake.label(7, LABEL, "bob", add=False)  # override withdrawn: the new plan fails (unsafe)
    fake.add_run("plan.yml", HEAD, pull_requests=(7,), conclusion="failure")
    fake.merge(7, sha(0xB1))
    result, _ = gh("find-plan", "--sha", sha(0xB1), expect=1)
    assert "ended 'failure'" in result.err


def test_a_plan_run_still_running_at_merge_is_waited_for(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7, override=True))
    running = fake.add_run("plan.yml", HEAD, pull_requests=(7,), conclusion="")
    fake.runs[running]["status"] = "in_progress"  # e.g. the label was just removed
    fake.merge(7, sha(0xB1))
    result, _ = gh("find-plan", "--sha", sha(0xB1), expect=1)
    assert "has not finished" in result.err


def test_an_override_counts_only_if_the_label_was_there_when_the_plan_ran(
    gh: Any, fake: FakeGitHub
) -> None:
    fake.open_pull(7, HEAD)
    # the artifact claims the override, but nobody had added the label yet
    fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7, override=True))
    fake.label(7, LABEL, "triager")  # added after the plan ran, just before merge
    fake.merge(7, sha(0xB1))
    result, outputs = gh("find-plan", "--sha", sha(0xB1))
    assert outputs == {"mode": "reviewed", "pr": "7", "override": "", "override-by": ""}
    assert "the label was not on #7 when its plan ran" in result.err


def test_a_direct_push_and_a_manual_run(gh: Any, fake: FakeGitHub) -> None:
    _, outputs = gh("find-plan", "--sha", sha(0xC1))
    assert outputs["mode"] == "none"
    _, outputs = gh(
        "find-plan", "--sha", sha(0xC1), "--event", "workflow_dispatch", "--allow-unsafe", "true"
    )
    assert outputs == {"mode": "manual", "pr": "", "override": "--force", "override-by": ""}


# -- hostile artifacts and API faults ------------------------------------------------------


def test_an_oversized_artifact_is_refused_before_download(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    run = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7))
    (art,) = [a for a in fake.artifacts.values() if a["run_id"] == run]
    art["size_in_bytes"] = 60 * 1024 * 1024  # L4: 60 MB
    fake.merge(7, sha(0xB1))
    result, _ = gh("find-plan", "--sha", sha(0xB1), expect=1)
    assert "over the 33,554,432-byte limit" in result.err
    assert fake.blob_auth == [], "nothing was downloaded"


def test_a_zip_bomb_is_refused_after_the_member_limit(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("context.json", json.dumps({"pull_request": 7, "head_sha": HEAD}))
        archive.writestr("plan.json", b"[" + b"{}," * (6 * 1024 * 1024) + b"{}]")  # 18 MB
        archive.writestr("../escape", b"x")
    run = fake.add_run("plan.yml", HEAD, pull_requests=(7,))
    fake.blobs[fake.add_artifact(run, "reconciler-plan", {})] = buffer.getvalue()
    fake.merge(7, sha(0xB1))
    result, _ = gh("find-plan", "--sha", sha(0xB1), "--dir", "reviewed", expect=1)
    assert "plan.json in the artifact is over the 16,777,216-byte limit" in result.err
    assert not Path("escape").exists() and not Path("reviewed", "plan.json").exists()


def test_api_errors_are_one_line_and_never_show_the_token(
    gh: Any, fake: FakeGitHub, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = gh("comment", "--run-id", "424242", expect=1)
    assert "GitHub answered 404 (Not Found)" in result.err
    monkeypatch.delenv("GITHUB_TOKEN")
    missing = cli("github", "comment", "--run-id", "1")
    assert missing.code == 1 and "GITHUB_TOKEN is not set" in missing.err
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", closed_port_url().replace("https://", "http://"))
    down = cli("github", "comment", "--run-id", "1")
    assert down.code == 1 and "cannot reach the GitHub API" in down.err
    assert "Traceback" not in down.err and TOKEN not in down.err
    monkeypatch.setenv("GITHUB_API_URL", "http://api.example.invalid")  # never resolves
    plain = cli("github", "comment", "--run-id", "1")
    assert plain.code == 1 and "must be https://" in plain.err


# -- the drift issue -------------------------------------------------------------------------


def shard(tmp_path: Path, k: int, code: str, markdown: str = "") -> None:
    folder = tmp_path / f"drift-shard-{k}"
    folder.mkdir()
    (folder / "exit-code").write_text(code)
    (folder / "drift.md").write_text(markdown)
    url = {1: "https://github.com/acme/callbacks/actions/runs/5/artifacts/6", 2: "javascript:x"}
    (folder / "report-url").write_text(url.get(k, ""))


def test_a_failed_shard_reports_the_drift_found_and_never_closes_the_issue(
    gh: Any, fake: FakeGitHub, tmp_path: Path
) -> None:
    shard(tmp_path, 1, "3", "drift in shard one")
    shard(tmp_path, 2, "1")
    result, _ = gh("drift-issue", "--shards", "2", expect=1)
    (issue,) = fake.issues.values()
    assert issue["state"] == "open" and "drift in shard one" in issue["body"]
    assert "Some shards failed" in issue["body"] and "javascript:" not in issue["body"]
    assert (
        "[download](https://github.com/acme/callbacks/actions/runs/5/artifacts/6)" in issue["body"]
    )
    assert "some drift shards failed" in result.err
    # next night: no drift seen, but a shard failed again: the issue stays open
    for k in (1, 2):
        (tmp_path / f"drift-shard-{k}" / "exit-code").write_text("0" if k == 1 else "")
    gh("drift-issue", "--shards", "2", expect=1)
    assert issue["state"] == "open"
    assert_calls_match_openapi(fake.calls)


def test_an_issue_a_person_wrote_is_never_taken(gh: Any, fake: FakeGitHub, tmp_path: Path) -> None:
    fake.issues[1] = {
        "number": 1,
        "title": "Tencent RTC callback drift detected",
        "body": "<!-- trtc-callback-reconciler:drift --> mine",
        "state": "open",
        "user": {"login": "mallory", "type": "User"},
    }
    shard(tmp_path, 1, "2", "drift")
    gh("drift-issue", "--shards", "1")
    assert fake.issues[1]["body"].endswith("mine") and len(fake.issues) == 2


def test_the_fake_serves_exactly_the_vendored_operations_of_githubs_openapi(
    fake: FakeGitHub,
) -> None:
    from starlette.routing import Route

    from tests.integration.fake_github import load_subset
    from tests.integration.fixtures.github_openapi.make_subset import OPERATIONS

    served = {
        (method, route.path)
        for route in fake.app().routes
        if isinstance(route, Route) and not route.path.startswith("/_blob")
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert served == set(load_subset()) == set(OPERATIONS)


def test_a_forged_override_claim_is_shown_as_not_overridden(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    run = fake.add_run(
        "plan.yml",
        HEAD,
        pull_requests=(7,),
        artifacts=artifact(7, plan=plan_doc([], "overridden"), override=True),
    )
    gh("comment", "--run-id", str(run))
    body = fake.pr_comments(7)[0]["body"]
    assert "**Not overridden:**" in body and "added by" not in body


def test_outside_actions_the_outputs_go_to_stdout(
    gh: Any, fake: FakeGitHub, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    gh("find-plan", "--sha", sha(0xC1))  # sets up the environment
    monkeypatch.delenv("GITHUB_OUTPUT")
    result = cli("github", "find-plan", "--sha", sha(0xC1))
    assert result.code == 0 and result.out.splitlines()[:2] == ["mode=none", "pr="]


def test_a_failed_run_is_failed_whatever_its_artifact_says(gh: Any, fake: FakeGitHub) -> None:
    fake.open_pull(7, HEAD)
    run = fake.add_run(
        "plan.yml", HEAD, pull_requests=(7,), conclusion="failure", artifacts=artifact(7)
    )
    gh("comment", "--run-id", str(run))
    assert "plan failed" in fake.pr_comments(7)[0]["body"]


def test_a_label_added_by_someone_without_write_access_is_no_override(
    gh: Any, fake: FakeGitHub
) -> None:
    # the triage role can add labels; it maps to `read` and may not override
    fake.open_pull(7, HEAD)
    fake.label(7, LABEL, "triager")
    _, outputs = gh("pr-context", "--pr", "7", "--head-sha", HEAD, "--out", "c.json")
    assert outputs == {"override": "", "override-by": ""}
    run = fake.add_run("plan.yml", HEAD, pull_requests=(7,), artifacts=artifact(7, override=True))
    gh("comment", "--run-id", str(run))
    body = fake.pr_comments(7)[0]["body"]
    assert "**Not overridden:**" in body and "`triager`" in body and "(`read`)" in body
    fake.merge(7, sha(0xB1))
    result, outputs = gh("find-plan", "--sha", sha(0xB1))
    assert outputs["override"] == "" and "whose access (read) may not override" in result.err
    assert_calls_match_openapi(fake.calls)


def test_a_long_drift_report_keeps_its_beginning(gh: Any, fake: FakeGitHub, tmp_path: Path) -> None:
    shard(tmp_path, 1, "2", "### Drift report: the headline\n" + "| row |\n" * 100_000)
    gh("drift-issue", "--shards", "1")
    (issue,) = fake.issues.values()
    assert "### Drift report: the headline" in issue["body"]
    assert len(issue["body"]) < 65_536 and "more characters not shown" in issue["body"]


def drift_report(k: int, apps: int) -> str:
    """The real ``drift --format markdown`` of shard ``k`` with ``apps`` drifted apps
    (about 200 characters each, in a <details> and a diff fence each)."""
    changes = tuple(
        Change(
            res("call", 1400100000 + k * 10_000 + i, app=f"s{k}-app-{i:04d}"),
            Action.UPDATE,
            cb(f"https://hijacked.example.net/{'x' * 80}/{i}", "Call.CallbackAfterStartCall"),
            cb(f"https://hooks.example.com/{'y' * 80}/{i}", "Call.CallbackAfterStartCall"),
            cause="drift",
        )
        for i in range(apps)
    )
    return render_drift_markdown(Plan(changes))


@pytest.mark.parametrize(
    ("sizes", "budget", "shares"),
    [
        ([10, 100, 100], 150, [10, 70, 70]),  # the small one's unused share passes on
        ([100, 100, 100, 100], 200, [50, 50, 50, 50]),
        ([30, 5, 1_000], 2_000, [30, 5, 1_000]),  # all fit: each whole
        ([7, 7], 0, [0, 0]),
    ],
)
def test_fair_shares(sizes: list[int], budget: int, shares: list[int]) -> None:
    assert fair_shares(sizes, budget) == shares
    assert sum(fair_shares(sizes, budget)) <= budget


def outside_code(body: str, text: str) -> bool:
    """``text`` is rendered as Markdown (bold), not shown inside a code block, and not
    inside a <details> left open."""
    html = render(body)
    at = html.find(f"<strong>{text}</strong>")
    return at >= 0 and html.count("<details", 0, at) == html.count("</details>", 0, at)


def test_four_big_shards_each_keep_their_share_of_the_drift_issue(
    gh: Any, fake: FakeGitHub, tmp_path: Path
) -> None:
    reports = {k: drift_report(k, 300) for k in (1, 2, 3, 4)}
    assert all(len(r) > 55_000 for r in reports.values())  # ~60 KB each: 4x the limit
    for k, report in reports.items():
        shard(tmp_path, k, "2", report)
    gh("drift-issue", "--shards", "4")
    (issue,) = fake.issues.values()
    body = issue["body"]
    assert body.startswith("<!-- trtc-callback-reconciler:drift -->\n")
    assert [k for k in (1, 2, 3, 4) if f"<b>s{k}-app-0000</b>" in body] == [1, 2, 3, 4]
    run = f"{fake.url}/{REPO}/actions/runs/99"
    for k in (1, 2, 3, 4):
        note = f"The report of shard {k} was truncated here:"
        assert body.count(note) == 1 and outside_code(body, note), k
        # each shard shows about its quarter: its first apps, not one shard's whole report
        shown = sum(f"<b>s{k}-app-{i:04d}</b>" in body for i in range(300))
        assert 25 <= shown < 60, (k, shown)  # of 141 in its report, ~420 characters each
        where = body[body.index(note) :].split("\n", 1)[0]
        if k == 1:  # its HTML report (the only valid report-url in `shard`)
            assert "[the HTML report of shard 1](https://github.com/acme/callbacks/" in where
        else:  # else the run, whose artifact drift-shard-K holds the whole report
            assert f"`drift-shard-{k}`" in where and f"]({run})" in where, where
        assert "more characters not shown" in where
    assert len(body) <= 60_000 < 65_536  # GitHub refuses an issue body over 65,536
    html = render(body)
    assert html.count("<pre>") == html.count("</pre>") and html.count("<details") == html.count(
        "</details>"
    )


def test_a_small_shard_beside_a_huge_one_is_whole(
    gh: Any, fake: FakeGitHub, tmp_path: Path
) -> None:
    huge, small = drift_report(1, 300), drift_report(2, 3)
    shard(tmp_path, 1, "2", huge)
    shard(tmp_path, 2, "3", small)  # 3: drift and errors; shards are fine, not failed
    shard(tmp_path, 3, "1")  # a failed shard: the failure line must survive
    gh("drift-issue", "--shards", "3", expect=1)
    (issue,) = fake.issues.values()
    body = issue["body"]
    assert small.strip() in body  # whole, every app of it
    assert len(body) <= 60_000
    assert "The report of shard 2 was truncated" not in body
    assert outside_code(body, "The report of shard 1 was truncated here:")
    # the huge one gets what the small one left: most of the limit
    assert sum(f"<b>s1-app-{i:04d}</b>" in body for i in range(300)) > 120  # of 141 shown
    assert "> Some shards failed (shard 1: `2`, shard 2: `3`, shard 3: `1`)" in body


def test_a_shard_cut_inside_a_code_fence_leaves_the_next_shard_readable(
    gh: Any, fake: FakeGitHub, tmp_path: Path
) -> None:
    """One app with a 70 KB diff: the cut falls inside its fence and its <details>."""
    one = (
        "### trtc-callback-reconciler: Drift report\n\n"
        "<details><summary><b>big</b></summary>\n\n```diff\n"
        + "  ~ url = a long line of a diff\n" * 2_500
        + "```\n\n</details>\n"
    )
    shard(tmp_path, 1, "2", one)
    shard(tmp_path, 2, "2", "**shard two** is here\n")
    gh("drift-issue", "--shards", "2")
    (issue,) = fake.issues.values()
    assert outside_code(issue["body"], "The report of shard 1 was truncated here:")
    assert outside_code(issue["body"], "shard two")
