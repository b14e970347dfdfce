"""The docs site cannot rot: its generated pages match the code, and every option of
every command and every field of every desired-state file is on them."""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from reconciler.cli.main import cli, run
from reconciler.desired.schemas import SCHEMAS
from reconciler.devtools import commands, docpages, yamlref


def test_generated_pages_are_up_to_date() -> None:
    stale = docpages.stale()
    diff = "".join(
        "".join(
            list(
                difflib.unified_diff(
                    (docpages.DOCS / name).read_text(encoding="utf-8").splitlines(True),
                    docpages.PAGES[name]().splitlines(True),
                    name,
                    "generated",
                )
            )[:40]
        )
        for name in stale
    )
    assert stale == [], (
        f"run `python -m reconciler.devtools.docpages --write` and commit docs/\n{diff}"
    )


def _all_commands() -> list[tuple[str, click.Command]]:
    ctx = commands.root_context()
    return [(path, command) for path, command, _ in commands.walk(cli, ctx, "reconciler")]


def test_the_reference_does_not_depend_on_earlier_runs() -> None:
    """click caches a command's help option once made: a run of the CLI (``-h``) before
    the reference is made must not change it."""
    before = commands.reference()
    assert "`-h, --help`" in before
    run(["plan", "--help"])
    run(["emulator", "-h"])
    assert commands.reference() == before
    # a command run on its own first (as tests of one command do) makes its help
    # option, which click keeps, in a context without the group's settings (-h)
    script = (
        "import contextlib, io, sys\n"
        "from reconciler.emulator.cli import emulator_command\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    emulator_command.main(['--help'], standalone_mode=False)\n"
        "from reconciler.devtools import commands\n"
        "sys.stdout.write(commands.reference())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout == before


def test_every_option_of_every_command_is_documented() -> None:
    page = commands.reference()
    found = _all_commands()
    assert {"reconciler plan", "reconciler apply", "reconciler drift"} <= {p for p, _ in found}
    for path, command in found:
        assert f"## `{path}`" in page
        section = page.split(f"## `{path}`", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                for opt in param.opts:
                    assert f"`{opt}" in section or f", {opt}" in section, (path, opt)


def test_every_field_of_every_file_is_documented() -> None:
    page = yamlref.reference()
    for make in SCHEMAS.values():
        schema = make()
        nodes = [schema, *schema.get("$defs", {}).values()]
        for node in nodes:
            for field in node.get("properties", {}):
                assert f"| `{field}` |" in page, field
    assert "`administrator`" in page  # a default, as JSON
    assert json.dumps(False) in page


def test_a_stale_page_is_detected(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(docpages, "DOCS", tmp_path)
    assert sorted(docpages.stale()) == sorted(docpages.PAGES)
    docpages.write()
    assert docpages.stale() == []
    (tmp_path / "reference" / "commands.md").write_text("old\n", encoding="utf-8")
    assert docpages.stale() == ["reference/commands.md"]


# --- shell examples -----------------------------------------------------------------


ROOT = Path(__file__).resolve().parents[1]
_FENCE = re.compile(r"^```(?:sh|bash|console)\n(.*?)^```", re.M | re.S)


def _examples() -> list[tuple[str, str]]:
    """Every shell line of the docs and README that runs the tool on the shipped
    examples and writes nothing: those run against the embedded emulator or need no
    network, so a test can run them as a reader would."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        exports = " ".join(  # a page's `export NAME=value` lines hold for its examples
            line.split(" ", 1)[1]
            for block in _FENCE.findall(text)
            for line in block.splitlines()
            if re.match(r"^export \w+=\S+$", line)
        )
        for block in _FENCE.findall(text):
            for line in block.replace("\\\n", " ").splitlines():
                # the README's commands name the venv's copy; run the installed one
                line = line.split(" #", 1)[0].strip().replace(".venv/bin/reconciler", "reconciler")
                words = shlex.split(line) if line else []
                tool = [w for w in words if "=" not in w[:1] and not re.match(r"^\w+=", w)]
                if not tool or tool[0] != "reconciler" or "examples/" not in line:
                    continue
                if "--emulator" not in words and tool[1:2] not in (["validate"], ["render"]):
                    continue  # needs a running server or Tencent: not run here
                if any(w in words for w in ("--out", ">", "--db")) or "|" in words:
                    continue
                run = f"export {exports}; {line}" if exports else line
                found.append((f"{page.relative_to(ROOT)}: {line}", run))
    return found


EXAMPLES = _examples()


def test_the_docs_have_runnable_examples() -> None:
    assert len(EXAMPLES) >= 8, [name for name, _ in EXAMPLES]


@pytest.mark.parametrize("line", [line for _, line in EXAMPLES], ids=[n for n, _ in EXAMPLES])
def test_shell_example_runs(line: str) -> None:
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    for name in list(env):
        if name.startswith(("TRTC_", "RECONCILER_", "LIVE_WEBHOOK_TOKEN", "GITHUB_")):
            del env[name]
    done = subprocess.run(
        ["bash", "-c", line], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in done.stderr, done.stderr
    # 0: ok; 2: a plan or drift with differences, as the examples are made to show
    assert done.returncode in (0, 2), (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    assert (done.stdout + done.stderr).strip(), "an example prints its result"
