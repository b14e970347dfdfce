"""What Tencent's error codes mean for us: retry or not, and what to tell the user."""

from __future__ import annotations

from reconciler.facts.families import Family

USERSIG_EXPIRED = 70001  # v4 (Chat REST common code); in v1 the same number means "bad address"
FREQUENCY_LIMIT_CODES = frozenset({60007, 60011, 60018, 60019})

# Transient: retried with backoff. Everything else is final.
TRANSIENT_CODES = frozenset({100001, 60007, 60008, 60011, 60013, 60014, 60018, 60019, 70169, 70500})

# Config-API private codes (docs/tencent-api.md sections 1-4).
ALREADY_EXISTS = 100300
NOT_FOUND = 100301
TOKEN_NOT_FOUND = 100302
V1_NOT_FOUND = 999
NO_GROUP_CALL_PACKAGE = 50001  # v1: the app lacks the TUICallKit Group Call package

_HINTS: dict[int, str] = {
    60006: "the SDKAppID is invalid: check `sdkappid:`",
    60010: "the identifier is not an App administrator: set `identifier:` to an admin account",
    60016: "this SDKAppID is disabled in the console",
    60020: "the app's plan has expired or is in arrears",
    60021: "this machine's IP is not on the app's REST API allow-list",
    60026: "wrong data center for this SDKAppID: check `region:`",
    60028: "the trial edition's 24 h REST quota is used up; wait for the reset",
    70003: "the UserSig could not be parsed: check the secret key variable",
    70009: "the secret key does not match this SDKAppID: check the secret key variable",
    70013: "the identifier differs from the UserSig's identifier",
    70014: "the UserSig was made for another SDKAppID: check the secret key variable",
    70016: "no key for this SDKAppID in this data center: check `region:`",
    70020: "this SDKAppID does not exist in this data center: check `sdkappid:` and `region:`",
    70050: "too many UserSig failures: wait at least a minute",
    70051: "the admin account is blocked",
    70107: "the identifier is not an imported Chat account: check `identifier:`",
    100002: "Tencent rejected a parameter (an unknown event word, or a bad URL)",
    50001: "the app must have the TUICallKit Group Call package for legacy call callbacks",
}


_KEY_HINTS: dict[int, str] = {
    70003: "the UserSig made with the secret key from {source} could not be parsed: "
    "check the secret key variable",
    70009: "the secret key from {source} does not match this SDKAppID: check the secret "
    "key variable",
    70014: "the UserSig was made for another SDKAppID with the secret key from {source}: "
    "check the secret key variable",
}


def key_hint(code: int, source: str) -> str | None:
    """The hint for an answer that rejects the secret key, naming where it came from
    (``source``: a variable, perhaps "via" the secrets bundle); None for other codes."""
    template = _KEY_HINTS.get(code)
    return None if template is None or not source else template.format(source=source)


def is_transient(code: int) -> bool:
    return code in TRANSIENT_CODES


def hint_for(family: Family, code: int) -> str:
    if code == USERSIG_EXPIRED:
        if family is Family.V1:
            return "the callback address must start with http:// or https://"
        return "the UserSig expired even after renewal: check this machine's clock"
    if code in FREQUENCY_LIMIT_CODES:
        return "rate limited by Tencent even after retries: lower --parallelism or retry later"
    if code in TRANSIENT_CODES:
        return "a transient Tencent fault persisted through all retries: retry later"
    return _HINTS.get(code, "")
