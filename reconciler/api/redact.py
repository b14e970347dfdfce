"""Keep UserSigs, secret keys and tokens out of every string that could reach a user or a log."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable

from reconciler.escape import terminal_lines
from reconciler.secret import REDACTED, SHORT_SECRET, mask_known, percent_encoded

# Characters percent-encoding keeps as they are: in a text of only these, a secret's
# encoded forms can occur only where the secret itself does (a request id, mostly).
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")
_USERSIG = re.compile(r"(usersig=)[^&\s\"'<>]+", re.IGNORECASE)


def redact(text: str) -> str:
    """Replace the value of every ``usersig=`` query parameter with ``(sensitive)``."""
    return _USERSIG.sub(r"\1(sensitive)", text)


# Replacing a secret shorter than SHORT_SECRET would show it (a token ``a`` would turn
# ``invalid`` into ``inv(sensitive)lid``): server text quoting one is withheld whole.

WITHHELD = "(withheld: it quoted a secret value of the request)"


@functools.lru_cache(maxsize=4096)
def _encoded_forms(secret: str) -> tuple[str, str, str]:
    """A secret as sent and percent-encoded: computed once per secret, not per answer."""
    return (secret, percent_encoded(secret), percent_encoded(secret, plus=True))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every ``usersig=`` value and every one of ``secrets`` replaced.

    For what a server sends back: an error message may echo the request, and so the
    UserSig, the secret key or a token it carried, as sent or percent-encoded.
    Scrub a whole text before cutting it: a cut secret no longer matches.
    """
    if _URL_SAFE.fullmatch(text) and not any(s and s in text for s in secrets):
        return text  # every form of a secret in such a text would be the secret itself
    forms = {form for s in secrets if s for form in _encoded_forms(s)}
    for value in sorted(forms, key=len, reverse=True):
        if value in text:
            if len(value) < SHORT_SECRET:
                return WITHHELD
            text = text.replace(value, REDACTED)
    return redact(text)


def scrub_known(text: str) -> str:
    """``text`` with every secret this process knows (every :class:`~reconciler.secret.Secret`
    made: secret keys, UserSigs, desired and live tokens of every app) replaced, in any
    of the forms a URL or a JSON document writes it, and every ``usersig=`` value.

    The last line of defence: :class:`reconciler.cli.output.Output` and the log
    handlers pass every text through it.
    """
    return redact(mask_known(text))


class ScrubSecretsFilter(logging.Filter):
    """A handler filter: the message (and any traceback) of every record, scrubbed and
    made inert for a terminal (:func:`reconciler.escape.terminal_lines`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = terminal_lines(scrub_known(message))
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = terminal_lines(scrub_known(record.exc_text))
        return True


def install_handler_scrubbing(logger: logging.Logger | None = None) -> None:
    """Scrub every record that reaches a handler of ``logger`` (the root logger)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, ScrubSecretsFilter) for f in handler.filters):
            handler.addFilter(ScrubSecretsFilter())


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
