"""Rules on small repositories written for the test, the findings frame and suppression."""

from __future__ import annotations

import warnings

import pytest

import meshroute_analysis as mra
from meshroute_analysis.audit import COLUMNS, audit
from meshroute_analysis.frames import FINDINGS
from meshroute_analysis.resolve import resolve

INVENTORY = """
type: Mesh
name: m
---
type: Dataplane
name: web-01
mesh: m
networking:
  address: 10.0.0.1
  inbound:
  - port: 80
    tags: {kuma.io/service: web, kuma.io/protocol: http, app: web}
  transparentProxying: {redirectPortInbound: 15006, redirectPortOutbound: 15001}
---
type: Dataplane
name: db-01
mesh: m
networking:
  address: 10.0.0.2
  inbound:
  - port: 5432
    tags: {kuma.io/service: db, kuma.io/protocol: tcp, version: v1}
---
type: Dataplane
name: rpc-01
mesh: m
networking:
  address: 10.0.0.3
  inbound:
  - port: 9000
    tags: {kuma.io/service: rpc, kuma.io/protocol: grpc}
"""


def _tcp(name: str, dest: str, refs: str, *, extra_meta: str = "", target: str = "{kind: MeshSubset, tags: {app: web}}") -> str:
    return f"""
type: MeshTCPRoute
name: {name}
mesh: m
{extra_meta}spec:
  targetRef: {target}
  to:
  - targetRef: {{kind: MeshService, name: {dest}}}
    rules:
    - default:
        backendRefs: {refs}
"""


@pytest.fixture
def repo_of(write, tmp_path):
    def _repo(*docs: str):
        write("inventory.yaml", INVENTORY)
        write("policies.yaml", "---\n".join(docs))
        return mra.load_repo(tmp_path)

    return _repo


def _codes(frame) -> list[str]:
    return sorted(frame["code"])


def test_empty_findings_keep_their_columns(repo_of) -> None:
    findings = audit(repo_of(_tcp("ok", "db", "[{kind: MeshService, name: db}]")))
    assert findings.empty
    assert tuple(findings.columns) == COLUMNS
    assert tuple(findings.columns[: len(FINDINGS)]) == FINDINGS


def test_given_resolution_and_repeated_runs_give_the_same_frame(repo_of) -> None:
    repo = repo_of(_tcp("zero", "db", "[{kind: MeshService, name: db, weight: 0}]"), _tcp("lone", "rpc", "[{kind: MeshService, name: db, weight: 7}]"))
    first = audit(repo)
    assert first.equals(audit(repo, resolve(repo)))
    assert first.equals(audit(repo))
    assert list(first["code"]) == sorted(first["code"]) or list(first["line"]) == sorted(first["line"])


def test_finding_points_at_file_line_field_and_pair(repo_of) -> None:
    findings = audit(repo_of(_tcp("to-grpc", "db", "[{kind: MeshService, name: db, weight: 50}, {kind: MeshService, name: rpc, weight: 50}]")))
    row = findings[findings["code"] == "MRA303"].iloc[0]
    assert row["severity"] == "error"
    assert row["policy"] == "MeshTCPRoute/to-grpc"
    # The line of the field itself (the flow list's line), not the document's first line.
    assert row["file"].endswith("policies.yaml") and row["line"] == 10
    assert row["path"] == "spec.to[0].rules[0].default.backendRefs[1]"
    assert row["pair"] == "web-01 -> db"
    assert "grpc" in row["message"] and "to-grpc" in row["message"]


def test_validation_gives_one_finding_per_violation(repo_of) -> None:
    repo = repo_of(_tcp("bad", "db", "[{kind: MeshServiceSubset}, {kind: Mesh, name: db}]"))
    findings = audit(repo)
    mra101 = findings[findings["code"] == "MRA101"]
    assert len(mra101) == len(repo.violations) >= 2
    assert set(mra101["path"]) == set(repo.violations["path"])


