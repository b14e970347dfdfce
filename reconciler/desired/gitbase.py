"""The desired state as it was at a git revision (``plan --base REF``).

The folder is copied out of git object storage into a temporary directory with
plain ``git`` subprocesses (argument lists, never a shell). Only regular files
are copied: a symlink in the base is skipped, so nothing outside the folder is
ever read.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from reconciler.errors import UsageError

_REGULAR_FILE_MODES = ("100644", "100755")


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise UsageError("--base needs git, which is not installed (or not on PATH)")
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, argument list, no shell
            [git, *args], cwd=cwd, input=stdin, capture_output=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"--base: running git failed: {exc}") from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise UsageError(
            f"--base: git {args[0]} failed ({first[0][:200] if first else 'no message'}); "
            "check that DIR is inside a git checkout and the revision exists "
            "(in CI, fetch it: actions/checkout with fetch-depth: 0)"
        )
    return done.stdout


@contextmanager
def desired_at(directory: Path, ref: str) -> Iterator[Path]:
    """Yield a temporary copy of ``directory`` as it is at revision ``ref``."""
    if not ref or ref.startswith("-") or any(c.isspace() or ord(c) < 32 for c in ref):
        raise UsageError(f"--base {ref!r}: not a git revision (e.g. origin/main or a commit)")
    folder = directory.resolve()
    top = Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip())
    relative = folder.relative_to(top.resolve()).as_posix()
    commit = _git(top, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    commit_id = commit.decode().strip()
    listing = _git(top, "ls-tree", "-r", "-z", "--full-tree", commit_id, "--", relative)
    entries: list[tuple[PurePosixPath, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        if kind != "blob" or mode not in _REGULAR_FILE_MODES:
            continue  # symlinks and submodules are never followed
        path = PurePosixPath(name.decode("utf-8", "surrogateescape"))
        inside = path.relative_to(relative) if relative != "." else path
        if ".." in inside.parts:
            continue
        entries.append((inside, blob))
    with tempfile.TemporaryDirectory(prefix="reconciler-base-") as temp:
        root = Path(temp) / "desired"
        root.mkdir()
        if entries:
            blobs = _git(
                top, "cat-file", "--batch", stdin="".join(f"{b}\n" for _, b in entries).encode()
            )
            offset = 0
            for inside, _ in entries:
                header_end = blobs.index(b"\n", offset)
                size = int(blobs[offset:header_end].split()[2])
                start = header_end + 1
                target = root.joinpath(*inside.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blobs[start : start + size])
                offset = start + size + 1  # the content is followed by a newline
        yield root
