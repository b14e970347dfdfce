"""Keep UserSigs out of every string that could reach a user or a log."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from reconciler.secret import REDACTED

_USERSIG = re.compile(r"(usersig=)[^&\s\"'<>]+", re.IGNORECASE)


def redact(text: str) -> str:
    """Replace the value of every ``usersig=`` query parameter with ``(sensitive)``."""
    return _USERSIG.sub(r"\1(sensitive)", text)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every ``usersig=`` value and every one of ``secrets`` replaced.

    For what a server sends back: an error message may echo the request, and so the
    UserSig, the secret key or a token it carried.
    """
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
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
