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


# ------------------------------------------------------------------ Kubernetes details read from Kuma 2.5.11
# (pod_converter.go, inbound_converter.go, injector.go, util.go; found by a review against the source)


def _pod_deployment(name: str, labels: str, *, annotations: str = "{}", replicas: int = 1, ports: str = "[]") -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop}}
spec:
  replicas: {replicas}
  template:
    metadata:
      labels: {labels}
      annotations: {annotations}
    spec:
      containers: [{{name: app, image: x, ports: {ports}}}]
"""


def test_no_replicas_means_no_endpoints(write, tmp_path):
    repo = _load(write, tmp_path, NAMESPACE, _deployment("db", "{app: db}", replicas=0), _service("db", "{app: db}", 5432))
    assert repo.dataplanes.empty
    assert "db_shop_svc_5432" not in set(repo.services.service)


def test_ignored_services_and_unmappable_ports_give_no_inbound(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _pod_deployment("web", "{app: web}", ports="[{name: grpc, containerPort: 9000}]"),
        _service("web", "{app: web}", 80, "    targetPort: http"),  # names no container port
        _service("hidden", "{app: web}", 81, annotations='{kuma.io/ignore: "true"}'),
        _pod_deployment("api", "{app: api}", ports="[{name: http, containerPort: 8080}]"),
        _service("api", "{app: api}", 80, "    targetPort: http"),
    )  # fmt: skip
    # web: a Service selects it but none of its ports maps to a container, so Kuma makes no Dataplane.
    assert list(repo.dataplanes["name"]) == ["api-0.shop"]
    assert repo.dataplanes.iloc[0].tags["kuma.io/service"] == "api_shop_svc_80"
    assert "hidden_shop_svc_81" not in set(repo.services.service)


def test_serviceless_pod_keeps_every_label_and_the_namespace(write, tmp_path):
    repo = _load(write, tmp_path, NAMESPACE, _pod_deployment("job", "{app: job, team.kuma.io/owner: ops, empty: ''}"))
    tags = repo.dataplanes.iloc[0].tags
    # InboundTagsForPod also tags the pod with its own name (kuma.io/instance).
    assert tags == {"app": "job", "team.kuma.io/owner": "ops", "k8s.kuma.io/namespace": "shop",
                    "kuma.io/service": "job_shop_svc", "kuma.io/protocol": "tcp", "kuma.io/instance": "job-0"}  # fmt: skip


def test_injection_from_labels_and_mesh_from_annotations(write, tmp_path):
    labelled_mesh = """
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {kuma.io/sidecar-injection: enabled, kuma.io/mesh: ignored-label}
  annotations: {kuma.io/mesh: payments}
"""
    annotated_only = """
apiVersion: v1
kind: Namespace
metadata: {name: plain, annotations: {kuma.io/sidecar-injection: enabled}}
"""
    repo = _load(
        write, tmp_path, labelled_mesh, annotated_only,
        _pod_deployment("web", "{app: web}"),
        _pod_deployment("own", "{app: own}", annotations="{kuma.io/mesh: other}"),
        _pod_deployment("off", "{app: off, kuma.io/sidecar-injection: disabled}"),
        _deployment("job", "{app: job}", namespace="plain"),
    )  # fmt: skip
    meshes = dict(zip(repo.dataplanes["name"], repo.dataplanes["mesh"], strict=True))
    assert meshes == {"web-0.shop": "payments", "own-0.shop": "other"}


def test_gateway_pods_reachable_services_and_empty_protocol_annotation(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _pod_deployment("kong", "{app: kong}", annotations="{kuma.io/gateway: enabled}"),
        _service("kong", "{app: kong}", 80, "    appProtocol: http"),
        _pod_deployment("web", "{app: web}", annotations='{kuma.io/transparent-proxying-reachable-services: "db_shop_svc_5432"}'),
        _pod_deployment("db", "{app: db}"),
        _service("db", "{app: db}", 5432, annotations='{"5432.service.kuma.io/protocol": ""}'),
    )  # fmt: skip
    proxies = repo.dataplanes.set_index("name")
    assert proxies.loc["kong-0.shop", "inbounds"] == ()  # a delegated gateway: no inbounds
    assert "kong_shop_svc_80" not in set(repo.services.service)  # and no endpoints
    # reachable-services narrows the virtual outbounds (outbounds stays None: a transparent proxy).
    assert proxies.loc["web-0.shop", "outbounds"] is None
    assert proxies.loc["web-0.shop", "reachable"] == ("db_shop_svc_5432",)
    assert repo.services.set_index("service").loc["db_shop_svc_5432"].protocol == "tcp"


def test_transparent_proxy_keeps_its_listed_outbounds_and_sees_not_ready_services(write, tmp_path):
    repo = _load(
        write, tmp_path,
        """
