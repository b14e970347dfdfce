"""The README's Python API example runs as written (against the embedded emulator)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_python_api_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    monkeypatch.chdir(ROOT)
    exec(compile(match.group(1), "README.md", "exec"), {})  # noqa: S102 - our own README
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Plan: 3 to create, 3 to update, 1 to delete, 2 unchanged."
    assert out[1] == "()"
    assert out[2].startswith("True ['applied',") and out[2].count("applied") == 7
