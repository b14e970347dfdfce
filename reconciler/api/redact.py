"""Keep UserSigs out of every string that could reach a user or a log."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from reconciler.secret import REDACTED

_USERSIG = re.compile(r"(usersig=)[^&\s\"'<>]+", re.IGNORECASE)


def redact(text: str) -> str:
    """Replace the value of every ``usersig=`` query parameter with ``(sensitive)``."""
    return _USERSIG.sub(r"\1(sensitive)", text)


SHORT_SECRET = 8
"""Replacing a secret shorter than this would show it (a token ``a`` would turn
``invalid`` into ``inv(sensitive)lid``): text quoting one is withheld whole."""

WITHHELD = "(withheld: it quoted a secret value of the request)"


@functools.lru_cache(maxsize=4096)
def _encoded_forms(secret: str) -> tuple[str, str, str]:
    """A secret as sent and percent-encoded: computed once per secret, not per answer."""
    return (secret, quote(secret, safe=""), quote_plus(secret))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every ``usersig=`` value and every one of ``secrets`` replaced.

    For what a server sends back: an error message may echo the request, and so the
    UserSig, the secret key or a token it carried, as sent or percent-encoded.
    Scrub a whole text before cutting it: a cut secret no longer matches.
    """
    forms = {form for s in secrets if s for form in _encoded_forms(s)}
    for value in sorted(forms, key=len, reverse=True):
        if value in text:
            if len(value) < SHORT_SECRET:
                return WITHHELD
            text = text.replace(value, REDACTED)
    return redact(text)


class RedactUserSigFilter(logging.Filter):
    """A logging filter that rewrites records so request URLs never carry a UserSig."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True


def install_log_redaction() -> None:
    """httpx logs every request URL (with its query) at INFO: filter those loggers."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactUserSigFilter) for f in logger.filters):
            logger.addFilter(RedactUserSigFilter())
