"""The :class:`Violation` record and Kuma's field paths (``pkg/core/validators/types.go`` PathBuilder)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Violation:
    """One validation problem: Kuma's field path and Kuma's message."""

    path: str  # e.g. "spec.to[0].rules[0].default.backendRefs[1].name", map keys as tags["version"]
    message: str  # e.g. "must be set with kind MeshServiceSubset"


def field(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def index(path: str, position: int) -> str:
    return f"{path}[{position}]"


def key(path: str, map_key: str) -> str:
    return f"{path}[{go_quote(map_key)}]"


_GO_SHORT_ESCAPES: Final = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v"}


def go_quote(text: str) -> str:
    """Go's ``%q`` (strconv.Quote): printable runes kept, the rest escaped."""
    parts = ['"']
    for char in text:
        code = ord(char)
        if char in ('"', "\\"):
            parts.append("\\" + char)
        elif 0xD800 <= code <= 0xDFFF:
            # A lone surrogate cannot reach Go: its JSON decoder turns it into U+FFFD.
            parts.append("\ufffd")
        elif char.isprintable():  # same categories as Go's unicode.IsPrint: L, M, N, P, S and ' '
            parts.append(char)
        elif char in _GO_SHORT_ESCAPES:
            parts.append(_GO_SHORT_ESCAPES[char])
        elif code < 0x80:
            parts.append(f"\\x{code:02x}")
        elif code < 0x10000:
            parts.append(f"\\u{code:04x}")
        else:
            parts.append(f"\\U{code:08x}")
    parts.append('"')
    return "".join(parts)
