"""``Vocabulary``: variants and shared words must name words of the vocabulary."""

from __future__ import annotations

import pytest

from reconciler.products.catalog import PRODUCTS
from reconciler.products.spec import Vocabulary


def test_shared_words_must_be_words() -> None:
    with pytest.raises(ValueError, match=r"Group\.Nope"):
        Vocabulary(frozenset({"Live.A"}), shared=frozenset({"Group.Nope"}))


def test_every_variant_of_every_product_round_trips() -> None:
    """``variant_of`` (what the emulator answers with --variant-spellings) finds each
    variant, however many a product has."""
    seen = 0
    for spec in PRODUCTS.values():
        vocabulary = spec.vocabulary
        for variant, canonical in vocabulary.aliases.items():
            assert vocabulary.variant_of(canonical) == variant
            assert vocabulary.canonical(variant) == canonical
            seen += 1
        for word in vocabulary.words - frozenset(vocabulary.aliases.values()):
            assert vocabulary.variant_of(word) is None
    assert seen == 3  # Room.CallbackUpdateRoomInfo, Live.CallbackMemberStateChanged, Follow.…


def test_call_has_the_recording_event() -> None:
    assert PRODUCTS["call"].vocabulary.words == {
        "Call.CallbackAfterStartCall",
        "Call.CallbackAfterEndCall",
        "Call.CallbackAfterMemberChanged",
        "Call.CallbackAfterRecordChanged",
    }


def test_call_legacy_read_codes() -> None:
    spec = PRODUCTS["call_legacy"]
    assert spec.absent_codes("read") == {999}  # 50001 is not "absent"
    assert set(spec.unavailable) == {50001}
    assert "Group Call package" in spec.unavailable[50001].reason
