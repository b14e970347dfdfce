"""How apply results are reported: lines, summary and the Markdown table."""

from __future__ import annotations

import json

from reconciler.apply.executor import ChangeResult, Outcome
from reconciler.apply.report import (
    render_results,
    render_results_json,
    render_results_markdown,
    result_line,
    results_document,
    summary_line,
)
from reconciler.plan.change import Action, Change
from tests.plan.factories import TOKEN, US, cb, res, tok

CFG = cb("https://a.example/cb", "Call.CallbackAfterStartCall")

APPLIED = ChangeResult(Change(res("call"), Action.CREATE, None, CFG), Outcome.APPLIED)
FAILED = ChangeResult(
    Change(res("live", US), Action.UPDATE, CFG, CFG),
    Outcome.FAILED,
    "v4/live_config/update_callback for sdkappid 1400000002 failed: ErrorCode 100002: bad | x",
    error_code=100002,
    error_info="bad | x",
    request_id="rid-9",
)
STALE = ChangeResult(
    Change(res("conference"), Action.DELETE, CFG, None), Outcome.STALE, "live state changed"
)
UNVERIFIED = ChangeResult(
    Change(res("live_token"), Action.UPDATE, tok("old"), tok(TOKEN)),
    Outcome.UNVERIFIED,
    "written, but not matching",
)
ALL = [FAILED, UNVERIFIED, APPLIED, STALE]


def test_applied_line_is_short() -> None:
    assert result_line(APPLIED) == "applied: prod-sg (1400000001) call create"


def test_failed_line_carries_tencent_details() -> None:
    assert result_line(FAILED) == (
        "failed: staging-us (1400000002) live update: "
        "v4/live_config/update_callback for sdkappid 1400000002 failed: ErrorCode 100002: bad | x"
        " [ErrorCode 100002, ErrorInfo 'bad | x', RequestId rid-9]"
    )


def test_stale_line_without_details() -> None:
    assert result_line(STALE) == "stale: prod-sg (1400000001) conference delete: live state changed"


def test_summary_line() -> None:
    assert summary_line(ALL) == "Apply: 1 applied, 1 failed, 1 stale, 1 unverified."
    assert summary_line([]) == "Apply: 0 applied, 0 failed, 0 stale, 0 unverified."
    assert summary_line([APPLIED, APPLIED]) == "Apply: 2 applied, 0 failed, 0 stale, 0 unverified."


def test_render_results_sorted_then_summary() -> None:
    lines = render_results(ALL).splitlines()
    assert [line.split(":")[0] for line in lines[:4]] == [
        "applied",  # SG call
        "unverified",  # SG live_token
        "stale",  # SG conference
        "failed",  # US live
    ]
    assert lines[4] == "Apply: 1 applied, 1 failed, 1 stale, 1 unverified."
    assert len(lines) == 5


def test_markdown_table() -> None:
    assert render_results_markdown(ALL) == (
        "### trtc-callback-reconciler: Apply\n\n"
        "Apply: 1 applied, 1 failed, 1 stale, 1 unverified.\n\n"
        "| app | sdkappid | product | action | result | detail |\n"
        "|---|---:|---|---|---|---|\n"
        "| prod-sg | 1400000001 | call | create | applied |  |\n"
        "| prod-sg | 1400000001 | live_token | update | unverified | written, but not matching |\n"
        "| prod-sg | 1400000001 | conference | delete | stale | live state changed |\n"
        "| staging-us | 1400000002 | live | update | failed | "
        # the server's message is literal Markdown text: its punctuation escaped
        "v4/live\\_config/update\\_callback for sdkappid 1400000002 failed\\: "
        "ErrorCode 100002\\: bad \\| x |\n"
    )


def test_markdown_detail_stays_on_one_row() -> None:
    multi = ChangeResult(STALE.change, Outcome.FAILED, "first line\nsecond | line")
    assert render_results_markdown([multi]).splitlines()[-1] == (
        "| prod-sg | 1400000001 | conference | delete | failed | first line second \\| line |"
    )


def test_no_secret_in_reports() -> None:
    text = render_results(ALL) + render_results_markdown(ALL)
    assert TOKEN not in text


OVERWRITTEN = ChangeResult(
    Change(res("call", US), Action.UPDATE, CFG, CFG),
    Outcome.OVERWRITTEN,
    "changed by another writer during the apply",
    request_id="rid-3",
)
UNKNOWN = ChangeResult(
    Change(res("live"), Action.CREATE, None, CFG), Outcome.UNKNOWN, "interrupted"
)


def test_summary_names_overwritten_and_unknown_only_when_they_happened() -> None:
    assert summary_line(ALL) == "Apply: 1 applied, 1 failed, 1 stale, 1 unverified."
    assert summary_line([*ALL, OVERWRITTEN, UNKNOWN, UNKNOWN]) == (
        "Apply: 1 applied, 1 failed, 1 stale, 1 unverified, 1 overwritten, 2 unknown."
    )
    assert result_line(OVERWRITTEN) == (
        "overwritten: staging-us (1400000002) call update: "
        "changed by another writer during the apply [RequestId rid-3]"
    )


def test_results_document_per_change_and_summary() -> None:
    document = results_document([APPLIED, FAILED, UNKNOWN], total=5, interrupted="SIGTERM")
    assert document["format_version"] == "1.1"
    assert document["unreadable"] == []
    assert document["interrupted"] == "SIGTERM"
    assert document["summary"] == {
        "total": 5,
        "finished": 3,
        "applied": 1,
        "failed": 1,
        "stale": 0,
        "unverified": 0,
        "overwritten": 0,
        "unknown": 1,
    }
    first, second, third = document["changes"]  # sorted by sdkappid, then product
    assert (first["product"], first["outcome"], first["error"]) == ("call", "applied", None)
    assert (second["product"], second["outcome"]) == ("live", "unknown")
    assert second["error"] == {"code": None, "info": None, "message": "interrupted"}
    assert third["sdkappid"] == US and third["request_id"] == "rid-9"
    assert third["error"]["code"] == 100002 and third["error"]["info"] == "bad | x"
    assert json.loads(render_results_json([APPLIED])) == results_document([APPLIED])


def test_results_document_never_holds_a_token() -> None:
    text = render_results_json(ALL)
    assert TOKEN not in text and "old" not in json.loads(text)["changes"][-1].values()
