"""policy.yaml: every rule passing and failing, at the root and with --policy, and annotations.

Each violation is reported at the value's file and line and names the rule's
line in the policy file; validate, plan and apply all stop before any request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

START, END, MEMBER = (
    "Call.CallbackAfterStartCall",
    "Call.CallbackAfterEndCall",
    "Call.CallbackAfterMemberChanged",
)
GOOD_APP = f"""\
sdkappid: 1400000001
region: singapore
callbacks:
  call:
    url: https://a.hooks.example.com/cb
    events: [{START}, {END}]
"""

# (rule text, bad app text, expected message start, expected app line:col, rule line:col)
RULES: dict[str, tuple[str, str, str, str, str]] = {
    "require_https": (
        "require_https: true\n",
        GOOD_APP.replace("https://a", "http://a"),
        "call.url must use https:// (policy rule require_https at policy.yaml:1:16)",
        "5:10",
        "1:16",
    ),
    "allowed_hosts": (
        "products:\n  call:\n    allowed_hosts: ['*.hooks.example.com']\n",
        GOOD_APP.replace("a.hooks.example.com", "evil.example.org"),
        "call.url host 'evil.example.org' is not allowed (policy rule allowed_hosts at "
        "policy.yaml:3:20: *.hooks.example.com)",
        "5:10",
        "3:20",
    ),
    "required_events": (
        f"products:\n  call:\n    required_events: [{MEMBER}]\n",
        GOOD_APP,
        f"call.events lacks {MEMBER} (policy rule required_events at policy.yaml:3:22)",
        "6:13",
        "3:22",
    ),
    "forbidden_events": (
        f"products:\n  call:\n    forbidden_events: [{START}]\n",
        GOOD_APP,
        f"call.events lists '{START}', which the policy forbids (policy rule "
        "forbidden_events at policy.yaml:3:24)",
        "6:14",
        "3:24",
    ),
    "max_events": (
        "products:\n  call:\n    max_events: 1\n",
        GOOD_APP,
        "call.events lists 2 events, more than 1 (policy rule max_events at policy.yaml:3:17)",
        "6:13",
        "3:17",
    ),
    "required_for": (
        "products:\n  live:\n    required_for: ['shop*']\n",
        GOOD_APP,
        "app 'shop' must declare product live (policy rule required_for at policy.yaml:3:19)",
        "1:1",
        "3:19",
    ),
}
# A good app passes each rule (required_for passes for an app the glob does not match).
PASSING = {"required_events": f"products:\n  call:\n    required_events: [{END}]\n"}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "apps").mkdir()
    return tmp_path


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_fails_at_the_value_and_names_the_rule(cli: Any, folder: Path, rule: str) -> None:
    policy, bad, message, at, _ = RULES[rule]
    (folder / "policy.yaml").write_text(policy)
    (folder / "apps" / "shop.yaml").write_text(bad)
    result = cli("validate", ".")
    assert result.code == 1
    assert f"error: apps/shop.yaml:{at}: {message}" in result.err, result.err


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_passes_for_a_compliant_app(cli: Any, folder: Path, rule: str) -> None:
    policy = PASSING.get(rule, RULES[rule][0])
    (folder / "policy.yaml").write_text(policy)
    app = GOOD_APP
    if rule == "required_for":
        app = "name: other\n" + app  # the glob does not reach it
    elif rule in ("forbidden_events", "max_events"):
        app = app.replace(f"[{START}, {END}]", f"[{END}]")
    (folder / "apps" / "shop.yaml").write_text(app)
    result = cli("validate", ".")
    assert result.code == 0, result.err


def test_required_for_passes_when_the_app_declares_the_product(cli: Any, folder: Path) -> None:
    (folder / "policy.yaml").write_text("products:\n  call:\n    required_for: ['*']\n")
    (folder / "apps" / "shop.yaml").write_text(GOOD_APP)
    assert cli("validate", ".").code == 0
    (folder / "apps" / "shop.yaml").write_text(
        GOOD_APP.replace("  call:\n    url", "  call:\n    ensure: absent\n    #url").replace(
            "    events", "    #events"
        )
    )
    result = cli("validate", ".")
    assert result.code == 1
    assert "app 'shop' must declare product call" in result.err


@pytest.mark.parametrize("rule", sorted(RULES))
def test_policy_from_elsewhere_with_the_option(cli: Any, folder: Path, rule: str) -> None:
    policy, bad, message, at, _ = RULES[rule]
    (folder / "team").mkdir()
    (folder / "team" / "rules.yaml").write_text(policy)
    (folder / "apps" / "shop.yaml").write_text(bad)
    assert cli("validate", "apps").code == 0  # no policy.yaml in apps/
    result = cli("validate", "apps", "--policy", "team/rules.yaml")
    assert result.code == 1
    expected = message.replace("policy.yaml:", "team/rules.yaml:")
    assert f"error: apps/shop.yaml:{at}: {expected}" in result.err, result.err


def test_the_option_wins_over_the_roots_policy(cli: Any, folder: Path) -> None:
    (folder / "policy.yaml").write_text("require_https: true\n")
    (folder / "lax.yaml").write_text("require_https: false\n")
    (folder / "apps" / "shop.yaml").write_text(GOOD_APP.replace("https://a", "http://a"))
    assert cli("validate", ".").code == 1
    assert cli("validate", ".", "--policy", "lax.yaml").code == 0


@pytest.mark.parametrize("rule", sorted(RULES))
def test_violations_are_annotated_in_github_actions(
    cli: Any, folder: Path, monkeypatch: pytest.MonkeyPatch, rule: str
) -> None:
    policy, bad, message, at, _ = RULES[rule]
    (folder / "policy.yaml").write_text(policy)
    (folder / "apps" / "shop.yaml").write_text(bad)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli("validate", ".")
    assert result.code == 1
    line, col = at.split(":")
    notes = [n for n in result.err.splitlines() if n.startswith("::error ")]
    assert len(notes) == 1, result.err
    assert notes[0].startswith(f"::error file=apps/shop.yaml,line={line},col={col}")
    assert message.split(" (")[0] in notes[0]


def test_a_violation_from_defaults_names_the_app_and_the_defaults_line(
    cli: Any, folder: Path
) -> None:
    (folder / "policy.yaml").write_text("require_https: true\n")
    (folder / "defaults.yaml").write_text(
        f"region: singapore\ncallbacks:\n  call:\n    url: http://h.example.com/{{name}}\n"
        f"    events: [{END}]\n"
    )
    (folder / "apps" / "shop.yaml").write_text("sdkappid: 1400000001\n")
    result = cli("validate", ".")
    assert result.code == 1
    assert (
        "error: apps/shop.yaml:1:1: callbacks.call.url from defaults.yaml:4:10: call.url must "
        "use https:// (policy rule require_https at policy.yaml:1:16)"
    ) in result.err


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("products:\n  cal: {}\n", "policy.yaml:2:3: unknown product 'cal' in the policy"),
        (
            "products:\n  call: {max_event: 3}\n",
            "policy.yaml:2:10: unknown policy rule 'max_event' (did you mean 'max_events'?)",
        ),
        (
            "products:\n  call: {forbidden_events: [Nope]}\n",
            "policy.yaml:2:29: unknown event 'Nope' for product call",
        ),
        ("require_https: yes please\n", "policy.yaml:1:16: `require_https`:"),
    ],
)
def test_a_broken_policy_is_a_located_error(
    cli: Any, folder: Path, policy: str, message: str
) -> None:
    (folder / "policy.yaml").write_text(policy)
    (folder / "apps" / "shop.yaml").write_text(GOOD_APP)
    result = cli("validate", ".")
    assert result.code == 1
    assert f"error: {message}" in result.err, result.err


def test_a_missing_policy_file_is_a_usage_error(cli: Any, folder: Path) -> None:
    (folder / "apps" / "shop.yaml").write_text(GOOD_APP)
    result = cli("validate", ".", "--policy", "nope.yaml")
    assert result.code == 1
    assert "nope.yaml" in result.err


def test_the_python_api_takes_the_policy_in_the_selection(folder: Path) -> None:
    from reconciler.engine import Reconciler, Selection
    from reconciler.errors import ConfigErrors

    (folder / "apps" / "shop.yaml").write_text(GOOD_APP.replace("https://a", "http://a"))
    (folder / "strict.yaml").write_text("require_https: true\n")
    engine = Reconciler()
    assert [a.name for a in engine.load(folder / "apps", Selection())] == ["shop"]
    with pytest.raises(ConfigErrors) as caught:
        engine.load(folder / "apps", Selection(policy=folder / "strict.yaml"))
    assert "policy rule require_https at strict.yaml:1:16" in str(caught.value.errors[0])


def test_a_control_character_in_the_policy_is_refused(cli: Any, folder: Path) -> None:
    (folder / "policy.yaml").write_text('products:\n  call:\n    allowed_hosts: ["a\\u202eb"]\n')
    (folder / "apps" / "shop.yaml").write_text(GOOD_APP)
    result = cli("validate", ".")
    assert result.code == 1
    assert "error: policy.yaml:3:21: " in result.err
    assert "\u202e" not in result.err
