"""A repository's own settings: ``.meshroute.toml``, or ``[tool.meshroute]`` in ``pyproject.toml``.

::

    # .meshroute.toml at the repository root (or the same keys under [tool.meshroute] in pyproject.toml)
    exclude = ["vendor/**", "**/charts/**", "*.tmpl.yaml"]   # relative to this file's directory
    skip = ["MRA901", "MRA302=canary-*"]                      # as --skip CODE[=GLOB]
    system-namespaces = ["mesh-system"]                       # as --system-namespace
    fail-on = "warning"                                       # as --fail-on
    kuma-version = "2.7"                                      # as --kuma-version
    zone = "zone-1"                                           # as --zone

Where the CLI finds it (:func:`find_config`): from the directory of the first PATH (the directory itself,
or the one that holds a file; the current directory for ``-``) upward, the first directory with a
``.meshroute.toml`` or a ``pyproject.toml`` that has a ``[tool.meshroute]`` table; ``.meshroute.toml`` wins
when a directory has both (as ruff's ``.ruff.toml`` does).  The search stops at the repository root (a
directory with ``.git`` or ``.hg``, as mypy's does) or at the filesystem root.  ``--config FILE`` names the
file, ``--no-config`` uses none, and a flag given on the command line replaces the file's value for its key.
With ``--rev``, the file is still read from the working tree.

Every key is one field of :class:`Config`, declared once with its TOML name and its reader; a key the
dataclass does not declare is a :class:`UsageError` that names the file, its line and the key.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import UsageError
from .io.exclude import compile_excludes

__all__ = ["CONFIG_FILE", "Config", "find_config", "load_config"]

CONFIG_FILE = ".meshroute.toml"
PYPROJECT = "pyproject.toml"
_TABLE = ("tool", "meshroute")
#: Directories that mark a repository's root: the search for a config file goes no higher.
_REPOSITORY_MARKERS = (".git", ".hg")
_SEVERITIES = ("info", "warning", "error")

Reader = Callable[[Any, "_Where"], Any]


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a value was read, for messages: the file, the line of its key (0 when unknown), the key."""

    file: Path
    line: int
    key: str

    def error(self, problem: str) -> UsageError:
        at = f"{self.file}:{self.line}" if self.line else str(self.file)
        return UsageError(f"{at}: {self.key}: {problem}")


def _strings(value: Any, where: _Where) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.error(f'must be an array of non-empty strings, e.g. {where.key} = ["..."]; got {value!r}')
    return tuple(value)


def _namespaces(value: Any, where: _Where) -> tuple[str, ...]:
    names = _strings(value, where)
    if not names:
        raise where.error("must name at least one namespace")
    return names


def _globs(value: Any, where: _Where) -> tuple[str, ...]:
    patterns = _strings(value, where)
    compile_excludes(patterns, origin=f"{where.file}: {where.key}")  # refuse what cannot mean anything now
    return patterns


def _severity(value: Any, where: _Where) -> str:
    if value not in _SEVERITIES:
        raise where.error(f"must be one of {', '.join(_SEVERITIES)}; got {value!r}")
    return str(value)


def _kuma_version(value: Any, where: _Where) -> str:
    from .resolve.semantics import semantics_for

    if not isinstance(value, str):
        raise where.error(f'must be a string such as "2.7" or "2.7.29"; got {value!r}')
    try:
        semantics_for(value)
    except UsageError as exc:
        raise where.error(str(exc)) from None
    return value


_ZONE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def zone_problem(value: Any) -> str | None:
    """Why ``value`` is not a zone name (a DNS-1123 label, as ``kuma-cp`` requires of
    ``multizone.zone.name``), or None when it is one."""
    if isinstance(value, str) and _ZONE_NAME.match(value) and len(value) <= 63:
        return None
    return f'must be a zone name such as "zone-1" (lowercase letters, digits and -); got {value!r}'


def _zone(value: Any, where: _Where) -> str:
    problem = zone_problem(value)
    if problem:
        raise where.error(problem)
    return value


def _key(name: str, read: Reader, default: Any) -> Any:
    """A config field: its TOML key and the function that checks and converts the value."""
    return field(default=default, metadata={"key": name, "read": read})


