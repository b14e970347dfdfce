"""Mapping pydantic's error locations back to YAML nodes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reconciler.desired.models import APP_FILE
from reconciler.desired.translate import APP, allowed_keys, data_path, translate
from reconciler.desired.yamlsource import parse_yaml


def test_data_path_drops_union_tags_and_missing_fields() -> None:
    data = {"callbacks": {"call": {"events": ["a", 5]}}}
    loc = ("callbacks", "call", "tagged-union[Callback,Absent]", "ensure=present", "events", 1)
    assert data_path(loc, data) == ("callbacks", "call", "events", 1)
    assert data_path(("callbacks", "call", "url"), data) == ("callbacks", "call")
    assert data_path(("callbacks", "call", "events", 7), data) == ("callbacks", "call", "events")


def test_allowed_keys() -> None:
    assert allowed_keys(APP, ("callbacks",)) == (
        "product",
        "",
        ("call", "call_legacy", "live", "live_token", "conference"),
    )
    assert allowed_keys(APP, ("callbacks", "live_token")) == (
        "field",
        "live_token",
        ("ensure", "token_env", "enabled"),
    )
    assert allowed_keys("call", ()) == ("field", "call", ("ensure", "url", "events"))
    assert allowed_keys(APP, ("callbacks", "call", "events")) is None


def errors_of(text: str) -> list[str]:
    doc = parse_yaml(text, "a.yaml")
    with pytest.raises(ValidationError) as caught:
        APP_FILE.validate_python(doc.data)
    return [str(error) for error in translate(caught.value, doc, APP)]


def test_several_errors_in_one_file_each_located() -> None:
    assert errors_of(
        "sdkappid: -1\nregion: usa\nprotect: 1\ncallbacks:\n  call: {url: 5, events: [a]}\n"
    ) == [
        "a.yaml:1:11: `sdkappid` must be between 1 and 4294967295, found the number -1: "
        "copy the SDKAppID from the Tencent console",
        "a.yaml:3:10: `protect` must be true or false, found the number 1",
        "a.yaml:5:15: `url` must be a string, found the number 5",
    ]


def test_a_date_is_named_as_such() -> None:
    assert errors_of("sdkappid: 1\nregion: usa\nidentifier: 2024-01-01\n") == [
        "a.yaml:3:13: `identifier` must be a string, found a date (quote it to make it a string)"
    ]


def test_empty_product_mapping_reports_both_missing_fields() -> None:
    assert errors_of("sdkappid: 1\nregion: usa\ncallbacks:\n  live: {}\n") == [
        "a.yaml:4:3: product live is missing `url`: add `url: https://...`, "
        "or write `ensure: absent` to delete the product's configuration",
        "a.yaml:4:3: product live is missing `events`: add `events: [...]` with the product's "
        "command words, or write `ensure: absent` to delete the product's configuration",
    ]


def test_callbacks_must_be_a_mapping() -> None:
    assert errors_of("sdkappid: 1\nregion: usa\ncallbacks: [call]\n") == [
        "a.yaml:3:12: `callbacks` must be a mapping (`key: value` lines), found a list"
    ]
