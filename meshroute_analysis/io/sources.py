"""Finding the files of a repository and reading their bytes: from the working tree, stdin or a git revision.

Every file that is found comes back as a :class:`SourceFile`; one that cannot be read carries an ``error``
instead of bytes, so the caller can account for it and go on with the others, and one that an exclude
pattern (:mod:`.exclude`) matches carries the pattern instead and is never opened.  A file that is not
read on purpose (a symlink that leaves the repository, a git submodule at a revision) carries a
``skipped`` reason, so that it is a row and never missing without a word.
"""

from __future__ import annotations

import os
import posixpath
import stat
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UsageError
from .exclude import Exclude, excluded_by

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
    excluded_by: str | None = None  # the exclude pattern that keeps this file from being read
    skipped: str | None = None  # why this file is not read on purpose (a row of status "skipped")


def _is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def _walk(root: Path) -> Iterator[Path]:
    """Files under ``root`` with a policy ending, skipping hidden directories and files, in the order
    ``kubectl apply -R -f DIR`` applies them (Go's ``filepath.Walk``: lexical by path component, so
    ``a/b/x.yaml`` comes before ``a/c.yaml``).  Anything that is not a regular file (a named pipe, a socket)
    is yielded too, to be reported: reading one could block forever."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=None):
        dirnames[:] = [d for d in dirnames if not _is_hidden(d)]
        found.extend(Path(dirpath) / name for name in filenames if not _is_hidden(name) and name.lower().endswith(EXTENSIONS))
    yield from sorted(found, key=lambda p: p.parts)


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


def repository_root(directory: Path) -> Path:
    """The repository that holds ``directory``: the nearest directory upward with ``.git`` or ``.hg`` (as the
    config search stops there), else ``directory`` itself."""
    start = directory.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists() or (candidate / ".hg").exists():
            return candidate
    return start


def _outside(file: Path, root: Path) -> str | None:
    """Why a walked symlink is not followed (its target leaves ``root``), or None to read it."""
    if not file.is_symlink():
        return None
    target = file.resolve()
    if target == root or root in target.parents:
        return None
    return (f"symlink to {target}, outside the repository {root}: not followed (follow_symlinks=True, "
            "--follow-symlinks, reads it)")


def _read_stdin(max_bytes: int) -> SourceFile:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # started with standard input closed (``<&-``)
        raise InputError("-: standard input is closed, so it cannot be read")
    try:
        data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"-: cannot read standard input: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        return SourceFile("<stdin>", None, "standard input is over the max_file_bytes limit; not read")
    return SourceFile("<stdin>", data)


def _kind_of(path: Path, raw: object) -> str:
    """"dir", "file" or "missing" for a path given by the caller; a path that cannot even be looked at (a
    directory on the way that we may not enter) is an InputError, not a crash."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return "missing"
    except NotADirectoryError:
        return "missing"
    except PermissionError:
        raise InputError(f"{raw}: cannot read: permission denied (a directory on the way may not be entered)") from None
    except OSError as exc:
        raise InputError(f"{raw}: cannot read: {exc.strerror or exc}") from None
    return "dir" if stat.S_ISDIR(status.st_mode) else "file"


