"""Verify a TLSSigAPIv2 UserSig the way Tencent's servers do (docs/tencent-api.md section 6).

Our own verifier: the official Python signer (``tls-sig-api-v2``) only signs.
The steps follow the Go library's ``VerifyUserSig``, without its bug of treating
an undecodable JSON document as an empty one.

Error codes are the Chat REST common codes:

====== ==============================================================
 70003 the UserSig is garbled: not base64, not zlib, not JSON, or fields missing
 70014 the UserSig was made for another SDKAppID
 70013 the UserSig was made for another identifier
 70001 the UserSig has expired (``now > TLS.time + TLS.expire``)
 70009 the signature does not verify (wrong secret key, forged, or carries a userbuf)
====== ==============================================================

A UserSig is a credential: no message here ever contains it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
import zlib
from typing import Final

SIG_EXPIRED: Final = 70001
SIG_MALFORMED: Final = 70003
SIG_MISMATCH: Final = 70009
SIG_WRONG_IDENTIFIER: Final = 70013
SIG_WRONG_SDKAPPID: Final = 70014

MAX_SIG_LENGTH: Final = 8192
"""Longer strings are refused before decoding (a real UserSig is ~200-400 chars)."""

MAX_INFLATED_SIZE: Final = 16384
"""Bound on the inflated JSON, so a zlib bomb cannot eat memory."""

_UNSUBSTITUTE: Final = str.maketrans({"*": "+", "-": "/", "_": "="})


class SigError(Exception):
    """A UserSig that does not authenticate the request; ``code`` is the Chat error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def verify_usersig(
    sig: str, *, sdkappid: int, identifier: str, secret_key: str, now: float
) -> None:
    """Return if ``sig`` is a valid UserSig of ``identifier`` in app ``sdkappid``; else raise.

    ``now`` is the current Unix time in seconds. Raises :class:`SigError`.
    """
    expires_at, late = _inspect(sig, sdkappid, identifier, secret_key)
    if now > expires_at:
        raise SigError(SIG_EXPIRED, "UserSig expired; generate a new one")
    if late is not None:
        raise SigError(*late)


MAX_CACHED: Final = 65536
"""Verification results kept (a fleet benchmark's apps each send their own UserSig)."""

_Inspected = tuple[int, tuple[int, str] | None]
_results: dict[bytes, _Inspected] = {}
_results_lock = threading.Lock()


def _inspect(sig: str, sdkappid: int, identifier: str, secret_key: str) -> _Inspected:
    """Everything about ``sig`` that does not depend on the time, once per distinct request.

    Raises the errors checked before the expiry; returns when the UserSig expires and
    the error (code, message) checked after it, if any. A client sends the same UserSig
    for every request of an app: decoding, inflating and hashing it each time was the
    emulator's largest CPU cost per request.

    At most :data:`MAX_CACHED` results are kept, the oldest dropped first, each under a
    16-byte digest of the request: forged UserSigs of 8 KiB each do not grow the
    emulator's memory (they grew it by 865 MB when the strings themselves were kept).
    """
    key = _digest(sig, sdkappid, identifier, secret_key)
    found = _results.get(key)
    if found is not None:
        return found
    found = _inspect_uncached(sig, sdkappid, identifier, secret_key)
    with _results_lock:
        _results[key] = found
        while len(_results) > MAX_CACHED:
            del _results[next(iter(_results))]
    return found


def cached_results() -> int:
    """How many verification results are kept (for tests)."""
    return len(_results)


def _digest(sig: str, sdkappid: int, identifier: str, secret_key: str) -> bytes:
    hasher = hashlib.blake2b(digest_size=16)
    for part in (sig, str(sdkappid), identifier, secret_key):
        data = part.encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.digest()


def _inspect_uncached(sig: str, sdkappid: int, identifier: str, secret_key: str) -> _Inspected:
    document = _decode(sig)
    sig_sdkappid = _int_field(document, "TLS.sdkappid")
    sig_identifier = _str_field(document, "TLS.identifier")
    sig_time = _int_field(document, "TLS.time")
    sig_expire = _int_field(document, "TLS.expire")
    signature = _str_field(document, "TLS.sig")
    userbuf = document.get("TLS.userbuf")
    if userbuf is not None and not isinstance(userbuf, str):
        raise SigError(SIG_MALFORMED, "UserSig field TLS.userbuf is not a string")

    if sig_sdkappid != sdkappid:
        raise SigError(
            SIG_WRONG_SDKAPPID,
            f"UserSig was made for SDKAppID {sig_sdkappid}, not {sdkappid}; "
            "generate it with this app's SDKAppID and secret key",
        )
    if sig_identifier != identifier:
        raise SigError(
            SIG_WRONG_IDENTIFIER,
            "identifier in the URL differs from the identifier the UserSig was made for",
        )
    expires_at = sig_time + sig_expire
    if userbuf is not None:
        return expires_at, (
            SIG_MISMATCH,
            "UserSig carries a userbuf (a PrivateMapKey?); REST APIs need a plain UserSig",
        )

    content = (
        f"TLS.identifier:{sig_identifier}\n"
        f"TLS.sdkappid:{sig_sdkappid}\n"
        f"TLS.time:{sig_time}\n"
        f"TLS.expire:{sig_expire}\n"
    )
    digest = hmac.new(secret_key.encode("utf-8"), content.encode("utf-8"), hashlib.sha256)
    expected = base64.b64encode(digest.digest())
    if not hmac.compare_digest(expected, signature.encode("utf-8")):
        return expires_at, (
            SIG_MISMATCH,
            "UserSig verification failed; check the secret key belongs to this SDKAppID",
        )
    return expires_at, None


def _decode(sig: str) -> dict[str, object]:
    if not sig:
        raise SigError(SIG_MALFORMED, "UserSig is empty")
    if len(sig) > MAX_SIG_LENGTH:
        raise SigError(SIG_MALFORMED, "UserSig is too long to be valid")
    try:
        compressed = base64.b64decode(sig.translate(_UNSUBSTITUTE).encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise SigError(SIG_MALFORMED, "UserSig is not valid base64 (truncated?)") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, MAX_INFLATED_SIZE)
    except zlib.error:
        raise SigError(SIG_MALFORMED, "UserSig does not inflate (zlib); truncated?") from None
    if inflater.unconsumed_tail or inflater.unused_data or not inflater.eof:
        raise SigError(SIG_MALFORMED, "UserSig does not inflate (zlib); truncated?")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SigError(SIG_MALFORMED, "UserSig content is not JSON") from None
    if not isinstance(document, dict):
        raise SigError(SIG_MALFORMED, "UserSig content is not a JSON object")
    return document


def _int_field(document: dict[str, object], name: str) -> int:
    value = document.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SigError(SIG_MALFORMED, f"UserSig field {name} is missing or not an integer")
    return value


def _str_field(document: dict[str, object], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str):
        raise SigError(SIG_MALFORMED, f"UserSig field {name} is missing or not a string")
    return value
