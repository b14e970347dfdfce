"""Drift ignore rules: ``--ignore APP/PRODUCT`` and ``.driftignore``."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ConfigError, Location
from reconciler.plan.change import Resource
from reconciler.plan.ignore import DRIFTIGNORE, IgnoreRule, ignored, load_rules, parse_rule
from tests.plan.factories import SG, US, res

HERE = Location("--ignore")


@pytest.mark.parametrize("text", ["prod-sg", "prod-sg/", "/call", "a/b/call", "", "/"])
def test_not_app_slash_product(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rule(text, Location("x/.driftignore", 4, 3))
    assert str(caught.value) == (
        f"x/.driftignore:4:3: {text!r} is not APP/PRODUCT (e.g. prod-sg/live or */call)"
    )
    assert caught.value.location == Location("x/.driftignore", 4, 3)


def test_unknown_product_named_with_choices() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rule("prod-sg/calls", HERE)
    assert str(caught.value) == (
        "--ignore: unknown product 'calls'; use one of "
        "call, call_legacy, live, live_token, conference or *"
    )


def test_parse_rule_keeps_parts_and_source() -> None:
    assert parse_rule("prod-sg/live", Location("f", 2, 1)) == IgnoreRule("prod-sg", "live", "f:2:1")


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("prod-sg/live", {res("live")}),
        ("*/call", {res("call"), res("call", US)}),
        ("prod-*/*", {res("call"), res("live"), res("call_legacy")}),
        ("*/call*", {res("call"), res("call_legacy"), res("call", US)}),
        ("*/live_?oken", {res("live_token", US)}),
        ("staging-us/[cl]*", {res("call", US), res("live_token", US)}),
        (f"{SG}/live", {res("live")}),
        ("14000000?2/*", {res("call", US), res("live_token", US)}),
        ("prod-sg/conference", set()),
    ],
)
def test_matching(pattern: str, matches: set[Resource]) -> None:
    resources = [
        res("call"),
        res("call_legacy"),
        res("live"),
        res("call", US),
        res("live_token", US),
    ]
    assert ignored(resources, [parse_rule(pattern, HERE)]) == matches


def test_matching_is_case_sensitive() -> None:
    assert not parse_rule("PROD-SG/*", HERE).matches(res("call"))


def test_wildcard_product_is_not_checked_against_catalog() -> None:
    rule = parse_rule("*/nothing*", HERE)
    assert not rule.matches(res("call"))


def test_ignored_with_several_rules() -> None:
    rules = [parse_rule("prod-sg/live", HERE), parse_rule(f"{US}/*", HERE)]
    assert ignored([res("live"), res("call"), res("call", US)], rules) == {
        res("live"),
        res("call", US),
    }
    assert ignored([res("live")], []) == set()


def test_load_rules_flags_only_without_file(tmp_path: Path) -> None:
    rules = load_rules(tmp_path, ["*/call", "prod-sg/live"])
    assert [(r.app, r.product, r.source) for r in rules] == [
        ("*", "call", "--ignore"),
        ("prod-sg", "live", "--ignore"),
    ]


def test_load_rules_with_comments_and_blank_lines(tmp_path: Path) -> None:
    (tmp_path / DRIFTIGNORE).write_text(
        "# accepted differences\n"
        "\n"
        "prod-sg/live   # console-managed\n"
        "   */call_legacy\n"
        "#staging-us/*\n",
        encoding="utf-8",
    )
    rules = load_rules(tmp_path, ["x/call"])
    where = str(tmp_path / DRIFTIGNORE)
    assert [(r.app, r.product, r.source) for r in rules] == [
        ("x", "call", "--ignore"),
        ("prod-sg", "live", f"{where}:3:1"),
        ("*", "call_legacy", f"{where}:4:4"),
    ]


def test_load_rules_error_points_at_line_and_column(tmp_path: Path) -> None:
    (tmp_path / DRIFTIGNORE).write_text("prod-sg/live\n\n  prod-sg/lve\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path, [])
    assert caught.value.location == Location(str(tmp_path / DRIFTIGNORE), 3, 3)
    assert "unknown product 'lve'" in str(caught.value)


def test_bad_flag_is_located_at_the_flag(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path, ["nonsense"])
    assert str(caught.value).startswith("--ignore: 'nonsense' is not APP/PRODUCT")


def test_unreadable_driftignore_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / DRIFTIGNORE).write_bytes(b"caf\xe9/call\n")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path, [])
    assert DRIFTIGNORE in str(caught.value)
