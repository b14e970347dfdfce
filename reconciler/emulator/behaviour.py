"""Choices the docs leave open ([U]); the emulator can answer either way.

Set from the seed file's ``behaviour:`` mapping, the emulator's command-line
flags (which win), or :func:`~reconciler.emulator.embedded.start_emulator`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

V1Missing = Literal["empty", "999"]
V1_MISSING_CHOICES: Final[tuple[V1Missing, ...]] = ("empty", "999")


@dataclass(frozen=True)
class Behaviour:
    """How the emulator answers where Tencent's docs allow more than one answer.

    ``v1_missing``: a v1 ``get`` (and ``delete``) of an app with nothing configured
    answers success with ``data: {}`` ("empty", the default) or ``errorCode 999``.
    ``variant_spellings``: ``get`` answers a stored word in its variant spelling
    where the product has one (``Room.CallbackUpdateRoomInfo`` for
    ``Room.CallbackAfterUpdateRoomInfo``), as Tencent's sample answers do.
    """

    v1_missing: V1Missing = "empty"
    variant_spellings: bool = False


DEFAULT_BEHAVIOUR: Final = Behaviour()