type: Dataplane
name: web
mesh: default
networking:
  address: 10.0.0.1
  inbound: [{port: 80, tags: {kuma.io/service: web}}]
  outbound: [{port: 10001, tags: {kuma.io/service: legacy-db}}]
  transparentProxying: {redirectPortInbound: 15006, redirectPortOutbound: 15001}
""",
        """
type: Dataplane
name: starting
mesh: default
networking:
  address: 10.0.0.2
  inbound: [{port: 80, state: NotReady, tags: {kuma.io/service: starting, kuma.io/protocol: http}}]
""",
        """
type: Dataplane
name: edge
mesh: default
networking: {address: 10.0.0.3, gateway: {type: DELEGATED, tags: {kuma.io/service: edge}}}
""",
    )  # fmt: skip
    services = repo.services.set_index("service")
    assert services.loc["starting"].endpoints == 0 and services.loc["starting"].protocol == "unknown"
    assert "edge" not in services.index  # a delegated gateway is no endpoint and gets no virtual outbound
    res = mra.resolve(repo)
    destinations = set(res.routes[res.routes.source == "web"].destination)
    assert destinations == {"web", "starting", "legacy-db"}


# ------------------------------------------------------------------ issue 8: Kubernetes inventory against 2.5.11
# (util.go Ignored/FindServices, inbound_converter.go, annotations.go GetList/GetEnabled, injector.go needInject,
# pod_converter.go dataplaneFor, the Helm chart's webhooks, the CRDs' scope)


def _namespace(name: str, labels: str = "{}", annotations: str = "{}") -> str:
    return f"""
