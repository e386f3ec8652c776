"""The loader: formats, lists, multi-document files, and one row per document."""

from __future__ import annotations

import json

import pandas as pd

import meshroute_analysis as mra
from meshroute_analysis import frames

K8S_ROUTE = """
apiVersion: kuma.io/v1alpha1
kind: MeshTCPRoute
metadata:
  name: tcp-route-1
  namespace: kong-mesh-system
  labels:
    kuma.io/mesh: default
spec:
  targetRef:
    kind: MeshSubset
    tags:
      app: frontend
  to:
  - targetRef:
      kind: MeshService
      name: backend_kuma-demo_svc_3001
    rules:
    - default:
        backendRefs:
        - kind: MeshServiceSubset
          name: backend_kuma-demo_svc_3001
          tags:
            version: v0
          weight: 90
        - kind: MeshServiceSubset
          name: backend_kuma-demo_svc_3001
          tags:
            version: v1
          weight: 10
"""

UNIVERSAL_ROUTE = """
type: MeshTCPRoute
name: tcp-route-1
mesh: default
spec:
  targetRef:
    kind: MeshSubset
    tags:
      app: frontend
  to:
  - targetRef:
      kind: MeshService
      name: backend
    rules:
    - default:
        backendRefs:
        - kind: MeshService
          name: external-backend
"""


def test_kubernetes_policy_row(write, tmp_path):
    write("route.yaml", K8S_ROUTE)
    repo = mra.load_repo(tmp_path)
    row = repo.policies.iloc[0]
    assert (row.type, row["name"], row.mesh, row.namespace, row.format) == ("MeshTCPRoute", "tcp-route-1", "default", "kong-mesh-system", "kubernetes")
    assert (row.target_kind, row.target_name, row.target_tags, row.valid) == ("MeshSubset", None, {"app": "frontend"}, True)
    assert row.core_name == "tcp-route-1.kong-mesh-system"
    assert row.line == 1
    backends = repo.backends
    assert list(backends.weight) == [90, 10]
    assert list(backends.share) == [0.9, 0.1]
    assert list(backends.backend_tags) == [{"version": "v0"}, {"version": "v1"}]


def test_universal_policy_and_default_weight(write, tmp_path):
    write("route.yaml", UNIVERSAL_ROUTE)
    repo = mra.load_repo(tmp_path / "route.yaml")
    row = repo.policies.iloc[0]
    assert (row.format, row.namespace, row.core_name) == ("universal", None, "tcp-route-1")
    backend = repo.backends.iloc[0]
    assert (backend.weight, backend.share) == (1, 1.0) and backend.weight_configured is pd.NA  # defaulted, not configured


def test_mesh_defaults_to_default_without_label(write, tmp_path):
    write("r.yaml", K8S_ROUTE.replace("  labels:\n    kuma.io/mesh: default\n", ""))
    write("u.yaml", UNIVERSAL_ROUTE.replace("mesh: default\n", ""))
    repo = mra.load_repo(tmp_path)
    assert set(repo.policies.mesh) == {"default"}


def test_multi_document_file_keeps_lines_and_skips_comment_documents(write, tmp_path):
    write(
        "all.yaml",
        "# header comment\n---\n# only a comment\n---\n" + K8S_ROUTE.lstrip("\n") + "---\n" + UNIVERSAL_ROUTE.lstrip("\n"),
    )
    docs = mra.load_repo(tmp_path).documents
    assert list(docs.status) == ["loaded", "loaded"]
    assert list(docs.line) == [5, 5 + K8S_ROUTE.lstrip("\n").count("\n") + 1]
    assert list(docs["index"]) == [0, 1]


def test_broken_document_does_not_hide_its_neighbours(write, tmp_path):
    write("mixed.yaml", UNIVERSAL_ROUTE.lstrip("\n") + "---\nname: [unclosed\n---\n" + K8S_ROUTE.lstrip("\n"))
    repo = mra.load_repo(tmp_path)
    docs = repo.documents
    assert list(docs.status) == ["loaded", "error", "loaded"]
    error = docs.iloc[1]
    assert error.reason.startswith("YAML error:")
    assert error.line >= UNIVERSAL_ROUTE.lstrip("\n").count("\n") + 2
    assert len(repo.policies) == 2


