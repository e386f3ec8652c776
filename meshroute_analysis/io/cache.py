"""A cache on disk of what loading made of a repository, so that loading it again unchanged is quick.

Two kinds of entry, both keyed by content, never by path or time:

* ``parse``: the documents parsed from one file, keyed by the digest of its bytes (the digest
  :class:`~.memo.ParseMemo` uses), so that a load after a few files changed parses only those;
* ``repo``: the whole loaded content, keyed by the ordered list of every file found (its path and the
  digest of its bytes, or why it was not read) and every option the content depends on; a load of an
  unchanged repository then reads nothing else.

Every key also holds the *code fingerprint*: the cache format, the package version, a digest of the
package's own source files (an editable checkout changes without a version bump), Python's version and
PyYAML's.  Another version of the tool never reads an entry this one wrote.

Where: ``$MESHROUTE_CACHE_DIR``, else the platform's user cache directory (``$XDG_CACHE_HOME`` or
``~/.cache`` on Linux, ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows), in a
``meshroute_analysis`` folder; never inside a repository being analysed (:func:`open_cache` refuses such a
directory).  The cache is only ever an optimisation: an entry that is missing, truncated, corrupt, written
by other code or unreadable, and a directory that cannot be written, all mean "parse the files", never an
error and never another answer.

Format.  An entry is a header (magic, code fingerprint, kind, key), a digest of the payload, and the
payload: a pickle.  Pickle is used only because every object here is this tool's own frozen dataclasses
and plain data, and only for files this tool wrote itself into the user's own cache directory; even so it
fails closed: the payload must match its digest before it is unpickled, and the unpickler builds only the
classes of this package's model and plain Python data (anything else in the stream is refused, so a
planted file cannot run code through it).  Writes go to a temporary file in the same folder, renamed into
place, so two loads running at once never see a half-written entry.

Size.  The cache is kept under :data:`DEFAULT_MAX_BYTES` (``$MESHROUTE_CACHE_MAX_MB`` to change it): after
a repository entry is written, the least recently used entries are removed until it fits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import operator
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = ["CACHE_FORMAT", "LoadCache", "cache_disabled_by_env", "default_cache_dir", "open_cache"]

#: Bumped whenever what an entry holds changes shape.
CACHE_FORMAT = 1
ENV_DIR = "MESHROUTE_CACHE_DIR"
ENV_OFF = "MESHROUTE_NO_CACHE"
ENV_MAX_MB = "MESHROUTE_CACHE_MAX_MB"
DEFAULT_MAX_BYTES = 2 * 1024**3
_MAGIC = b"MESHROUTE-CACHE\n"
_SUFFIX = ".entry"
_STALE_TEMP_SECONDS = 3600.0
KINDS = ("parse", "repo")


# ------------------------------------------------------------------------------------------ where


def default_cache_dir() -> Path:
    """``$MESHROUTE_CACHE_DIR``, else the user cache directory of this platform, ``/meshroute_analysis``."""
    explicit = os.environ.get(ENV_DIR, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "meshroute_analysis"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "").strip()
        return (Path(local) if local else Path.home() / "AppData" / "Local") / "meshroute_analysis" / "Cache"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    # The XDG spec says a relative value is to be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "meshroute_analysis"


def cache_disabled_by_env() -> bool:
    """``MESHROUTE_NO_CACHE`` set to anything but empty or 0 turns the cache off everywhere."""
    return os.environ.get(ENV_OFF, "").strip() not in ("", "0")


def open_cache(cache: bool | str | os.PathLike[str] | None, analysed: Sequence[str | os.PathLike[str]]) -> LoadCache | None:
    """The cache a load uses, or None: off (``cache`` false, or ``MESHROUTE_NO_CACHE``), or the directory
    would lie inside one of the ``analysed`` paths (or the repository holding one), which the cache must
    never write into.  ``cache`` True means :func:`default_cache_dir`; a path means that directory."""
    if not cache or cache_disabled_by_env():
        return None
    directory = default_cache_dir() if cache is True else Path(cache).expanduser()
    try:
        resolved = directory.resolve()
        if _inside_analysed(resolved, analysed):
            return None
    except (OSError, RuntimeError, ValueError):
        return None
    return LoadCache(resolved)


def _inside_analysed(directory: Path, analysed: Sequence[str | os.PathLike[str]]) -> bool:
    from .sources import STDIN, repository_root

    for raw in analysed:
        if str(raw) == STDIN:
            continue
        path = Path(raw).resolve()
        folder = path if path.is_dir() else path.parent
        for top in {folder, repository_root(folder)}:
            if directory == top or top in directory.parents:
                return True
    return False


# ------------------------------------------------------------------------------------------ fingerprint

_fingerprint: bytes | None = None


def code_fingerprint() -> bytes:
    """What makes entries of this code differ from another's: format, versions and the package source."""
    global _fingerprint
    if _fingerprint is None:
        import yaml

        from .. import __version__

        package = Path(__file__).resolve().parents[1]
        source = hashlib.blake2b(digest_size=16)
        for path in sorted(package.rglob("*.py")):
            source.update(path.relative_to(package).as_posix().encode() + b"\0")
            try:
                source.update(path.read_bytes())
            except OSError:
                source.update(b"<unreadable>")
        parts = (f"format={CACHE_FORMAT}", f"meshroute_analysis={__version__}", f"source={source.hexdigest()}",
                 f"python={sys.version_info[0]}.{sys.version_info[1]}", f"pyyaml={yaml.__version__}",
                 f"libyaml={getattr(yaml, '__with_libyaml__', False)}")
        _fingerprint = ";".join(parts).encode()
    return _fingerprint


