"""``reconciler emulator admin``: rehearse drift and new apps against the real emulator,
through the real CLI, with no UserSig made by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from reconciler.emulator.admin import MAX_BODY
from reconciler.emulator.app import create_app
from reconciler.emulator.embedded import RunningEmulator, start_emulator
from reconciler.emulator.store import Store

APP = 1400300001
KEY = "rehearsal-key-not-secret"
NEW_APP = 1400300099
NEW_KEY = "new-app-key-not-secret"
URL = "https://hooks.example.com/call"


@pytest.fixture
def rehearsal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[RunningEmulator, Path]]:
    """An emulator whose live state equals a one-app desired state."""
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        yaml.safe_dump(
            {
                "apps": [
                    {
                        "sdkappid": APP,
                        "secret_key": KEY,
                        "callbacks": {
                            "call": {"url": URL, "events": ["Call.CallbackAfterEndCall"]}
                        },
                    }
                ]
            }
        )
    )
    desired = tmp_path / "desired"
    (desired / "apps").mkdir(parents=True)
    (desired / "apps" / "shop.yaml").write_text(
        f"sdkappid: {APP}\nregion: singapore\n"
        f"callbacks:\n  call: {{url: '{URL}', events: [Call.CallbackAfterEndCall]}}\n"
    )
    for name in ("TRTC_ENDPOINT", "TRTC_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with start_emulator(seed) as running:
        monkeypatch.setenv("TRTC_SECRET_KEY", KEY)
        monkeypatch.setenv("TRTC_ENDPOINT", running.base_url)
        yield running, desired


def test_drift_is_rehearsed_with_a_console_change_behind_the_tools_back(
    rehearsal: tuple[RunningEmulator, Path], cli: Any
) -> None:
    emulator, desired = rehearsal
    before = cli("plan", desired, "--detailed-exitcode")
    assert before.code == 0, before.err  # no change to start with
    assert cli("drift", desired).code == 0

    changed = cli(
        "emulator",
        "admin",
        "--endpoint",
        emulator.base_url,
        "set",
        "--sdkappid",
        str(APP),
        "--product",
        "call",
        "--url",
        "https://console.example.com/cb",
        "--events",
        "Call.CallbackAfterEndCall,Console.WordTheToolDoesNotKnow",
    )
    assert changed.code == 0, changed.err
    assert changed.out == f"set call of app {APP}\n"

    drift = cli("drift", desired, "--format", "json")
    assert drift.code == 2, drift.err
    (change,) = drift.json()["changes"]
    assert (change["product"], change["action"]) == ("call", "update")
    assert change["before"]["url"] == "https://console.example.com/cb"
    assert "Console.WordTheToolDoesNotKnow" in change["before"]["events"]

    # an unmanaged config appears too, and a delete is drift as well
    live = cli(
        "emulator", "admin", "set", "--sdkappid", str(APP), "--product", "live",
        "--url", "https://console.example.com/live", "--events", "Anything",
    )  # fmt: skip
    assert live.code == 0, live.err  # --endpoint from TRTC_ENDPOINT
    removed = cli("emulator", "admin", "delete", "--sdkappid", str(APP), "--product", "call")
    assert removed.code == 0 and removed.out == f"deleted call of app {APP}\n"
    drift = cli("drift", desired, "--format", "json")
    assert drift.code == 2
    document = drift.json()
    assert [(c["product"], c["action"]) for c in document["changes"]] == [("call", "create")]
    assert [u["product"] for u in document["unmanaged"]] == ["live"]

    shown = cli("emulator", "admin", "show", "--sdkappid", str(APP), "--product", "live")
    assert shown.code == 0
    assert '"url": "https://console.example.com/live"' in shown.out

    # apply brings it back, and the plan is clean again
    assert cli("apply", desired, "--auto-approve").code == 0
    assert cli("plan", desired, "--detailed-exitcode").code == 0


def test_an_added_app_is_served_with_its_key(
    rehearsal: tuple[RunningEmulator, Path], cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, desired = rehearsal
    monkeypatch.setenv("NEW_APP_KEY", NEW_KEY)
    added = cli(
        "emulator", "admin", "add-app", "--sdkappid", str(NEW_APP),
        "--secret-key-env", "NEW_APP_KEY", "--admin", "ops-bot",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert added.out == f"added app {NEW_APP} (admins: ops-bot)\n"
    assert NEW_KEY not in added.out + added.err
    again = cli("emulator", "admin", "add-app", "--sdkappid", str(NEW_APP), "--secret-key", "x")
    assert again.code == 1 and f"app {NEW_APP} exists already" in again.err

    (desired / "apps" / "new.yaml").write_text(
        f"sdkappid: {NEW_APP}\nregion: singapore\nidentifier: ops-bot\n"
        f"callbacks:\n  call: {{url: '{URL}', events: [Call.CallbackAfterStartCall]}}\n"
    )
    monkeypatch.setenv(f"TRTC_SECRET_KEY_{NEW_APP}", NEW_KEY)
    plan = cli("plan", desired, "--format", "json")
    assert plan.code == 0, plan.err
    assert plan.json()["summary"] == {"create": 1, "update": 0, "delete": 0, "unchanged": 1}

    monkeypatch.setenv(f"TRTC_SECRET_KEY_{NEW_APP}", "a-wrong-key")  # UserSigs still checked
    wrong = cli("plan", desired)
    assert wrong.code == 1 and "70009" in wrong.err


def test_admin_mistakes_are_clear_errors(rehearsal: tuple[RunningEmulator, Path], cli: Any) -> None:
    _ = rehearsal
    missing = cli("emulator", "admin", "delete", "--sdkappid", "1400399999", "--product", "call")
    assert missing.code == 1
    assert "no app 1400399999 in the emulator; add it first (add-app)" in missing.err
    no_events = cli("emulator", "admin", "set", "--sdkappid", str(APP), "--product", "call")
    assert no_events.code == 1 and "needs --url and --events" in no_events.err
    remote = cli(
        "emulator", "admin", "--endpoint", "http://emulator.example.invalid:8080",
        "delete", "--sdkappid", str(APP), "--product", "call",
    )  # fmt: skip
    assert remote.code == 1 and "answer only on loopback" in remote.err
    for result in (missing, no_events, remote):
        assert "Traceback" not in result.err


def _admin(client: tuple[str, int], **kw: Any) -> httpx.Response:
    store = Store()
    transport = httpx.ASGITransport(app=create_app(store), client=client)

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return await c.post("/_admin/apps", **kw)

    try:
        return asyncio.run(post())
    finally:
        store.close()


BODY = {"sdkappid": NEW_APP, "secret_key": NEW_KEY}
JSON = {"content-type": "application/json"}


def test_admin_routes_refuse_anyone_but_a_loopback_client() -> None:
    assert _admin(("127.0.0.1", 50000), json=BODY).status_code == 200
    refused = _admin(("203.0.113.7", 50000), json=BODY)
    assert refused.status_code == 403
    assert refused.json() == {"ok": False, "error": "the admin routes answer only loopback clients"}
    rebound = _admin(("127.0.0.1", 50000), json=BODY, headers={"host": "evil.example.com"})
    assert rebound.status_code == 403  # DNS rebinding: a loopback socket, a foreign name
    form = _admin(
        ("127.0.0.1", 50000), content=b"sdkappid=1", headers={"content-type": "text/plain"}
    )
    assert form.status_code == 403  # a cross-site form cannot send JSON
    nested = _admin(("127.0.0.1", 50000), content=b"[" * 60000, headers=JSON)
    assert nested.status_code == 400  # not a 500 from a RecursionError
    big = _admin(("127.0.0.1", 50000), content=b" " * (MAX_BODY + 1), headers=JSON)
    assert big.status_code == 400 and "larger than" in big.json()["error"]
