"""Findings and violations point at the field's own line, not only the document's."""

from __future__ import annotations

import meshroute_analysis as mra

ROUTE = """\
type: MeshTCPRoute
name: r
mesh: default
spec:
  targetRef:
    kind: MeshSubset
    tags:
      kuma.io/zone: "a*"
  to:
  - targetRef:
      kind: MeshService
      name: backend
    rules:
    - default:
        backendRefs:
        - kind: MeshService
          name: backend
        - kind: MeshServiceSubset
          name: backend
          tags:
            version: ""
"""


def _resource(repo):
    (policy,) = repo.content.policies
    return policy.resource


def test_paths_resolve_to_their_lines(write, tmp_path):
    write("r.yaml", ROUTE)
    r = _resource(mra.load_repo(tmp_path))
    assert r.line_of("spec.to[0].rules[0].default.backendRefs[1]") == 18
    assert r.line_of('spec.to[0].rules[0].default.backendRefs[1].tags["version"]') == 21
    assert r.line_of("spec.targetRef.tags.kuma.io/zone") == 8  # dotted schema path with a dotted key
    assert r.line_of("spec.to[0].rules[0].default.backendRefs[7].name") == 15  # nearest ancestor that exists
    assert r.line_of(None) == r.line == 1


def test_violations_carry_the_field_line_and_the_document_line(write, tmp_path):
    write("r.yaml", "# a comment\n---\n" + ROUTE)
    repo = mra.load_repo(tmp_path)
    lines = dict(zip(repo.violations["path"], repo.violations["line"], strict=True))
    assert lines['spec.to[0].rules[0].default.backendRefs[1].tags["version"]'] == 23
    assert lines['spec.targetRef.tags["kuma.io/zone"]'] == 10
    assert {v.document_line for v in repo.content.violations} == {3}


def test_list_items_and_kubernetes_legacy_kinds(write, tmp_path):
    write(
        "list.yaml",
        """\
apiVersion: v1
kind: List
items:
- apiVersion: kuma.io/v1alpha1
  kind: TrafficRoute
  mesh: default
  metadata: {name: tr}
  spec:
    sources:
    - match: {kuma.io/service: web}
    destinations: []
    conf:
      destination: {kuma.io/service: backend}
""",
    )
    r = _resource(mra.load_repo(tmp_path))
    assert r.line == 4
    # Kuma's legacy paths have no "spec." prefix; the Kubernetes form keeps them under spec.
    assert r.line_of("destinations") == 11
    assert r.line_of("sources[0].match") == 10


def test_lines_survive_the_document_by_document_path(write, tmp_path):
    write("mixed.yaml", "broken: [\n---\n" + ROUTE)
    r = _resource(mra.load_repo(tmp_path))
    assert r.line == 3
    assert r.line_of("spec.to[0].rules[0].default.backendRefs[1]") == 20
