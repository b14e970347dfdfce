"""load_desired: both layouts, defaults, every error path with its exact location and message."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reconciler.configs import CallbackConfig
from reconciler.desired import DesiredProduct, load_desired
from reconciler.errors import ConfigErrors, Location

# every test runs with libyaml, and with the pure-Python loader alone
pytestmark = pytest.mark.usefixtures("yaml_loader")

# One fixture folder per error path, under fixtures/errors/. The paths are relative
# to fixtures/, which is where these tests run from (see ``in_fixtures``).
ERROR_CASES: dict[str, list[str]] = {
    "app_yaml_and_yml": [
        (
            "errors/app_yaml_and_yml/prod/app.yml:1:1: app folder has both app.yaml "
            "and app.yml: keep one of them"
        ),
    ],
    "bool_type": [
        (
            "errors/bool_type/app1.yaml:3:10: `protect` must be true or false, found "
            "the string 'yes please'"
        ),
    ],
    "comments_only": [
        (
            "errors/comments_only/app1.yaml:1:1: file is empty: write its settings "
            "(see `reconciler schema`), or delete the file"
        ),
    ],
    "complex_key": [
        (
            "errors/complex_key/app1.yaml:3:3: a key must be a plain word, not a "
            "list: write `word: value`"
        ),
    ],
    "control_character": [
        (
            "errors/control_character/app1.yaml:2:13: invalid YAML: control "
            "character #x0007 is not allowed: remove it"
        ),
    ],
    "declared_twice": [
        (
            "errors/declared_twice/apps/prod/call.yaml:2:1: product call is declared "
            "twice: here and under callbacks in "
            "errors/declared_twice/apps/prod/app.yaml:4:3; keep one of them"
        ),
    ],
    "declared_twice_suffix": [
        (
            "errors/declared_twice_suffix/apps/prod/live_token.yml:1:1: product "
            "live_token is declared twice: here and in "
            "errors/declared_twice_suffix/apps/prod/live_token.yaml:1:1; keep one of "
            "them"
        ),
    ],
    "duplicate_event": [
        (
            "errors/duplicate_event/app1.yaml:9:9: event 'normal_end' is listed "
            "twice (first on line 7, column 9): remove this one"
        ),
    ],
    "duplicate_key": [
        (
            "errors/duplicate_key/app1.yaml:7:5: key 'url' is written twice (lines 5 "
            "and 7): keep one of them"
        ),
    ],
    "duplicate_name": [
        (
            "errors/duplicate_name/named.yaml:3:7: app name 'prod' is used twice: "
            "here and in errors/duplicate_name/eu/prod.yaml:1:1; give each app a "
            "unique `name:`"
        ),
        (
            "errors/duplicate_name/us/prod.yaml:1:1: app name 'prod' (from the file "
            "name) is used twice: here and in "
            "errors/duplicate_name/eu/prod.yaml:1:1; give each app a unique `name:`"
        ),
    ],
    "duplicate_sdkappid": [
        (
            "errors/duplicate_sdkappid/apps/prod-sg.yaml:1:11: sdkappid 1400000001 "
            "is declared twice: here and in "
            "errors/duplicate_sdkappid/apps/prod-sg-copy/app.yaml:2:11 (app "
            "'prod-sg-copy'); declare each app once"
        ),
    ],
    "empty_events": [
        (
            "errors/empty_events/app1.yaml:6:13: `events` is empty: list at least "
            "one event, or write `ensure: absent` to delete the product's "
            "configuration"
        ),
    ],
    "empty_file": [
        (
            "errors/empty_file/app1.yaml:1:1: file is empty: write its settings (see "
            "`reconciler schema`), or delete the file"
        ),
    ],
    "empty_value": [
        ("errors/empty_value/app1.yaml:4:3: `call` has no value: write one, or delete the line"),
    ],
    "ensure_absent_with_fields": [
        (
            "errors/ensure_absent_with_fields/app1.yaml:6:5: `url` cannot be "
            "combined with `ensure: absent`: remove it to delete the product's "
            "configuration, or remove `ensure: absent` to manage it"
        ),
    ],
    "ensure_invalid": [
        (
            "errors/ensure_invalid/app1.yaml:5:13: `ensure` must be 'present' or "
            "'absent', found the string 'deleted'"
        ),
    ],
    "event_not_string": [
        (
            "errors/event_not_string/app1.yaml:6:41: each item of `events` must be a "
            "string, found the number 42"
        ),
    ],
    "events_not_list": [
        (
            "errors/events_not_list/app1.yaml:6:13: `events` must be a list, e.g. "
            "`[a, b]`, found the string 'Call.CallbackAfterEndCall'"
        ),
    ],
    "many_errors": [
        (
            "errors/many_errors/a.yaml:1:11: `sdkappid` must be between 1 and "
            "4294967295, found the number 0: copy the SDKAppID from the Tencent "
            "console"
        ),
        (
            "errors/many_errors/a.yaml:2:9: unknown region 'mars'; regions: china, "
            "singapore, korea, germany, india, usa, indonesia, japan"
        ),
        (
            "errors/many_errors/a.yaml:3:13: `identifier` must not be empty: write a "
            "value, or delete the line"
        ),
        (
            "errors/many_errors/a.yaml:7:41: event 'Call.CallbackAfterEndCall' is "
            "listed twice (first on line 7, column 14): remove this one"
        ),
        (
            "errors/many_errors/a.yaml:7:68: unknown event 'Call.Nope' for product "
            "call; known events: Call.CallbackAfterEndCall, "
            "Call.CallbackAfterMemberChanged, Call.CallbackAfterRecordChanged, "
            "Call.CallbackAfterStartCall (set "
            "`lenient: true` to pass new Tencent words through)"
        ),
        (
            "errors/many_errors/b/app.yaml:3:10: `lenient` must be true or false, "
            "found the string 'maybe'"
        ),
        (
            "errors/many_errors/b/live.yaml:2:10: unknown event "
            "'Live.CallbackAfterCreateRoomm' for product live (did you mean "
            "'Live.CallbackAfterCreateRoom'?)"
        ),
    ],
    "missing_sdkappid": [
        (
            "errors/missing_sdkappid/app1.yaml:2:1: the app is missing `sdkappid`: "
            "add `sdkappid: <the app's SDKAppID from the Tencent console>`"
        ),
    ],
    "missing_url": [
        (
            "errors/missing_url/app1.yaml:4:3: product live is missing `url`: add "
            "`url: https://...`, or write `ensure: absent` to delete the product's "
            "configuration"
        ),
    ],
    "multi_document": [
        (
            "errors/multi_document/app1.yaml:3:1: invalid YAML: a second document "
            "('---') in the file; write one app (or one product) per file"
        ),
    ],
    "name_empty": [
        (
            "errors/name_empty/app1.yaml:1:7: `name` must not be empty: write a "
            "value, or delete the line"
        ),
    ],
    "nested_subfolder": [
        (
            "errors/nested_subfolder/prod/old/call.yaml:1:1: app folder "
            "errors/nested_subfolder/prod holds a subfolder with YAML files: an app "
            "folder holds only app.yaml and one file per product; move it out"
        ),
    ],
    "no_yaml": [
        (
            "errors/no_yaml: no *.yaml or *.yml files in this folder or below: write "
            "one file per app"
        ),
    ],
    "not_a_directory.yaml": [
        (
            "errors/not_a_directory.yaml: not a directory: pass the folder holding "
            "the app files, not a file"
        ),
    ],
    "not_mapping": [
        (
            "errors/not_mapping/app1.yaml:1:1: the top level of the file must be a "
            "mapping (`key: value` lines), found a list"
        ),
    ],
    "not_utf8": [
        (
            "errors/not_utf8/app1.yaml:2:10: file is not UTF-8 text (byte 0xe9 "
            "cannot be decoded): save it with UTF-8 encoding"
        ),
    ],
    "number_key": [
        (
            "errors/number_key/app1.yaml:3:1: key 1 must be a word, not a number or "
            "true/false: quote it"
        ),
    ],
    "plaintext_token": [
        (
            "errors/plaintext_token/app1.yaml:5:5: a token must not be stored in "
            "git: put it in an environment variable and write `token_env: NAME`"
        ),
    ],
    "product_file_errors": [
        (
            "errors/product_file_errors/prod/conference.yaml:2:10: unknown event "
            "'Room.CallbackAfterCreateRom' for product conference (did you mean "
            "'Room.CallbackAfterCreateRoom'?)"
        ),
        (
            "errors/product_file_errors/prod/conference.yaml:3:1: unknown field "
            "'enable'; allowed fields: ensure, url, events"
        ),
        (
            "errors/product_file_errors/prod/live.yaml:1:1: the top level of the "
            "file must be a mapping with `url` and `events`, or `ensure: absent`; "
            "found a list"
        ),
        (
            "errors/product_file_errors/prod/live_token.yaml:1:1: a token must not "
            "be stored in git: put it in an environment variable and write "
            "`token_env: NAME`"
        ),
    ],
    "product_not_mapping": [
        (
            "errors/product_not_mapping/app1.yaml:4:9: `call` must be a mapping with "
            "`url` and `events`, or `ensure: absent`; found the string "
            "'https://hooks.example.com/call'"
        ),
    ],
    "product_outside_folder": [
        (
            "errors/product_outside_folder/apps/call.yaml:1:1: call.yaml looks like "
            "a product file, but its folder has no app.yaml: add app.yaml (sdkappid, "
            "region) next to it, or move these settings under `callbacks: call:` of "
            "an app file"
        ),
    ],
    "recursive_alias": [
        (
            "errors/recursive_alias/app1.yaml:3:12: an alias refers to its own "
            "anchor: remove the cycle"
        ),
    ],
    "sdkappid_range": [
        (
            "errors/sdkappid_range/app1.yaml:1:11: `sdkappid` must be between 1 and "
            "4294967295, found the number 4294967296: copy the SDKAppID from the "
            "Tencent console"
        ),
    ],
    "sdkappid_type": [
        (
            "errors/sdkappid_type/app1.yaml:1:11: `sdkappid` must be a whole number, "
            "found the string '1400000001'"
        ),
    ],
    "secret_key_env_pattern": [
        (
            "errors/secret_key_env_pattern/app1.yaml:3:17: `secret_key_env` must "
            "name an environment variable (letters, digits and _, not starting with "
            "a digit), e.g. `MY_SECRET`; the secret itself must not be stored in git"
        ),
    ],
    "stray_file": [
        (
            "errors/stray_file/apps/prod/calls.yaml:1:1: 'calls.yaml' is not a "
            "product file (did you mean 'call.yaml'?): an app folder holds app.yaml "
            "and one file per product (call.yaml, call_legacy.yaml, live.yaml, "
            "live_token.yaml, conference.yaml)"
        ),
    ],
    "unknown_event": [
        (
            "errors/unknown_event/apps/prod-sg.yaml:9:7: unknown event "
            "'Call.CallbackAfterStrtCall' for product call (did you mean "
            "'Call.CallbackAfterStartCall'?)"
        ),
    ],
    "unknown_event_no_guess": [
        (
            "errors/unknown_event_no_guess/app1.yaml:6:44: unknown event "
            "'Whatever.Nope' for product conference; known events: "
            "Mic.CallbackAfterSeatInfoChanged, Room.CallbackAfterCreateRoom, "
            "Room.CallbackAfterDestroyRoom, Room.CallbackAfterMemberEnter, "
            "Room.CallbackAfterMemberLeave, Room.CallbackAfterUpdateRoomInfo, "
            "Room.CallbackUpdateRoomInfo (set `lenient: true` to pass new Tencent "
            "words through)"
        ),
    ],
    "unknown_field": [
        (
            "errors/unknown_field/app1.yaml:3:1: unknown field 'callback' (did you "
            "mean 'callbacks'?); allowed fields: name, sdkappid, region, identifier, "
            "secret_key_env, protect, lenient, callbacks, acknowledge, use, vars"
        ),
    ],
    "unknown_product": [
        (
            "errors/unknown_product/app1.yaml:4:3: unknown product 'calls' under "
            "callbacks (did you mean 'call'?); products: call, call_legacy, live, "
            "live_token, conference"
        ),
    ],
    "unknown_product_field": [
        (
            "errors/unknown_product_field/app1.yaml:6:5: unknown field 'event' (did "
            "you mean 'events'?); allowed fields: ensure, url, events"
        ),
    ],
    "unknown_region": [
        (
            "errors/unknown_region/app1.yaml:2:9: unknown region 'singapur' (did you "
            "mean 'singapore'?); regions: china, singapore, korea, germany, india, "
            "usa, indonesia, japan"
        ),
    ],
    "unsupported_tag": [
        (
            "errors/unsupported_tag/app1.yaml:2:9: unsupported YAML tag "
            "'!!python/name:os.system': remove it (plain values need no tag)"
        ),
    ],
    "url_bad_port": [
        (
            "errors/url_bad_port/app1.yaml:5:10: `url` has an invalid port, found "
            "'https://hooks.example.com:99999/call': use a port from 1 to 65535"
        ),
    ],
    "url_no_host": [
        (
            "errors/url_no_host/app1.yaml:5:10: `url` has no host, found "
            "'https:///call': write it as https://HOST/PATH"
        ),
    ],
    "url_scheme": [
        (
            "errors/url_scheme/app1.yaml:5:10: `url` must start with https:// (or "
            "http://), found 'ftp://hooks.example.com/call': Tencent sends callbacks "
            "only over HTTP(S)"
        ),
    ],
    "url_spaces": [
        (
            "errors/url_spaces/app1.yaml:5:10: `url` must not contain spaces: remove "
            "them (write a space in a path as %20)"
        ),
    ],
    "url_upper_scheme": [
        (
            "errors/url_upper_scheme/app1.yaml:5:10: write the scheme of `url` in "
            "lower case, found 'HTTPS://hooks.example.com/call'"
        ),
    ],
    "yaml_syntax": [
        (
            "errors/yaml_syntax/app1.yaml:7:1: invalid YAML: expected ',' or ']', "
            "but got '<stream end>' (while parsing a flow sequence on line 6): close "
            "the [ ] list"
        ),
    ],
}


def test_every_error_fixture_is_in_the_table() -> None:
    from tests.desired.conftest import FIXTURES

    assert sorted(os.listdir(FIXTURES / "errors")) == sorted(ERROR_CASES)


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_error_fixture(case: str, in_fixtures: Path) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_desired(Path("errors") / case)
    assert [str(error) for error in caught.value.errors] == ERROR_CASES[case]
    assert str(caught.value) == "\n".join(ERROR_CASES[case])


def test_the_design_example_error(in_fixtures: Path) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_desired(Path("errors/unknown_event/apps"))
    (error,) = caught.value.errors
    assert error.location == Location("errors/unknown_event/apps/prod-sg.yaml", 9, 7)
    assert error.message == (
        "unknown event 'Call.CallbackAfterStrtCall' for product call "
        "(did you mean 'Call.CallbackAfterStartCall'?)"
    )


def test_missing_root(in_fixtures: Path) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_desired(Path("errors/nowhere"))
    assert str(caught.value) == (
        "errors/nowhere: the desired-state directory does not exist: "
        "pass the folder holding the app files"
    )


def test_valid_tree_both_layouts(in_fixtures: Path) -> None:
    state = load_desired(Path("valid"))
    assert state.warnings == ()
    assert [(app.name, app.sdkappid) for app in state.apps] == [
        ("prod-sg", 1400000001),
        ("staging", 1400000002),
        ("minimal", 1400000003),
        ("anchors", 1400000004),
    ]
    prod, staging, minimal, anchors = state.apps

    # The single-file example of docs/desired-state.md, field by field.
    assert (prod.region, prod.identifier, prod.secret_key_env, prod.protect, prod.lenient) == (
        "singapore",
        "administrator",
        "TRTC_SECRET_KEY_PROD_SG",
        True,
        False,
    )
    assert prod.location == Location("valid/apps/prod-sg.yaml", 2, 1)
    assert list(prod.products) == ["call", "call_legacy", "live", "live_token", "conference"]
    assert prod.products["call"] == DesiredProduct(
        product="call",
        ensure="present",
        config=CallbackConfig(
            url="https://hooks.example.com/trtc/call",
            events=frozenset({"Call.CallbackAfterStartCall", "Call.CallbackAfterEndCall"}),
        ),
        token_env=None,
        enabled=None,
        location=Location("valid/apps/prod-sg.yaml", 9, 3),
    )
    assert prod.products["call_legacy"].config == CallbackConfig(
        "https://hooks.example.com/trtc/call-v1", frozenset({"normal_end", "call_busy"})
    )
    assert prod.products["live_token"] == DesiredProduct(
        "live_token",
        "present",
        None,
        "LIVE_WEBHOOK_TOKEN",
        True,
        Location("valid/apps/prod-sg.yaml", 18, 3),
    )
    assert prod.products["conference"] == DesiredProduct(
        "conference", "absent", None, None, None, Location("valid/apps/prod-sg.yaml", 21, 3)
    )

    # The folder layout: app.yaml plus one file per product, the name from the folder.
    assert staging.identifier == "ops-admin"
    assert staging.region == "singapore"
    assert staging.location == Location("valid/apps/staging/app.yaml", 2, 1)
    assert list(staging.products) == ["call", "live", "live_token", "conference"]
    assert staging.products["call"].location == Location("valid/apps/staging/app.yaml", 6, 3)
    assert staging.products["live"] == DesiredProduct(
        "live",
        "present",
        CallbackConfig(
            "https://staging.example.com/live",
            frozenset({"Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom"}),
        ),
        None,
        None,
        Location("valid/apps/staging/live.yaml", 1, 1),
    )
    assert staging.products["live_token"] == DesiredProduct(
        "live_token",
        "present",
        None,
        "STAGING_LIVE_TOKEN",
        False,
        Location("valid/apps/staging/live_token.yml", 1, 1),
    )
    assert staging.products["conference"].ensure == "absent"

    # Defaults: the name from the file name, identifier administrator, nothing managed.
    assert (minimal.name, minimal.identifier, minimal.secret_key_env) == (
        "minimal",
        "administrator",
        None,
    )
    assert (minimal.protect, minimal.lenient, dict(minimal.products)) == (False, False, {})

    # Anchors and merge keys.
    shared = "https://hooks.example.com/shared"
    assert anchors.products["conference"].config == CallbackConfig(
        shared, frozenset({"Mic.CallbackAfterSeatInfoChanged"})
    )
    assert anchors.products["call"].config == CallbackConfig(
        shared, frozenset({"Call.CallbackAfterEndCall"})
    )


def test_products_mapping_is_read_only(in_fixtures: Path) -> None:
    app = load_desired(Path("valid")).apps[0]
    with pytest.raises(TypeError):
        app.products["call"] = app.products["live"]  # type: ignore[index]


def test_same_result_twice(in_fixtures: Path) -> None:
    assert load_desired(Path("valid")) == load_desired(Path("valid"))


def test_http_is_a_warning(in_fixtures: Path) -> None:
    state = load_desired(Path("warnings/http"))
    assert [str(w) for w in state.warnings] == [
        "warnings/http/dev.yaml:5:10: warning: `url` uses http://: "
        "callbacks are sent in clear text; use https://"
    ]
    assert state.apps[0].products["live"].config == CallbackConfig(
        "http://hooks.example.com/live", frozenset({"Live.CallbackAfterCreateRoom"})
    )


def test_lenient_app_turns_unknown_events_into_warnings(in_fixtures: Path) -> None:
    state = load_desired(Path("warnings/lenient_app"))
    assert [str(w) for w in state.warnings] == [
        "warnings/lenient_app/folder/call.yaml:3:5: warning: unknown event "
        "'Call.CallbackAfterStrtCall' for product call "
        "(did you mean 'Call.CallbackAfterStartCall'?); passed through because lenient is set",
        "warnings/lenient_app/single.yaml:7:44: warning: unknown event "
        "'Live.CallbackAfterNewThing' for product live "
        "(did you mean 'Live.CallbackAfterChangeOwner'?); passed through because lenient is set",
    ]
    single, folder = state.apps  # sorted by sdkappid
    assert folder.lenient and single.lenient
    assert "Call.CallbackAfterStrtCall" in folder.products["call"].config.events  # type: ignore[union-attr]
    assert "Live.CallbackAfterNewThing" in single.products["live"].config.events  # type: ignore[union-attr]


def test_lenient_argument(in_fixtures: Path) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_desired(Path("warnings/lenient_arg"))
    (error,) = caught.value.errors
    assert error.location == Location("warnings/lenient_arg/app1.yaml", 6, 26)
    assert error.message.startswith(
        "unknown event 'brand_new_word' for product call_legacy; known events: call_busy, "
    )
    assert error.message.endswith("reject (set `lenient: true` to pass new Tencent words through)")

    state = load_desired(Path("warnings/lenient_arg"), lenient=True)
    assert [str(w) for w in state.warnings] == [
        "warnings/lenient_arg/app1.yaml:6:26: warning: unknown event 'brand_new_word' "
        "for product call_legacy; passed through because lenient is set"
    ]
    assert state.apps[0].lenient is True


def test_lenient_does_not_excuse_other_errors(in_fixtures: Path) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_desired(Path("errors/duplicate_event"), lenient=True)
    assert len(caught.value.errors) == 1
    assert "listed twice" in caught.value.errors[0].message


def test_paths_outside_cwd_are_shown_as_given(tmp_path: Path, in_fixtures: Path) -> None:
    root = tmp_path / "desired"
    shutil.copytree(in_fixtures / "errors" / "unknown_region", root)
    with pytest.raises(ConfigErrors) as caught:
        load_desired(root)
    assert str(caught.value).startswith(f"{root / 'app1.yaml'}:2:9: unknown region 'singapur'")


def test_root_may_be_an_app_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "prod-eu"
    folder.mkdir()
    (folder / "app.yaml").write_text("sdkappid: 7\nregion: germany\n")
    (folder / "conference.yaml").write_text("ensure: absent\n")
    monkeypatch.chdir(folder)
    (app,) = load_desired(Path(".")).apps
    assert app.name == "prod-eu"
    assert app.location == Location("app.yaml", 1, 1)
    assert app.products["conference"].location == Location("conference.yaml", 1, 1)


def test_explicit_name_wins_over_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "file-name.yaml").write_text("name: real-name\nsdkappid: 8\nregion: china\n")
    assert load_desired(tmp_path).apps[0].name == "real-name"


def test_explicit_ensure_present(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "sdkappid: 9\nregion: china\ncallbacks:\n  conference:\n    ensure: present\n"
        "    url: https://h.example.com/\n    events: [Room.CallbackAfterMemberEnter]\n"
    )
    product = load_desired(tmp_path).apps[0].products["conference"]
    assert product.ensure == "present"
    assert product.config == CallbackConfig(
        "https://h.example.com/", frozenset({"Room.CallbackAfterMemberEnter"})
    )


def test_live_token_enabled_defaults_to_true(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "sdkappid: 9\nregion: china\ncallbacks:\n  live_token: {token_env: T}\n"
    )
    product = load_desired(tmp_path).apps[0].products["live_token"]
    assert (product.token_env, product.enabled) == ("T", True)


@pytest.mark.parametrize("enabled", [True, False])
def test_live_token_without_token_env_manages_the_switch_alone(
    tmp_path: Path, enabled: bool
) -> None:
    (tmp_path / "a.yaml").write_text(
        f"sdkappid: 9\nregion: china\ncallbacks:\n  live_token: {{enabled: {str(enabled).lower()}}}\n"
    )
    product = load_desired(tmp_path).apps[0].products["live_token"]
    assert (product.ensure, product.token_env, product.enabled) == ("present", None, enabled)


def test_a_switch_only_live_token_product_file(tmp_path: Path) -> None:
    folder = tmp_path / "prod"
    folder.mkdir()
    (folder / "app.yaml").write_text("sdkappid: 9\nregion: china\n")
    (folder / "live_token.yaml").write_text("enabled: false\n")
    product = load_desired(tmp_path).apps[0].products["live_token"]
    assert (product.token_env, product.enabled) == (None, False)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("callbacks:\n  live_token: {}\n", "a.yaml:4:3"),
        ("callbacks:\n  live_token:\n    ensure: present\n", "a.yaml:4:3"),
    ],
)
def test_a_live_token_that_manages_nothing_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, where: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text("sdkappid: 9\nregion: china\n" + text)
    with pytest.raises(ConfigErrors) as caught:
        load_desired(Path("."))
    assert str(caught.value) == (
        f"{where}: product live_token manages nothing: write `enabled: true` or "
        "`enabled: false` to manage only its on/off switch (the token stays as set in "
        "Tencent), or add `token_env: NAME` (the environment variable holding the token) "
        "to manage the token too"
    )


def test_a_secret_pasted_as_token_env_is_not_echoed(tmp_path: Path) -> None:
    secret = "Sup3r-Secret/Token=="
    (tmp_path / "a.yaml").write_text(
        f"sdkappid: 9\nregion: china\ncallbacks:\n  live_token: {{token_env: '{secret}'}}\n"
    )
    with pytest.raises(ConfigErrors) as caught:
        load_desired(tmp_path)
    assert secret not in str(caught.value)
    assert "`token_env` must name an environment variable" in str(caught.value)


def test_plaintext_token_value_is_never_echoed(in_fixtures: Path) -> None:
    for case in ("plaintext_token", "product_file_errors"):
        with pytest.raises(ConfigErrors) as caught:
            load_desired(Path("errors") / case)
        assert "do-not-commit-me" not in str(caught.value)


def test_the_cycle_collector_is_back_on_after_a_load(tmp_path: Path) -> None:
    import gc

    (tmp_path / "a.yaml").write_text("sdkappid: 1400000001\nregion: singapore\n")
    assert gc.isenabled()
    load_desired(tmp_path)
    assert gc.isenabled()
    (tmp_path / "b.yaml").write_text("sdkappid: [\n")
    with pytest.raises(ConfigErrors):
        load_desired(tmp_path)
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that turned it off keeps it off
        load_desired(tmp_path / "a.yaml", files=[tmp_path / "a.yaml"])
        assert not gc.isenabled()
    finally:
        gc.enable()