def make_key(kind: str, parts: Iterable[bytes]) -> str:
    """A hex key for ``parts`` (already unambiguous bytes: each part is length-prefixed here)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(code_fingerprint() + b"\0" + kind.encode() + b"\0")
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


# ------------------------------------------------------------------------------------------ format


def _mapping_proxy(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    """Rebuilds a read-only mapping (``RepoContent.meshes`` and ``.services``), which pickle cannot."""
    return MappingProxyType(mapping)


def _dataclass_reducer(cls: type) -> Any:
    # A frozen dataclass with slots pickles through dataclasses' own __getstate__/__setstate__, which look up
    # the fields again for every object; calling the class with its values in field order is twice as fast
    # both ways, and gives the same object (every field is an init field: checked where this is registered).
    names = [f.name for f in dataclasses.fields(cls)]
    values = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (cls, (values(obj),))
    return lambda obj: (cls, values(obj))


def _model_classes() -> list[type]:
    from .. import content, model
    from . import yamldocs

    found: list[type] = []
    for module in (model, content):
        found.extend(v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__)
    found.append(yamldocs.RawDocument)
    return found


_tables: tuple[dict[type, Any], frozenset[tuple[str, str]]] | None = None


def _pickle_tables() -> tuple[dict[type, Any], frozenset[tuple[str, str]]]:
    """The reducers the writer uses, and the (module, name) pairs the reader may build: this package's
    model classes and enums, the mapping-proxy rebuilder, and nothing else."""
    global _tables
    if _tables is None:
        reducers: dict[type, Any] = {MappingProxyType: lambda m: (_mapping_proxy, (dict(m),))}
        allowed = {(__name__, "_mapping_proxy")}
        for cls in _model_classes():
            allowed.add((cls.__module__, cls.__qualname__))
            if dataclasses.is_dataclass(cls) and all(f.init for f in dataclasses.fields(cls)):
                reducers[cls] = _dataclass_reducer(cls)
        _tables = (reducers, frozenset(allowed))
    return _tables


class _Refusing(pickle.Unpickler):
    """Builds only what this module's writer can have written."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _pickle_tables()[1]:
            raise pickle.UnpicklingError(f"cache entry names {module}.{name}, which it may not")
        return super().find_class(module, name)


def _dumps(value: Any) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _pickle_tables()[0]  # type: ignore[assignment]
    pickler.dump(value)
    return out.getvalue()


def _header(kind: str, key: str) -> bytes:
    return _MAGIC + code_fingerprint() + b"\n" + kind.encode() + b"\n" + key.encode() + b"\n"


