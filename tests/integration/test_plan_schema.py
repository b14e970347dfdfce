"""``reconciler schema --plan`` and the committed schema/plan.schema.json: the schema of
the plan document (``--format json``, ``plan --out``) and of apply's audit-log lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.integration.conftest import ROOT, read_log

SCHEMA_FILE = ROOT / "schema" / "plan.schema.json"


def _validator(schema: dict[str, Any], definition: str) -> jsonschema.Draft202012Validator:
    """A validator of one of the schema's ``$defs`` (refs resolve inside the whole file)."""
    return jsonschema.Draft202012Validator(
        {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    )


@pytest.fixture
def schema(cli: Any) -> dict[str, Any]:
    result = cli("schema", "--plan")
    assert result.code == 0, result.err
    printed: dict[str, Any] = result.json()
    jsonschema.Draft202012Validator.check_schema(printed)
    return printed


def test_committed_copy_is_current(schema: dict[str, Any]) -> None:
    assert SCHEMA_FILE.is_file(), "create it: reconciler schema --plan > schema/plan.schema.json"
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == schema, (
        "schema/plan.schema.json is out of date; regenerate it with "
        "`reconciler schema --plan > schema/plan.schema.json`"
    )
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json.dumps(schema, indent=2) + "\n"


def test_plan_json_and_saved_plan_match_the_plan_schema(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path, schema: dict[str, Any]
) -> None:
    saved = tmp_path / "plan.json"
    result = cli("plan", desired, "--format", "json", "--out", saved)
    assert result.code == 0, result.err
    document = result.json()
    assert document["changes"], "the example plan has changes to check"
    validator = _validator(schema, "plan")
    validator.validate(document)
    validator.validate(json.loads(saved.read_text()))
    _validator(schema, "saved_plan").validate(json.loads(saved.read_text()))
    assert not _validator(schema, "saved_plan").is_valid(document)  # no fingerprints
    jsonschema.Draft202012Validator(schema).validate(document)  # the root accepts it too


def test_audit_log_lines_match_the_apply_result_schema(
    cli: Any, env: dict[str, str], desired: Path, tmp_path: Path, schema: dict[str, Any]
) -> None:
    audit = tmp_path / "audit.jsonl"
    result = cli("apply", desired, "--auto-approve", "--force", "--audit-log", audit)
    assert result.code == 0, result.err
    lines = read_log(audit)
    assert lines
    validator = _validator(schema, "apply_result")
    for line in lines:
        validator.validate(line)


def test_the_schema_rejects_what_is_not_a_plan(schema: dict[str, Any]) -> None:
    validator = _validator(schema, "plan")
    good = {
        "format_version": "1.0",
        "summary": {"create": 0, "update": 1, "delete": 0, "unchanged": 0},
        "changes": [
            {
                "app": "a",
                "sdkappid": 1400000001,
                "product": "live_token",
                "action": "update",
                "before": {"token": "(sensitive)", "enabled": True},
                "after": {"token": "(sensitive value changed)", "enabled": True},
            }
        ],
        "unmanaged": [],
    }
    validator.validate(good)
    leaked = json.loads(json.dumps(good))
    leaked["changes"][0]["after"]["token"] = "the-real-token"
    wrong_action = json.loads(json.dumps(good))
    wrong_action["changes"][0]["action"] = "replace"
    for bad in (
        leaked,
        wrong_action,
        {"format_version": "2.0", **{k: good[k] for k in good if k != "format_version"}},
    ):
        assert not validator.is_valid(bad)
