"""Exclude patterns: gitignore-like globs over the paths found while walking a directory.

A pattern is matched against a file's path relative to a root, with ``/`` between the parts:

- the root is each directory given to ``load_repo`` / on the command line, or, for patterns from a config
  file, the directory that holds the config file (as ruff and black anchor theirs);
- a pattern without a ``/`` (a trailing one aside) matches a file or directory name at any depth:
  ``*.tmpl.yaml``, ``charts``, ``vendor``;
- a pattern with a ``/`` (leading or inside) is anchored at the root: ``vendor/**``, ``/generated``,
  ``envs/*/secrets.yaml``;
- ``*`` matches within one part, ``?`` one character of it, ``[abc]`` one of the characters, and ``**`` as a
  whole part any number of directories: ``**/charts/**``, ``policies/**/draft-*.yaml``;
- a trailing ``/`` matches directories only: ``charts/``;
- a directory that matches takes everything below it along.

A file named explicitly (not found by walking) is always read, as ruff and black do.  Re-including with
``!pattern`` is not supported, so it is refused rather than silently misread.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError


@dataclass(frozen=True, slots=True)
class Exclude:
    """One pattern, compiled, and the directory it is relative to (None: each root that is walked)."""

    pattern: str
    base: Path | None = None
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _dirs_only: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _compile(self.pattern))
        object.__setattr__(self, "_dirs_only", self.pattern.endswith("/"))

    def matches(self, relative: str) -> bool:
        """Whether the file at ``relative`` (posix, below this pattern's root) or a directory above it matches."""
        parts = relative.split("/")
        dirs = ("/".join(parts[:i]) for i in range(1, len(parts)))
        if any(self._regex.fullmatch(d) for d in dirs):
            return True
        return not self._dirs_only and self._regex.fullmatch(relative) is not None


def _component(part: str) -> str:
    """One path part of a glob as a regular expression that never crosses a ``/``."""
    out, i = "", 0
    while i < len(part):
        ch = part[i]
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "[" and (end := part.find("]", i + 2)) != -1:
            body = part[i + 1 : end]
            out += "[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]"
            i = end
        else:
            out += re.escape(ch)
        i += 1
    return out


def _compile(pattern: str) -> re.Pattern[str]:
    body = pattern.rstrip("/")
    anchored = "/" in body
    parts = body.lstrip("/").split("/")
    if not anchored:
        parts = ["**", *parts]
    regex = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
        else:
            regex += _component(part) + ("" if last else "/")
    return re.compile(regex)


def compile_excludes(patterns: Sequence[str], *, base: str | os.PathLike[str] | None = None, origin: str = "exclude") -> tuple[Exclude, ...]:
    """Patterns as :class:`Exclude` objects; a pattern that cannot mean anything is a :class:`UsageError`
    that names ``origin`` (the flag or the config file)."""
    out = []
    root = Path(os.path.abspath(base)) if base is not None else None
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern.strip("/ "):
            raise UsageError(f"{origin}: an exclude pattern must be a non-empty glob, got {pattern!r}")
        if pattern.startswith("!"):
            raise UsageError(f"{origin}: {pattern!r}: re-including with '!' is not supported; narrow the other patterns instead")
        out.append(Exclude(pattern, root))
    return tuple(out)


def excluded_by(file: Path, root: Path, excludes: Sequence[Exclude]) -> str | None:
    """The first pattern that excludes ``file``, found while walking ``root``; None when it is read."""
    if not excludes:
        return None
    for rule in excludes:
        anchor = rule.base
        if anchor is None:
            relative = os.path.relpath(file, root)
        else:
            relative = os.path.relpath(os.path.abspath(file), anchor)
            if relative == ".." or relative.startswith(".." + os.sep):
                continue  # the file lies outside the config file's directory: its patterns do not reach it
        if rule.matches(Path(relative).as_posix()):
            return rule.pattern
    return None