apiVersion: v1
kind: Namespace
metadata: {{name: {name}, labels: {labels}, annotations: {annotations}}}
"""


def test_kuma_ignore_counts_as_set_for_enabled_as_well_as_true(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _deployment("web", "{app: web}"),
        _service("web", "{app: web}", 80, annotations="{kuma.io/ignore: enabled}"),
        _service("alias", "{app: web}", 81, annotations='{kuma.io/ignore: "false"}'),
    )  # fmt: skip
    assert repo.dataplanes.iloc[0].tags["kuma.io/service"] == "alias_shop_svc_81"
    assert "web_shop_svc_80" not in set(repo.services.service)


def test_delegated_gateway_takes_the_first_service_in_name_order_and_keeps_tcp(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _pod_deployment("kong", "{app: kong}", annotations="{kuma.io/gateway: enabled}"),
        _service("zz-kong", "{app: kong}", 80, "    appProtocol: http"),  # first in the file
        _service("kong", "{app: kong}", 8080, "    appProtocol: tcp"),  # first by name
    )  # fmt: skip
    gateway = repo.dataplanes.set_index("name").loc["kong-0.shop"]
    assert gateway.gateway_type == "DELEGATED"
    assert gateway.gateway_tags["kuma.io/service"] == "kong_shop_svc_8080"
    assert gateway.gateway_tags["kuma.io/protocol"] == "tcp"  # a tcp protocol tag survives on a gateway


def test_delegated_gateway_drops_a_protocol_other_than_tcp(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _pod_deployment("kong", "{app: kong}", annotations="{kuma.io/gateway: enabled}"),
        _service("kong", "{app: kong}", 80, "    appProtocol: http"),
    )  # fmt: skip
    assert "kuma.io/protocol" not in repo.dataplanes.iloc[0].gateway_tags


def test_reachable_services_are_split_on_commas_without_trimming(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _pod_deployment("web", "{app: web}", annotations='{kuma.io/transparent-proxying-reachable-services: "db_shop_svc_80, api_shop_svc_80,nope"}'),
        _deployment("db", "{app: db}"), _service("db", "{app: db}", 80),
        _deployment("api", "{app: api}"), _service("api", "{app: api}", 80),
    )  # fmt: skip
    web = repo.dataplanes.set_index("name").loc["web-0.shop"]
    assert web.reachable == (" api_shop_svc_80", "db_shop_svc_80", "nope")
    res = mra.resolve(repo)
    routes = res.routes[res.routes["source"] == "web.shop"]
    # " api_shop_svc_80" (leading space) and "nope" name no service: no outbound for them.
    assert list(routes["destination"]) == ["db_shop_svc_80"]


def test_invalid_injection_value_refuses_the_pod_with_a_reason(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _pod_deployment("web", "{app: web, kuma.io/sidecar-injection: 'yes'}"),
        _namespace("other", '{kuma.io/sidecar-injection: "on"}'),
        _deployment("api", "{app: api}", namespace="other"),
        _namespace("kube-system", "{kuma.io/sidecar-injection: enabled}"),
        _deployment("dns", "{app: dns}", namespace="kube-system"),
    )  # fmt: skip
    assert repo.dataplanes.empty
    workloads = repo.workloads.set_index("name")
    assert not workloads["sidecar"].any()
    assert workloads.loc["web", "severity"] == "error" and "'yes'" in workloads.loc["web", "reason"]
    assert workloads.loc["api", "severity"] == "error" and "namespace other" in workloads.loc["api", "reason"]
    assert "excluded" in workloads.loc["dns", "reason"]


def test_injection_annotation_and_unknown_namespace_are_explained(write, tmp_path):
    repo = _load(
        write, tmp_path,
        _namespace("shop", annotations="{kuma.io/sidecar-injection: enabled}"),
        _deployment("web", "{app: web}"),
        _deployment("api", "{app: api}", namespace="elsewhere"),
        _namespace("plain"),
        _deployment("job", "{app: job}", namespace="plain"),
    )  # fmt: skip
    workloads = repo.workloads.set_index("name")
    assert workloads.loc["web", "severity"] == "warning" and "annotation" in workloads.loc["web", "reason"]
    assert "not in the repository" in workloads.loc["api", "reason"]
    assert workloads.loc["job", "severity"] == "" and "neither" in workloads.loc["job", "reason"]


def test_headless_services_tag_each_pod_with_its_instance(write, tmp_path):
    repo = _load(
        write, tmp_path, NAMESPACE,
        _deployment("db", "{app: db}", replicas=2),
        _service("db", "{app: db}", 5432, "  clusterIP: None"),
    )  # fmt: skip
    tags = repo.dataplanes.set_index("name")["tags"]
    assert tags["db-0.shop"]["kuma.io/instance"] == "db-0" and tags["db-1.shop"]["kuma.io/instance"] == "db-1"
    # No policy names kuma.io/instance, so the replicas still route as one source.
    assert [s for _, s, _ in mra.resolve(repo).sources] == ["db.shop"]


def test_invalid_gateway_value_gives_no_dataplane(write, tmp_path):
    repo = _load(write, tmp_path, NAMESPACE, _pod_deployment("kong", "{app: kong}", annotations="{kuma.io/gateway: yes-please}"))
    assert repo.dataplanes.empty
    row = repo.workloads.iloc[0]
    assert (row.sidecar, row.severity) == (False, "error") and "invalid delegated gateway type" in row.reason


def test_legacy_policies_are_cluster_scoped_on_kubernetes(write, tmp_path):
    route = """
apiVersion: kuma.io/v1alpha1
kind: TrafficRoute
mesh: default
metadata: {{name: to-db, namespace: {namespace}}}
spec:
  sources: [{{match: {{kuma.io/service: '*'}}}}]
  destinations: [{{match: {{kuma.io/service: db}}}}]
  conf: {{destination: {{kuma.io/service: {target}}}}}
"""
    repo = _load(write, tmp_path, route.format(namespace="shop", target="db-v1"), route.format(namespace="ops", target="db-v2"))
    # One object: metadata.namespace is not part of a cluster-scoped name; the later definition wins.
    assert list(repo.policies["key"]) == ["TrafficRoute/to-db"]
    assert list(repo.documents["status"]) == ["skipped", "loaded"]
