"""Command ("event") word helpers: the "did you mean" suggestion.

The words themselves are declared per product (``SPEC.vocabulary``): where doc
versions disagree on a spelling, the variant is an alias of the canonical word.
"""

from __future__ import annotations

import difflib

from reconciler.products import call, call_legacy, conference, live

# Each product's accepted words (canonical spellings and variants); the lists
# themselves live in the product's own module (its ``SPEC.vocabulary``).
CALL_EVENTS: frozenset[str] = call.SPEC.events
CALL_LEGACY_EVENTS: frozenset[str] = call_legacy.SPEC.events
LIVE_EVENTS: frozenset[str] = live.SPEC.events
CONFERENCE_EVENTS: frozenset[str] = conference.SPEC.events


def suggest(word: str, vocabulary: frozenset[str]) -> str | None:
    """The closest known word, for a "did you mean" hint, or None."""
    matches = difflib.get_close_matches(word, sorted(vocabulary), n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {w.lower(): w for w in vocabulary}
    return lowered.get(word.lower())
