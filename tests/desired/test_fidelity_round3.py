"""Desired-state rules of the third docs audit (docs/tencent-api.md section 10, issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.configs import CallbackConfig
from reconciler.desired.loader import load_desired
from reconciler.errors import ConfigErrors
from reconciler.facts.regions import REGIONS
from reconciler.products.live import SPEC as LIVE

CHAT_SHARED = frozenset(
    {
        "Group.CallbackAfterSendMsg",
        "Group.CallbackBeforeSendMsg",
        "Follow.CallbackAfterFollowAdd",
        "Follow.CallbackAfterFollowDelete",
    }
)
UNDOCUMENTED = {"india": "Mumbai", "japan": "Tokyo"}

APP = """\
sdkappid: 1400000001
region: {region}
callbacks:
  {product}:
    url: https://hooks.example.com/cb
    events: [{words}]
"""


def load(root: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> object:
    monkeypatch.chdir(root)
    (root / "app.yaml").write_text(text, encoding="utf-8")
    return load_desired(Path("."))


def messages(state: object) -> list[str]:
    return [f"{w.location}: {w.message}" for w in state.warnings]  # type: ignore[attr-defined]


# 1. the call recording event


def test_call_recording_event_is_a_known_call_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = "Call.CallbackAfterEndCall, Call.CallbackAfterRecordChanged"
    state = load(tmp_path, monkeypatch, APP.format(region="singapore", product="call", words=words))
    config = state.apps[0].products["call"].config  # type: ignore[attr-defined]
    assert config == CallbackConfig(
        "https://hooks.example.com/cb",
        frozenset({"Call.CallbackAfterEndCall", "Call.CallbackAfterRecordChanged"}),
    )
    assert messages(state) == []  # no "unknown event", no lenient needed


def test_a_misspelt_recording_event_suggests_the_recording_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = APP.format(region="singapore", product="call", words="Call.CallbackAfterRecordChange")
    with pytest.raises(ConfigErrors) as caught:
        load(tmp_path, monkeypatch, text)
    assert "did you mean 'Call.CallbackAfterRecordChanged'?" in str(caught.value)


# 2. the English spelling of the Live recording event


def test_follow_spelling_of_the_live_recording_event_is_read_as_the_live_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = APP.format(
        region="usa", product="live", words="Follow.CallbackAfterCloudRecordingChanged"
    )
    state = load(tmp_path, monkeypatch, text)
    config = state.apps[0].products["live"].config  # type: ignore[attr-defined]
    assert config.events == frozenset({"Live.CallbackAfterCloudRecordingChanged"})
    assert messages(state) == []  # a variant of a Live word: not a Chat-shared word


def test_every_live_variant_maps_back_and_forth() -> None:
    vocabulary = LIVE.vocabulary
    assert dict(vocabulary.aliases) == {
        "Live.CallbackMemberStateChanged": "Live.CallbackAfterMemberStateChanged",
        "Follow.CallbackAfterCloudRecordingChanged": "Live.CallbackAfterCloudRecordingChanged",
    }
    for variant, canonical in vocabulary.aliases.items():
        assert vocabulary.canonical(variant) == canonical
        assert vocabulary.variant_of(canonical) == variant  # what the emulator answers
        assert variant in LIVE.events and canonical in LIVE.events


# 4. Chat-shared words under live


@pytest.mark.parametrize("word", sorted(CHAT_SHARED))
def test_chat_shared_word_under_live_is_a_located_warning_naming_the_uncertainty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    words = f"Live.CallbackAfterCreateRoom, {word}"
    state = load(tmp_path, monkeypatch, APP.format(region="usa", product="live", words=words))
    column = APP.splitlines()[5].index("{") + 1 + len("Live.CallbackAfterCreateRoom, ")
    assert messages(state) == [
        f"app.yaml:6:{column}: event {word!r} is a Chat (social interaction) event: Tencent's "
        "console says these share the Chat webhook, and whether live accepts it and sends it "
        "to this url is not documented; check that this url receives it, or configure it as "
        "a Chat webhook in the console"
    ]
    config = state.apps[0].products["live"].config  # type: ignore[attr-defined]
    assert word in config.events  # still accepted: a documented word is never refused


def test_chat_shared_words_are_exactly_the_group_and_follow_words_of_live() -> None:
    social = {w for w in LIVE.vocabulary.words if w.startswith(("Group.", "Follow."))}
    assert social == CHAT_SHARED
    assert LIVE.vocabulary.shared == CHAT_SHARED


def test_live_words_have_no_chat_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    words = ", ".join(sorted(LIVE.vocabulary.words - CHAT_SHARED))
    state = load(tmp_path, monkeypatch, APP.format(region="usa", product="live", words=words))
    assert messages(state) == []


# 5. india and japan


@pytest.mark.parametrize(
    ("region", "city", "host"),
    [
        ("india", "Mumbai", "adminapiind.im.qcloud.com"),
        ("japan", "Tokyo", "adminapijpn.im.qcloud.com"),
    ],
)
def test_india_and_japan_warn_that_their_host_is_not_in_the_current_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, region: str, city: str, host: str
) -> None:
    text = APP.format(region=region, product="call_legacy", words="normal_end")
    state = load(tmp_path, monkeypatch, text)
    assert messages(state) == [
        f"app.yaml:2:9: region {region} ({city}): its host {host} is not in Tencent's "
        f"current REST API docs (cloud.tencent.com 269/81906 and 1047/34620 list no {city} "
        "domain); requests may fail there: check the app's data center in the Tencent console"
    ]


def test_the_region_warning_points_at_a_region_given_by_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "defaults.yaml").write_text("region: japan\n", encoding="utf-8")
    (tmp_path / "apps" / "jp.yaml").write_text("sdkappid: 1400000001\n", encoding="utf-8")
    state = load_desired(Path("."))
    (warning,) = messages(state)
    # the app's file, and where the value came from (as every message about an inherited value)
    assert warning.startswith("apps/jp.yaml:1:1: region from apps/defaults.yaml:1:9: ")
    assert "region japan (Tokyo)" in warning


@pytest.mark.parametrize("region", [r for r in REGIONS if r not in UNDOCUMENTED])
def test_other_regions_have_no_host_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, region: str
) -> None:
    text = APP.format(region=region, product="call_legacy", words="normal_end")
    assert messages(load(tmp_path, monkeypatch, text)) == []


def test_undocumented_hosts_are_india_and_japan() -> None:
    from reconciler.facts.regions import UNDOCUMENTED_HOSTS

    assert UNDOCUMENTED_HOSTS == UNDOCUMENTED
