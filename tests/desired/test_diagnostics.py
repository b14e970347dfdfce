"""Error and warning collection, and the "did you mean" helper."""

from __future__ import annotations

from reconciler.desired import ConfigWarning
from reconciler.desired.diagnostics import Diagnostics, did_you_mean
from reconciler.errors import Location


def test_warning_text() -> None:
    warning = ConfigWarning(Location("apps/a.yaml", 3, 7), "something odd")
    assert str(warning) == "apps/a.yaml:3:7: warning: something odd"


def test_warnings_are_sorted_and_deduplicated() -> None:
    diagnostics = Diagnostics()
    diagnostics.warn(Location("b.yaml", 1, 1), "w")
    diagnostics.warn(Location("a.yaml", 9, 1), "w")
    diagnostics.warn(Location("a.yaml", 2, 5), "w")
    diagnostics.warn(Location("a.yaml", 2, 5), "w")
    assert [str(w) for w in diagnostics.sorted_warnings()] == [
        "a.yaml:2:5: warning: w",
        "a.yaml:9:1: warning: w",
        "b.yaml:1:1: warning: w",
    ]


def test_did_you_mean() -> None:
    assert did_you_mean("evnts", ("ensure", "url", "events")) == " (did you mean 'events'?)"
    assert did_you_mean("URL", iter(("ensure", "url"))) == " (did you mean 'url'?)"
    assert did_you_mean("zzz", ("ensure", "url")) == ""
