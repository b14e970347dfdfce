"""Defaults, templates and placeholders: merge order, overrides, and errors located twice.

Each test writes a small desired-state folder and loads it from inside it, so
messages show short paths (``apps/a.yaml``, ``defaults.yaml``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.desired import load_desired
from reconciler.desired.placeholders import PlaceholderError, escape_braces, expand_text
from reconciler.desired.result import DesiredApp, DesiredState
from reconciler.errors import ConfigErrors
from reconciler.facts.regions import REGIONS

START, END, MEMBER = (
    "Call.CallbackAfterStartCall",
    "Call.CallbackAfterEndCall",
    "Call.CallbackAfterMemberChanged",
)
DEFAULTS = f"""\
region: singapore
callbacks:
  call:
    url: https://hooks.example.com/{{name}}/{{sdkappid}}
    events: [{START}, {END}]
templates:
  audit:
    callbacks:
      call:
        events: {{add: [{MEMBER}], remove: [{START}]}}
  other-host:
    callbacks:
      call:
        url: https://other.example.com/{{region}}
  only-end:
    callbacks:
      call:
        events: [{END}]
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "defaults.yaml").write_text(DEFAULTS)
    (tmp_path / "apps").mkdir()
    return tmp_path


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def load(root: Path) -> DesiredState:
    return load_desired(Path("."))


def only(state: DesiredState) -> DesiredApp:
    assert len(state.apps) == 1
    return state.apps[0]


def errors(root: Path) -> list[str]:
    with pytest.raises(ConfigErrors) as caught:
        load(root)
    return [str(e) for e in caught.value.errors]


def call(app: DesiredApp) -> tuple[str, frozenset[str]]:
    config = app.products["call"].config
    assert config is not None
    return config.url, config.events


def test_a_one_line_app_gets_everything_from_defaults(root: Path) -> None:
    write(root, "apps/shop.yaml", "sdkappid: 1400000001\n")
    app = only(load(root))
    assert (app.name, app.region) == ("shop", "singapore")
    assert call(app) == ("https://hooks.example.com/shop/1400000001", frozenset({START, END}))


def test_defaults_and_policy_files_are_not_apps(root: Path) -> None:
    write(root, "apps/shop.yaml", "sdkappid: 1400000001\n")
    write(root, "apps/defaults.yaml", "identifier: admin2\n")
    write(root, "policy.yaml", "require_https: true\n")
    app = only(load(root))
    assert app.identifier == "admin2"


def test_defaults_files_are_found_where_app_files_are(root: Path) -> None:
    """Not in dot-folders, not in folders .reconcilerignore skips, never through a link."""
    write(root, "apps/shop.yaml", "sdkappid: 1400000001\n")
    write(root, "apps/.drafts/defaults.yaml", "identifier: [not, read]\n")
    write(root, "apps/defaults.yaml", "identifier: from-an-ignored-file\n")
    write(root, ".reconcilerignore", "apps/defaults.yaml\n")
    write(root, "elsewhere.txt", "identifier: through-a-link\n")
    (root / "apps" / "defaults.yml").symlink_to(root / "elsewhere.txt")
    app = only(load(root))
    assert app.identifier == "administrator"
    (root / "apps" / "defaults.yml").unlink()
    write(root, "apps/defaults.yml", "identifier: from-defaults-yml\n")
    assert only(load(root)).identifier == "from-defaults-yml"


def test_the_nearer_defaults_file_wins_field_by_field(root: Path) -> None:
    write(
        root,
        "apps/eu/defaults.yaml",
        "region: germany\ncallbacks: {call_legacy: {url: https://x.example.com, events: [reject]}}\n",
    )
    write(root, "apps/eu/shop.yaml", "sdkappid: 1400000001\n")
    write(root, "apps/other.yaml", "sdkappid: 1400000002\n")
    eu, other = load(root).apps
    assert eu.region == "germany" and other.region == "singapore"
    assert set(eu.products) == {"call", "call_legacy"}  # root's call and the folder's
    assert set(other.products) == {"call"}


def test_the_app_overrides_a_field_and_keeps_the_rest(root: Path) -> None:
    write(
        root,
        "apps/shop.yaml",
        "sdkappid: 1400000001\ncallbacks: {call: {url: https://own.example.com}}\n",
    )
    assert call(only(load(root))) == ("https://own.example.com", frozenset({START, END}))


def test_a_list_in_the_app_replaces_the_list_below(root: Path) -> None:
    write(
        root,
        "apps/shop.yaml",
        f"sdkappid: 1400000001\ncallbacks: {{call: {{events: [{MEMBER}]}}}}\n",
    )
    assert call(only(load(root)))[1] == {MEMBER}


def test_templates_merge_after_defaults_in_use_order_then_the_app(root: Path) -> None:
    write(root, "apps/a.yaml", "sdkappid: 1400000001\nuse: [only-end, audit]\n")
    write(root, "apps/b.yaml", "sdkappid: 1400000002\nuse: [audit, only-end]\n")
    write(root, "apps/c.yaml", "sdkappid: 1400000003\nuse: [other-host]\nregion: korea\n")
    a, b, c = load(root).apps
    assert call(a)[1] == {END, MEMBER}  # only-end's list, then audit's edit
    assert call(b)[1] == {END}  # audit's edit, then only-end's list replaces it
    assert call(c)[0] == "https://other.example.com/korea"  # the app's region, expanded last


