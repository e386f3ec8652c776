"""Template markup ({{ }}, {% %}): an error row with the place and a hint to render first, never a resource."""

from __future__ import annotations

import io

import meshroute_analysis as mra
from meshroute_analysis.cli import EXIT_INPUT, main
from meshroute_analysis.io.templates import RENDER_HINT, field_path, markup_in_text

ROUTE = """\
apiVersion: kuma.io/v1alpha1
kind: MeshTCPRoute
metadata:
  name: route
  namespace: kuma-system
  labels:
    kuma.io/mesh: {mesh}
spec:
  targetRef: {{kind: Mesh}}
  to:
  - targetRef: {{kind: MeshService, name: backend}}
"""


def _docs(repo):
    return repo.documents.reset_index(drop=True)


def test_quoted_markup_that_parses_is_not_loaded(write, tmp_path):
    write("route.yaml", ROUTE.format(mesh='"{{ .Values.mesh }}"'))
    repo = mra.load_repo(tmp_path)
    [row] = _docs(repo).to_dict("records")
    assert (row["status"], row["kind"], row["name"], row["line"]) == ("error", "MeshTCPRoute", "route", 7)
    assert row["reason"] == f'template markup in metadata.labels["kuma.io/mesh"] ({{{{ .Values.mesh }}}}), not loaded: {RENDER_HINT}'
    assert repo.policies.empty
    assert "{{ .Values.mesh }}" not in repo.content.meshes


def test_markup_that_breaks_the_yaml_says_so_with_the_parser_error(write, tmp_path):
    write("route.yaml", ROUTE.format(mesh="{{ .Values.mesh }}"))
    [row] = _docs(mra.load_repo(tmp_path)).to_dict("records")
    assert (row["status"], row["line"]) == ("error", 7)
    assert row["reason"].startswith("template markup ({{ .Values.mesh }}) in a document that is not valid YAML: ")
    assert "helm template CHART | meshroute audit -" in row["reason"]
    assert "kustomize build DIR | meshroute audit -" in row["reason"]
    assert "(YAML error: " in row["reason"]


def test_block_tags_are_markup_too_and_neighbours_still_load(write, tmp_path):
    write("docs.yaml", "{% if_version gte:2.6.x %}\n---\n" + ROUTE.format(mesh="default"))
    docs = _docs(mra.load_repo(tmp_path))
    assert list(docs.status) == ["error", "loaded"]
    assert docs.reason[0].startswith("template markup ({% if_version gte:2.6.x %})")


def test_markup_in_a_comment_changes_nothing(write, tmp_path):
    write("route.yaml", ROUTE.format(mesh="default # tell {{site.mesh_product_name}} which mesh"))
    repo = mra.load_repo(tmp_path)
    assert list(repo.documents.status) == ["loaded"]
    assert list(repo.policies.mesh) == ["default"]


def test_kumas_own_go_templates_are_data(write, tmp_path):
    write("vo.yaml", """\
        type: VirtualOutbound
        name: vo
        mesh: default
        selectors: [{match: {kuma.io/service: "*"}}]
        conf:
          host: "{{.svc}}.legacy.mesh"
          port: "8080"
          parameters: [{name: svc, tagKey: kuma.io/service}]
        ---
        type: HostnameGenerator
        name: hg
        spec:
          template: '{{ .DisplayName }}.ext.mesh.local'
        """)
    docs = _docs(mra.load_repo(tmp_path))
    assert list(docs.status) == ["skipped", "skipped"]
    assert not docs.reason.str.contains("template").any()


def test_kinds_not_read_count_markup_only_where_it_names_the_object(write, tmp_path):
    write("cm.yaml", """\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: dashboards}
        data:
          panel.json: '{"legendFormat": "{{instance}}"}'
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: "{{ .Release.Name }}-config"}
        """)
    docs = _docs(mra.load_repo(tmp_path))
    assert list(docs.status) == ["skipped", "error"]
    assert docs.reason[1].startswith("template markup in metadata.name ({{ .Release.Name }})")
    assert docs.line[1] == 9


def test_a_workload_with_markup_gives_no_proxy(write, tmp_path):
    write("app.yaml", """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 2
          template:
            metadata: {labels: {app: web}, annotations: {kuma.io/sidecar-injection: enabled}}
            spec:
              containers: [{name: web, image: "{{ .Values.image }}"}]
        """)
    repo = mra.load_repo(tmp_path)
    row = repo.documents.iloc[0]
    assert row.status == "error" and "spec.template.spec.containers[0].image" in row.reason and row.line == 9
    assert repo.dataplanes.empty


def test_one_list_item_with_markup_is_one_error_row(write, tmp_path):
    write("list.yaml", """\
        kind: List
        items:
        - type: MeshTCPRoute
          name: fine
          mesh: default
          spec: {targetRef: {kind: Mesh}}
        - type: MeshTCPRoute
          name: "{{ .Values.name }}"
          mesh: default
          spec: {targetRef: {kind: Mesh}}
        """)
    repo = mra.load_repo(tmp_path)
    docs = _docs(repo)
    assert list(docs.status) == ["loaded", "error"] and list(docs["item"]) == [0, 1]
    assert docs.line[1] == 8
    assert list(repo.policies.name) == ["fine"]


def test_audit_reports_it_as_unreadable_input_with_the_hint(write, tmp_path):
    write("route.yaml", ROUTE.format(mesh='"{{ .Values.mesh }}"'))
    out, err = io.StringIO(), io.StringIO()
    assert main(["audit", str(tmp_path)], stdout=out, stderr=err) == EXIT_INPUT
    assert "MRA001" in out.getvalue() and "helm template CHART | meshroute audit -" in out.getvalue()


def test_text_scan_skips_comments_but_not_quoted_hashes():
    assert markup_in_text("a: 1 # {{ x }}\nb: 2\n", 10) is None
    line, markup = markup_in_text("a: '#'{{ y }}\n", 10)
    assert (line, markup.token) == (10, "{{ y }}")


def test_field_paths_read_like_kumas():
    assert field_path(("spec", "to", 0, "targetRef", "name")) == "spec.to[0].targetRef.name"
    assert field_path(("metadata", "labels", "kuma.io/mesh")) == 'metadata.labels["kuma.io/mesh"]'
