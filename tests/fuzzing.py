"""A property-based fuzzer of whole repositories, and its oracles (issue #14).

:func:`repositories` draws a few files of YAML documents: route policies and Dataplanes whose fields take
awkward values (weights such as ``90.0``, ``1:20``, ``1e3``, ``-2**56``, names with ``$``, spaces or
non-ASCII), and hostile documents (broken YAML, tags that do not fit, aliases that refer to themselves or
expand, repeated keys, non-scalar kinds, NUL bytes, surrogate escapes, template markup, explicit nulls),
joined with any YAML line break, sometimes under a directive, sometimes in a file whose name is not UTF-8.

:func:`check` runs load → resolve → audit (→ report) on one and asserts the oracles:

1. no exception escapes, and ``meshroute audit`` exits 0, 65 or 79 (never 1, internal error);
2. every written document is exactly one row of ``repo.documents``, in order, whose line lies inside the
   document (comment-only documents give none);
3. every invalid policy has a violation with a field path;
4. no input file changes (bytes and names);
5. the example stays within a time and memory bound (generous: a safety net against hangs and blow-ups,
   not a benchmark; memory is an address-space limit, so a blow-up fails as a MemoryError).

``tests/test_fuzz.py`` runs it on a small budget in the suite; ``benchmarks/fuzz.py`` (``make fuzz``) on a
large one.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

import meshroute_analysis as mra
from meshroute_analysis.cli import main

#: The bounds of one example (a few documents): far above what one takes, far below a blow-up.  Memory
#: is bounded by the address space the example may add (RLIMIT_AS), so a blow-up is a MemoryError that
#: fails the example, at no cost to the ones that stay small (tracemalloc would make each 4x slower).
TIME_LIMIT_S = 60.0
MEMORY_LIMIT_BYTES = 2 << 30

WEIGHTS = ["1", "0", "90", "90.0", "90.5", "-1", "1:20", "1e3", "'7'", "true", "null", "0x10", "08", "y",
           str(-(2**56)), str(2**64), "!!int '3'", "!!float '2'", "1_000", "{a: 1}", "[1]", "''"]
NAMES = ["a", "b-1", "route", "$x$", "'a b'", "ü", "x" * 70, "'1'", "'y'", "0", "'{{ .Values.n }}'", "'--- x'"]
SERVICES = ["b", "c", "'$y^$'", "'a b'", "backend_kuma-demo_svc_3001", "'x.y'"]
MESHES = ["default", "'a b'", "a-b", "m", "'$m$'"]
HOSTILE = [
    "kind: [a]", "type: {a: 1}", "broken: [", "a: !!bool maybe", "a: !!float x", "a: !!int ''", "a: !!timestamp x",
    "a: 2024-02-30", "a: " + "1" * 4301, "a: &a [*a]", 'a: &a {"x":*a}', "name: x\nname: y", "!!null ''", "~",
    'a: "\\ud83d\\ude00"', 'a: "\\ud83d"', "a: \x00", "a: {{ .Values.x }}", "- 1\n- 2", "'just a string'",
    "a: &x [1,2,3]\nb: [*x,*x,*x]", "a: .nan", "<<: {a: 1}\nb: 2", "? [a]\n: b", "a: !!python/object:os.system x",
    "apiVersion: kuma.io/v1alpha1\nkind: MeshTCPRoute\nmetadata: {name: k, namespace: kuma-system}\nspec: {targetRef: {kind: Mesh}}",
    "type: MeshHTTPRoute\nname: h\nspec:\n  targetRef: {kind: Mesh}\n  to:\n  - targetRef: {kind: MeshService, name: b}\n"
    "    rules:\n    - matches: [{1: a, path: {type: Prefix, value: /}}]\n      default: {}",
]
BREAKS = ["\n", "\n", "\n", "\r\n", "\r", "\u2028"]
FILE_NAMES = [b"a.yaml", b"b.yml", b"c.json", b"d e.yaml", b"sub/f.yaml", b"caf\xe9.yaml"]


@dataclass
class Doc:
    text: str  # lines joined with "\n"
    counts: bool = True  # gives a row (False: comment only)


@dataclass
class Repo:
    files: dict[bytes, tuple[str, list[Doc]]] = field(default_factory=dict)  # name -> (line break, documents)

    @property
    def documents(self) -> int:
        return sum(d.counts for _, docs in self.files.values() for d in docs)


def _policy(draw) -> Doc:
    kind = draw(st.sampled_from(["MeshTCPRoute", "MeshHTTPRoute", "MeshTCPRoute"]))
    name, mesh, service = draw(st.sampled_from(NAMES)), draw(st.sampled_from(MESHES)), draw(st.sampled_from(SERVICES))
    weights = draw(st.lists(st.sampled_from(WEIGHTS) | st.integers(-5, 10**6).map(str), min_size=0, max_size=3))
    rule = "    - matches: [{path: {type: PathPrefix, value: /}}]\n      default:" if kind == "MeshHTTPRoute" else "    - default:"
    lines = [f"type: {kind}", f"name: {name}", f"mesh: {mesh}", "spec:", "  targetRef: {kind: Mesh}", "  to:",
             f"  - targetRef: {{kind: MeshService, name: {service}}}", "    rules:", rule,
             "        backendRefs:" if weights else "        backendRefs: []"]
    for w in weights:
        lines.append(f"        - kind: MeshService\n          name: {draw(st.sampled_from(SERVICES))}\n          weight: {w}")
    return Doc("\n".join(lines))


def _dataplane(draw) -> Doc:
    mesh, service, to = draw(st.sampled_from(MESHES)), draw(st.sampled_from(SERVICES)), draw(st.sampled_from(SERVICES))
    name = draw(st.sampled_from(NAMES))
    protocol = draw(st.sampled_from(["tcp", "http", "grpc", "kafka", "''", "[x]"]))
    return Doc(f"type: Dataplane\nname: {name}\nmesh: {mesh}\nnetworking:\n  address: 10.0.0.1\n  inbound:\n"
               f"  - port: 8080\n    tags: {{kuma.io/service: {service}, kuma.io/protocol: {protocol}}}\n"
               f"  outbound:\n  - port: 9000\n    tags: {{kuma.io/service: {to}}}")


@st.composite
def documents(draw) -> Doc:
    which = draw(st.sampled_from(["policy", "policy", "dataplane", "hostile", "hostile", "comment"]))
    if which == "policy":
        return _policy(draw)
    if which == "dataplane":
        return _dataplane(draw)
    if which == "comment":
        return Doc("# only a comment", counts=False)
    return Doc(draw(st.sampled_from(HOSTILE)))


@st.composite
def repositories(draw, max_files: int = 3, max_docs: int = 6) -> Repo:
    repo = Repo()
    names = draw(st.lists(st.sampled_from(FILE_NAMES), min_size=1, max_size=max_files, unique=True))
    for name in names:
        docs = draw(st.lists(documents(), min_size=1, max_size=max_docs))
        repo.files[name] = (draw(st.sampled_from(BREAKS)), docs)
    if draw(st.booleans()):  # a directive before the first document of the first file
        name = names[0]
        brk, docs = repo.files[name]
        repo.files[name] = (brk, [Doc("%YAML 1.1\n---\n" + docs[0].text, docs[0].counts), *docs[1:]])
    return repo


def _file_text(docs: list[Doc]) -> tuple[str, list[tuple[int, int, bool]]]:
    """The file's text (with "\\n" breaks) and each document's (first line, last line, counts)."""
    parts, spans, line = [], [], 1
    for i, doc in enumerate(docs):
        text = doc.text if doc.text.startswith("%YAML") else "---\n" + doc.text
        n = text.count("\n") + 1
        spans.append((line, line + n - 1, doc.counts))
        parts.append(text)
        line += n
    return "\n".join(parts) + "\n", spans


def write(repo: Repo, root: Path) -> dict[bytes, list[tuple[int, int, bool]]]:
    """Write the repository below ``root``; each file's document spans, by file path (bytes)."""
    spans = {}
    for name, (brk, docs) in repo.files.items():
        text, file_spans = _file_text(docs)
        path = os.path.join(os.fsencode(root), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(text.replace("\n", brk).encode("utf-8", "surrogatepass"))
        spans[path] = file_spans
    return spans


def _snapshot(root: Path) -> dict[bytes, str]:
    out = {}
    for dirpath, _, files in os.walk(os.fsencode(root)):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[p] = hashlib.sha256(fh.read()).hexdigest()
    return out


@dataclass
class Outcome:
    documents: int
    rows: int
    findings: int
    seconds: float
    rss_bytes: int  # resident memory after the example


def check(repo: Repo, root: Path, out_dir: Path | None = None) -> Outcome:
    """Write ``repo`` below ``root`` and assert every oracle; ``out_dir`` (outside ``root``) also writes the report."""
    spans = write(repo, root)
    before = _snapshot(root)
    started = time.monotonic()
    with _memory_bound(MEMORY_LIMIT_BYTES):
        loaded = mra.load_repo(root)
        res = mra.resolve(loaded)
        findings = mra.audit(loaded, res)
        if out_dir is not None:
            from meshroute_analysis.report import write_report

            write_report(loaded, res, findings, out_dir, progress=False)
        code = main(["audit", str(root), "--no-config"], stdout=io.StringIO(), stderr=io.StringIO())
    peak = _rss_bytes()
    seconds = time.monotonic() - started
    assert code in (0, 65, 79), f"meshroute audit exited {code}"
    assert seconds < TIME_LIMIT_S, f"one example took {seconds:.1f} s"
    _check_rows(loaded, spans)
    _check_violations(loaded)
    assert _snapshot(root) == before, "an input file changed"
    return Outcome(repo.documents, len(loaded.documents), len(findings), seconds, peak)


def _rss_bytes() -> int:
    """The process's resident memory now (Linux), else 0."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@contextmanager
def _memory_bound(extra: int):
    """Let the block add at most ``extra`` bytes of address space (Linux); elsewhere, no bound."""
    try:
        import resource

        with open("/proc/self/statm") as fh:
            size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _check_rows(loaded, spans) -> None:
    docs = loaded.documents
    for path, file_spans in spans.items():
        shown = os.fsdecode(path)
        rows = docs[docs.file == shown]
        expected = [s for s in file_spans if s[2]]
        assert len(rows) == len(expected), f"{shown}: {len(rows)} rows for {len(expected)} documents\n{rows}"
        for (first, last, _), line, reason in zip(expected, rows.line, rows.reason, strict=True):
            assert first <= line <= last, f"{shown}: row at line {line} for the document of lines {first}-{last} ({reason})"


def _check_violations(loaded) -> None:
    invalid = [p for p in loaded.content.policies if not p.valid]
    violations = loaded.violations
    for policy in invalid:
        own = violations[violations.policy == policy.key]
        assert len(own) and all(isinstance(p, str) and p for p in own.path), f"{policy.key}: invalid without a field path"
