"""Transient faults, injected into a seeded fraction of API requests.

Kinds (``--fault-kinds``):

- ``100001``: the config APIs' "server internal error, please retry" code, in
  the family's envelope (v1 ``errorCode``, v4 ``ErrorCode``);
- ``502``: HTTP 502 with a short HTML body, like an upstream gateway;
- ``hang``: no answer for ``hang_seconds`` (longer than a client's timeout),
  then 100001. A hang ends early when the server shuts down.

A faulted request changes no state. Draws come from ``random.Random(seed)``,
so a given seed and request order give the same faults every run.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import random
from collections.abc import Iterable
from dataclasses import dataclass


class FaultKind(str, enum.Enum):
    ERROR = "100001"
    BAD_GATEWAY = "502"
    HANG = "hang"


ALL_KINDS: tuple[FaultKind, ...] = tuple(FaultKind)

BAD_GATEWAY_BODY = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
    "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def parse_fault_kinds(text: str) -> tuple[FaultKind, ...]:
    """Parse a comma list such as ``"100001,502,hang"``; ValueError says what is allowed."""
    kinds: list[FaultKind] = []
    for part in text.split(","):
        word = part.strip()
        if not word:
            continue
        try:
            kind = FaultKind(word)
        except ValueError:
            allowed = ", ".join(k.value for k in FaultKind)
            raise ValueError(
                f"unknown fault kind {word!r}; use a comma list of {allowed}"
            ) from None
        if kind not in kinds:
            kinds.append(kind)
    if not kinds:
        raise ValueError("give at least one fault kind: 100001, 502 or hang")
    return tuple(kinds)


@dataclass(frozen=True)
class FaultConfig:
    """``rate``: fraction (0..1) of API requests that get a fault drawn from ``kinds``."""

    rate: float = 0.0
    seed: int | None = None
    kinds: tuple[FaultKind, ...] = ALL_KINDS
    hang_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        if not self.kinds:
            raise ValueError("give at least one fault kind")
        if self.hang_seconds < 0:
            raise ValueError("hang seconds must not be negative")

    @classmethod
    def of(
        cls,
        rate: float = 0.0,
        *,
        seed: int | None = None,
        kinds: Iterable[FaultKind | str] = ALL_KINDS,
        hang_seconds: float = 30.0,
    ) -> FaultConfig:
        """Build from loose values (kind names as strings are accepted)."""
        return cls(
            rate=rate,
            seed=seed,
            kinds=tuple(FaultKind(k) for k in kinds),
            hang_seconds=hang_seconds,
        )


class FaultInjector:
    """Decides, request by request, whether to inject a fault and which."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._released = asyncio.Event()
        self.hanging = 0
        """How many requests are hanging right now."""

    def draw(self) -> FaultKind | None:
        """The fault for the next request, or None."""
        if self.config.rate <= 0.0:
            return None
        if self._rng.random() >= self.config.rate:
            return None
        return self._rng.choice(self.config.kinds)

    async def hang(self) -> None:
        """Wait ``hang_seconds``, or less if :meth:`release` is called (shutdown)."""
        if self._released.is_set():
            return
        self.hanging += 1
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._released.wait(), timeout=self.config.hang_seconds)
        finally:
            self.hanging -= 1

    def release(self) -> None:
        """End every current and future hang now; call from the server's event loop."""
        self._released.set()
