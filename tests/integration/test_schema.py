"""``reconciler schema`` and the committed schema/desired-state.schema.json.

The example files' ``yaml-language-server`` modelines point at the committed
file, so it must equal what the models produce, accept every example, and
reject what ``validate`` rejects for its shape.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.integration.conftest import EXAMPLES, ROOT

SCHEMA_FILE = ROOT / "schema" / "desired-state.schema.json"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(?P<path>\S+)$")
EXAMPLE_FILES = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml"))
VALID_FIXTURES = sorted(
    p
    for folder in ("valid", "warnings")
    for p in (ROOT / "tests" / "desired" / "fixtures" / folder).rglob("*")
    if p.suffix in (".yaml", ".yml")
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def test_schema_command_prints_a_draft_2020_12_schema(cli: Any) -> None:
    result = cli("schema")
    assert result.code == 0, result.err
    assert result.err == ""
    printed = result.json()
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(printed)
    assert jsonschema.validators.validator_for(printed) is jsonschema.Draft202012Validator


def test_committed_schema_is_up_to_date(cli: Any) -> None:
    printed = cli("schema").out
    assert SCHEMA_FILE.is_file(), (
        f"{SCHEMA_FILE.relative_to(ROOT)} is missing; create it with "
        "`reconciler schema > schema/desired-state.schema.json`"
    )
    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed, (
        "schema/desired-state.schema.json is out of date with the models in "
        "reconciler/desired/models.py; regenerate it with "
        "`reconciler schema > schema/desired-state.schema.json` and commit the result"
    )


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_every_example_file_validates(
    validator: jsonschema.Draft202012Validator, path: Path
) -> None:
    errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


def test_examples_cover_app_files_and_product_files() -> None:
    names = {p.relative_to(EXAMPLES).as_posix() for p in EXAMPLE_FILES}
    assert "apps/prod-sg.yaml" in names  # an app in one file
    assert "apps/prod-cn/app.yaml" in names  # an app folder ...
    assert {"apps/prod-cn/call.yaml", "apps/prod-cn/live.yaml"} <= names  # ... with product files


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_every_example_file_has_a_modeline_to_the_schema(path: Path) -> None:
    first = path.read_text().splitlines()[0]
    match = MODELINE.match(first)
    assert match, f"{path}: first line is not a yaml-language-server modeline: {first!r}"
    target = (path.parent / match["path"]).resolve()
    assert target == SCHEMA_FILE.resolve()
    assert target.is_file()


def test_loader_fixtures_that_validate_also_pass_the_schema(
    validator: jsonschema.Draft202012Validator,
) -> None:
    assert VALID_FIXTURES
    for path in VALID_FIXTURES:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        assert errors == [], path


def _app(**callbacks: Any) -> dict[str, Any]:
    return {"sdkappid": 1400000001, "region": "singapore", "callbacks": callbacks}


CALL = {"url": "https://hooks.example.com/cb", "events": ["Call.CallbackAfterEndCall"]}
INVALID = {
    "unknown region": {"sdkappid": 1400000001, "region": "singapur"},
    "sdkappid as a string": {"sdkappid": "1400000001", "region": "singapore"},
    "sdkappid out of range": {"sdkappid": 2**32, "region": "singapore"},
    "missing sdkappid": {"region": "singapore"},
    "unknown top-level key": {**_app(call=CALL), "callback": {}},
    "unknown product": _app(calls=CALL),
    "plaintext token": _app(live_token={"token": "do-not-commit", "enabled": True}),
    "ftp url": _app(call={**CALL, "url": "ftp://hooks.example.com/cb"}),
    "empty events": _app(call={**CALL, "events": []}),
    "duplicate events": _app(call={**CALL, "events": ["a", "a"]}),
    "absent with fields": _app(call={**CALL, "ensure": "absent"}),
    "empty product": _app(call=None),
    "protect not a bool": {**_app(), "protect": "yes"},
    "bad secret_key_env": {**_app(), "secret_key_env": "9-not-a-name"},
    "product file without events": {"url": "https://hooks.example.com/cb"},
    "product file with a token": {"token": "do-not-commit"},
}


@pytest.mark.parametrize("doc", INVALID.values(), ids=INVALID.keys())
def test_invalid_documents_are_rejected(
    validator: jsonschema.Draft202012Validator, doc: Any
) -> None:
    assert not validator.is_valid(doc)


def test_an_invalid_example_copy_fails_the_schema_and_validate(
    cli: Any, validator: jsonschema.Draft202012Validator, desired: Path
) -> None:
    path = desired / "apps" / "staging-us.yaml"
    path.write_text(path.read_text().replace("region: korea", "region: mars"))
    assert not validator.is_valid(yaml.safe_load(path.read_text()))
    result = cli("validate", desired)
    assert result.code == 1
    assert "unknown region 'mars'" in result.err
