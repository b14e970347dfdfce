"""``plan --check-urls``: every URL a change would write, probed on loopback only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import trustme

from reconciler.api import urlprobe
from tests.https_servers import closed_port_url, https_receiver, loopback_resolver
from tests.integration.conftest import ROOT, read_log

UNRESOLVABLE = "https://hooks.example.invalid/trtc/call"


@pytest.fixture(autouse=True)
def resolved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No DNS query leaves the machine: only loopback and `.invalid` are resolved."""
    seen: list[str] = []
    monkeypatch.setattr(urlprobe, "system_resolver", loopback_resolver(seen))
    return seen


@pytest.fixture
def trusted_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> trustme.CA:
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    return ca


def plan_schema(doc: dict[str, Any]) -> None:
    """``doc`` is valid against the committed plan schema (with its 1.4 fields)."""
    schema = json.loads((ROOT / "schema" / "plan.schema.json").read_text())
    jsonschema.Draft202012Validator({"$ref": "#/$defs/plan", "$defs": schema["$defs"]}).validate(
        doc
    )


def point(desired: Path, urls: dict[str, str]) -> None:
    """Replace the example URLs (old → new) in the desired state's files."""
    for path in desired.rglob("*.yaml"):
        text = path.read_text()
        for old, new in urls.items():
            text = text.replace(old + "\n", new + "\n")
        path.write_text(text)


def by_resource(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["app"], c["product"]): c for c in doc["url_checks"]}


def test_check_urls_reports_each_outcome_per_app_and_product(
    cli: Any,
    env: dict[str, str],
    desired: Path,
    trusted_ca: trustme.CA,
    request_log: Path,
    resolved: list[str],
) -> None:
    with (
        https_receiver(trusted_ca, status=204) as good,
        https_receiver(trustme.CA()) as untrusted,
    ):
        closed = closed_port_url()
        point(
            desired,
            {
                "https://hooks.example.com/trtc/call": good.url,  # prod-sg call: update
                "https://hooks.example.com/trtc/live": untrusted.url,  # prod-sg live: create
                "https://hooks.example.cn/trtc/conference": closed,  # prod-cn conference: create
                "https://staging-hooks.example.com/trtc/call": UNRESOLVABLE,  # staging-us call
            },
        )
        # the same URL twice: prod-cn live (an update) sends to the trusted receiver too
        point(desired, {"https://hooks.example.cn/trtc/live": good.url})
        text = cli("plan", desired, "--check-urls")
        as_json = cli("plan", desired, "--format", "json", "--check-urls")
        markdown = cli("plan", desired, "--format", "markdown", "--check-urls=warn")
        html = cli("plan", desired, "--format", "html", "--check-urls")
        strict = cli("plan", desired, "--check-urls=strict")
        off = cli("plan", desired, "--format", "json")
    assert text.code == 0, text.err
    assert "URL checks: 2 reachable, 3 with a problem:" in text.out
    assert f"prod-sg (1400000001) call {good.url}: reachable (HTTP 204)" in text.out
    assert f"prod-sg (1400000001) live {untrusted.url}: certificate problem: " in text.out
    assert f"prod-cn (1400000002) conference {closed}: connection refused" in text.out
    assert f"staging-us (1400000003) call {UNRESOLVABLE}: unresolvable" in text.out
    assert "warning" in text.err.lower() and UNRESOLVABLE in text.err  # problems are warnings

    doc = as_json.json()
    assert doc["format_version"] == "1.4"
    checks = by_resource(doc)
    assert checks[("prod-sg", "call")]["result"] == "reachable"
    assert checks[("prod-sg", "call")]["status"] == 204
    assert checks[("prod-cn", "live")]["result"] == "reachable"
    assert checks[("prod-sg", "live")]["result"] == "certificate"
    assert checks[("prod-sg", "live")]["detail"]
    assert checks[("prod-cn", "conference")]["result"] == "refused"
    assert checks[("staging-us", "call")]["result"] == "unresolvable"
    assert sum(1 for w in doc["warnings"] if w.startswith("URL check:")) == 3

    assert "**URL checks:** 2 reachable, 3 with a problem" in markdown.out
    assert "URL checks: 2 reachable, 3 with a problem" in html.out
    plan_schema(doc)

    assert strict.code == 1
    assert "failed the check (--check-urls=strict)" in strict.err
    assert "url_checks" not in off.json()  # off by default

    # each run probed the trusted URL once (two changes share it), with HEAD and no body
    assert len(good.requests) == 5  # text, json, markdown, html, strict
    assert all(r.method == "HEAD" and r.body == b"" for r in good.requests)
    assert untrusted.requests == []  # its handshake failed: no request was sent
    assert not [r for r in read_log(request_log) if r["write"]]  # plan never writes
    assert set(resolved) == {"127.0.0.1", "hooks.example.invalid"}  # loopback only


def test_a_directory_taken_as_the_mode_gets_a_hint(
    cli: Any, env: dict[str, str], desired: Path, resolved: list[str]
) -> None:
    result = cli("plan", "--check-urls", desired)
    assert result.code == 1
    assert "give DIR before --check-urls, or write --check-urls=warn" in result.err
    assert resolved == []  # nothing was probed