def working_tree_files(
    paths: Sequence[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_FILE_BYTES, exclude: Sequence[Exclude] = (),
    follow_symlinks: bool = False,
) -> Iterator[SourceFile]:
    """Every policy file named by ``paths``: files as given (whatever their ending), directories walked,
    leaving out (unread) what ``exclude`` matches below each directory.  A walked symlink whose target
    lies outside the repository (:func:`repository_root`) is not followed unless ``follow_symlinks``; it is
    a skipped row saying so.  A file named in ``paths`` is always read."""
    for raw in paths:
        if str(raw) == STDIN:
            yield _read_stdin(max_bytes)
            continue
        path = Path(raw)
        kind = _kind_of(path, raw)
        if kind == "dir":
            if not os.access(path, os.R_OK | os.X_OK):
                yield SourceFile(str(path), None, "cannot read directory: permission denied")
                continue
            for unreadable in _unreadable_dirs(path):
                yield SourceFile(str(unreadable), None, "cannot read directory: permission denied")
            root = repository_root(path)
            for file in _walk(path):
                pattern = excluded_by(file, path, exclude)
                if pattern:
                    yield SourceFile(str(file), None, excluded_by=pattern)
                    continue
                leaves = None if follow_symlinks else _outside(file, root)
                yield SourceFile(str(file), None, skipped=leaves) if leaves else _read(file, max_bytes)
        elif kind == "file":
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


def revision_files(
    paths: Sequence[str | os.PathLike[str]], rev: str, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    exclude: Sequence[Exclude] = (), follow_symlinks: bool = False,
) -> Iterator[SourceFile]:
    """The tracked files of ``rev`` below each path, read from git's object store (the working tree is
    never touched), leaving out what ``exclude`` matches.  Paths are shown as they would be in the working
    tree, and patterns match them as they would there."""
    if not rev.strip():
        raise UsageError("rev= (--rev, --base, --head) needs a git revision: an empty one names none")
    for raw in paths:
        if str(raw) == STDIN:
            raise UsageError("standard input ('-') has no git history: it cannot be read at a revision")
        given = Path(raw)
        absolute = given.resolve()
        if _kind_of(absolute, raw) == "missing" and _kind_of(absolute.parent, raw) == "missing":
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
        read: list[_Entry] = []
        for entry in entries:
            pattern = excluded_by(top / entry.path, absolute, exclude) if absolute.is_dir() else None
            if pattern:
                yield SourceFile(_shown_path(top / entry.path, given, absolute), None, excluded_by=pattern)
            else:
                read.append(entry)
        yield from _cat_files(top, rev, read, given, absolute, max_bytes, follow_symlinks)


@dataclass(frozen=True, slots=True)
class _Entry:
    path: str
    mode: str  # 100644, 100755, 120000 (symlink), 160000 (submodule)
    kind: str  # blob, commit (a submodule), tree
    object: str
    size: int


_SYMLINK, _SUBMODULE = "120000", "160000"


def _tree_entries(listing: bytes, explicit_file: str | None) -> list[_Entry]:
    out: list[_Entry] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        parts = meta.decode("ascii", "replace").split()
        if len(parts) < 4 or parts[1] not in ("blob", "commit"):
            continue
        path = name.decode("utf-8", "surrogateescape")
        size = int(parts[3]) if parts[3].isdigit() else 0
        hidden = any(_is_hidden(part) for part in path.split("/"))
        # A submodule is a directory in the working tree: say that its files are not read, whatever its name.
        if path == explicit_file or parts[1] == "commit" or (not hidden and path.lower().endswith(EXTENSIONS)):
            if parts[1] == "commit" and hidden:
                continue
            out.append(_Entry(path, parts[0], parts[1], parts[2], size))
    return sorted(out, key=lambda entry: entry.path.split("/"))  # apply order, as in _walk


def _cat_files(top: Path, rev: str, entries: Sequence[_Entry], given: Path, absolute: Path, max_bytes: int,
               follow_symlinks: bool = False) -> Iterator[SourceFile]:
    # At a revision a target outside the repository has no bytes to read, so follow_symlinks cannot apply.
    targets = {e.path: _symlink_target(top, rev, e) for e in entries if e.mode == _SYMLINK}
    objects = [e.object for e in entries if e.kind == "blob" and e.mode != _SYMLINK and e.size <= max_bytes]
    objects += [t.object for t in targets.values() if isinstance(t, _Entry) and t.size <= max_bytes]
    blobs = _batch_read(top, objects)
    for entry in entries:
        shown = _shown_path(top / entry.path, given, absolute)
        if entry.kind == "commit":
            yield SourceFile(shown, None, skipped=f"git submodule (commit {entry.object[:12]}): the files of a submodule "
                                                  "are not read at a revision; name the submodule's own repository to read them")
            continue
        real = targets.get(entry.path, entry)
        if isinstance(real, str):
            yield SourceFile(shown, None, skipped=real) if real.startswith("symlink") else SourceFile(shown, None, real)
        elif real.size > max_bytes:
            yield SourceFile(shown, None, f"file is {real.size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit (max_file_bytes); not read")
        else:
            yield SourceFile(shown, blobs[real.object])


def _symlink_target(top: Path, rev: str, entry: _Entry, hops: int = 0) -> _Entry | str:
    """The blob a tracked symlink points to in the same revision (the link's own blob holds only the
    target's path, which was read as if it were the file), or why it is not read: a target outside the
    repository, a directory, a dangling link."""
    target = _batch_read(top, [entry.object]).get(entry.object, b"").decode("utf-8", "surrogateescape")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), target))
    if posixpath.isabs(target) or resolved == ".." or resolved.startswith("../"):
        return f"symlink to {target}, outside the repository: not followed at a revision"
    if hops > 40 or "\n" in resolved:
        return "cannot read: too many levels of symbolic links"
    listing = _git(["ls-tree", "-z", "--full-tree", "--long", rev, "--", resolved], top)
    found = [e for e in _tree_entries(listing, explicit_file=resolved) if e.path == resolved]
    if not found:
        for record in listing.split(b"\0"):
            if b" tree " in record.partition(b"\t")[0]:
                return f"symlink to the directory {target}: not followed (directories are walked, not linked)"
        return f"cannot read: dangling symlink to {target} (not in revision {rev})"
    if found[0].mode == _SYMLINK:
        return _symlink_target(top, rev, found[0], hops + 1)
    if found[0].kind != "blob":
        return f"symlink to {target}, not a file: not read"
    return found[0]


def _batch_read(top: Path, objects: Sequence[str]) -> dict[str, bytes]:
    """Read many blobs with one ``git cat-file --batch``, by object id: a path may hold any character,
    a newline too, which the batch protocol cannot carry."""
    if not objects:
        return {}
    unique = list(dict.fromkeys(objects))
    out = _git(["cat-file", "--batch"], top, stdin="".join(f"{o}\n" for o in unique).encode("ascii"))
    blobs: dict[str, bytes] = {}
    pos = 0
    for obj in unique:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        size = int(header[2])
        start = header_end + 1
        blobs[obj] = out[start : start + size]
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
