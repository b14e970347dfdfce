"""Warnings that the desired state can acknowledge, so that they stop printing.

Each warning of the desired state that a team may knowingly accept has a stable
id, shown at the end of its text (``[undocumented-region: …]``). An app (or a
``defaults.yaml`` for every app below it, or a template) lists the ids it
accepts::

    acknowledge: [undocumented-region]

An unknown id is an error at its line, with a "did you mean".
"""

from __future__ import annotations

from typing import Final

from reconciler.products.catalog import PRODUCTS
from reconciler.products.vocabulary import suggest

UNDOCUMENTED_REGION: Final = "undocumented-region"
PLAIN_HTTP: Final = "plain-http"
UNKNOWN_EVENT: Final = "unknown-event"
UNDOCUMENTED_HOST: Final = "undocumented-host"
CHAT_SHARED_EVENT: Final = "chat-shared-event"

WARNING_IDS: Final[dict[str, str]] = {
    UNDOCUMENTED_REGION: "a product declared in a region where Tencent's docs do not show it",
    PLAIN_HTTP: "a callback URL that uses plain http://",
    UNKNOWN_EVENT: "an unknown event word let through by `lenient`",
    UNDOCUMENTED_HOST: "a region (india, japan) whose host Tencent's current REST docs omit",
    CHAT_SHARED_EVENT: "a Chat-shared word (Group.*, Follow.*) declared under "
    + ", ".join(key for key, spec in PRODUCTS.items() if spec.vocabulary.shared),
}
"""Every id that ``acknowledge:`` takes, and what it silences."""


def tagged(message: str, warning_id: str) -> str:
    """``message`` with its id, and how to silence it, at the end."""
    return f"{message} [{warning_id}: add it to `acknowledge:` to silence this]"


def unknown_warning_id(value: str) -> str | None:
    """Why ``value`` is not an id ``acknowledge:`` takes, or None."""
    if value in WARNING_IDS:
        return None
    guess = suggest(value, frozenset(WARNING_IDS))
    hint = f" (did you mean {guess!r}?)" if guess else ""
    return f"unknown warning id {value!r}{hint}; ids: {', '.join(WARNING_IDS)}"
