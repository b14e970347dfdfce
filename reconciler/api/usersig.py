"""UserSigs from the official signer (``tls-sig-api-v2``), cached per (app, identifier)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from TLSSigAPIv2 import TLSSigAPIv2

from reconciler.secret import Secret

DEFAULT_LIFETIME = 24 * 3600  # Tencent advises >= 24 h (70001 guidance)
DEFAULT_RENEW_BEFORE = 2 * 3600  # renew well before expiry, so no request carries a dying sig


@dataclass
class _Entry:
    sig: Secret
    issued_at: float


def make_usersig(sdkappid: int, identifier: str, secret_key: Secret, lifetime: int) -> Secret:
    """One fresh UserSig, made by Tencent's own signer."""
    signer = TLSSigAPIv2(sdkappid, secret_key.reveal())
    return Secret(str(signer.gen_sig(identifier, lifetime)))


class UserSigCache:
    """Hands out a UserSig per (sdkappid, identifier); renews it before it expires."""

    def __init__(
        self,
        *,
        lifetime: int = DEFAULT_LIFETIME,
        renew_before: int = DEFAULT_RENEW_BEFORE,
        clock: Callable[[], float] = time.time,
        signer: Callable[[int, str, Secret, int], Secret] = make_usersig,
    ) -> None:
        if renew_before >= lifetime:
            raise ValueError("renew_before must be shorter than lifetime")
        self._lifetime = lifetime
        self._renew_before = renew_before
        self._clock = clock
        self._signer = signer
        self._entries: dict[tuple[int, str], _Entry] = {}
        self._lock = threading.Lock()

    def get(self, sdkappid: int, identifier: str, secret_key: Secret) -> Secret:
        now = self._clock()
        key = (sdkappid, identifier)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or now - entry.issued_at >= self._lifetime - self._renew_before:
                entry = _Entry(self._signer(sdkappid, identifier, secret_key, self._lifetime), now)
                self._entries[key] = entry
            return entry.sig

    def invalidate(self, sdkappid: int, identifier: str) -> None:
        with self._lock:
            self._entries.pop((sdkappid, identifier), None)