def test_all_zero_weights_and_lone_weight(repo_of) -> None:
    findings = audit(repo_of(
        _tcp("zero", "db", "[{kind: MeshService, name: db, weight: 0}]"),
        _tcp("lone", "rpc", "[{kind: MeshService, name: rpc, weight: 7}]"),
    ))
    assert {"MRA301", "MRA302"} <= set(findings["code"])
    assert "MRA304" not in set(findings["code"])  # the empty split is MRA301's, not reported twice


def test_trafficroute_with_zero_split_is_a_validation_finding(repo_of) -> None:
    tr = """
type: TrafficRoute
name: nowhere
mesh: m
sources: [{match: {kuma.io/service: web}}]
destinations: [{match: {kuma.io/service: db}}]
conf:
  split:
  - {weight: 0, destination: {kuma.io/service: db}}
"""
    findings = audit(repo_of(tr))
    # Kuma's TrafficRoute validator rejects it ("at least one split entry with weight above 0").
    row = findings[findings["code"] == "MRA101"].iloc[0]
    assert row["path"] == "conf.split"
    assert "MRA301" not in set(findings["code"])


def test_name_order_flip_on_kubernetes(write, tmp_path) -> None:
    write("inventory.yaml", INVENTORY.replace("name: m\n", "name: m\n", 1))
    k8s = """
apiVersion: kuma.io/v1alpha1
kind: MeshTCPRoute
metadata:
  name: {name}
  namespace: kuma-system
  labels: {{kuma.io/mesh: m}}
spec:
  targetRef: {{kind: MeshSubset, tags: {{app: web}}}}
  to:
  - targetRef: {{kind: MeshService, name: db}}
"""
    write("routes.yaml", k8s.format(name="route") + "---" + k8s.format(name="route-2"))
    findings = audit(mra.load_repo(tmp_path))
    row = findings[findings["code"] == "MRA503"].iloc[0]
    # On Kubernetes "route.kuma-system" sorts after "route-2.kuma-system": route wins, route-2 is dead.
    assert row["policy"] == "MeshTCPRoute/route.kuma-system"
    assert row["path"] == "metadata.name"
    dead = findings[findings["code"] == "MRA902"]
    assert list(dead["policy"]) == ["MeshTCPRoute/route-2.kuma-system"]


def test_skip_by_code_glob_and_unknown(repo_of) -> None:
    repo = repo_of(_tcp("zero", "db", "[{kind: MeshService, name: db, weight: 0}]"), _tcp("lone", "rpc", "[{kind: MeshService, name: rpc, weight: 7}]"))
    assert "MRA301" not in set(audit(repo, skip=["MRA301"])["code"])
    assert "MRA302" not in set(audit(repo, skip=["MRA302=lo*"])["code"])
    assert "MRA302" in set(audit(repo, skip=["MRA302=zero"])["code"])
    assert "MRA302" not in set(audit(repo, skip=["MRA302=MeshTCPRoute/lone"])["code"])
    everything = audit(repo, skip=["*"])
    assert everything.empty and everything.attrs["suppressed"] > 0
    with pytest.warns(UserWarning, match="MRA999"):
        audit(repo, skip=["MRA999"])


