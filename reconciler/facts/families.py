"""The two API families: they decide host, envelope casing and rate limit."""

from __future__ import annotations

import enum


class Family(str, enum.Enum):
    """API family: decides host, envelope and rate limit."""

    V1 = "v1"  # callkit hosts, camelCase envelope, 10 requests/s per app
    V4 = "v4"  # Chat REST domains, PascalCase envelope, 200 requests/s per app
