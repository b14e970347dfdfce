"""``reconciler.plan.urlcheck``: which URLs are checked, and how results read."""

from __future__ import annotations

import pytest

from reconciler.api.urlprobe import Probe, Reach
from reconciler.plan.change import Action, Change, Plan
from reconciler.plan.urlcheck import UrlCheck, UrlCheckError, enforce, url_problems, urls_to_check
from reconciler.secret import Secret
from tests.plan.factories import cb, res, switch


def test_only_urls_a_change_would_write_are_checked() -> None:
    plan = Plan(
        (
            Change(
                res("call"), Action.UPDATE, cb("https://old/cb", "a"), cb("https://new/cb", "a")
            ),
            Change(res("live"), Action.CREATE, None, cb("https://live/cb", "a")),
            Change(res("conference"), Action.DELETE, cb("https://gone/cb", "a"), None),
            Change(res("live_token"), Action.UPDATE, switch(False), switch(True)),
        )
    )
    assert urls_to_check(plan) == [
        (res("call"), "https://new/cb"),
        (res("live"), "https://live/cb"),
    ]


def test_hostile_text_is_escaped_and_a_known_secret_masked() -> None:
    Secret("s3cr3t-in-url")
    url = "https://h.example/cb?k=s3cr3t-in-url"
    check = UrlCheck(res("call"), url, Probe(url, Reach.CERTIFICATE, detail="bad\x1b[2J cert"))
    line = check.line()
    assert "s3cr3t-in-url" not in line and "\x1b" not in line
    assert "certificate problem: bad" in line
    assert check.to_dict()["url"] == "https://h.example/cb?k=(sensitive)"


def test_strict_raises_only_when_a_check_failed() -> None:
    ok = UrlCheck(res("call"), "https://a/cb", Probe("https://a/cb", Reach.REACHABLE, 200))
    bad = UrlCheck(res("live"), "https://b/cb", Probe("https://b/cb", Reach.REFUSED, None, "x"))
    enforce(Plan((), url_checks=(ok,)))
    enforce(Plan(()))  # not checked at all
    assert url_problems(Plan((), url_checks=(ok, bad))) == [
        "URL check: prod-sg (1400000001) live https://b/cb: connection refused: x"
    ]
    with pytest.raises(UrlCheckError, match="1 URL"):
        enforce(Plan((), url_checks=(ok, bad)))
