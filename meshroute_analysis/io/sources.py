"""Finding the files of a repository and reading their bytes: from the working tree, stdin or a git revision.

Every file that is found comes back as a :class:`SourceFile`; one that cannot be read carries an ``error``
instead of bytes, so the caller can account for it and go on with the others.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UsageError

#: The endings read when walking a directory (``kumactl apply`` and ``istioctl analyze`` read the same).
EXTENSIONS = (".yaml", ".yml", ".json")
#: A file larger than this is reported, not read: a policy repository has no business holding one, and
#: parsing hundreds of MB of YAML would take minutes and gigabytes.
DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024
STDIN = "-"


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # as the user will see it in findings: the path they gave, joined with the walked part
    data: bytes | None
    error: str | None = None


def _is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def _walk(root: Path) -> Iterator[Path]:
    """Files under ``root`` with a policy ending, sorted, skipping hidden directories and files.
    Anything that is not a regular file (a named pipe, a socket) is yielded too, to be reported: reading
    one could block forever."""
    for dirpath, dirnames, filenames in os.walk(root, onerror=None):
        dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
        for name in sorted(filenames):
            if not _is_hidden(name) and name.lower().endswith(EXTENSIONS):
                yield Path(dirpath) / name


def _unreadable_dirs(root: Path) -> Iterator[Path]:
    """Directories below ``root`` that cannot be listed; os.walk passes over them in silence."""
    for dirpath, dirnames, _ in os.walk(root):
        dirnames[:] = [d for d in dirnames if not _is_hidden(d)]
        for d in dirnames:
            full = Path(dirpath) / d
            if not os.access(full, os.R_OK | os.X_OK):
                yield full


def _read(path: Path, max_bytes: int) -> SourceFile:
    shown = str(path)
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            return SourceFile(shown, None, "not a regular file (a pipe, socket or device); not read")
        size = status.st_size
        if size > max_bytes:
            return SourceFile(shown, None, f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit (max_file_bytes); not read")
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        return SourceFile(shown, None, f"cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:  # grew while we looked, or a device
        return SourceFile(shown, None, f"file is over the {max_bytes / 2**20:.0f} MiB limit (max_file_bytes); not read")
    return SourceFile(shown, data)


def working_tree_files(paths: Sequence[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[SourceFile]:
    """Every policy file named by ``paths``: files as given (whatever their ending), directories walked."""
    for raw in paths:
        if str(raw) == STDIN:
            data = sys.stdin.buffer.read(max_bytes + 1)
            if len(data) > max_bytes:
                yield SourceFile("<stdin>", None, "standard input is over the max_file_bytes limit; not read")
            else:
                yield SourceFile("<stdin>", data)
            continue
        path = Path(raw)
        if path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                yield SourceFile(str(path), None, "cannot read directory: permission denied")
                continue
            for unreadable in _unreadable_dirs(path):
                yield SourceFile(str(unreadable), None, "cannot read directory: permission denied")
            for file in _walk(path):
                yield _read(file, max_bytes)
        elif path.exists():
            yield _read(path, max_bytes)
        else:
            raise InputError(f"{raw}: no such file or directory")


# --------------------------------------------------------------------------------------------- git


def _git(args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise InputError("git is not installed, so rev= cannot be read") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {' '.join(args[:2])} in {cwd}: {message[-1] if message else 'failed'}")
    return done.stdout


def _git_top(path: Path) -> Path:
    start = path if path.is_dir() else path.parent
    return Path(_git(["rev-parse", "--show-toplevel"], start or Path(".")).decode().strip())


def revision_files(paths: Sequence[str | os.PathLike[str]], rev: str, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[SourceFile]:
    """The tracked files of ``rev`` below each path, read from git's object store (the working tree is
    never touched).  Paths are shown as they would be in the working tree."""
    for raw in paths:
        if str(raw) == STDIN:
            raise UsageError("standard input ('-') has no git history: it cannot be read at a revision")
        given = Path(raw)
        absolute = given.resolve()
        if not absolute.exists() and not absolute.parent.exists():
            raise InputError(f"{raw}: no such file or directory")
        top = _git_top(absolute if absolute.exists() else absolute.parent)
        try:
            _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top)
        except InputError:
            raise InputError(f"unknown git revision {rev!r} in {top}") from None
        inside = absolute.relative_to(top).as_posix() if absolute != top else "."
        listing = _git(["ls-tree", "-r", "-z", "--full-tree", "--long", rev, "--", inside], top)
        if inside != "." and not listing:
            raise InputError(f"{raw}: not in revision {rev}")
        entries = _tree_entries(listing, explicit_file=inside if not absolute.is_dir() and inside != "." else None)
        yield from _cat_files(top, rev, entries, given, absolute, max_bytes)


def _tree_entries(listing: bytes, explicit_file: str | None) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        parts = meta.split()
        if len(parts) < 4 or parts[1] != b"blob":
            continue  # submodules and the like
        path = name.decode("utf-8", "surrogateescape")
        size = int(parts[3]) if parts[3].isdigit() else 0
        hidden = any(_is_hidden(part) for part in path.split("/"))
        if path == explicit_file or (not hidden and path.lower().endswith(EXTENSIONS)):
            out.append((path, size))
    return sorted(out, key=lambda entry: walk_order(entry[0]))


def walk_order(path: str) -> tuple[tuple[int, str], ...]:
    """Where a tree path comes in :func:`_walk`'s order: a directory's files (sorted) before its
    subdirectories (sorted).  git lists paths in plain byte order ("a-2/x" before "a/x", "a/b/c" before
    "a/z"), so a revision read in git's order would load documents in another order than the same files
    read from the working tree: the last of two definitions of one object would not be the same one."""
    parts = path.split("/")
    return (*((1, d) for d in parts[:-1]), (0, parts[-1]))


def _cat_files(top: Path, rev: str, entries: Iterable[tuple[str, int]], given: Path, absolute: Path, max_bytes: int) -> Iterator[SourceFile]:
    wanted = [(p, s) for p, s in entries]
    small = [p for p, s in wanted if s <= max_bytes]
    blobs = _batch_read(top, rev, small)
    for path, size in wanted:
        shown = _shown_path(top / path, given, absolute)
        if size > max_bytes:
            yield SourceFile(shown, None, f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit (max_file_bytes); not read")
        else:
            yield SourceFile(shown, blobs[path])


def _batch_read(top: Path, rev: str, paths: Sequence[str]) -> dict[str, bytes]:
    """Read many blobs with one ``git cat-file --batch``."""
    if not paths:
        return {}
    request = "".join(f"{rev}:{p}\n" for p in paths).encode("utf-8", "surrogateescape")
    out = _git(["cat-file", "--batch"], top, stdin=request)
    blobs: dict[str, bytes] = {}
    pos = 0
    for path in paths:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        size = int(header[2])
        start = header_end + 1
        blobs[path] = out[start : start + size]
        pos = start + size + 1
    return blobs


def _shown_path(file: Path, given: Path, absolute: Path) -> str:
    base = absolute if absolute.is_dir() else absolute.parent
    try:
        rel = file.relative_to(base)
    except ValueError:
        return str(file)
    anchor = given if absolute.is_dir() else given.parent
    return str(anchor / rel) if str(anchor) not in ("", ".") else str(rel)
