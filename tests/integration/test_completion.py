"""``reconciler completion bash|zsh|fish``: scripts a shell can load, and completions that work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Any

import pytest

from tests.integration.conftest import ROOT


def _complete(words: str, cword: int) -> list[str]:
    env = {**os.environ, "_RECONCILER_COMPLETE": "bash_complete", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(cword)
    done = subprocess.run(
        [sys.executable, "-m", "reconciler"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if line.startswith("plain,")]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_for_each_shell(cli: Any, shell: str) -> None:
    result = cli("completion", shell)
    assert result.code == 0, result.err
    assert "_RECONCILER_COMPLETE" in result.out
    assert f"{shell}_complete" in result.out
    assert result.err == ""


def test_completion_refuses_an_unknown_shell_with_exit_1(cli: Any) -> None:
    result = cli("completion", "tcsh")
    assert result.code == 1
    assert "tcsh" in result.err
    assert "bash" in result.err


def test_bash_loads_the_script_and_registers_reconciler(cli: Any, tmp_path: Any) -> None:
    bash = shutil.which("bash")
    assert bash, "bash is needed to check the bash completion script"
    script = tmp_path / "reconciler.bash"
    script.write_text(cli("completion", "bash").out)
    done = subprocess.run(
        [bash, "-c", f"source {script} && complete -p reconciler"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "_reconciler_completion" in done.stdout


def test_the_completion_protocol_completes_commands_and_choices() -> None:
    assert "plan" in _complete("reconciler pl", 1)
    assert "completion" in _complete("reconciler com", 1)
    products = _complete("reconciler plan --product ", 3)
    assert {"call", "live", "live_token", "conference"} <= set(products)
    assert set(_complete("reconciler completion ", 2)) == {"bash", "zsh", "fish"}