def test_kind_list_typed_list_and_kumactl_envelope(write, tmp_path):
    write(
        "list.yaml",
        """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: kuma.io/v1alpha1
          kind: MeshTCPRoute
          metadata: {name: a, namespace: kuma-system}
          spec: {targetRef: {kind: Mesh}}
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: cm}
        """,
    )
    write(
        "typed.yaml",
        """
        apiVersion: kuma.io/v1alpha1
        kind: MeshTCPRouteList
        items:
        - apiVersion: kuma.io/v1alpha1
          kind: MeshTCPRoute
          metadata: {name: b, namespace: kuma-system}
          spec: {targetRef: {kind: Mesh}}
        """,
    )
    write(
        "kumactl.yaml",
        """
        items:
        - type: MeshTCPRoute
          name: c
          mesh: default
          spec: {targetRef: {kind: Mesh}}
        next: null
        total: 1
        """,
    )
    repo = mra.load_repo(tmp_path)
    assert sorted(repo.policies.name) == ["a", "b", "c"]
    docs = repo.documents.set_index("name")
    assert docs.loc["c", "line"] == 2  # the item's own line, not the envelope's
    assert docs.loc["a", "line"] == 4
    skipped = repo.documents[repo.documents.status == "skipped"]
    assert list(skipped.kind) == ["ConfigMap"]


def test_json_files_are_read(write, tmp_path):
    write("r.json", json.dumps({"type": "MeshTCPRoute", "name": "j", "mesh": "default", "spec": {"targetRef": {"kind": "Mesh"}}}))
    assert list(mra.load_repo(tmp_path).policies.name) == ["j"]


def test_unknown_kinds_are_skipped_with_reasons(write, tmp_path):
    write(
        "x.yaml",
        """
        apiVersion: kuma.io/v1alpha1
        kind: MeshRetry
        metadata: {name: r}
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: rs}
        ---
        just a string
        ---
        type: MeshTimeout
        name: t
        """,
    )
    docs = mra.load_repo(tmp_path).documents
    assert list(docs.status) == ["skipped"] * 4
    reasons = list(docs.reason)
    assert "kuma.io kind MeshRetry is not read" in reasons[0]
    assert "not a Kuma resource (apps/v1 ReplicaSet)" in reasons[1]
    assert "not a mapping" in reasons[2]
    assert "Universal type MeshTimeout is not read" in reasons[3]


def test_resource_without_name_is_invalid(write, tmp_path):
    write("x.yaml", "apiVersion: kuma.io/v1alpha1\nkind: MeshTCPRoute\nmetadata: {namespace: kuma-system}\n")
    row = mra.load_repo(tmp_path).documents.iloc[0]
    assert (row.status, row.reason) == ("invalid", "metadata.name: must be set")


def test_later_definition_replaces_earlier(write, tmp_path):
    write("a.yaml", UNIVERSAL_ROUTE)
    write("b.yaml", UNIVERSAL_ROUTE.replace("external-backend", "other"))
    repo = mra.load_repo(tmp_path)
    assert list(repo.backends.backend_name) == ["other"]
    first = repo.documents.iloc[0]
    assert first.status == "skipped" and "redefined later at" in first.reason and "b.yaml:1" in first.reason


def test_hidden_directories_and_other_endings_are_not_walked(write, tmp_path):
    write(".git/x.yaml", UNIVERSAL_ROUTE)
    write(".hidden/y.yaml", UNIVERSAL_ROUTE)
    write("notes.txt", UNIVERSAL_ROUTE)
    write("sub/deeper/z.yml", UNIVERSAL_ROUTE)
    docs = mra.load_repo(tmp_path).documents
    assert [f.rsplit("/", 2)[-2:] for f in docs.file] == [["deeper", "z.yml"]]


def test_several_paths_at_once(write, tmp_path):
    a = write("a/r.yaml", UNIVERSAL_ROUTE)
    b = write("b/r.yaml", K8S_ROUTE)
    repo = mra.load_repo([a.parent, b])
    assert len(repo.policies) == 2


