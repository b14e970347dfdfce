"""The live-state snapshot holds no secret, even one quoted in a live URL or a warning."""

from __future__ import annotations

import json

from reconciler.configs import CallbackConfig
from reconciler.fetch import LiveSnapshot
from reconciler.plan.livefile import snapshot_document
from reconciler.secret import Secret


def test_a_known_secret_in_a_live_url_or_warning_is_masked_and_the_checksum_holds() -> None:
    Secret("k3y-quoted-live")  # known to the run from now on
    live = LiveSnapshot(
        {(1400000001, "call"): CallbackConfig("https://h.example/?k=k3y-quoted-live", frozenset())},
        warnings=("could not check: server said k3y-quoted-live",),
    )
    doc = snapshot_document([], live, env={})
    text = json.dumps(doc)
    assert "k3y-quoted-live" not in text
    assert doc["configs"][0]["state"]["url"] == "https://h.example/?k=(sensitive)"
    assert doc["warnings"] == ["could not check: server said (sensitive)"]
    assert doc["checksum"]  # computed over the masked content (read back by plan --live)
