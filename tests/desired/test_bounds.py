"""Issue 20: the desired state's own bounds, unit by unit (the CLI side is in
tests/integration/test_hostile_bounds.py)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from reconciler.desired import load_desired
from reconciler.desired.diagnostics import SUGGEST_AMONG, did_you_mean, first_names, some_of
from reconciler.desired.placeholders import (
    MAX_EXPANDED,
    MAX_EXPANDED_TOTAL,
    PlaceholderError,
    expand_text,
)
from reconciler.desired.yamlsource import read_text_within
from reconciler.errors import ConfigErrors


def test_some_of_shows_a_few_names_and_a_count() -> None:
    assert some_of(["a", "b"]) == "a, b"
    assert some_of([f"n{i}" for i in range(6)]) == "n0, n1, n2, n3, n4, n5"  # one more: shown
    assert some_of([f"n{i}" for i in range(45_000)]) == "n0, n1, n2, n3, n4 and 44,995 more"
    assert some_of({"x": 1, "y": 2}.keys(), wrap="{{{}}}") == "{x}, {y}"
    names = first_names([f"t{i:03}" for i in reversed(range(300))])
    assert some_of(names, total=300) == "t000, t001, t002, t003, t004 and 295 more"


def test_no_did_you_mean_among_too_many_names() -> None:
    names = [f"var{i}" for i in range(SUGGEST_AMONG + 1)]
    assert did_you_mean("var1x", names) == ""
    assert did_you_mean("var1x", names[:10]) == " (did you mean 'var1'?)"


def test_expansion_stops_as_it_grows() -> None:
    values = {"big": "x" * 1000}
    assert len(expand_text("{big}{big}", values)) == 2000
    with pytest.raises(PlaceholderError, match="longer than 2,048 characters"):
        expand_text("{big}" * 4_000_000, values)  # 4 GB if expanded first and checked after
    with pytest.raises(PlaceholderError):
        expand_text("{big}{big}{big}", values)
    assert MAX_EXPANDED == 2048


def test_the_strings_of_one_file_expand_to_at_most_a_mebibyte(tmp_path: Path) -> None:
    url = "https://h.example.com/{name}/" + "p" * 1900
    aliases = ", ".join(["*u"] * 600)  # 600 x 1.9 KB = 1.1 MB once expanded
    (tmp_path / "app.yaml").write_text(
        "sdkappid: 1400000001\nregion: singapore\n"
        f"callbacks:\n  call:\n    url: &u '{url}'\n    events: [{aliases}]\n"
    )
    with pytest.raises(ConfigErrors) as caught:
        load_desired(tmp_path)
    text = str(caught.value)
    assert f"expand to more than {MAX_EXPANDED_TOTAL:,} characters in all" in text
    assert text.count("expand to more than") == 1


def test_a_link_on_the_way_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "policy.yaml").write_text("planted-secret-value")
    root = tmp_path / "root"
    root.mkdir()
    (root / "rules").symlink_to(outside)  # a folder link: the file itself is no link
    with pytest.raises(ConfigErrors) as caught:
        read_text_within(root / "rules" / "policy.yaml", root)
    assert "symbolic link that leads out" in str(caught.value)
    assert "planted" not in str(caught.value)
    (root / "inside.yaml").write_text("a: 1\n")
    (root / "link.yaml").symlink_to(root / "inside.yaml")
    assert read_text_within(root / "link.yaml", root)[1] == "a: 1\n"
    (root / "broken.yaml").symlink_to(root / "missing.yaml")
    with pytest.raises(ConfigErrors, match="symbolic link"):
        read_text_within(root / "broken.yaml", root)


def test_distinct_apps_do_not_keep_their_documents(tmp_path: Path) -> None:
    """Issue 20 (L8): 100,000 distinct apps took 898 MB, 6.5 KB each at the peak."""
    apps = 2000
    for i in range(apps):
        sdkappid = 1500000000 + i
        (tmp_path / f"app-{i}.yaml").write_text(
            f"sdkappid: {sdkappid}\nregion: singapore\ncallbacks:\n  call:\n"
            f"    url: https://tenant-{i}.hooks.example.com/trtc/call/{sdkappid}\n"
            "    events: [Call.CallbackAfterStartCall, Call.CallbackAfterEndCall]\n"
        )
    load_desired(tmp_path)  # caches and imports warm
    tracemalloc.start()
    try:
        state = load_desired(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(state.apps) == apps
    assert peak / apps < 3_500, f"{peak / apps:.0f} bytes per app at the peak"
