"""``reconciler.plan.recurring``: the words and the JSON of recurring drift."""

from __future__ import annotations

from reconciler.plan.recurring import SHOWN_REQUEST_IDS, RecurringDrift
from tests.plan.factories import SG, res


def test_the_sentence_counts_and_shows_the_latest_request_ids() -> None:
    ids = tuple(f"req-{i}" for i in range(SHOWN_REQUEST_IDS + 3))
    drift = RecurringDrift(res("call"), len(ids), "2026-01-02T03:04:05+00:00", ids)
    text = drift.sentence()
    assert f"set it to the desired value {len(ids)} time(s)" in text
    assert "req-12" in text and "req-3" in text and "req-2," not in text
    assert "and 3 earlier" in text
    assert drift.to_dict() == {
        "app": "prod-sg",
        "sdkappid": SG,
        "product": "call",
        "times_set_back": len(ids),
        "last_set_back": "2026-01-02T03:04:05+00:00",
        "request_ids": list(ids),  # all of them in JSON
    }


def test_no_request_id_is_said() -> None:
    drift = RecurringDrift(res("call"), 1, "2026-01-02T03:04:05+00:00", ())
    assert "(none recorded)" in drift.sentence()
