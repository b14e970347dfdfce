"""``reconciler plan``: the three renderings, ``--detailed-exitcode`` and the filters,
through the real CLI against the real emulator (docs/plan-and-apply.md and docs/formats.md)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.embedded import RunningEmulator
from reconciler.products.catalog import PRODUCT_KEYS
from tests.integration.conftest import EXAMPLES, assert_no_secrets, read_log

PROD_SG, PROD_CN, STAGING_US = 1400000001, 1400000002, 1400000003

# The plan of examples/desired-state against examples/emulator-seed.yaml, exactly as
# docs/formats.md documents it (plus `unmanaged`, which the README documents).
SAFE = {
    "verdict": "safe",
    "problems": [],
    "override": False,
    "thresholds": {"max_update_pct": 30.0, "max_delete_pct": 30.0, "min_existing": 10},
}
EXPECTED_CHANGES: list[dict[str, Any]] = [
    {
        "app": "prod-sg",
        "sdkappid": PROD_SG,
        "product": "call",
        "action": "update",
        "cause": None,
        "before": {"url": "https://old.example.com/cb", "events": ["Call.CallbackAfterEndCall"]},
        "after": {
            "url": "https://hooks.example.com/trtc/call",
            "events": ["Call.CallbackAfterEndCall", "Call.CallbackAfterStartCall"],
        },
    },
    {
        "app": "prod-sg",
        "sdkappid": PROD_SG,
        "product": "live",
        "action": "create",
        "cause": None,
        "before": None,
        "after": {
            "url": "https://hooks.example.com/trtc/live",
            "events": [
                "Live.CallbackAfterCreateRoom",
                "Live.CallbackAfterDestroyRoom",
                "Mic.CallbackAfterSeatInfoChanged",
            ],
        },
    },
    {
        "app": "prod-sg",
        "sdkappid": PROD_SG,
        "product": "live_token",
        "action": "update",
        "cause": None,
        "before": {"token": "(sensitive)", "enabled": True},
        "after": {"token": "(sensitive value changed)", "enabled": True},
    },
    {
        "app": "prod-cn",
        "sdkappid": PROD_CN,
        "product": "live",
        "action": "update",
        "cause": None,
        "before": {
            "url": "https://hooks.example.cn/trtc/live",
            "events": [
                "Live.CallbackAfterCreateRoom",
                "Live.CallbackAfterDestroyRoom",
                "Live.CallbackAfterEndBattle",
                "Live.CallbackAfterMemberStateChanged",
            ],
        },
        "after": {
            "url": "https://hooks.example.cn/trtc/live",
            "events": [
                "Live.CallbackAfterCreateRoom",
                "Live.CallbackAfterDestroyRoom",
                "Live.CallbackAfterMemberStateChanged",
                "Live.CallbackBeforeSendGift",
            ],
        },
    },
    {
        "app": "prod-cn",
        "sdkappid": PROD_CN,
        "product": "conference",
        "action": "create",
        "cause": None,
        "before": None,
        "after": {
            "url": "https://hooks.example.cn/trtc/conference",
            "events": [
                "Room.CallbackAfterCreateRoom",
                "Room.CallbackAfterDestroyRoom",
                "Room.CallbackAfterMemberEnter",
                "Room.CallbackAfterMemberLeave",
            ],
        },
    },
    {
        "app": "staging-us",
        "sdkappid": STAGING_US,
        "product": "call",
        "action": "create",
        "cause": None,
        "before": None,
        "after": {
            "url": "https://staging-hooks.example.com/trtc/call",
            "events": ["Call.CallbackAfterEndCall"],
        },
    },
    {
        "app": "staging-us",
        "sdkappid": STAGING_US,
        "product": "conference",
        "action": "delete",
        "cause": None,
        "before": {
            "url": "https://staging-hooks.example.com/trtc/conference",
            "events": ["Room.CallbackAfterCreateRoom"],
        },
        "after": None,
    },
]
UNMANAGED = [{"sdkappid": PROD_CN, "app": "prod-cn", "product": "call_legacy"}]


def writes(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in log if r["write"]]


def change_keys(doc: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(c["sdkappid"], c["product"], c["action"]) for c in doc["changes"]]


def assert_sorted_changes(doc: dict[str, Any]) -> None:
    """Sorted by sdkappid, then product (in the documented product order); events sorted."""
    keys = [(c["sdkappid"], PRODUCT_KEYS.index(c["product"])) for c in doc["changes"]]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    for change in doc["changes"]:
        for side in ("before", "after"):
            value = change[side]
            if value is not None and "events" in value:
                assert value["events"] == sorted(value["events"])


# -- 1. plan -> apply -> plan, in every format ---------------------------------------


def test_json_plan_has_the_documented_exact_shape(
    cli: Any, env: dict[str, str], request_log: Path
) -> None:
    result = cli("plan", EXAMPLES, "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    assert list(doc)[:3] == ["format_version", "summary", "changes"]
    assert doc == {
        "format_version": "1.4",
        "summary": {"create": 3, "update": 3, "delete": 1, "unchanged": 2},
        "changes": EXPECTED_CHANGES,
        "unmanaged": UNMANAGED,
        "errors": [],
        "ignored": [],
        "warnings": [],
        "safety": SAFE,
        "live_source": None,
    }
    for change in doc["changes"]:
        assert list(change) == [
            "app",
            "sdkappid",
            "product",
            "action",
            "before",
            "after",
            "cause",
        ]
    assert_sorted_changes(doc)
    assert "Traceback" not in result.err
    assert_no_secrets(result.out, result.err)
    assert read_log(request_log), "the plan must have read the live state"
    assert not writes(read_log(request_log)), "plan must never write"


def test_json_token_shows_sensitive_without_a_token_change(
    cli: Any, env: dict[str, str], desired: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same token as live (demo-token-old), only `enabled` changes: "(sensitive)" both sides.
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_PROD_SG", "demo-token-old")
    monkeypatch.setenv("LIVE_WEBHOOK_TOKEN_STAGING", "a-new-staging-token")
    prod_sg = desired / "apps" / "prod-sg.yaml"
    text = prod_sg.read_text()
    assert text.count("enabled: true") == 1
    prod_sg.write_text(text.replace("enabled: true", "enabled: false"))
    staging = desired / "apps" / "staging-us.yaml"
    staging.write_text(
        staging.read_text()
        + "  live_token:\n    token_env: LIVE_WEBHOOK_TOKEN_STAGING\n    enabled: true\n"
    )

    result = cli("plan", desired, "--format", "json")
    assert result.code == 0, result.err
    tokens = {c["sdkappid"]: c for c in result.json()["changes"] if c["product"] == "live_token"}
    assert tokens[PROD_SG]["action"] == "update"
    assert tokens[PROD_SG]["before"] == {"token": "(sensitive)", "enabled": True}
    assert tokens[PROD_SG]["after"] == {"token": "(sensitive)", "enabled": False}
    assert tokens[STAGING_US]["action"] == "create"
    assert tokens[STAGING_US]["before"] is None
    assert tokens[STAGING_US]["after"] == {"token": "(sensitive)", "enabled": True}
    assert "a-new-staging-token" not in result.out + result.err
    assert_no_secrets(result.out, result.err)

    text_plan = cli("plan", desired)
    assert text_plan.code == 0, text_plan.err
    assert "~ enabled = true -> false" in text_plan.out
    assert "(sensitive value changed)" not in text_plan.out
    assert "a-new-staging-token" not in text_plan.out + text_plan.err


def test_text_plan_apply_plan_in_every_format(
    cli: Any, env: dict[str, str], request_log: Path
) -> None:
    first = cli("plan", EXAMPLES)
    assert first.code == 0, first.err
    out = first.out
    # Terraform-like symbols and field-level diffs
    assert "  # prod-sg (1400000001) call will be updated in place\n  ~ call {" in out
    assert '~ url    = "https://old.example.com/cb" -> "https://hooks.example.com/trtc/call"' in out
    assert '+ "Call.CallbackAfterStartCall",' in out
    assert "# (1 unchanged)" in out
    assert "  # prod-sg (1400000001) live will be created\n  + live {" in out
    assert "~ token = (sensitive) -> (sensitive value changed)" in out
    assert '+ "Live.CallbackBeforeSendGift",\n          - "Live.CallbackAfterEndBattle",' in out
    assert "  # staging-us (1400000003) conference will be deleted\n  - conference {" in out
    assert "  ? prod-cn (1400000002) call_legacy" in out
    assert out.rstrip().endswith("Plan: 3 to create, 3 to update, 1 to delete, 2 unchanged.")
    # resources appear in plan order: sdkappid, then product
    headers = re.findall(r"^  # (\S+) \((\d+)\) (\S+) will", out, flags=re.MULTILINE)
    assert [(int(i), p) for _, i, p in headers] == [
        (c["sdkappid"], c["product"]) for c in EXPECTED_CHANGES
    ]
    assert first.err == ""  # the plan goes to stdout; nothing to warn about

    applied = cli("apply", EXAMPLES, "--auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply: 7 applied, 0 failed, 0 stale, 0 unverified." in applied.out

    text = cli("plan", EXAMPLES)
    assert text.code == 0, text.err
    assert "No changes. The live configuration matches the desired state." in text.out
    assert "Plan: 0 to create, 0 to update, 0 to delete, 9 unchanged." in text.out
    assert "  ? prod-cn (1400000002) call_legacy" in text.out  # still unmanaged, untouched

    as_json = cli("plan", EXAMPLES, "--format", "json")
    assert as_json.code == 0, as_json.err
    assert as_json.json() == {
        "format_version": "1.4",
        "summary": {"create": 0, "update": 0, "delete": 0, "unchanged": 9},
        "changes": [],
        "unmanaged": UNMANAGED,
        "errors": [],
        "ignored": [],
        "warnings": [],
        "safety": SAFE,
        "live_source": None,
    }

    markdown = cli("plan", EXAMPLES, "--format", "markdown")
    assert markdown.code == 0, markdown.err
    assert "| 0 | 0 | 0 | 9 | 1 |" in markdown.out
    assert "No changes" in markdown.out
    assert "<details>" not in markdown.out
    assert_no_secrets(
        first.out, first.err, applied.out, applied.err, text.out, as_json.out, markdown.out
    )


def test_markdown_plan_summary_table_first_then_details_per_app(
    cli: Any, env: dict[str, str]
) -> None:
    result = cli("plan", EXAMPLES, "--format", "markdown")
    assert result.code == 0, result.err
    md = result.out
    assert md.startswith("### trtc-callback-reconciler: Plan\n")
    header = "| to create | to update | to delete | unchanged | unmanaged |"
    row = "| 3 | 3 | 1 | 2 | 1 |"
    assert header in md and row in md
    assert md.index(header) < md.index(row) < md.index("<details>")
    sections = re.findall(r"<details><summary>(.*?)</summary>(.*?)</details>", md, flags=re.S)
    assert [s[0] for s in sections] == [
        "<b>prod-sg</b> (1400000001): +1 create, ~2 update",
        "<b>prod-cn</b> (1400000002): +1 create, ~1 update",
        "<b>staging-us</b> (1400000003): +1 create, -1 delete",
    ]
    assert md.count("<details>") == md.count("</details>") == 3
    prod_sg_body = sections[0][1]
    assert "```diff" in prod_sg_body
    assert "~ token = (sensitive) -> (sensitive value changed)" in prod_sg_body
    assert "staging-us" not in prod_sg_body  # each app's changes in its own section
    assert "- conference {" in sections[2][1]
    assert "`prod-cn/call_legacy`" in md  # unmanaged note
    assert len(md) < 65_535
    assert_no_secrets(md, result.err)


# -- 10. --detailed-exitcode ----------------------------------------------------------


def test_detailed_exitcode_2_with_changes_0_without_1_on_error(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    changes = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert changes.code == 2, changes.err
    as_json = cli("plan", EXAMPLES, "--detailed-exitcode", "--format", "json")
    assert as_json.code == 2
    assert as_json.json()["summary"]["create"] == 3  # still the full plan on stdout
    # a filter that leaves only unchanged resources: 0
    assert (
        cli("plan", EXAMPLES, "--detailed-exitcode", "--app", "prod-cn", "--product", "call").code
        == 0
    )

    applied = cli("apply", EXAMPLES, "--auto-approve")
    assert applied.code == 0, applied.err
    clean = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert clean.code == 0, clean.err
    assert "Plan: 0 to create" in clean.out

    # errors are 1, never 2, even with --detailed-exitcode
    bad_option = cli("plan", EXAMPLES, "--detailed-exitcode", "--format", "yaml")
    assert bad_option.code == 1
    monkeypatch.delenv("TRTC_SECRET_KEY_STAGING_US")
    missing_key = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert missing_key.code == 1
    assert "error:" in missing_key.err


def test_detailed_exitcode_error_with_pending_changes_is_1(
    cli: Any, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # There ARE changes pending, but the run fails: the exit code must say error (1).
    monkeypatch.setenv("TRTC_ENDPOINT", "http://example.com")
    result = cli("plan", EXAMPLES, "--detailed-exitcode")
    assert result.code == 1
    assert result.out == ""


# -- 6. filters -----------------------------------------------------------------------


def test_app_filter_by_name_reads_and_plans_only_that_app(
    cli: Any, env: dict[str, str], request_log: Path
) -> None:
    result = cli("plan", EXAMPLES, "--app", "prod-cn", "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["summary"] == {"create": 1, "update": 1, "delete": 0, "unchanged": 1}
    assert change_keys(doc) == [(PROD_CN, "live", "update"), (PROD_CN, "conference", "create")]
    assert doc["unmanaged"] == UNMANAGED
    log = read_log(request_log)
    assert log and {r["sdkappid"] for r in log} == {PROD_CN}


def test_app_filter_by_sdkappid(cli: Any, env: dict[str, str], request_log: Path) -> None:
    result = cli("plan", EXAMPLES, "--app", "1400000003", "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["summary"] == {"create": 1, "update": 0, "delete": 1, "unchanged": 0}
    assert change_keys(doc) == [
        (STAGING_US, "call", "create"),
        (STAGING_US, "conference", "delete"),
    ]
    assert {r["sdkappid"] for r in read_log(request_log)} == {STAGING_US}


def test_product_filter_reads_only_that_product(
    cli: Any, env: dict[str, str], request_log: Path
) -> None:
    result = cli("plan", EXAMPLES, "--product", "live", "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    assert change_keys(doc) == [(PROD_SG, "live", "create"), (PROD_CN, "live", "update")]
    assert doc["summary"] == {"create": 1, "update": 1, "delete": 0, "unchanged": 0}
    assert doc["unmanaged"] == []
    paths = {r["path"] for r in read_log(request_log)}
    assert paths == {"/v4/live_config/get_callback"}


def test_app_and_product_filters_combine(cli: Any, env: dict[str, str], request_log: Path) -> None:
    result = cli(
        "plan",
        EXAMPLES,
        "--app", "prod-sg",
        "--app", "1400000003",
        "--product", "call",
        "--product", "live_token",
        "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    doc = result.json()
    assert change_keys(doc) == [
        (PROD_SG, "call", "update"),
        (PROD_SG, "live_token", "update"),
        (STAGING_US, "call", "create"),
    ]
    log = read_log(request_log)
    assert {r["sdkappid"] for r in log} == {PROD_SG, STAGING_US}
    assert {r["command"] for r in log} <= {"get_callback", "get_callback_token"}
    assert not [r for r in log if r["path"].startswith(("/v1/", "/v4/room_config"))]


def test_apply_with_app_filter_writes_only_that_app(
    cli: Any, env: dict[str, str], request_log: Path, emulator: RunningEmulator
) -> None:
    applied = cli("apply", EXAMPLES, "--app", "prod-cn", "--auto-approve")
    assert applied.code == 0, applied.err
    assert "Apply: 2 applied, 0 failed, 0 stale, 0 unverified." in applied.out
    assert {r["sdkappid"] for r in writes(read_log(request_log))} == {PROD_CN}
    # the other apps are still as seeded
    assert emulator.store.get_callback(STAGING_US, "conference") is not None
    prod_sg_call = emulator.store.get_callback(PROD_SG, "call")
    assert prod_sg_call is not None and prod_sg_call.url == "https://old.example.com/cb"
    rest = cli("plan", EXAMPLES, "--format", "json")
    assert rest.json()["summary"] == {"create": 2, "update": 2, "delete": 1, "unchanged": 4}
    assert PROD_CN not in {c["sdkappid"] for c in rest.json()["changes"]}


def test_unknown_app_filter_is_a_clear_error_before_any_request(
    cli: Any, env: dict[str, str], request_log: Path
) -> None:
    for extra in ((), ("--auto-approve",)):
        command = "apply" if extra else "plan"
        result = cli(command, EXAMPLES, "--app", "prod-xx", *extra)
        assert result.code == 1
        assert result.out == ""
        assert result.err.startswith("error: --app prod-xx: no such app")
        assert "prod-sg" in result.err and "prod-cn" in result.err  # lists what is known
        assert "Traceback" not in result.err
    assert read_log(request_log) == []


def test_shards_partition_the_plan(cli: Any, env: dict[str, str]) -> None:
    full = cli("plan", EXAMPLES, "--format", "json")
    one = cli("plan", EXAMPLES, "--shard", "1/2", "--format", "json")
    two = cli("plan", EXAMPLES, "--shard", "2/2", "--format", "json")
    assert (full.code, one.code, two.code) == (0, 0, 0), one.err + two.err
    a, b = change_keys(one.json()), change_keys(two.json())
    assert not set(a) & set(b)
    assert sorted(a + b) == sorted(change_keys(full.json()))
    # an app is never split over shards
    assert not {k[0] for k in a} & {k[0] for k in b}
    for key in ("create", "update", "delete", "unchanged"):
        assert (
            one.json()["summary"][key] + two.json()["summary"][key] == full.json()["summary"][key]
        )
    whole = cli("plan", EXAMPLES, "--shard", "1/1", "--format", "json")
    assert whole.json() == full.json()
    # three shards of three apps still cover everything exactly once
    thirds = [cli("plan", EXAMPLES, "--shard", f"{k}/3", "--format", "json") for k in (1, 2, 3)]
    merged = [key for t in thirds for key in change_keys(t.json())]
    assert sorted(merged) == sorted(change_keys(full.json()))


def test_markdown_plan_is_capped_under_the_github_comment_limit(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 apps whose sections are ~4 KB each: some are cut, and the note says how many."""
    from reconciler.emulator.embedded import start_emulator
    from reconciler.emulator.seed import Seed, SeedApp

    ids = [1500000000 + i for i in range(20)]
    apps_dir = tmp_path / "fleet" / "apps"
    apps_dir.mkdir(parents=True)
    for i, sdkappid in enumerate(ids):
        (apps_dir / f"app{i:02d}.yaml").write_text(
            f"sdkappid: {sdkappid}\nregion: singapore\ncallbacks:\n  call:\n"
            f"    url: https://h{i}.example.com/{'p' * 4000}\n"
            "    events: [Call.CallbackAfterStartCall]\n"
        )
    seed = Seed(tuple(SeedApp(sdkappid=i, secret_key="fleet-key") for i in ids))
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "TRTC_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    with start_emulator(seed) as fleet:
        monkeypatch.setenv("TRTC_ENDPOINT", fleet.base_url)
        monkeypatch.setenv("TRTC_SECRET_KEY", "fleet-key")
        result = cli("plan", tmp_path / "fleet", "--format", "markdown", "--product", "call")
    assert result.code == 0, result.err
    md = result.out
    assert len(md) < 65_535
    assert "| 20 | 0 | 0 | 0 | 0 |" in md  # the table counts everything
    shown = re.findall(r"<summary><b>(app\d\d)</b>", md)
    assert 0 < len(shown) < 20
    assert shown == [f"app{i:02d}" for i in range(len(shown))]  # in sdkappid order
    cut = 20 - len(shown)
    assert f"**Cut:** {cut} more app(s) with {cut} change(s) are not shown" in md
    assert md.count("<details>") == md.count("</details>") == len(shown)
