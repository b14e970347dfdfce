"""The GitHub Actions workflows users copy: their structure, and that the CLI accepts
every ``reconciler …`` command line they run (parsed by click, not executed)."""

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
GITOPS = ("plan.yml", "apply.yml", "drift.yml")
SECRET_ENV = re.compile(r"^(TRTC_SECRET_KEY\w*|LIVE_WEBHOOK_TOKEN\w*)$")
SECRET_REF = re.compile(r"^\$\{\{\s*secrets\.(?P<name>\w+)\s*\}\}$")
REDIRECTIONS = (">", ">>", "2>", "2>>", "&>", "<")


def load(name: str) -> dict[Any, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
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


def all_commands() -> list[tuple[str, str]]:
    return [
        (path.name, line)
        for path in WORKFLOW_FILES
        for script in run_scripts(load(path.name))
        for line in reconciler_lines(script)
    ]


def to_argv(line: str) -> list[str]:
    text = line.replace('"$DESIRED_STATE"', str(EXAMPLES)).replace("$DESIRED_STATE", str(EXAMPLES))
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
    """Parse ``reconciler ARGS`` exactly as the CLI would, without running anything."""
    ctx = reconciler_cli.make_context("reconciler", list(argv[1:]), resilient_parsing=False)
    protected = ctx.__dict__.get("_protected_args")
    if protected is None:  # click < 8.2
        protected = ctx.protected_args
    name, command, rest = reconciler_cli.resolve_command(ctx, [*protected, *ctx.args])
    assert command is not None and name is not None
    return command.make_context(name, list(rest), parent=ctx)


@pytest.fixture(autouse=True)
def _no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRTC_ENDPOINT", raising=False)


def test_every_workflow_parses() -> None:
    assert {p.name for p in WORKFLOW_FILES} >= {"ci.yml", *GITOPS}
    for path in WORKFLOW_FILES:
        doc = load(path.name)
        assert doc.get("name"), path
        assert triggers(doc), path
        assert doc["jobs"], path
        for job in doc["jobs"].values():
            assert job.get("runs-on") and job.get("steps"), path


def test_ci_runs_the_tests_on_python_3_10_to_3_13() -> None:
    doc = load("ci.yml")
    assert {"push", "pull_request"} <= set(triggers(doc))
    (job,) = doc["jobs"].values()
    versions = job["strategy"]["matrix"]["python-version"]
    # quoted: an unquoted 3.10 would be read as the float 3.1
    assert all(isinstance(v, str) for v in versions), versions
    assert {"3.10", "3.11", "3.12", "3.13"} <= set(versions)
    setup = [s for s in job["steps"] if uses(s, "actions/setup-python")]
    assert setup and setup[0]["with"]["python-version"] == "${{ matrix.python-version }}"
    assert any("bash .ci/run" in s.get("run", "") for s in job["steps"])


def test_plan_runs_on_pull_requests_comments_once_and_uploads_the_plan() -> None:
    doc = load("plan.yml")
    assert "pull_request" in triggers(doc)
    assert doc["permissions"]["pull-requests"] == "write"
    commands = [line for s in run_scripts(doc) for line in reconciler_lines(s)]
    assert [c.split()[1] for c in commands] == ["validate", "plan"]
    plan_argv = to_argv(commands[1])
    out_file = plan_argv[plan_argv.index("--out") + 1]
    assert "--format" in plan_argv and plan_argv[plan_argv.index("--format") + 1] == "markdown"
    assert "> plan.md" in commands[1]

    (comment,) = [s for s in steps(doc) if uses(s, "actions/github-script")]
    script = comment["with"]["script"]
    marker = re.search(r"'(<!--[^']*-->)'", script)
    assert marker, "the comment needs a hidden marker to be found again"
    assert "plan.md" in script
    assert "listComments" in script and "startsWith(marker)" in script
    assert "updateComment" in script and "createComment" in script  # one comment, updated

    (upload,) = [s for s in steps(doc) if uses(s, "actions/upload-artifact")]
    assert upload["with"]["path"] == out_file


def test_apply_runs_on_push_to_main_one_at_a_time() -> None:
    doc = load("apply.yml")
    on = triggers(doc)
    assert "main" in on["push"]["branches"]
    assert "pull_request" not in on
    assert doc["concurrency"]["cancel-in-progress"] is False
    commands = [line for s in run_scripts(doc) for line in reconciler_lines(s)]
    (apply_line,) = [c for c in commands if c.split()[1] == "apply"]
    argv = to_argv(apply_line)
    assert "--auto-approve" in argv
    audit = argv[argv.index("--audit-log") + 1]
    (upload,) = [s for s in steps(doc) if uses(s, "actions/upload-artifact")]
    assert upload["with"]["path"] == audit
    assert upload.get("if") == "always()"  # keep the audit log of a failed apply too


def test_drift_is_scheduled_sharded_and_opens_one_issue() -> None:
    doc = load("drift.yml")
    on = triggers(doc)
    assert "workflow_dispatch" in on
    assert on["schedule"] and all("cron" in entry for entry in on["schedule"])
    drift_job = doc["jobs"]["drift"]
    shards = drift_job["strategy"]["matrix"]["shard"]
    assert drift_job["strategy"].get("fail-fast") is False
    (line,) = [c for s in run_scripts(doc) for c in reconciler_lines(s)]
    match = re.search(r"--shard \$\{\{\s*matrix\.shard\s*\}\}/(\d+)", line)
    assert match, line
    assert shards == list(range(1, int(match[1]) + 1))  # the matrix covers every shard once

    issue_steps = [s for s in steps(doc) if uses(s, "actions/github-script")]
    assert issue_steps
    script = issue_steps[0]["with"]["script"]
    assert "issues.create" in script and "issues.update" in script
    assert "ISSUE_TITLE" in script
    assert doc["env"]["ISSUE_TITLE"] == "Tencent RTC callback drift detected"
    report_jobs = [j for j in doc["jobs"].values() if issue_steps[0] in j["steps"]]
    assert report_jobs[0]["permissions"]["issues"] == "write"


@pytest.mark.parametrize("name", GITOPS)
def test_one_desired_state_variable_and_secrets_from_the_secret_store(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    doc = load(name)
    assert doc["env"]["DESIRED_STATE"] == "examples/desired-state"
    # the path is written once: everything else goes through $DESIRED_STATE
    assert text.count("examples/desired-state") == 1
    assert text.count("DESIRED_STATE:") == 1
    commands = [line for s in run_scripts(doc) for line in reconciler_lines(s)]
    assert commands
    for line in commands:
        assert '"$DESIRED_STATE"' in line, line
    for step in steps(doc):
        for var, value in (step.get("env") or {}).items():
            if SECRET_ENV.match(var):
                ref = SECRET_REF.match(str(value))
                assert ref and ref["name"] == var, f"{name}: {var} must be ${{{{ secrets.{var} }}}}"
    assert not re.search(r"demo-key|not-secret|demo-token", text)


@pytest.mark.parametrize("name", GITOPS)
def test_the_steps_provide_every_variable_the_examples_read(name: str) -> None:
    wanted = set()
    for path in EXAMPLES.rglob("*.yaml"):
        text = path.read_text()
        wanted |= set(re.findall(r"^\s*(?:secret_key_env|token_env):\s*(\w+)", text, re.M))
    wanted.add("TRTC_SECRET_KEY")  # prod-cn has no secret_key_env
    doc = load(name)
    for step in steps(doc):
        lines = reconciler_lines(step.get("run", ""))
        if any(line.split()[1] in ("plan", "apply", "drift") for line in lines):
            assert wanted <= set(step.get("env", {})), (name, wanted - set(step.get("env", {})))


def test_the_cli_accepts_every_command_line_in_the_workflows() -> None:
    commands = all_commands()
    subcommands = {line.split()[1] for _, line in commands}
    assert subcommands == {"validate", "plan", "apply", "drift"}
    for workflow, line in commands:
        argv = to_argv(line)
        try:
            ctx = parse(argv)
        except click.ClickException as exc:  # UsageError, BadParameter, NoSuchOption …
            pytest.fail(f"{workflow}: `{line}` is refused by the CLI: {exc.format_message()}")
        paths = ctx.params.get("paths") or (None,)  # validate takes DIRECTORY or FILEs
        given = ctx.params.get("directory") or paths[0]
        assert given == EXAMPLES, (workflow, line)
        if argv[1] == "drift":
            assert ctx.params["shard"] == (1, 4)
            assert ctx.params["fmt"] == "markdown"
        if argv[1] == "plan":
            assert ctx.params["detailed_exitcode"] is True
            assert ctx.params["fmt"] == "markdown"
            assert ctx.params["out_file"] == Path("plan.json")
        if argv[1] == "apply":
            assert ctx.params["auto_approve"] is True
            assert ctx.params["audit_log"] == Path("audit.jsonl")


@pytest.mark.parametrize(
    "line",
    [
        'reconciler drift "$DESIRED_STATE" --shard ${{ matrix.shard }}/0 > drift.md',
        'reconciler drift "$DESIRED_STATE" --shards ${{ matrix.shard }}/4',
        'reconciler plan "$DESIRED_STATE" --format md',
        'reconciler apply "$DESIRED_STATE" --yes',
        'reconciler plans "$DESIRED_STATE"',
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
