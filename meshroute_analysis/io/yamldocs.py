"""YAML and JSON text into documents, each with the line it starts on, safely.

The stream is split into documents here, before parsing (as Kuma's ``SplitYAML`` does), so that one
broken document is one error and the documents around it still load.  Only PyYAML's safe loaders are
used; their C version when libyaml is there.  Aliases are the one way a small safe document can still
become huge once walked (the "billion laughs"), so documents that use them are measured on the parser's
node graph before anyone walks them: per document, per file and per repository (:class:`AliasBudget`),
and a document whose aliases refer to themselves is refused outright.

Every line break YAML knows (``\n``, ``\r\n``, a lone ``\r``, NEL, LS, PS) ends a line here, as it does in
the parser, so documents are cut and counted where the parser sees them.  Directives (``%YAML``,
``%TAG``) belong to the document they precede.  A mapping that repeats a key is refused with the line of
each occurrence, as Kubernetes' strict decoding and kubectl refuse it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from .fastyaml import FastSafeLoader as _Loader
from .fastyaml import PySafeLoader as _PyLoader

# YAML 1.1 §5.4 line breaks, as the parser counts lines (a CR LF pair is one break).
_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_BREAK_CHARS = "\r\n\x85\u2028\u2029"
# A document starts at a line that begins with "---" followed by nothing, blanks or content, and ends at
# one that is just "..." (YAML 1.1 §9.2); anywhere else these are content.
_MARKER = re.compile(
    rf"(?:\A|(?<=[{_BREAK_CHARS}]))(?:---(?=[ \t{_BREAK_CHARS}]|\Z)|\.\.\.[ \t]*(?=[{_BREAK_CHARS}]|\Z))"
)
_VERSION = re.compile(rf"(?:\A|(?<=[{_BREAK_CHARS}]))%YAML[ \t]+([0-9]+)\.([0-9]+)")
#: Walking a document visits each node once per path to it; past this many it is an alias bomb.
MAX_NODES = 2_000_000
#: What the aliases of one file, and of one repository, may expand to in all: many documents each just
#: under MAX_NODES would otherwise still cost minutes downstream.
MAX_FILE_NODES = MAX_NODES
MAX_REPO_NODES = 5 * MAX_NODES
#: A file with more unreadable documents than this is not read past them (one row says so).
MAX_UNREADABLE_PER_FILE = 1000
_NUL_REASON = "binary file content (a NUL byte) at line {line}, not YAML"


@dataclass
class AliasBudget:
    """How many nodes the aliased documents of a repository may still expand to (one per load)."""

    repo_left: int = MAX_REPO_NODES
    file_left: int = MAX_FILE_NODES

    def new_file(self) -> AliasBudget:
        self.file_left = MAX_FILE_NODES
        return self

    def charge(self, nodes: int) -> str | None:
        """Take ``nodes`` from the budgets, or say which one they would exceed (and take nothing)."""
        if nodes > MAX_NODES:
            return f"YAML aliases expand to more than {MAX_NODES:,} nodes; not loaded"
        if nodes > self.file_left:
            return f"YAML aliases of this file expand to more than {MAX_FILE_NODES:,} nodes in all; not loaded"
        if nodes > self.repo_left:
            return f"YAML aliases of the repository expand to more than {MAX_REPO_NODES:,} nodes in all; not loaded"
        self.file_left -= nodes
        self.repo_left -= nodes
        return None


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
    """Bytes to text, or an error that says why the file is not text.  A NUL byte in UTF-8 text is the
    problem of the document that holds it, not of the whole file (its neighbours still load)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        if b"\0" in data[:8192]:
            return None, "binary file (contains NUL bytes), not YAML"
        line = data.count(b"\n", 0, exc.start) + 1
        return None, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}"


class _Lines:
    """Line numbers of text positions, counting every YAML line break."""

    def __init__(self, text: str) -> None:
        self.ends = [m.end() for m in _BREAK.finditer(text)]

    def line_of(self, pos: int) -> int:
        """The 1-based line of position ``pos``."""
        return bisect_right(self.ends, pos) + 1


def _lines_of(text: str) -> list[str]:
    return _BREAK.split(text)


def _is_prefix_only(text: str) -> bool:
    """Whether ``text`` holds only directives, comments and blanks: the prefix of the next document."""
    return all(not line.strip() or line.lstrip().startswith("#") or line.startswith("%") for line in _lines_of(text))


