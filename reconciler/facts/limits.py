"""Numeric bounds Tencent documents: request rates, SDKAppIDs, token length."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.facts.families import Family

TENCENT_LIMITS: Mapping[Family, float] = {Family.V1: 10.0, Family.V4: 200.0}
"""Requests per second per app Tencent allows, per family (docs/tencent-api.md sections 1 and 5)."""

MAX_SDKAPPID = 2**32 - 1
"""SDKAppIDs are unsigned 32-bit integers (and 0 is none)."""

MAX_TOKEN_LENGTH = 128
"""A Live webhook signing token is 1-128 characters (set_callback_token)."""
