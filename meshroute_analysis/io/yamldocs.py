"""YAML and JSON text into documents, each with the line it starts on, safely.

The stream is split into documents here, before parsing (as Kuma's ``SplitYAML`` does), so that one
broken document is one error and the documents around it still load.  Only PyYAML's safe loaders are
used; their C version when libyaml is there.  Aliases are the one way a small safe document can still
become huge once walked (the "billion laughs"), so documents that use them are measured before anyone
walks them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import yaml

from .fastyaml import FastSafeLoader as _Loader

# A document starts at a line that begins with "---" followed by nothing, blanks or content, and ends at
# one that is just "..." (YAML 1.1 §9.2); anywhere else these are content.
_MARKER = re.compile(r"^(?:---(?=[ \t\r]|$)|\.\.\.[ \t\r]*$)", re.MULTILINE)
_CONTENT = re.compile(r"^[ \t]*[^#\s]", re.MULTILINE)
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s,\[\]{}]")
#: Walking a document visits each node once per path to it; past this many it is an alias bomb.
MAX_NODES = 2_000_000


@dataclass(frozen=True, slots=True)
class RawDocument:
    index: int  # position among the file's non-empty documents
    line: int  # 1-based line of the document's first content line
    data: Any = None
    error: str | None = None
    text: str = ""  # the document's own text, for the rare later need of positions inside it
    text_line: int = 0  # the file line on which ``text`` begins
    items_lines: tuple[int, ...] | None = None  # first line of each ``items`` element, when known
    field_lines: dict[tuple[str | int, ...], int] | None = None  # per field path, for policy documents
    may_hold_markup: bool = False  # "{{" or "{%" somewhere in the text: look for template markup


@dataclass(frozen=True, slots=True)
class _Chunk:
    start_line: int  # 1-based line of the chunk's first line
    text: str


def decode(data: bytes) -> tuple[str | None, str | None]:
    """Bytes to text, or an error that says why the file is not text."""
    if b"\0" in data[:8192]:
        return None, "binary file (contains NUL bytes), not YAML"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}"


def _chunks(text: str) -> list[_Chunk]:
    """The text cut at document markers; the marker line stays with the document it opens."""
    chunks: list[_Chunk] = []
    start, line = 0, 1
    for match in _MARKER.finditer(text):
        pos = match.start()
        if pos > start or (pos == 0 and start == 0 and chunks):
            chunks.append(_Chunk(line, text[start:pos]))
        line += text.count("\n", start, pos)
        start = pos
        if match.group().startswith("..."):
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end + 1
            line += text.count("\n", pos, end)
            start = end
    chunks.append(_Chunk(line, text[start:]))
    return chunks


def _first_content_line(chunk: _Chunk) -> int | None:
    """Where the document's content begins, or None for a document of only blanks and comments."""
    body = chunk.text
    if body.startswith("---"):
        rest = body[3:].split("\n", 1)[0].split("#", 1)[0]
        if rest.strip():
            return chunk.start_line  # "--- {inline: content}"
    for match in _CONTENT.finditer(body):
        offset = match.end() - 1
        if body.startswith("---", offset) and (offset == 0 or body[offset - 1] == "\n"):
            continue
        return chunk.start_line + body.count("\n", 0, offset)
    return None


def _error_text(exc: Exception, doc_start: int) -> tuple[int, str]:
    """The line of a parser error in file terms, and its message without PyYAML's '<unicode string>'."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = doc_start + mark.line if mark is not None else doc_start
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        message = f"{context}, {problem}" if context else str(problem)
    else:
        message = str(exc).split("\n", 1)[0]
    return line, message


def _count_nodes(data: Any, budget: int) -> bool:
    """True when ``data`` has at most ``budget`` nodes, counting a shared node once per path to it."""
    stack = [data]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > budget:
            return False
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def parse_document(text: str, start_line: int, index: int) -> RawDocument:
    """One document's text, parsed safely; any failure is an error with its line, never an exception."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        line, message = _error_text(exc, start_line)
        return RawDocument(index, line, error=f"YAML error: {message}", text=text, text_line=start_line,
                           may_hold_markup=_may_hold_markup(text))
    except RecursionError:
        return RawDocument(index, start_line, error="YAML error: nesting too deep to load")
    finally:
        loader.dispose()
    if "*" in text and _ALIAS.search(text) and not _count_nodes(data, MAX_NODES):
        return RawDocument(index, start_line, error=f"YAML aliases expand to more than {MAX_NODES:,} nodes; not loaded")
    lines = _field_lines(node, start_line) if node is not None and _wants_field_lines(data) else None
    return RawDocument(index, start_line, data=data, text=text, text_line=start_line, field_lines=lines,
                       may_hold_markup=_may_hold_markup(text))


