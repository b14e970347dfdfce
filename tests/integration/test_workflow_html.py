"""The drift workflow keeps the HTML report as an artifact and links it from the issue."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.integration.conftest import ROOT

DRIFT = ROOT / ".github" / "workflows" / "drift.yml"


def _steps() -> list[dict[str, Any]]:
    doc = yaml.safe_load(DRIFT.read_text())
    return [step for job in doc["jobs"].values() for step in job["steps"]]


def test_drift_writes_uploads_and_links_the_html_report() -> None:
    steps = _steps()
    runs = "\n".join(str(s.get("run", "")) for s in steps)
    assert re.search(r"drift .*--html drift\.html", runs + str(steps))
    (html,) = [s for s in steps if s.get("id") == "html"]
    assert html["with"]["path"] == "drift.html"
    assert "steps.html.outputs.artifact-url" in str(steps)
    # each shard records the URL; `reconciler github drift-issue` links it (tested in
    # test_github_commands.py)
    assert any("> report-url" in str(s.get("run", "")) for s in steps)
    assert any("reconciler github drift-issue" in str(s.get("run", "")) for s in steps)


def test_the_artifact_actions_are_pinned_by_commit() -> None:
    uploads = [s["uses"] for s in _steps() if "upload-artifact" in str(s.get("uses"))]
    assert len(uploads) == 2
    for uses in uploads:
        assert re.fullmatch(r"actions/upload-artifact@[0-9a-f]{40}", uses), uses
