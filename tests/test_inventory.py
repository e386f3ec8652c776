"""Inventory: proxies and services from Dataplanes, Kubernetes workloads, ExternalServices, policies."""

from __future__ import annotations

import meshroute_analysis as mra

NAMESPACE = """
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    kuma.io/sidecar-injection: enabled
"""


def _deployment(name: str, labels: str, replicas: int = 1, namespace: str = "shop") -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  replicas: {replicas}
  template:
    metadata:
      labels: {labels}
"""


def _service(name: str, selector: str, port: int, extra: str = "", annotations: str = "{}", namespace: str = "shop") -> str:
    return f"""
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}, annotations: {annotations}}}
spec:
  selector: {selector}
  ports:
  - port: {port}
{extra}"""


def _load(write, tmp_path, *docs: str):
    write("repo.yaml", "\n---\n".join(d.strip("\n") for d in docs) + "\n")
    return mra.load_repo(tmp_path)


def test_workload_replicas_become_proxies_with_kuma_service_tags(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _deployment("backend-v1", "{app: backend, version: v1, kuma.io/ignored: x}", replicas=3),
        _service("backend", "{app: backend}", 3001, "    appProtocol: http"),
    )  # fmt: skip
    proxies = repo.dataplanes
    assert list(proxies["name"]) == ["backend-v1-0.shop", "backend-v1-1.shop", "backend-v1-2.shop"]
    assert set(proxies.group) == {"backend-v1.shop"}
    tags = proxies.iloc[0].tags
    assert tags["kuma.io/service"] == "backend_shop_svc_3001"
    assert tags["kuma.io/protocol"] == "http"
    assert tags["version"] == "v1" and "kuma.io/ignored" not in tags
    assert tags["k8s.kuma.io/service-port"] == "3001"
    service = repo.services.set_index("service").loc["backend_shop_svc_3001"]
    assert (service.protocol, service.declared_protocol, service.inferred) == ("http", "http", False)


def test_protocol_annotation_is_taken_verbatim_and_unrecognised_app_protocol_ignored(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _deployment("db", "{app: db}"),
        _service("db", "{app: db}", 5432, annotations="{5432.service.kuma.io/protocol: mongo}"),
        _deployment("api", "{app: api}"),
        _service("api", "{app: api}", 80, "    appProtocol: kubernetes.io/h2c", annotations="{80.service.kuma.io/protocol: HTTP2}"),
    )  # fmt: skip
    services = repo.services.set_index("service")
    # "mongo" is no protocol Kuma knows: the tag carries it and the service is unknown (§1.4).
    assert services.loc["db_shop_svc_5432"].protocol == "unknown"
    assert services.loc["api_shop_svc_80"].protocol == "http2"


def test_pod_without_service_and_namespace_without_injection(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _deployment("worker", "{app: worker}"),
        _deployment("outside", "{app: outside}", namespace="plain"),
    )  # fmt: skip
    proxies = repo.dataplanes
    assert list(proxies["name"]) == ["worker-0.shop"]
    assert proxies.iloc[0].tags["kuma.io/service"] == "worker_shop_svc"
    assert proxies.iloc[0].tags["kuma.io/protocol"] == "tcp"


def test_dataplane_inbound_states_decide_endpoints_and_protocols_fold(write, tmp_path):
    repo = _load(
        write, tmp_path,
        """
type: Dataplane
name: a
mesh: default
networking:
  address: 10.0.0.1
  inbound:
  - {port: 1, tags: {kuma.io/service: mixed, kuma.io/protocol: http}}
  - {port: 2, tags: {kuma.io/service: mixed, kuma.io/protocol: http2}}
  - {port: 3, state: NotReady, tags: {kuma.io/service: mixed, kuma.io/protocol: kafka}}
  - {port: 4, health: {ready: false}, tags: {kuma.io/service: mixed}}
  - {port: 5, state: Ignored, tags: {kuma.io/service: ignored, kuma.io/protocol: tcp}}
  outbound:
  - {port: 10001, tags: {kuma.io/service: mixed}}
""",
        """
type: ExternalService
name: httpbin
mesh: default
tags: {kuma.io/service: httpbin, kuma.io/protocol: http}
networking: {address: httpbin.org:80}
""",
    )  # fmt: skip
    services = repo.services.set_index("service")
    # http + http2 meet at tcp; the NotReady and unhealthy inbounds are no endpoints (§5).
    assert services.loc["mixed"].protocol == "tcp"
    assert services.loc["mixed"].endpoints == 2
    assert "ignored" not in services.index
    assert services.loc["httpbin"].external and services.loc["httpbin"].protocol == "http"
    proxy = repo.dataplanes.iloc[0]
    assert proxy.outbounds == ("mixed",) and proxy.origin == "dataplane" and not proxy.transparent


def test_policy_only_repository_infers_services_and_proxies(write, tmp_path):
    repo = _load(
        write, tmp_path,
        """
type: MeshTCPRoute
name: r
mesh: default
spec:
  targetRef: {kind: MeshSubset, tags: {app: frontend}}
  to:
  - targetRef: {kind: MeshService, name: backend}
    rules:
    - default:
        backendRefs:
        - {kind: MeshService, name: other}
""",
    )  # fmt: skip
    services = repo.services.set_index("service")
    assert set(services.index) == {"backend", "other"}
    assert services.inferred.all() and (services.protocol == "unknown").all()
    assert services.loc["backend"].protocol_source.startswith("no inventory")
    proxies = repo.dataplanes
    assert list(proxies["name"]) == ["inferred/app=frontend"]
    assert proxies.iloc[0].origin == "inferred"


def test_inferred_proxies_only_where_a_mesh_has_no_inventory(write, tmp_path):
    repo = _load(
        write, tmp_path,
        "type: Dataplane\nname: real\nmesh: default\nnetworking: {address: 1.1.1.1, inbound: [{port: 1, tags: {kuma.io/service: web}}]}",
        "type: MeshTCPRoute\nname: r\nmesh: default\nspec: {targetRef: {kind: MeshService, name: ghost}}",
    )  # fmt: skip
    assert list(repo.dataplanes["name"]) == ["real"]