def _chunks(text: str) -> Iterator[_Chunk]:
    """The text cut at document markers, lazily; the marker line stays with the document it opens, and
    directive lines with the document they precede."""
    lines = _Lines(text)
    start = 0
    pending: _Chunk | None = None  # directives waiting for their document
    first = True
    for match in _MARKER.finditer(text):
        pos = match.start()
        if pos > start or (pos == 0 and start == 0 and not first):
            piece = _Chunk(lines.line_of(start), text[start:pos])
            if match.group().startswith("---") and "%" in piece.text and _is_prefix_only(piece.text):
                pending = piece if pending is None else _Chunk(pending.start_line, pending.text + piece.text)
            else:
                if pending is not None:
                    piece, pending = _Chunk(pending.start_line, pending.text + piece.text), None
                first = False
                yield piece
        start = pos
        if match.group().startswith("..."):
            brk = _BREAK.search(text, match.end())
            start = len(text) if brk is None else brk.end()
    last = _Chunk(lines.line_of(start), text[start:])
    yield last if pending is None else _Chunk(pending.start_line, pending.text + last.text)


def _first_content_line(chunk: _Chunk) -> int | None:
    """Where the document's content begins, or None for a document of only blanks and comments (its
    directives and its "---" line, when nothing follows the marker, are not content)."""
    in_prefix = True
    for offset, line in enumerate(_lines_of(chunk.text)):
        stripped = line.strip()
        if line.startswith("---") and (len(line) == 3 or line[3] in " \t"):
            in_prefix = False
            if line[3:].split("#", 1)[0].strip():
                return chunk.start_line + offset  # "--- {inline: content}"
            continue
        if not stripped or stripped.startswith("#") or (in_prefix and line.startswith("%")):
            continue
        return chunk.start_line + offset
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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def expanded_size(root: yaml.Node) -> int | None:
    """How many nodes walking the document built from ``root`` visits (a node shared through aliases counts
    once per path to it), worked out on the node graph in one pass over its distinct nodes; None when an
    alias refers to a node that contains it (the document is infinite)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            sizes[nid] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if nid in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[nid] = 1
            continue
        on_path.add(nid)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                return None
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _alias_problem(node: yaml.Node, budget: AliasBudget) -> str | None:
    size = expanded_size(node)
    if size is None:
        # gopkg.in/yaml.v2 decode.go refuses it too: "anchor '...' value contains itself".
        return "YAML error: an alias refers to a node that contains it (a recursive document); not loaded"
    return budget.charge(size)


def _path_text(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _paths_to(root: yaml.Node, wanted: set[int]) -> dict[int, tuple[str | int, ...]]:
    """The first field path to each node in ``wanted``, each node walked once."""
    found: dict[int, tuple[str | int, ...]] = {}
    seen: set[int] = set()
    stack: list[tuple[tuple[str | int, ...], yaml.Node]] = [((), root)]
    while stack and len(found) < len(wanted):
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if id(node) in wanted:
            found.setdefault(id(node), path)
        if isinstance(node, yaml.MappingNode):
            stack.extend(((*path, k.value if isinstance(k, yaml.ScalarNode) else "?"), v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((*path, i), v) for i, v in enumerate(node.value))
    return found


def _duplicate_problem(root: yaml.Node, duplicates: list[tuple[yaml.MappingNode, str]], text_line: int) -> tuple[int, str]:
    """The line and reason of a document whose mappings repeat a key: each repeated key with the line of
    every occurrence.  Kubernetes decodes strictly (sigs.k8s.io/yaml's YAMLToJSONStrict, go-yaml's
    UnmarshalStrict: "key ... already set in map") and kubectl refuses the object; a silent "last one wins"
    would analyse a policy nobody can apply."""
    paths = _paths_to(root, {id(node) for node, _ in duplicates})
    parts: list[str] = []
    first_line = 0
    done: set[tuple[int, str]] = set()
    for node, key in duplicates:
        if (id(node), key) in done:
            continue
        done.add((id(node), key))
        lines = [text_line + k.start_mark.line for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == key]
        if len(lines) > 1 and not first_line:
            first_line = lines[1]
        where = _path_text((*paths.get(id(node), ()), key))
        parts.append(f"{key!r} ({where}) at lines {', '.join(map(str, lines))}")
    reason = ("YAML error: duplicate key " + "; ".join(parts[:5]) + (f"; and {len(parts) - 5} more" if len(parts) > 5 else "")
              + ": Kubernetes' strict decoding and kubectl refuse a repeated key; not loaded")
    return first_line or text_line + root.start_mark.line, reason


def _version_problem(text: str) -> str | None:
    """go-yaml v2 (parserc.go, yaml_parser_process_directives) reads only %YAML 1.1 documents; PyYAML and
    libyaml would read 1.2 (and warn about, or refuse, others)."""
    for match in _VERSION.finditer(text):
        if (match.group(1), match.group(2)) != ("1", "1"):
            return (f"YAML error: %YAML {match.group(1)}.{match.group(2)} directive: found incompatible YAML document "
                    "(go-yaml v2, which Kuma and kubectl read YAML with, accepts only %YAML 1.1); not loaded")
    return None


def _unpaired_surrogates(data: Any) -> Any:
    """``data`` with every string's escaped UTF-16 surrogate pairs joined into the character they spell
    (JSON writes an emoji as "\\ud83d\\ude00"); a ValueError for a surrogate without its pair."""
    def fix(value: Any) -> Any:
        if isinstance(value, str):
            if not any("\ud800" <= ch <= "\udfff" for ch in value):
                return value
            try:
                return value.encode("utf-16", "surrogatepass").decode("utf-16")
            except UnicodeDecodeError:
                raise ValueError("a string holds an escaped UTF-16 surrogate without its pair: not Unicode text") from None
        if isinstance(value, dict):
            return {fix(k): fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value
    return fix(data)


def _escaped_surrogates(exc: yaml.YAMLError) -> bool:
    # libyaml refuses \uD800-\uDFFF escapes one by one; Go's encoding/json (kubectl's JSON path) joins pairs.
    return "invalid Unicode character escape code" in str(getattr(exc, "problem", "") or exc)


def _error_doc(index: int, line: int, error: str, text: str, text_line: int) -> RawDocument:
    # A parser that ran off the end of the document ("broken: [" at the end of a file) stops on the line
    # after it: point at the document's last line instead, a line that exists and belongs to it.
    last = text_line + len(_BREAK.findall(text.rstrip(" \t" + _BREAK_CHARS)))
    return RawDocument(index, min(line, last), error=error, text=text, text_line=text_line,
                       may_hold_markup=_may_hold_markup(text))


def parse_document(text: str, start_line: int, index: int, budget: AliasBudget | None = None) -> RawDocument:
    """One document's text, parsed safely; any failure is an error with its line, never an exception."""
    budget = budget if budget is not None else AliasBudget()
    if "\0" in text:
        line = start_line + len(_BREAK.findall(text, 0, text.index("\0")))
        return _error_doc(index, line, _NUL_REASON.format(line=line), text, start_line)
    problem = _version_problem(text) if "%YAML" in text else None
    if problem is not None:
        return _error_doc(index, start_line, problem, text, start_line)
    try:
        return _parse_with(_Loader, text, start_line, index, budget)
    except yaml.YAMLError as exc:
        if not _escaped_surrogates(exc):
            line, message = _error_text(exc, start_line)
            return _error_doc(index, line, f"YAML error: {message}", text, start_line)
    try:
        return _parse_with(_PyLoader, text, start_line, index, budget, surrogates=True)
    except yaml.YAMLError as exc:
        line, message = _error_text(exc, start_line)
        return _error_doc(index, line, f"YAML error: {message}", text, start_line)


