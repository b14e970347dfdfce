"""Step outputs (``$GITHUB_OUTPUT``) and local files read with a size limit."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.escape import escape

TEXT_LIMIT = 4 * 1024 * 1024
"""Bytes of one text file (a plan's Markdown, an error log) read to quote it."""


def set_outputs(values: dict[str, str]) -> str:
    """Append ``name=value`` lines to ``$GITHUB_OUTPUT``; the lines (for a local run's stdout)."""
    lines = "".join(f"{name}={value}\n" for name, value in values.items())
    for value in values.values():
        if "\n" in value or "\r" in value:
            raise ValueError("a step output holds one line")
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with Path(target).open("a", encoding="utf-8") as fh:
            fh.write(lines)
    return lines


def read_text(path: Path, limit: int = TEXT_LIMIT, *, tail: bool = True) -> str | None:
    """The text of ``path`` (its last ``limit`` bytes when longer, or its first with
    ``tail=False``), or None when absent."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - limit) if tail else 0)
            data = fh.read(limit)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ReconcilerError(f"cannot read {escape(str(path))}: {exc.strerror}") from None
    return data.decode("utf-8", errors="replace")


def read_json(path: Path, limit: int = TEXT_LIMIT * 4) -> Any:
    """The JSON document in ``path``, or None when absent or not JSON (or over ``limit``)."""
    try:
        if path.stat().st_size > limit:
            return None
        return json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
