"""The product reference says what the registry says (the docs page is checked in
tests/test_docs.py)."""

from __future__ import annotations

from reconciler.devtools import reference
from reconciler.products.catalog import PRODUCTS


def test_reference_names_every_path_region_and_word() -> None:
    text = reference.reference()
    for spec in PRODUCTS.values():
        for _, path in spec.paths.items():
            if path is not None:
                assert f"`/{path}`" in text
        assert ", ".join(spec.regions) in text
        for word in spec.vocabulary.words | frozenset(spec.vocabulary.aliases):
            assert f"`{word}`" in text
