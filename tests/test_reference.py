"""The README's product reference is the registry's, and says what the registry says."""

from __future__ import annotations

from reconciler.devtools import reference
from reconciler.products.catalog import PRODUCTS


def test_readme_reference_is_up_to_date() -> None:
    readme = reference.README.read_text(encoding="utf-8")
    assert reference.embedded(readme) == reference.reference(), (
        "README.md's product reference is stale: run "
        "`python -m reconciler.devtools.reference --write`"
    )


def test_reference_names_every_path_region_and_word() -> None:
    text = reference.reference()
    for spec in PRODUCTS.values():
        for _, path in spec.paths.items():
            if path is not None:
                assert f"`/{path}`" in text
        assert ", ".join(spec.regions) in text
        for word in spec.vocabulary.words | frozenset(spec.vocabulary.aliases):
            assert f"`{word}`" in text


def test_a_stale_copy_is_detected() -> None:
    readme = reference.README.read_text(encoding="utf-8")
    stale = readme.replace("Call.CallbackAfterEndCall`, ", "", 1)
    assert reference.embedded(stale) != reference.reference()
    assert reference.embedded(reference.replaced(stale)) == reference.reference()
