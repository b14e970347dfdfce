"""The docs' Python API example runs as written (against the embedded emulator)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_python_api_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", page, re.S)
    assert match is not None
    monkeypatch.chdir(ROOT)
    exec(compile(match.group(1), "python-api.md", "exec"), {})  # noqa: S102 - our own docs
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Plan: 3 to create, 3 to update, 1 to delete, 2 unchanged."
    assert out[1] == "()"
    assert out[2].startswith("True ['applied',") and out[2].count("applied") == 7