def test_skip_annotation_and_label(repo_of) -> None:
    annotated = _tcp("zero", "db", "[{kind: MeshService, name: db, weight: 0}]",
                     extra_meta='labels: {meshroute.io/skip: "MRA301, MRA999"}\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        findings = audit(repo_of(annotated))
    assert "MRA301" not in set(findings["code"])
    assert findings.attrs["suppressed"] >= 1


def test_mesh_without_inventory_says_so_and_skips_reference_checks(write, tmp_path) -> None:
    write("p.yaml", _tcp("r", "nowhere", "[{kind: MeshService, name: ghost}]").replace("mesh: m", "mesh: bare"))
    findings = audit(mra.load_repo(tmp_path))
    assert "MRA002" in set(findings["code"])
    assert not {"MRA201", "MRA202", "MRA204"} & set(findings["code"])


def test_mesh_filter(repo_of) -> None:
    repo = repo_of(_tcp("zero", "db", "[{kind: MeshService, name: db, weight: 0}]"))
    assert audit(repo, mesh="other").empty
    assert not audit(repo, mesh="m").empty


def test_one_validation_finding_per_field(repo_of) -> None:
    # An unknown kind fails the schema enum and the validator on the same field: one finding quoting both.
    findings = audit(repo_of(_tcp("odd", "db", "[{kind: MeshService, name: db}]", target="{kind: Dataplane}")))
    rows = findings[(findings["code"] == "MRA101") & (findings["path"] == "spec.targetRef.kind")]
    assert len(rows) == 1
    assert "in body should be one of" in rows.iloc[0]["message"] and "value is not supported" in rows.iloc[0]["message"]


# ------------------------------------------------------------------ found by a review of the rules


def _http(name: str, dest: str, refs: str, path: str = "/") -> str:
    return f"""
type: MeshHTTPRoute
name: {name}
mesh: m
spec:
  targetRef: {{kind: MeshSubset, tags: {{app: web}}}}
  to:
  - targetRef: {{kind: MeshService, name: {dest}}}
    rules:
    - matches: [{{path: {{type: PathPrefix, value: {path}}}}}]
      default: {{backendRefs: {refs}}}
"""


def test_weight_zero_backends_break_nothing_and_fail_nothing(repo_of) -> None:
    # makeSplit skips weight-0 refs before anything else: no protocol refusal, no cluster, no lone-weight split.
    refs = "[{kind: MeshService, name: db, weight: 3}, {kind: MeshService, name: rpc, weight: 0}, " \
           "{kind: MeshService, name: nosuch, weight: 0}, {kind: MeshServiceSubset, name: db, tags: {version: v9}, weight: 0}]"
    codes = _codes(audit(repo_of(_tcp("zeros", "db", refs))))
    assert "MRA303" not in codes and "MRA201" not in codes and "MRA203" not in codes
    assert codes.count("MRA302") == 1  # the weight 3 is alone in the split


def test_trafficroute_listener_never_built_is_not_taken_over(repo_of) -> None:
    # web has a MeshHTTPRoute rule, so the generator skips web's http outbounds before MeshTCPRoute runs.
    tr = """
type: TrafficRoute
name: legacy-web
mesh: m
sources: [{match: {kuma.io/service: web}}]
destinations: [{match: {kuma.io/service: web}}]
conf: {destination: {kuma.io/service: web}}
"""
    findings = audit(repo_of(tr, _http("h", "db", "[{kind: MeshService, name: db}]"), _tcp("t", "web", "[{kind: MeshService, name: web}]")))
    assert "MRA402" not in _codes(findings)


def test_http_route_is_live_when_it_only_activates_the_catch_all(repo_of) -> None:
    # Its only entry names a grpc destination (TrafficRoute keeps it), but applying to web-01 hands web's
    # http outbounds to the MeshHTTPRoute catch-all: the policy changes traffic, the entry does not.
    findings = audit(repo_of(_http("grpc-only", "rpc", "[{kind: MeshService, name: rpc}]")))
    codes = _codes(findings)
    assert "MRA902" not in codes and codes.count("MRA903") == 1


def test_http_route_that_drops_every_route_is_not_dead_and_reported_once(repo_of) -> None:
    findings = audit(repo_of(_http("zero", "web", "[{kind: MeshService, name: web, weight: 0}]")))
    codes = _codes(findings)
    assert "MRA301" in codes and "MRA902" not in codes and "MRA304" not in codes


def test_no_liveness_verdicts_without_inventory(write, tmp_path) -> None:
    write("p.yaml", _tcp("all", "db", "[{kind: MeshService, name: db}]", target="{kind: Mesh}") + "---\n"
          + _tcp("web-only", "db", "[{kind: MeshServiceSubset, name: db, tags: {version: v2}}]"))
    write("es.yaml", "type: ExternalService\nname: ext\nmesh: m\nnetworking: {address: example.com:443}\ntags: {kuma.io/service: ext}\n")
    codes = _codes(audit(mra.load_repo(tmp_path)))
    # ExternalServices alone are no inventory of proxies: MRA002, and no verdicts resting on inferred proxies.
    assert "MRA002" in codes
    assert not {"MRA902", "MRA903", "MRA204"} & set(codes)


def test_subsets_of_external_services_are_not_filtered(repo_of) -> None:
    es = "type: ExternalService\nname: ext\nmesh: m\nnetworking: {address: example.com:443}\ntags: {kuma.io/service: ext, kuma.io/protocol: tcp}\n"
    refs = "[{kind: MeshServiceSubset, name: ext, tags: {version: v2}, weight: 1}, {kind: MeshService, name: db, weight: 1}]"
    assert "MRA203" not in _codes(audit(repo_of(es, _tcp("to-ext", "db", refs))))


# ---------------------------------------------------------------------------------- issue 8 and 16


def test_proxies_kuma_cannot_build_get_one_error_per_causing_policy(repo_of) -> None:
    broken = """
type: MeshHTTPRoute
name: redirect-then-mirror
mesh: m
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: MeshService, name: web}
    rules:
    - matches: [{path: {type: PathPrefix, value: /}}]
      default:
        filters:
        - {type: RequestRedirect, requestRedirect: {statusCode: 301}}
        - {type: URLRewrite, urlRewrite: {hostname: example.com}}
"""
    findings = audit(repo_of(broken))
    hits = findings[findings["code"] == "MRA305"]
    assert len(hits) == 1 and hits.iloc[0]["severity"] == "error"
    assert hits.iloc[0]["policy"] == "MeshHTTPRoute/redirect-then-mirror"
    # Every proxy is selected (targetRef Mesh), but only web-01 (transparent) has an outbound to web.
    assert "1 proxy (web-01)" in hits.iloc[0]["message"] and "Kuma 2.5" in hits.iloc[0]["message"]


def test_trafficroutes_tied_on_rank_are_reported_and_neither_is_called_dead(repo_of) -> None:
    route = """
type: TrafficRoute
name: {name}
mesh: m
sources: [{{match: {{kuma.io/service: web}}}}]
destinations: [{{match: {{kuma.io/service: db}}}}]
conf: {{destination: {{kuma.io/service: db}}}}
"""
    findings = audit(repo_of(route.format(name="first"), route.format(name="second")))
    ties = findings[findings["code"] == "MRA504"]
    assert sorted(ties["policy"]) == ["TrafficRoute/first", "TrafficRoute/second"]
    assert all("first" in m and "second" in m and "created later" in m for m in ties["message"])
    assert not (findings["code"] == "MRA902").any()


def test_workloads_without_a_sidecar_are_reported_by_severity(write, tmp_path) -> None:
    write("k8s.yaml", """
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {kuma.io/sidecar-injection: "true"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec: {template: {metadata: {labels: {app: cart, kuma.io/sidecar-injection: "on"}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: mailer, namespace: elsewhere}
spec: {template: {metadata: {labels: {app: mailer}}}}
""")
    findings = audit(mra.load_repo(tmp_path))
    by_code = {c: list(findings[findings["code"] == c]["message"]) for c in ("MRA003", "MRA004", "MRA005")}
    assert len(by_code["MRA003"]) == 1 and "cart" in by_code["MRA003"][0]
    assert len(by_code["MRA004"]) == 1 and "web" in by_code["MRA004"][0] and "'enabled'" in by_code["MRA004"][0]
    assert len(by_code["MRA005"]) == 1 and "mailer" in by_code["MRA005"][0]
    assert not (findings["code"] == "MRA002").any()


LEGACY_ESTATE = """
apiVersion: kuma.io/v1alpha1
kind: FaultInjection
mesh: m
metadata: {name: fi}
spec: {}
---
type: HealthCheck
name: hc
mesh: m
---
type: RateLimit
name: rl
mesh: m
---
type: TrafficTrace
name: tt
mesh: m
---
type: TrafficLog
name: tl
mesh: m
---
type: ProxyTemplate
name: pt
mesh: m
---
type: VirtualOutbound
name: vo
mesh: m
---
type: TrafficPermission
name: tp
mesh: m
sources: [{match: {kuma.io/service: "*"}}]
destinations: [{match: {kuma.io/service: "*"}}]
---
type: TrafficRoute
name: tr
mesh: m
sources: [{match: {kuma.io/service: "*"}}]
destinations: [{match: {kuma.io/service: "*"}}]
conf: {destination: {kuma.io/service: "*"}}
"""


def test_legacy_policies_are_told_their_own_successor(repo_of) -> None:
    findings = audit(repo_of(INVENTORY, LEGACY_ESTATE))
    legacy = findings[findings["code"] == "MRA901"].set_index("policy")
    assert legacy.loc["FaultInjection/fi", "message"] == "FaultInjection/fi is a legacy FaultInjection: replace it with MeshFaultInjection"
    assert legacy.loc["FaultInjection/fi", "path"] == "kind"
    for key, successor in [("HealthCheck/hc", "MeshHealthCheck"), ("RateLimit/rl", "MeshRateLimit"),
                           ("TrafficTrace/tt", "MeshTrace"), ("TrafficLog/tl", "MeshAccessLog"),
                           ("ProxyTemplate/pt", "MeshProxyPatch"), ("TrafficPermission/tp", "MeshTrafficPermission")]:
        assert legacy.loc[key, "message"].endswith(f": replace it with {successor}"), key
        assert legacy.loc[key, "path"] == "type" and legacy.loc[key, "line"] > 0
    assert "2.5 has no successor" in legacy.loc["VirtualOutbound/vo", "message"]
    # The TrafficRoute moves last, and says where each policy that depends on it goes.
    tr = legacy.loc["TrafficRoute/tr", "message"]
    assert "FaultInjection fi to MeshFaultInjection" in tr and "TrafficTrace tt to MeshTrace" in tr
    assert "HealthCheck hc to MeshHealthCheck" in tr and "TrafficLog tl to MeshAccessLog" in tr
    assert "MeshRetry/MeshTimeout" not in tr  # not a list of every successor, whatever the kinds present
    assert legacy.loc["TrafficRoute/tr", "mesh"] == "m"


def test_legacy_documents_skip_by_glob(repo_of) -> None:
    findings = audit(repo_of(INVENTORY, LEGACY_ESTATE), skip=["MRA901=HealthCheck/*"])
    assert "HealthCheck/hc" not in set(findings[findings["code"] == "MRA901"]["policy"])
    assert "RateLimit/rl" in set(findings[findings["code"] == "MRA901"]["policy"])


def test_a_repository_written_for_a_newer_kuma_gets_one_headline_finding(repo_of) -> None:
    gateway_route = """
type: MeshTCPRoute
name: on-the-gateway
mesh: m
spec:
  targetRef: {kind: MeshGateway, name: edge}
  to:
  - targetRef: {kind: Mesh}
    rules: [{default: {backendRefs: [{kind: MeshService, name: db, weight: 1}]}}]
"""
    repo = repo_of(gateway_route)
    on_25 = audit(repo, kuma_version="2.5")
    headline = on_25[on_25["code"] == "MRA505"]
    assert len(headline) == 1 and "accepted by Kuma 2.6" in headline.iloc[0]["message"]
    assert "--kuma-version 2.6" in headline.iloc[0]["message"]
    # Read as 2.7, the same policy is valid: no headline, no validation finding.
    on_27 = audit(repo, kuma_version="2.7")
    assert not on_27["code"].isin(["MRA505", "MRA101", "MRA501"]).any()