def test_the_app_overrides_a_templates_list_and_url(root: Path) -> None:
    write(
        root,
        "apps/a.yaml",
        f"sdkappid: 1400000001\nuse: [other-host, audit]\n"
        f"callbacks: {{call: {{url: https://mine.example.com, events: [{START}]}}}}\n",
    )
    assert call(only(load(root))) == ("https://mine.example.com", frozenset({START}))


def test_ensure_absent_replaces_the_product_below(root: Path) -> None:
    write(root, "apps/a.yaml", "sdkappid: 1400000001\ncallbacks: {call: {ensure: absent}}\n")
    product = only(load(root)).products["call"]
    assert (product.ensure, product.config) == ("absent", None)


def test_vars_and_builtins_expand_and_braces_escape(root: Path) -> None:
    write(
        root,
        "apps/a.yaml",
        "sdkappid: 1400000001\nvars: {team: rtc, path: '{region}/x'}\n"
        "callbacks: {call: {url: 'https://{team}.example.com/{path}?q={{raw}}'}}\n",
    )
    assert call(only(load(root)))[0] == "https://rtc.example.com/singapore/x?q={raw}"


def test_expand_text() -> None:
    values = {"a": "1"}
    assert expand_text("x{a}y{{a}}", values) == "x1y{a}"
    assert expand_text("plain", values) == "plain"
    assert expand_text(escape_braces("{a}}"), values) == "{a}}"
    for bad in ("{b}", "{a:>3}", "{a!r}", "{", "}"):
        with pytest.raises(PlaceholderError):
            expand_text(bad, values)


def test_an_unknown_placeholder_in_defaults_names_both_places(root: Path) -> None:
    (root / "defaults.yaml").write_text(DEFAULTS.replace("{sdkappid}", "{sdkapid}"))
    write(root, "apps/a.yaml", "sdkappid: 1400000001\n")
    write(root, "apps/b.yaml", "sdkappid: 1400000002\n")
    assert errors(root) == [
        f"apps/{name}.yaml:1:1: callbacks.call.url from defaults.yaml:4:10: unknown "
        "placeholder {sdkapid} (did you mean 'sdkappid'?); known: {sdkappid}, {name}, "
        "{region} (define it under `vars:`, or write a literal brace as {{ or }})"
        for name in ("a", "b")
    ]


def test_an_unknown_placeholder_in_the_app_is_at_its_line(root: Path) -> None:
    write(
        root,
        "apps/a.yaml",
        "sdkappid: 1400000001\ncallbacks:\n  call:\n    url: https://{host}/x\n",
    )
    (error,) = errors(root)
    assert error.startswith("apps/a.yaml:4:10: unknown placeholder {host}")


def test_a_lone_brace_is_an_error(root: Path) -> None:
    write(root, "apps/a.yaml", "sdkappid: 1400000001\nidentifier: 'ad{min'\n")
    (error,) = errors(root)
    assert error.startswith("apps/a.yaml:2:13: a lone '{' or '}'")


def test_a_var_may_not_hide_a_builtin(root: Path) -> None:
    write(root, "apps/a.yaml", "sdkappid: 1400000001\nvars: {name: x}\n")
    (error,) = errors(root)
    assert error.startswith("apps/a.yaml:2:8: `vars: name` would hide the built-in placeholder")


def test_a_bad_value_from_a_template_names_the_app_and_the_template_line(root: Path) -> None:
    (root / "defaults.yaml").write_text(DEFAULTS.replace("https://other", "ftp://other"))
    write(root, "apps/a.yaml", "sdkappid: 1400000001\nuse: [other-host]\n")
    (error,) = errors(root)
    assert error.startswith(
        "apps/a.yaml:1:1: callbacks.call.url from defaults.yaml:14:14: `url` must start with"
    )


def test_an_unknown_event_added_by_a_template_names_the_app(root: Path) -> None:
    (root / "defaults.yaml").write_text(DEFAULTS.replace(f"add: [{MEMBER}]", "add: [Nope]"))
    write(root, "apps/a.yaml", "sdkappid: 1400000001\nuse: [audit]\n")
    (error,) = errors(root)
    assert error.startswith(
        "apps/a.yaml:1:1: callbacks.call.events.1 from defaults.yaml:10:24: unknown event 'Nope'"
    )


def test_an_unknown_template_is_at_the_use_line(root: Path) -> None:
    write(root, "apps/a.yaml", "sdkappid: 1400000001\nuse: [audti]\n")
    assert errors(root) == [
        "apps/a.yaml:2:7: unknown template 'audti' (did you mean 'audit'?); "
        "templates: audit, only-end, other-host"
    ]


def test_a_template_used_twice_is_an_error(root: Path) -> None:
    write(root, "apps/a.yaml", "sdkappid: 1400000001\nuse: [audit, audit]\n")
    assert errors(root) == ["apps/a.yaml:2:14: template 'audit' is used twice: remove this one"]


