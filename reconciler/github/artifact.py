"""Artifacts of a workflow run: found by name, downloaded with a byte limit, and only
the expected files taken out of the zip, each with its own limit.

A pull request's plan run writes its artifact, so its content is hostile data: a zip
bomb, a name with ``../``, a 2 GB ``plan.json``. None of that is written or parsed.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.escape import cut
from reconciler.github.api import GitHub, GitHubError

ZIP_LIMIT = 32 * 1024 * 1024
"""Bytes of one artifact's zip as downloaded."""

MEMBER_LIMIT = 16 * 1024 * 1024
"""Bytes of one file taken out of it (the reviewed plan of a large fleet is a few MB)."""

TOTAL_LIMIT = 48 * 1024 * 1024
"""Bytes of all files taken out of one artifact."""


class ArtifactError(ReconcilerError):
    """An artifact is missing, too large or not the zip it should be."""


def find_artifact(github: GitHub, run_id: int, name: str) -> dict[str, Any] | None:
    """The unexpired artifact ``name`` of run ``run_id``, or None."""
    found = [
        a
        for a in github.pages(
            f"{github.repo_path}/actions/runs/{run_id}/artifacts", {"name": name}, key="artifacts"
        )
        if a.get("name") == name and not a.get("expired")
    ]
    return max(found, key=lambda a: int(a.get("id", 0))) if found else None


def download_artifact(
    github: GitHub,
    artifact: dict[str, Any],
    target: Path,
    wanted: frozenset[str],
    limit: int = ZIP_LIMIT,
) -> list[str]:
    """Download ``artifact`` and write the files of ``wanted`` found in it into ``target``.

    Returns the names written. Too large (as GitHub reports it, or as it arrives), not
    a zip, or a file over its limit: :class:`ArtifactError`, nothing written.
    """
    size = artifact.get("size_in_bytes")
    if isinstance(size, int) and size > limit:
        raise ArtifactError(
            f"the artifact {cut(str(artifact.get('name')), 60)} is {size:,} bytes, over the "
            f"{limit:,}-byte limit: it was not downloaded"
        )
    try:
        data = github.download(
            f"{github.repo_path}/actions/artifacts/{int(artifact['id'])}/zip", limit
        )
    except GitHubError as exc:
        raise ArtifactError(f"cannot download the artifact: {exc}") from None
    files = unzip_limited(data, wanted)
    target.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (target / name).write_bytes(content)
    return sorted(files)


def unzip_limited(
    data: bytes,
    wanted: frozenset[str],
    member_limit: int = MEMBER_LIMIT,
    total_limit: int = TOTAL_LIMIT,
) -> dict[str, bytes]:
    """The files of ``wanted`` at the top of the zip ``data``, each read with a limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ArtifactError("the artifact is not a zip file") from None
    out: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            if info.filename not in wanted or info.filename in out:
                continue  # anything else (other names, sub-folders, ../) is never read
            chunks: list[bytes] = []
            size = 0
            try:
                with archive.open(info) as member:
                    while chunk := member.read(1024 * 1024):
                        size += len(chunk)
                        total += len(chunk)
                        if size > member_limit or total > total_limit:
                            raise ArtifactError(
                                f"{info.filename} in the artifact is over the "
                                f"{member_limit:,}-byte limit: refused"
                            )
                        chunks.append(chunk)
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error) as exc:
                raise ArtifactError(
                    f"{info.filename} in the artifact cannot be read ({type(exc).__name__})"
                ) from None
            out[info.filename] = b"".join(chunks)
    return out
