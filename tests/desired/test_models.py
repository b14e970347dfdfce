"""The pydantic models and the JSON Schema made from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from reconciler.desired import desired_state_json_schema
from reconciler.desired.models import (
    APP_FILE,
    CALLBACK_FILE,
    TOKEN_FILE,
    Absent,
    AppFile,
    CallbackPresent,
    TokenPresent,
)
from reconciler.facts.regions import REGION_NAMES, REGIONS
from reconciler.products.catalog import PRODUCT_KEYS
from tests.desired.conftest import FIXTURES

VALID_FILES = sorted(
    str(path.relative_to(FIXTURES))
    for folder in ("valid", "warnings")
    for path in (FIXTURES / folder).rglob("*.y*ml")
)

# Files the loader refuses for a reason the schema can express too. (A product of an
# app file missing `url` is not among them: defaults.yaml or a template may give it.)
INVALID_FILES = [
    "errors/duplicate_event/app1.yaml",
    "errors/empty_events/app1.yaml",
    "errors/empty_value/app1.yaml",
    "errors/ensure_absent_with_fields/app1.yaml",
    "errors/ensure_invalid/app1.yaml",
    "errors/event_not_string/app1.yaml",
    "errors/missing_sdkappid/app1.yaml",
    "errors/name_empty/app1.yaml",
    "errors/not_mapping/app1.yaml",
    "errors/plaintext_token/app1.yaml",
    "errors/product_file_errors/prod/live_token.yaml",
    "errors/product_file_errors/prod/conference.yaml",
    "errors/product_not_mapping/app1.yaml",
    "errors/sdkappid_range/app1.yaml",
    "errors/sdkappid_type/app1.yaml",
    "errors/secret_key_env_pattern/app1.yaml",
    "errors/unknown_field/app1.yaml",
    "errors/unknown_product/app1.yaml",
    "errors/unknown_product_field/app1.yaml",
    "errors/unknown_region/app1.yaml",
    "errors/url_no_host/app1.yaml",
    "errors/url_scheme/app1.yaml",
    "errors/url_spaces/app1.yaml",
    "errors/url_upper_scheme/app1.yaml",
]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = desired_state_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def read(relative: str) -> Any:
    return yaml.safe_load((FIXTURES / relative).read_text(encoding="utf-8"))


def test_schema_header() -> None:
    schema = desired_state_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:trtc-callback-reconciler:schema:desired-state:1"
    assert schema["title"] == "trtc-callback-reconciler desired state"
    assert len(schema["anyOf"]) == 3  # app file, callback product file, token product file
    json.dumps(schema)  # printable as-is by `reconciler schema`


def test_schema_lists_regions_products_and_patterns() -> None:
    defs = desired_state_json_schema()["$defs"]
    assert defs["AppFile"]["properties"]["region"]["enum"] == list(REGION_NAMES)
    assert defs["AppFile"]["properties"]["region"]["enum"][: len(REGIONS)] == list(REGIONS)
    # region may come from defaults.yaml; the loader checks it after merging
    assert defs["AppFile"]["required"] == ["sdkappid"]
    assert list(defs["Callbacks"]["properties"]) == list(PRODUCT_KEYS)
    assert defs["AppFile"]["properties"]["secret_key_env"]["pattern"]
    assert defs["TokenPresent"]["properties"]["token_env"]["pattern"]
    assert "null" not in json.dumps(defs)  # optional fields are not nullable in files


def test_every_field_has_a_description() -> None:
    defs = desired_state_json_schema()["$defs"]
    for name, definition in defs.items():
        assert definition.get("description"), name
        for field, body in definition["properties"].items():
            assert body.get("description"), f"{name}.{field}"


@pytest.mark.parametrize("relative", VALID_FILES)
def test_valid_fixtures_validate(relative: str, validator: jsonschema.Draft202012Validator) -> None:
    errors = [error.message for error in validator.iter_errors(read(relative))]
    assert errors == []


@pytest.mark.parametrize("relative", INVALID_FILES)
def test_invalid_fixtures_do_not_validate(
    relative: str, validator: jsonschema.Draft202012Validator
) -> None:
    assert not validator.is_valid(read(relative))


def test_app_file_defaults() -> None:
    app = APP_FILE.validate_python({"sdkappid": 1, "region": "china"})
    assert app == AppFile(sdkappid=1, region="china")
    assert (app.name, app.identifier, app.secret_key_env) == (None, "administrator", None)
    assert (app.protect, app.lenient) == (False, False)
    assert app.callbacks.declared() == {}


def test_product_specs_pick_their_model_by_ensure() -> None:
    assert CALLBACK_FILE.validate_python({"ensure": "absent"}) == Absent(ensure="absent")
    present = CALLBACK_FILE.validate_python({"url": "https://h/", "events": ["a"]})
    assert present == CallbackPresent(url="https://h/", events=["a"])
    assert TOKEN_FILE.validate_python({"token_env": "T"}) == TokenPresent(token_env="T")


@pytest.mark.parametrize(
    "data",
    [
        {"sdkappid": "1", "region": "china"},  # strict: no string to int
        {"sdkappid": True, "region": "china"},  # strict: a bool is no int
        {"sdkappid": 1.0, "region": "china"},
        {"sdkappid": 1, "region": "china", "protect": "true"},
        {"sdkappid": 1, "region": "China"},
        {"sdkappid": 1, "region": "china", "identifier": None},
    ],
)
def test_app_file_is_strict(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        APP_FILE.validate_python(data)


def test_schema_fixtures_exist() -> None:
    for relative in INVALID_FILES:
        assert (FIXTURES / relative).is_file(), relative
    assert len(VALID_FILES) >= 10
    assert Path(FIXTURES / "valid/apps/prod-sg.yaml").is_file()