def test_defaults_may_not_name_one_app_and_are_checked_once(root: Path) -> None:
    (root / "defaults.yaml").write_text(DEFAULTS + "sdkappid: 1\nregoin: x\n")
    write(root, "apps/a.yaml", "sdkappid: 1400000001\n")
    write(root, "apps/b.yaml", "sdkappid: 1400000002\n")
    assert errors(root) == [
        "defaults.yaml:19:1: `sdkappid` identifies one app and cannot be given by a "
        "defaults file: write it in the app's file",
        "defaults.yaml:20:1: unknown field 'regoin' (did you mean 'region'?); allowed fields: "
        "region, identifier, secret_key_env, protect, lenient, callbacks, acknowledge, vars, templates",
    ]


def test_a_missing_field_is_still_reported_at_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text("sdkappid: 1400000001\n")
    (tmp_path / "defaults.yaml").write_text("identifier: x\n")
    assert errors(tmp_path) == [
        "a.yaml:1:1: the app is missing `region`: add `region: <one of " + ", ".join(REGIONS) + ">`"
    ]


def test_app_folders_take_defaults_for_products_without_a_product_file(root: Path) -> None:
    write(root, "apps/shop/app.yaml", "sdkappid: 1400000001\n")
    write(
        root,
        "apps/shop/live.yaml",
        "url: https://live.example.com\nevents: [Live.CallbackAfterCreateRoom]\n",
    )
    write(root, "apps/team/app.yaml", "sdkappid: 1400000002\n")
    write(root, "apps/team/call.yaml", f"url: https://team.example.com\nevents: [{END}]\n")
    shop, team = load(root).apps
    assert call(shop)[0] == "https://hooks.example.com/shop/1400000001"
    assert set(shop.products) == {"call", "live"}
    assert call(team) == ("https://team.example.com", frozenset({END}))


def test_a_warning_from_defaults_names_the_app(root: Path) -> None:
    (root / "defaults.yaml").write_text(DEFAULTS.replace("https://hooks", "http://hooks"))
    write(root, "apps/a.yaml", "sdkappid: 1400000001\n")
    (warning,) = load(root).warnings
    assert str(warning).startswith(
        "apps/a.yaml:1:1: warning: callbacks.call.url from defaults.yaml:4:10: `url` uses http://"
    )


def test_an_edit_that_is_not_a_list_is_an_error_at_its_line(root: Path) -> None:
    (root / "defaults.yaml").write_text(DEFAULTS.replace(f"add: [{MEMBER}]", "add: 5"))
    write(root, "apps/a.yaml", "sdkappid: 1400000001\nuse: [audit]\n")
    write(root, "apps/b.yaml", "sdkappid: 1400000002\nuse: [audit]\n")
    found = errors(root)
    assert found  # reported (once per merged combination), at the template's line
    assert all("defaults.yaml:10:23: `events: {add: ...}` takes a list" in e for e in found)


def test_the_merge_of_shared_layers_is_not_shared_between_apps(root: Path) -> None:
    write(
        root, "apps/a.yaml", f"sdkappid: 1400000001\ncallbacks: {{call: {{events: [{MEMBER}]}}}}\n"
    )
    write(root, "apps/b.yaml", "sdkappid: 1400000002\n")
    a, b = load(root).apps
    assert call(a)[1] == {MEMBER}
    assert call(b)[1] == {START, END}  # a's override did not leak into the cached base


def test_product_files_expand_the_placeholders_of_their_app(root: Path) -> None:
    """A product file of an app folder takes its app's built-ins and vars (from the
    app file and from defaults), and ``{{`` stays a literal brace."""
    (root / "defaults.yaml").write_text(DEFAULTS + "vars: {tenant: shared}\n")
    write(root, "apps/team/app.yaml", "sdkappid: 1400000002\nvars: {env: prod}\n")
    write(
        root,
        "apps/team/call.yaml",
        "url: https://{tenant}.example.com/{env}/{name}/{sdkappid}/{region}?q={{x}}\n"
        f"events: [{END}]\n",
    )
    assert call(only(load(root)))[0] == (
        "https://shared.example.com/prod/team/1400000002/singapore?q={x}"
    )


def test_an_unknown_placeholder_in_a_product_file_is_at_its_line(root: Path) -> None:
    write(root, "apps/team/app.yaml", "sdkappid: 1400000002\n")
    write(root, "apps/team/call.yaml", f"url: https://team.example.com/{{x}}\nevents: [{END}]\n")
    (error,) = errors(root)
    assert error.startswith("apps/team/call.yaml:1:6: unknown placeholder {x}; known: ")


def test_a_control_character_in_defaults_is_refused_once(root: Path) -> None:
    (root / "defaults.yaml").write_text('region: singapore\nidentifier: "adm\\u001b[31min"\n')
    write(root, "apps/a.yaml", "sdkappid: 1400000001\n")
    found = [e for e in errors(root) if "control character" in e]
    assert len(found) == 1 and found[0].startswith("defaults.yaml:2:13: ")
