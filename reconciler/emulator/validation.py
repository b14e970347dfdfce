"""Value checks shared by the seed loader and the API handlers.

Each function returns ``None`` for a good value, else a short phrase saying
what is wrong and how to fix it; the caller adds the error code or location.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

from reconciler.facts.limits import MAX_TOKEN_LENGTH
from reconciler.products.vocabulary import suggest

TOKEN_MAX_LENGTH: Final = MAX_TOKEN_LENGTH


def url_problem(value: object) -> str | None:
    """Why ``value`` is not a callback URL (http or https, with a host), or None."""
    if not isinstance(value, str) or not value:
        return "must be a non-empty string starting with http:// or https://"
    if not value.lower().startswith(("http://", "https://")):
        return f"{value!r} must start with http:// or https://"
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        return f"{value!r} must not contain spaces or control characters"
    try:
        host = urlsplit(value).hostname
    except ValueError:
        host = None
    if not host:
        return f"{value!r} has no host; write it as https://host/path"
    return None


def word_problem(
    word: str, vocabulary: frozenset[str], *, noun: str = "command word"
) -> str | None:
    """Why ``word`` is not one of ``vocabulary``, with a "did you mean" hint, or None."""
    if word in vocabulary:
        return None
    hint = suggest(word, vocabulary)
    if hint is not None:
        return f"unknown {noun} {word!r} (did you mean {hint!r}?)"
    return f"unknown {noun} {word!r}; known: {', '.join(sorted(vocabulary))}"


def first_duplicate(words: Iterable[str]) -> str | None:
    """The first word that appears twice, or None."""
    seen: set[str] = set()
    for word in words:
        if word in seen:
            return word
        seen.add(word)
    return None


def events_problem(
    value: object, vocabulary: frozenset[str], *, noun: str = "command word"
) -> str | None:
    """Why ``value`` is not a non-empty list of distinct known words, or None."""
    if not isinstance(value, list) or not value:
        return f"must be a non-empty list of {noun}s"
    for word in value:
        if not isinstance(word, str):
            return f"must hold only strings, found {json.dumps(word)}"
    for word in value:
        problem = word_problem(word, vocabulary, noun=noun)
        if problem is not None:
            return problem
    duplicate = first_duplicate(value)
    if duplicate is not None:
        return f"lists {duplicate!r} twice; give each {noun} once"
    return None


def token_problem(value: object) -> str | None:
    """Why ``value`` is not a Live webhook token (a string of 1-128 characters), or None."""
    if not isinstance(value, str):
        return f"must be a string of 1-{TOKEN_MAX_LENGTH} characters"
    if not 1 <= len(value) <= TOKEN_MAX_LENGTH:
        return f"must be 1-{TOKEN_MAX_LENGTH} characters long, got {len(value)}"
    return None