def test_empty_frames_keep_their_columns(tmp_path):
    repo = mra.load_repo(tmp_path)
    for name, columns in [
        ("documents", frames.DOCUMENTS),
        ("policies", frames.POLICIES),
        ("backends", frames.BACKENDS),
        ("violations", frames.VIOLATIONS),
        ("dataplanes", frames.DATAPLANES),
        ("services", frames.SERVICES),
        ("destinations", frames.DESTINATIONS),
    ]:
        frame = getattr(repo, name)
        assert list(frame.columns) == list(columns), name
        assert len(frame) == 0


def test_zero_total_weight_gives_zero_shares(write, tmp_path):
    write(
        "z.yaml",
        UNIVERSAL_ROUTE.replace("        - kind: MeshService\n          name: external-backend\n",
                                "        - kind: MeshService\n          name: a\n          weight: 0\n        - kind: MeshService\n          name: b\n          weight: 0\n"),
    )
    backends = mra.load_repo(tmp_path).backends
    assert list(backends.weight) == [0, 0]
    assert list(backends.share) == [0.0, 0.0]


def test_entry_without_rules_is_an_implicit_self_backend(write, tmp_path):
    write(
        "n.yaml",
        """
        type: MeshTCPRoute
        name: self
        spec:
          targetRef: {kind: Mesh}
          to:
          - targetRef: {kind: MeshService, name: backend}
        """,
    )
    row = mra.load_repo(tmp_path).backends.iloc[0]
    assert (row.backend_name, row.weight, row.share, row.implicit) == ("backend", 1, 1.0, True)


def test_summary_text_and_html(write, tmp_path):
    write("r.yaml", K8S_ROUTE)
    repo = mra.load_repo(tmp_path)
    text = repr(repo)
    assert "documents: 1 (1 loaded, 0 skipped, 0 invalid, 0 error)" in text
    assert "1 MeshTCPRoute" in text
    assert "<table>" in repo._repr_html_() and "MeshTCPRoute" in repo._repr_html_()


def test_kubernetes_header_matches_get_the_crd_default_type(write, tmp_path):
    # The CRD defaults headers[].type to Exact, so these two rules share one merge key on Kubernetes.
    route = """
apiVersion: kuma.io/v1alpha1
kind: MeshHTTPRoute
metadata: {{name: {name}, namespace: kuma-system}}
spec:
  targetRef: {{kind: Mesh}}
  to:
  - targetRef: {{kind: MeshService, name: backend}}
    rules:
    - matches: [{{headers: [{header}]}}]
      default: {{backendRefs: [{{kind: MeshService, name: {name}}}]}}
"""
    write("a.yaml", route.format(name="a", header="{name: x-version, value: v2}"))
    write("b.yaml", route.format(name="b", header="{name: x-version, value: v2, type: Exact}"))
    keys = {p.name: p.to[0].http_rules[0].matches for p in mra.load_repo(tmp_path).content.policies}
    assert keys["a"] == keys["b"]
    write("u.yaml", "type: MeshHTTPRoute\nname: u\nspec:\n  targetRef: {kind: Mesh}\n  to:\n  - targetRef: {kind: MeshService, name: backend}\n    rules:\n    - matches: [{headers: [{name: x-version, value: v2}]}]\n")
    universal = next(p for p in mra.load_repo(tmp_path).content.policies if p.name == "u")
    assert universal.to[0].http_rules[0].matches != keys["b"]  # Universal stores what was written


def test_kubernetes_route_policies_outside_the_system_namespace_are_invalid(write, tmp_path):
    write("ok.yaml", K8S_ROUTE)  # kong-mesh-system: Kong Mesh's control-plane namespace
    write("team.yaml", K8S_ROUTE.replace("name: tcp-route-1", "name: team-route").replace("kong-mesh-system", "team-a"))
    repo = mra.load_repo(tmp_path)
    valid = dict(zip(repo.policies["name"], repo.policies["valid"], strict=True))
    assert valid == {"tcp-route-1": True, "team-route": False}
    (violation,) = repo.violations.to_dict("records")
    assert (violation["path"], violation["message"]) == ("metadata.namespace", "policy can only be created in the system namespace:kuma-system")
    assert violation["line"] == 5  # the namespace line
    custom = mra.load_repo(tmp_path, system_namespaces=["team-a"])
    assert dict(zip(custom.policies["name"], custom.policies["valid"], strict=True)) == {"tcp-route-1": False, "team-route": True}
