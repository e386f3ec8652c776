"""The real-world corpus: every document accounted for, nothing crashes, route policies loaded.

Each test runs over the project's sample (``tests/corpus_sample/``, always) and over the whole shared
corpus (``../shared/corpus/``: skipped when it is missing, a failure under CI's ``MESHROUTE_REQUIRE_SHARED=1``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import meshroute_analysis as mra

from .conftest import CORPUS_SAMPLE, require_shared

ROUTE_KINDS = {"MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute"}


def _non_empty_chunks(text: str) -> list[str]:
    """An independent count of documents: cut at '---' lines, drop chunks of only comments and blanks."""
    chunks = re.split(r"(?m)^---[ \t]*(?:#.*)?$", text)
    return [c for c in chunks if any(line.strip() and not line.lstrip().startswith("#") for line in c.splitlines())]


def _list_items(chunk: str) -> list | None:
    """The items of a chunk that is a List (``kind: List``, ``<Kind>List``) or a kumactl envelope
    (``{items, total, next}``), as the README defines them; None for any other chunk."""
    try:
        data = yaml.safe_load(chunk)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return None
    kind = data.get("kind")
    if isinstance(kind, str) and kind.endswith("List"):
        return data["items"]
    if "kind" not in data and "type" not in data and set(data) <= {"items", "total", "next", "apiVersion", "metadata"}:
        return data["items"]
    return None


def _expected_rows(chunk: str) -> int:
    """Rows a chunk must give: one per List item (an empty List is one row that says so), else one."""
    items = _list_items(chunk)
    return max(len(items), 1) if items is not None else 1


def _route_kind(chunk: str) -> str | None:
    try:
        data = yaml.safe_load(chunk)
    except yaml.YAMLError:
        return None
    if isinstance(data, dict):
        kind = data.get("kind") or data.get("type")
        return kind if kind in ROUTE_KINDS else None
    return None


@pytest.fixture(scope="module", params=["sample", "shared"])
def corpus(request) -> Path:
    return CORPUS_SAMPLE if request.param == "sample" else require_shared("corpus")


@pytest.fixture(scope="module")
def corpus_repo(corpus):
    return mra.load_repo(corpus)


def test_every_file_and_document_is_accounted_for(corpus, corpus_repo):
    docs = corpus_repo.documents
    files = sorted(corpus.rglob("*.yaml"))
    assert files, "corpus has no files"
    for file in files:
        rows = docs[docs.file == str(file)]
        chunks = _non_empty_chunks(file.read_text())
        assert rows["index"].nunique() == len(chunks), f"{file}: {rows['index'].nunique()} documents for {len(chunks)} chunks"
        expected = sum(_expected_rows(c) for c in chunks)
        assert len(rows) == expected, f"{file}: {len(rows)} rows for {expected} documents and List items"
        for index, chunk in enumerate(chunks):
            items = _list_items(chunk)
            if items:  # every item of a List is a row of its own, numbered in order
                assert list(rows[rows["index"] == index]["item"]) == list(range(len(items))), f"{file}: document {index}"
        assert rows.status.isin(["loaded", "skipped", "invalid", "error"]).all()
        assert (rows[rows.status != "loaded"].reason != "").all(), f"{file.name}: a row without a reason"


def test_every_parseable_route_policy_is_loaded(corpus, corpus_repo):
    docs = corpus_repo.documents
    for file in sorted(corpus.rglob("*.yaml")):
        expected = sum(1 for c in _non_empty_chunks(file.read_text()) if _route_kind(c))
        rows = docs[(docs.file == str(file)) & docs.kind.isin(ROUTE_KINDS)]
        assert len(rows) == expected, file.name
        # A route policy is loaded, invalid (with violations), replaced by a later definition, or (when it holds
        # template markup that happens to parse) an error that says so.
        assert rows.status.isin(["loaded", "invalid", "skipped", "error"]).all()
        assert rows[rows.status == "error"].reason.str.startswith("template markup").all()
        assert rows[rows.status == "skipped"].reason.str.contains("redefined later").all()


def test_template_markup_comes_back_as_errors_with_lines_and_a_hint(corpus_repo):
    docs = corpus_repo.documents
    errors = docs[docs.status == "error"]
    assert errors.reason.str.startswith(("YAML error", "template markup")).all()
    assert (errors.line > 0).all()
    templated = errors[errors.reason.str.startswith("template markup")]
    assert len(templated) >= 3
    assert templated.reason.str.contains("helm template CHART | meshroute audit -", regex=False).all()
    for row in templated.itertuples():  # the line named holds the markup the reason quotes
        token = row.reason.split("(", 1)[1].split(")", 1)[0]
        assert token in Path(row.file).read_text().splitlines()[row.line - 1], f"{row.file}:{row.line}"


def test_kubernetes_demo_inventory(corpus_repo):
    services = corpus_repo.services.set_index("service")
    backend = services.loc["backend_kuma-demo_svc_3001"]
    assert backend.protocol == "http" and not backend.inferred
    assert services.loc["postgres_kuma-demo_svc_5432"].protocol == "tcp"
    proxies = corpus_repo.dataplanes
    assert (proxies.origin == "kubernetes").any()