def _payload_digest(payload: bytes | memoryview) -> bytes:
    return hashlib.blake2b(payload, digest_size=32).digest()


# ------------------------------------------------------------------------------------------ the cache


@dataclasses.dataclass
class LoadCache:
    """Entries under ``directory``; every failure is counted in ``problems`` and otherwise ignored."""

    directory: Path
    max_bytes: int = dataclasses.field(default_factory=lambda: _max_bytes())
    hits: int = 0
    misses: int = 0
    writes: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)

    def path(self, kind: str, key: str) -> Path:
        return self.directory / kind / key[:2] / f"{key}{_SUFFIX}"

    def get(self, kind: str, key: str, expected: type | tuple[type, ...]) -> Any | None:
        """The value stored for ``key``, if there is a sound one of type ``expected``; else None."""
        path = self.path(kind, key)
        try:
            with open(path, "rb") as fh:
                blob = fh.read()
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as exc:
            return self._miss(f"cannot read {path}: {exc}")
        value = self._decode(blob, kind, key)
        if not isinstance(value, expected):
            return self._miss(f"{path}: not a sound entry")
        self.hits += 1
        try:
            os.utime(path)  # least recently used is what pruning removes first
        except OSError:
            pass
        return value

    def _decode(self, blob: bytes, kind: str, key: str) -> Any | None:
        header = _header(kind, key)
        end = len(header) + 32
        if len(blob) < end or not blob.startswith(header):
            return None
        payload = memoryview(blob)[end:]
        if _payload_digest(payload) != blob[len(header):end]:
            return None  # truncated or changed since it was written
        try:
            return _Refusing(io.BytesIO(payload)).load()
        except Exception:  # any failure of a damaged or foreign entry means: parse instead
            return None

    def _miss(self, problem: str) -> None:
        self.misses += 1
        self.problems.append(problem)
        return None

    def put(self, kind: str, key: str, value: Any) -> bool:
        """Store ``value`` for ``key`` atomically; False (and a problem noted) when it cannot be."""
        path = self.path(kind, key)
        try:
            payload = _dumps(value)
        except Exception as exc:  # an object pickle cannot take, nesting too deep: not cached, not fatal
            self.problems.append(f"cannot store a {kind} entry: {type(exc).__name__}: {exc}")
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:16]}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(_header(kind, key))
                    fh.write(_payload_digest(payload))
                    fh.write(payload)
                os.replace(temp, path)
            except BaseException:
                _unlink(Path(temp))
                raise
        except OSError as exc:
            self.problems.append(f"cannot write {path}: {exc}")
            return False
        self.writes += 1
        return True

    def prune(self) -> int:
        """Remove the least recently used entries (and stale temporary files) until the cache fits in
        ``max_bytes``; the number of files removed."""
        entries: list[tuple[float, int, Path]] = []
        removed = 0
        now = time.time()
        for kind in KINDS:
            for path, status in _files_below(self.directory / kind):
                if path.name.endswith(".tmp"):
                    if now - status.st_mtime > _STALE_TEMP_SECONDS:  # a writer that died half-way
                        removed += _unlink(path)
                elif path.name.endswith(_SUFFIX):
                    entries.append((status.st_mtime, status.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            removed += _unlink(path)
            total -= size
        return removed


def _max_bytes() -> int:
    raw = os.environ.get(ENV_MAX_MB, "").strip()
    try:
        return int(float(raw) * 1024 * 1024) if raw else DEFAULT_MAX_BYTES
    except ValueError:
        return DEFAULT_MAX_BYTES


def _files_below(folder: Path) -> Iterable[tuple[Path, os.stat_result]]:
    try:
        shards = list(os.scandir(folder))
    except OSError:
        return
    for shard in shards:
        try:
            if not shard.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(shard.path):
                if entry.is_file(follow_symlinks=False):
                    yield Path(entry.path), entry.stat(follow_symlinks=False)
        except OSError:
            continue


def _unlink(path: Path) -> int:
    try:
        path.unlink()
        return 1
    except OSError:
        return 0