@dataclass(frozen=True, slots=True)
class Config:
    """The settings of one repository.  ``Config()`` is "no config file": every value means "not set".

    To add a key, add a field here with :func:`_key` (its TOML name, its reader, its "not set" value) and
    use it where the CLI or ``load_repo`` reads the others.
    """

    #: The file these settings came from; None when no config file is used.
    path: Path | None = None
    #: Exclude globs, relative to the config file's directory (see :mod:`meshroute_analysis.io.exclude`).
    exclude: tuple[str, ...] = _key("exclude", _globs, ())
    #: Suppressions as ``--skip`` takes them: ``CODE`` or ``CODE=GLOB``.
    skip: tuple[str, ...] = _key("skip", _strings, ())
    #: Where the control plane runs; None: Kuma's and Kong Mesh's defaults.
    system_namespaces: tuple[str, ...] | None = _key("system-namespaces", _namespaces, None)
    #: The lowest severity that fails a run; None: the CLI's default (error).
    fail_on: str | None = _key("fail-on", _severity, None)
    #: The Kuma version whose control plane is modelled; None: the toolkit's default (2.5).
    kuma_version: str | None = _key("kuma-version", _kuma_version, None)
    #: The zone the modelled control plane runs as (``multizone.zone.name``); None: Kuma's default, ``default``.
    zone: str | None = _key("zone", _zone, None)

    @property
    def root(self) -> Path | None:
        """The directory the config file's exclude patterns are relative to."""
        return self.path.parent if self.path is not None else None


def _keys() -> dict[str, tuple[str, Reader]]:
    """TOML key -> (field name, reader), from the fields of :class:`Config`."""
    return {f.metadata["key"]: (f.name, f.metadata["read"]) for f in fields(Config) if "key" in f.metadata}


def _key_line(text: str, key: str, after: int = 0) -> int:
    """The line of ``key = ...`` (bare or quoted) at or after line ``after``; 0 when it cannot be found."""
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= after and pattern.match(line):
            return number
    return 0


def _table_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"^\s*\[\s*tool\s*\.\s*meshroute\s*\]", line):
            return number
    return 0


def _from_table(table: Mapping[str, Any], path: Path, text: str, table_line: int) -> Config:
    known = _keys()
    values: dict[str, Any] = {}
    for key, value in table.items():
        line = _key_line(text, key, table_line)
        if key not in known:
            close = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            where = f"{path}:{line}" if line else str(path)
            raise UsageError(f"{where}: unknown key {key!r} ({hint}known keys: {', '.join(sorted(known))})")
        name, read = known[key]
        values[name] = read(value, _Where(path, line, key))
    return Config(path=path, **values)


def load_config(path: str | os.PathLike[str]) -> Config:
    """The settings in ``path``, or found from it.

    A ``.toml`` file is read as a config file: a ``pyproject.toml`` for its ``[tool.meshroute]`` table (a
    :class:`UsageError` when it has none), any other file as a whole.  Anything else (a directory, a policy
    file) is where :func:`find_config` starts looking; with no config file found the result is ``Config()``.
    """
    given = Path(path)
    if given.suffix != ".toml" or given.is_dir():
        found = find_config(given)
        return (_read(found) if found is not None else None) or Config()
    if not given.is_file():
        raise UsageError(f"{given}: no such config file")
    config = _read(given)
    if given.name == PYPROJECT and config is None:
        raise UsageError(f"{given}: has no [tool.meshroute] table")
    return config or Config(path=given)


def _read(path: Path) -> Config | None:
    """The config in ``path``; None for a ``pyproject.toml`` without ``[tool.meshroute]``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the config file: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    if path.name != PYPROJECT:
        return _from_table(data, path, text, 0)
    table: Any = data
    for part in _TABLE:
        table = table.get(part) if isinstance(table, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise UsageError(f"{path}: tool.meshroute must be a table")
    return _from_table(table, path, text, _table_line(text))


def _has_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # let reading it report what is wrong, rather than pass over a broken file in silence
    return isinstance(data.get("tool"), dict) and "meshroute" in data["tool"]


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The config file that applies to ``start`` (a directory, or a file: its directory), looking upward
    to the repository root; None when there is none."""
    here = Path(os.path.abspath(start))
    if not _looks(here.is_dir):
        here = here.parent
    for directory in (here, *here.parents):
        own = directory / CONFIG_FILE
        if _looks(own.is_file):
            return own
        pyproject = directory / PYPROJECT
        if _looks(pyproject.is_file) and _has_table(pyproject):
            return pyproject
        if any(_looks((directory / marker).exists) for marker in _REPOSITORY_MARKERS):
            return None
    return None


def _looks(test: Callable[[], bool]) -> bool:
    """A file-system test that answers False where we may not look (a directory we may not enter): the
    loader then says what cannot be read, instead of the config search crashing first."""
    try:
        return test()
    except OSError:
        return False