def _parse_with(loader_class: type, text: str, start_line: int, index: int, budget: AliasBudget,
                surrogates: bool = False) -> RawDocument:
    loader = loader_class(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            return _error_doc(index, start_line, "YAML error: nesting too deep to load", text, start_line)
        if node is None:
            return RawDocument(index, start_line, data=None, text=text, text_line=start_line)
        problem = _checked(loader, node, budget, start_line)
        if problem is not None:
            return _error_doc(index, problem[0], problem[1], text, start_line)
        try:
            data = loader.construct_document(node)
        except RecursionError:
            return _error_doc(index, start_line, "YAML error: nesting too deep to load", text, start_line)
        if loader.duplicates:
            line, reason = _duplicate_problem(node, loader.duplicates, start_line)
            return _error_doc(index, line, reason, text, start_line)
        if surrogates:
            try:
                data = _unpaired_surrogates(data)
            except ValueError as exc:
                return _error_doc(index, start_line, f"YAML error: {exc}", text, start_line)
    finally:
        loader.dispose()
    lines = _field_lines(node, start_line) if _wants_field_lines(data) else None
    return RawDocument(index, start_line, data=data, text=text, text_line=start_line, field_lines=lines,
                       may_hold_markup=_may_hold_markup(text))


def _checked(loader: Any, node: yaml.Node, budget: AliasBudget, text_line: int) -> tuple[int, str] | None:
    """Measure a composed document whose text may use aliases, before anything is built from it."""
    if not _has_shared_nodes(node):
        return None
    problem = _alias_problem(node, budget)
    return (text_line + node.start_mark.line, problem) if problem is not None else None


def _has_shared_nodes(root: yaml.Node) -> bool:
    """Whether some collection node is reached twice (an alias): one walk over the distinct nodes."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            continue
        if id(node) in seen:
            return True
        seen.add(id(node))
        stack.extend(_children(node))
    return False


def _may_hold_markup(text: str) -> bool:
    # A plain substring test: cheap enough to run on every file, and most files have neither.
    return "{{" in text or "{%" in text


def iter_documents(text: str, budget: AliasBudget | None = None) -> Iterator[RawDocument]:
    """The non-empty documents of a YAML (or JSON) stream, in order, with their first content line.

    A file is first read in one pass with one loader, which costs what parsing it costs; only a file
    with a broken document is cut into documents and parsed again one by one, so that its good
    documents still load and the broken one is reported with its line.  ``budget`` (one per load of a
    repository) bounds what aliases may expand to across files."""
    budget = (budget if budget is not None else AliasBudget()).new_file()
    careful = "\0" in text or ("%YAML" in text and _version_problem(text) is not None)
    if not careful:
        try:
            return iter(_whole_stream(text, budget))
        except (yaml.YAMLError, RecursionError):
            budget.file_left = MAX_FILE_NODES  # what the failed pass took is taken again, document by document
    return _document_by_document(text, budget)


def _is_empty(node: yaml.Node) -> bool:
    # A document of only comments composes to an implicit empty null scalar, of no length; an explicit
    # "--- !!null ''" or "--- ~" is a document (a null one).
    return (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value == ""
            and node.start_mark.index == node.end_mark.index)


def _whole_stream(text: str, budget: AliasBudget) -> list[RawDocument]:
    loader = _Loader(text)
    docs: list[RawDocument] = []
    may_alias = "*" in text
    markup = _may_hold_markup(text)
    repo_before = budget.repo_left
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None or _is_empty(node):
                continue
            line = node.start_mark.line + 1
            # A document to refuse is refused by the careful path, which has its own text (for markup and lines).
            if may_alias and _checked(loader, node, budget, 1) is not None:
                raise yaml.YAMLError("alias expansion")
            data = loader.construct_document(node)
            if loader.duplicates:
                raise yaml.YAMLError("duplicate keys")
            lines = _field_lines(node, 1) if _wants_field_lines(data) else None
            docs.append(RawDocument(len(docs), line, data, None, text, 1, _items_lines(node, 1), lines, markup))
    except (yaml.YAMLError, RecursionError):
        budget.repo_left = repo_before
        raise
    finally:
        loader.dispose()
    return docs


def _document_by_document(text: str, budget: AliasBudget) -> Iterator[RawDocument]:
    index = errors = 0
    chunks = _chunks(text)
    for chunk in chunks:
        line = _first_content_line(chunk)
        if line is None:
            continue  # blank or comment-only: Kuma's SplitYAML drops these too
        if errors >= MAX_UNREADABLE_PER_FILE:
            # Parsing each of a million broken documents costs minutes and gigabytes and tells nothing more.
            rest = 1 + sum(1 for _ in chunks)
            reason = (f"more than {MAX_UNREADABLE_PER_FILE:,} documents of this file could not be read: the rest of it "
                      f"(from line {line}, {rest:,} more '---' parts) is not read")
            yield _error_doc(index, line, reason, "", line)
            return
        doc = _with_line(parse_document(chunk.text, chunk.start_line, index, budget), line)
        errors += doc.error is not None
        yield doc
        index += 1


def _with_line(doc: RawDocument, content_line: int) -> RawDocument:
    if doc.error is not None:
        return doc  # an error keeps the line where the parser stopped
    return replace(doc, line=content_line)


#: Documents whose fields findings point into: the policies, and Lists (which may hold them).
_POLICY_KINDS = frozenset({"MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission"})


def _is_policy(data: Any) -> bool:
    # A kind or type may be any YAML value (``kind: [a]``): only a string can name a policy kind.
    return type(data) is dict and any(type(data.get(k)) is str and data[k] in _POLICY_KINDS for k in ("kind", "type"))


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
