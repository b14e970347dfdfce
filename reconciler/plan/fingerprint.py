"""Fingerprints of a resource's state for saved plans.

HMAC-SHA256 keyed with the app's secret key, over the resource identity and its
full state (the token included). Without the key, a fingerprint reveals nothing
and cannot be brute-forced; with it, apply can tell whether live state moved
since the plan (stale) and whether the plan's ``after`` was edited.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from reconciler.configs import Config
from reconciler.secret import Secret


def fingerprint(key: Secret, sdkappid: int, product: str, state: Config | None) -> str:
    material = {
        "sdkappid": sdkappid,
        "product": product,
        "state": None if state is None else state.to_fingerprint_material(),
    }
    blob = json.dumps(material, sort_keys=True, separators=(",", ":")).encode()
    return "hmac-sha256:" + hmac.new(key.reveal().encode(), blob, hashlib.sha256).hexdigest()


def sign(key: Secret, digest: str) -> str:
    """An app's signature over a whole saved plan (its body digest)."""
    mac = hmac.new(key.reveal().encode(), digest.encode(), hashlib.sha256).hexdigest()
    return "hmac-sha256:" + mac


def same_fingerprint(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
