"""Desired-state rules that come from the product registry: regions, spellings, words."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.configs import CallbackConfig
from reconciler.desired.loader import load_desired


def write(root: Path, text: str) -> Path:
    (root / "app.yaml").write_text(text, encoding="utf-8")
    return root


APP = """\
sdkappid: 1400000001
region: {region}
callbacks:
  {product}:
    url: https://hooks.example.com/cb
    events: [{word}]
"""


@pytest.mark.parametrize(
    ("product", "word", "region", "documented"),
    [
        ("call", "Call.CallbackAfterEndCall", "usa", "china, singapore, korea"),
        ("conference", "Room.CallbackAfterCreateRoom", "usa", "singapore, china"),
        ("live", "Live.CallbackAfterCreateRoom", "korea", "china, singapore, usa"),
    ],
)
def test_undocumented_region_is_a_located_warning(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    product: str,
    word: str,
    region: str,
    documented: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, APP.format(region=region, product=product, word=word))
    state = load_desired(Path("."))
    messages = [f"{w.location}: {w.message}" for w in state.warnings]
    assert messages == [
        f"app.yaml:4:3: product {product} is not documented in region {region}: "
        f"Tencent's docs show it only in {documented}; check `region:` (requests may fail there)"
    ]


@pytest.mark.parametrize(
    ("product", "word", "region"),
    [
        ("call", "Call.CallbackAfterEndCall", "korea"),
        ("conference", "Room.CallbackAfterCreateRoom", "china"),
        ("live", "Live.CallbackAfterCreateRoom", "usa"),
        ("call_legacy", "normal_end", "germany"),
    ],
)
def test_documented_region_has_no_warning(
    tmp_path: Path, product: str, word: str, region: str
) -> None:
    state = load_desired(write(tmp_path, APP.format(region=region, product=product, word=word)))
    assert state.warnings == ()


def test_absent_product_in_undocumented_region_has_no_warning(tmp_path: Path) -> None:
    text = "sdkappid: 1400000001\nregion: usa\ncallbacks:\n  call:\n    ensure: absent\n"
    assert load_desired(write(tmp_path, text)).warnings == ()


@pytest.mark.parametrize(
    ("product", "variant", "canonical", "region"),
    [
        ("conference", "Room.CallbackUpdateRoomInfo", "Room.CallbackAfterUpdateRoomInfo", "china"),
        ("live", "Live.CallbackMemberStateChanged", "Live.CallbackAfterMemberStateChanged", "usa"),
    ],
)
def test_variant_spelling_is_normalised_on_input(
    tmp_path: Path, product: str, variant: str, canonical: str, region: str
) -> None:
    state = load_desired(write(tmp_path, APP.format(region=region, product=product, word=variant)))
    config = state.apps[0].products[product].config
    assert config == CallbackConfig("https://hooks.example.com/cb", frozenset({canonical}))


@pytest.mark.parametrize(
    "word",
    [
        "Live.CallbackAfterCloudRecordingChanged",
        "Group.CallbackAfterSendMsg",
        "Group.CallbackBeforeSendMsg",
        "Follow.CallbackAfterFollowAdd",
        "Follow.CallbackAfterFollowDelete",
    ],
)
def test_documented_live_words_validate(tmp_path: Path, word: str) -> None:
    state = load_desired(write(tmp_path, APP.format(region="usa", product="live", word=word)))
    config = state.apps[0].products["live"].config
    assert config is not None and config.events == frozenset({word})