def _may_hold_markup(text: str) -> bool:
    # A plain substring test: cheap enough to run on every file, and most files have neither.
    return "{{" in text or "{%" in text


def iter_documents(text: str) -> Iterator[RawDocument]:
    """The non-empty documents of a YAML (or JSON) stream, in order, with their first content line.

    A file is first read in one pass with one loader, which costs what parsing it costs; only a file
    with a broken document is cut into documents and parsed again one by one, so that its good
    documents still load and the broken one is reported with its line."""
    try:
        return iter(_whole_stream(text))
    except (yaml.YAMLError, RecursionError):
        return _document_by_document(text)


def _is_empty(node: yaml.Node) -> bool:
    # A document of only comments composes to an implicit empty null scalar.
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value == ""


def _whole_stream(text: str) -> list[RawDocument]:
    loader = _Loader(text)
    docs: list[RawDocument] = []
    may_alias = "*" in text and _ALIAS.search(text) is not None
    markup = _may_hold_markup(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None or _is_empty(node):
                continue
            line = node.start_mark.line + 1
            data = loader.construct_document(node)
            if may_alias and not _count_nodes(data, MAX_NODES):
                raise yaml.YAMLError("alias expansion")  # let the careful path say which document
            lines = _field_lines(node, 1) if _wants_field_lines(data) else None
            docs.append(RawDocument(len(docs), line, data, None, text, 1, _items_lines(node, 1), lines, markup))
    finally:
        loader.dispose()
    return docs


def _document_by_document(text: str) -> Iterator[RawDocument]:
    index = 0
    for chunk in _chunks(text):
        line = _first_content_line(chunk)
        if line is None:
            continue  # blank or comment-only: Kuma's SplitYAML drops these too
        yield _with_line(parse_document(chunk.text, chunk.start_line, index), line)
        index += 1


def _with_line(doc: RawDocument, content_line: int) -> RawDocument:
    if doc.error is not None:
        return doc  # an error keeps the line where the parser stopped
    return replace(doc, line=content_line)


#: Documents whose fields findings point into: the policies, and Lists (which may hold them).
_POLICY_KINDS = frozenset({"MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission"})


def _is_policy(data: Any) -> bool:
    return type(data) is dict and (data.get("kind") in _POLICY_KINDS or data.get("type") in _POLICY_KINDS)


def _wants_field_lines(data: Any) -> bool:
    if _is_policy(data):
        return True
    items = data.get("items") if type(data) is dict else None
    return isinstance(items, list) and any(_is_policy(item) for item in items)


def _field_lines(node: yaml.Node, text_line: int) -> dict[tuple[str | int, ...], int]:
    """The 1-based line of every key and sequence item below ``node``, by path; each node is walked once,
    so aliases cannot make this expand."""
    lines: dict[tuple[str | int, ...], int] = {(): text_line + node.start_mark.line}
    seen: set[int] = set()
    stack: list[tuple[tuple[str | int, ...], yaml.Node]] = [((), node)]
    while stack:
        path, current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    child = (*path, key.value)
                    lines.setdefault(child, text_line + key.start_mark.line)
                    stack.append((child, value))
        elif isinstance(current, yaml.SequenceNode):
            for i, item in enumerate(current.value):
                child = (*path, i)
                lines.setdefault(child, text_line + item.start_mark.line)
                stack.append((child, item))
    return lines


def _items_lines(node: yaml.Node, text_line: int) -> tuple[int, ...] | None:
    """The first line of each element of a top-level ``items`` sequence (Lists and kumactl envelopes)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "items" and isinstance(v, yaml.SequenceNode):
            return tuple(text_line + item.start_mark.line for item in v.value)
    return None


def item_lines(doc: RawDocument) -> tuple[int, ...]:
    """The first line of each List item of a document; composed again only when not already known."""
    if doc.items_lines is not None:
        return doc.items_lines
    try:
        node = yaml.compose(doc.text, Loader=_Loader)  # noqa: S506 - safe loader
    except yaml.YAMLError:
        return ()
    return _items_lines(node, doc.text_line) or ()
