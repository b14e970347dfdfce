"""Bounds on what a server may call live configuration.

The answer as a whole is capped at 1 MiB (:mod:`reconciler.api.bounded`); within
that, a live configuration must still look like one: a URL of reasonable length,
a few dozen event words, each a word. Anything past these bounds is a malformed
answer (an error, exit 1), not a value to diff, print and write back. A value
within the bounds is kept as sent, whatever characters it holds: it is a string
that is compared, and printed only escaped (JSON strings, :mod:`reconciler.escape`).
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_LIVE_URL = 2048
"""Characters of a live callback URL."""

MAX_LIVE_EVENTS = 256
"""Event words in one live configuration (every vocabulary has a few dozen)."""

MAX_LIVE_WORD = 128
"""Characters of one live event word."""


def live_callback_problem(url: str, events: Sequence[str]) -> str | None:
    """What makes ``url`` and ``events`` no plausible live configuration, or None."""
    if len(url) > MAX_LIVE_URL:
        return f"the live URL is {len(url):,} characters long (more than {MAX_LIVE_URL:,})"
    if len(events) > MAX_LIVE_EVENTS:
        return f"the answer lists {len(events):,} event words (more than {MAX_LIVE_EVENTS})"
    longest = max((len(word) for word in events), default=0)
    if longest > MAX_LIVE_WORD:
        return f"an event word is {longest:,} characters long (more than {MAX_LIVE_WORD})"
    return None
