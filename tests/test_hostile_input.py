"""Hostile input (issue #14): each case is a minimal repository of its own.  Whatever is wrong with one
document is one clear row (file, line, reason), its neighbours load, nothing crashes, and values are
read as Kuma reads them (sigs.k8s.io/yaml: go-yaml v2, then JSON)."""

from __future__ import annotations

import pytest

import meshroute_analysis as mra
from meshroute_analysis.io import yamldocs

GOOD = "type: MeshTCPRoute\nname: good\nmesh: default\nspec:\n  targetRef: {kind: Mesh}\n"


def _route(weights: str, kind: str = "MeshTCPRoute") -> str:
    return (f"type: {kind}\nname: r\nmesh: default\nspec:\n  targetRef: {{kind: Mesh}}\n  to:\n"
            "  - targetRef: {kind: MeshService, name: b}\n    rules:\n    - default:\n        backendRefs:\n" + weights)


def _load(write, tmp_path, text: str | bytes, name: str = "f.yaml"):
    write(name, text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return mra.load_repo(tmp_path)


def _rows(repo) -> list[tuple[str, int, str]]:
    docs = repo.documents
    return list(zip(docs.status, docs.line, docs.reason.fillna(""), strict=True))


def _whole_run(repo) -> None:
    res = mra.resolve(repo)
    mra.audit(repo, res)


# ------------------------------------------------------------------------------------------ crashes


@pytest.mark.parametrize("head", ["kind: [a]\n", "type: {a: 1}\n", "apiVersion: kuma.io/v1alpha1\nkind: {a: 1}\nmetadata: {name: x}\n"])
def test_non_scalar_kind_or_type_is_an_invalid_row(write, tmp_path, head):
    repo = _load(write, tmp_path, head + "---\n" + GOOD)
    rows = _rows(repo)
    assert [r[0] for r in rows] == ["invalid", "loaded"]
    assert "must be" in rows[0][2]
    _whole_run(repo)


@pytest.mark.parametrize(
    ("value", "message"),
    [("!!bool maybe", "cannot decode !!str `maybe` as a !!bool"), ("!!float x", "cannot decode !!str `x` as a !!float"),
     ("!!int ''", "cannot decode !!null `` as a !!int"), ("!!timestamp x", "cannot decode !!str `x` as a !!timestamp")],
)
def test_tagged_value_that_does_not_fit_is_an_error_row(write, tmp_path, value, message):
    repo = _load(write, tmp_path, f"a: 1\nb: {value}\n---\n" + GOOD)
    assert _rows(repo)[0] == ("error", 2, f"YAML error: {message}")
    assert list(repo.policies.name) == ["good"]


@pytest.mark.parametrize("plain", ["2024-02-30", "1" * 4301])
def test_values_pyyaml_cannot_build_are_strings_as_in_kuma(write, tmp_path, plain):
    repo = _load(write, tmp_path, GOOD.replace("name: good", f"name: good\nlabels: {{x: {plain}}}"))
    assert _rows(repo)[0][0] == "loaded"
    assert repo.content.policies[0].resource.labels == (("x", plain),)


def test_httproute_matches_with_keys_of_mixed_types(write, tmp_path):
    text = _route("        - {kind: MeshService, name: b}\n", kind="MeshHTTPRoute").replace(
        "    - default:", "    - matches:\n      - {1: a, path: {type: Prefix, value: /}}\n      default:")
    repo = _load(write, tmp_path, text)
    _whole_run(repo)


@pytest.mark.parametrize("matches", ["matches: &m\n      - path: *m", 'matches: &m [{"path":*m}]'])
def test_self_referencing_alias_is_an_error_row(write, tmp_path, matches):
    text = _route("        - {kind: MeshService, name: b}\n", kind="MeshHTTPRoute").replace("    - default:", f"    - {matches}\n      default:")
    repo = _load(write, tmp_path, text + "---\n" + GOOD)
    rows = _rows(repo)
    assert rows[0][0] == "error" and "refers to a node that contains it" in rows[0][2]
    assert rows[1][0] == "loaded"
    _whole_run(repo)


# ------------------------------------------------------------------------------------------ unbounded


def _flow_bomb(levels: int, anchor: str = "b") -> str:
    # Flow style with no blank before '*' ({"k":*a}) passed the old textual alias test.
    lines = [f'a0: &{anchor}0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &{anchor}{i} {{" + ",".join(f'"k{j}":*{anchor}{i - 1}' for j in range(10)) + "}")
    return "\n".join(lines) + "\n"


def test_flow_style_alias_bomb_is_refused(write, tmp_path):
    repo = _load(write, tmp_path, _flow_bomb(12) + "---\n" + GOOD)
    rows = _rows(repo)
    assert rows[0][0] == "error" and "aliases expand to more than" in rows[0][2]
    assert rows[1][0] == "loaded"


def test_alias_budget_is_per_file_and_per_repository(write, tmp_path):
    just_under = _flow_bomb(6)  # about 1.1 million nodes once expanded
    assert yamldocs.MAX_NODES / 2 < 1_111_112 < yamldocs.MAX_NODES
    write("a.yaml", "---\n".join([just_under] * 3))
    for i in range(10):
        write(f"b{i}.yaml", just_under)
    repo = mra.load_repo(tmp_path)
    reasons = list(repo.documents.reason.fillna(""))
    assert sum("of this file" in r for r in reasons) == 2  # a.yaml: the first document fits, the other two do not
    assert sum("of the repository" in r for r in reasons) >= 1
    assert sum("aliases" not in r for r in reasons) <= yamldocs.MAX_REPO_NODES // 1_111_111


# ------------------------------------------------------------------------------------------ lost or invented


@pytest.mark.parametrize("brk", ["\r", "\x85", "\u2028", "\u2029", "\r\n"])
def test_every_yaml_line_break_separates_documents(write, tmp_path, brk):
    text = (GOOD + "---\nbroken: [\n---\n" + GOOD.replace("good", "g2")).replace("\n", brk)
    repo = _load(write, tmp_path, text)
    rows = _rows(repo)
    assert [(s, line) for s, line, _ in rows] == [("loaded", 1), ("error", 7), ("loaded", 9)]
    assert list(repo.policies.name) == ["good", "g2"]


@pytest.mark.parametrize("prefix", ["%YAML 1.1\n", "%TAG !e! tag:example.com,2000:\n", "# c\n%YAML 1.1\n"])
def test_directives_belong_to_the_document_they_precede(write, tmp_path, prefix):
    for broken in ("", "---\nbroken: [\n"):  # read in one pass, and document by document
        repo = _load(write, tmp_path, prefix + "---\n" + GOOD + broken)
        rows = _rows(repo)
        assert rows[0] == ("loaded", prefix.count("\n") + 2, "")
        assert len(rows) == (2 if broken else 1)


@pytest.mark.parametrize("version", ["2.0", "1.2"])
def test_yaml_version_other_than_1_1_is_an_error_row(write, tmp_path, version):
    repo = _load(write, tmp_path, f"%YAML {version}\n---\n" + GOOD + "---\n" + GOOD.replace("good", "g2"))
    rows = _rows(repo)
    assert len(rows) == 2
    assert rows[0][0] == "error" and f"%YAML {version}" in rows[0][2]
    assert list(repo.policies.name) == ["g2"]


@pytest.mark.parametrize("doc", ["--- !!null ''\n", "--- ~\n", "--- null\n"])
def test_explicit_null_document_is_a_row(write, tmp_path, doc):
    repo = _load(write, tmp_path, doc + "---\n# only a comment\n---\n" + GOOD)
    rows = _rows(repo)
    assert [r[0] for r in rows] == ["skipped", "loaded"]
    assert rows[0][1] == 1 and "not a resource" in rows[0][2]


def test_nul_byte_breaks_only_its_document(write, tmp_path):
    repo = _load(write, tmp_path, GOOD + "---\nname: \x00\n---\n" + GOOD.replace("good", "g2"))
    rows = _rows(repo)
    assert rows[1] == ("error", 7, "binary file content (a NUL byte) at line 7, not YAML")
    assert list(repo.policies.name) == ["good", "g2"]


def test_json_with_an_escaped_surrogate_pair_loads(write, tmp_path):
    text = '{"type": "MeshTCPRoute", "name": "r", "mesh": "default", "labels": {"note": "\\ud83d\\ude00"}, "spec": {"targetRef": {"kind": "Mesh"}}}\n'
    repo = _load(write, tmp_path, text, "r.json")
    assert _rows(repo)[0][0] == "loaded"
    assert dict(repo.content.policies[0].resource.labels)["note"] == "\U0001f600"


def test_lone_escaped_surrogate_is_an_error_row(write, tmp_path):
    repo = _load(write, tmp_path, '{"type": "MeshTCPRoute", "name": "\\ud83d"}\n', "r.json")
    assert _rows(repo)[0][0] == "error" and "surrogate" in _rows(repo)[0][2]


# ------------------------------------------------------------------------------------------ wrong answers


def test_float_weight_is_what_kuma_reads(write, tmp_path):
    # Kuma's schema says integer (2.5.11:pkg/plugins/policies/meshtcproute/api/v1alpha1/schema.yaml); YAML 90.0
    # reaches it as JSON 90 (sigs.k8s.io/yaml), so it is weight 90.  90.5 is no integer: refused.
    repo = _load(write, tmp_path, _route("        - {kind: MeshService, name: b, weight: 90.0}\n"
                                         "        - {kind: MeshService, name: c, weight: 10}\n"))
    assert repo.backends.weight.tolist() == [90, 10] and repo.backends.share.tolist() == [0.9, 0.1]
    assert repo.violations.empty
    repo = _load(write, tmp_path, _route("        - {kind: MeshService, name: b, weight: 90.5}\n"))
    assert repo.violations.path.tolist() == ["spec.to[0].rules[0].default.backendRefs[0].weight"]


def test_sexagesimal_and_exponent_weights_are_what_kuma_reads(write, tmp_path):
    repo = _load(write, tmp_path, _route("        - {kind: MeshService, name: b, weight: 1:20}\n"
                                         "        - {kind: MeshService, name: c, weight: 1e3}\n"))
    # go-yaml v2 has no base 60: "1:20" is a string, refused; 1e3 is a float64, JSON 1000.
    assert repo.violations.path.tolist() == ["spec.to[0].rules[0].default.backendRefs[0].weight"]
    assert repo.backends.weight.tolist()[1] == 1000


def test_duplicate_keys_are_an_error_row_naming_each_line(write, tmp_path):
    repo = _load(write, tmp_path, GOOD + "name: other\n---\n" + GOOD.replace("good", "g2"))
    rows = _rows(repo)
    assert rows[0][0] == "error" and rows[0][1] == 6
    assert "duplicate key 'name' (name) at lines 2, 6" in rows[0][2]
    assert list(repo.policies.name) == ["g2"]


def test_duplicate_nested_key_names_its_field_path(write, tmp_path):
    text = "apiVersion: kuma.io/v1alpha1\nkind: MeshTCPRoute\nmetadata:\n  name: a\n  namespace: kuma-system\n  name: b\nspec: {}\n"
    rows = _rows(_load(write, tmp_path, text))
    assert rows[0][:2] == ("error", 6) and "(metadata.name) at lines 4, 6" in rows[0][2]


def test_merge_keys_overriding_are_not_duplicates(write, tmp_path):
    text = "base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n"
    assert _rows(_load(write, tmp_path, text))[0][0] == "skipped"


def test_a_hundred_million_replicas_are_counted_not_built(write, tmp_path):
    write("k8s.yaml", """
        apiVersion: v1
        kind: Namespace
        metadata: {name: app, labels: {kuma.io/sidecar-injection: enabled}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: app}
        spec:
          replicas: 100000000
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: app}
        spec: {selector: {app: web}, ports: [{port: 80, targetPort: 80}]}
        """)
    repo = mra.load_repo(tmp_path)
    assert repo.workloads.replicas.tolist() == [100_000_000]
    assert len(repo.dataplanes) == 1000  # inventory.kubernetes.MAX_MODELLED_REPLICAS
    res = mra.resolve(repo)
    assert set(res.routes.proxies) == {100_000_000}


def test_a_file_of_broken_documents_is_read_up_to_a_bound(write, tmp_path):
    n = yamldocs.MAX_UNREADABLE_PER_FILE
    repo = _load(write, tmp_path, GOOD + "---\n" + "broken: [\n---\n" * (n + 5) + GOOD.replace("good", "late"))
    docs = repo.documents
    assert len(docs) == n + 2 and (docs.status == "error").sum() == n + 1
    last = docs.iloc[-1]
    assert last.reason.startswith(f"more than {n:,} documents of this file could not be read") and "6 more '---' parts" in last.reason
    assert list(repo.policies.name) == ["good"]
