"""Who sends and who receives: proxies and services, from whatever inventory the repository holds.

- Dataplane resources give proxies directly, and their Ready, healthy inbounds are service endpoints.
- Kubernetes workloads (Deployment, StatefulSet, DaemonSet, Pod) in a namespace with sidecar injection
  give one proxy per replica; each Service that selects the workload gives it an inbound tagged as Kuma's
  pod converter would (``pkg/plugins/runtime/k8s/controllers/inbound_converter.go``, ``util.go``).
- ExternalServices are endpoints too (the resolver decides per proxy whether a TrafficPermission admits it).
- A service that only policies name becomes an *inferred* service with no endpoints; in a mesh with no
  inventory at all, the proxies that policies select are inferred from their targetRefs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from .model import (
    DEFAULT_MESH,
    PROTOCOL_TAG,
    SERVICE_TAG,
    Endpoint,
    Gateway,
    Inbound,
    Inventory,
    Origin,
    Outbound,
    Policy,
    Proxy,
    Resource,
    Service,
    Tags,
    make_tags,
    tag_value,
    tags_str,
)
from .protocol import parse_protocol

_WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Pod")
_INJECTION = "kuma.io/sidecar-injection"


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _port(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# ------------------------------------------------------------------------------------------ Dataplanes


def _inbound(value: Any) -> Inbound:
    ib = _map(value)
    state = ib.get("state")
    health = _map(ib.get("health"))
    ready = health.get("ready") if isinstance(health.get("ready"), bool) else None
    return Inbound(port=_port(ib.get("port")), tags=make_tags(ib.get("tags")), state=state if isinstance(state, str) else "Ready", health_ready=ready)


def _outbounds(networking: Mapping[str, Any]) -> tuple[Outbound, ...] | None:
    proxying = networking.get("transparentProxying")
    if isinstance(proxying, dict):
        reachable = [str(s) for s in _list(proxying.get("reachableServices"))]
        if not reachable:
            return None  # VIP outbounds for every service of the mesh (pkg/xds/sync/dataplane_proxy_builder.go)
        return tuple(Outbound(s, ((SERVICE_TAG, s),)) for s in reachable)
    outbounds = []
    for value in _list(networking.get("outbound")):
        ob = _map(value)
        tags = make_tags(ob.get("tags"))
        service = tag_value(tags, SERVICE_TAG) or (str(ob["service"]) if ob.get("service") else None)
        if service is None:
            continue  # rejected by Kuma's validator: "mandatory tag kuma.io/service is missing"
        address = ob.get("address")
        outbounds.append(Outbound(service, tags, _port(ob.get("port")), address if isinstance(address, str) else None))
    return tuple(outbounds)


def dataplane_proxy(resource: Resource) -> tuple[Proxy, list[Endpoint]]:
    networking = _map(_map(resource.spec).get("networking"))
    inbounds = tuple(_inbound(v) for v in _list(networking.get("inbound")))
    gw = _map(networking.get("gateway"))
    gateway = Gateway(str(gw.get("type") or "DELEGATED").upper(), make_tags(gw.get("tags"))) if gw else None
    name = resource.core_name
    proxy = Proxy(name, resource.mesh, Origin.DATAPLANE, inbounds, _outbounds(networking), gateway, name, resource.file, resource.line)
    source = f"Dataplane {name}"
    endpoints = [Endpoint(ib.tags, source) for ib in inbounds if ib.is_endpoint and ib.service]
    if gateway is not None and gateway.type == "DELEGATED" and tag_value(gateway.tags, SERVICE_TAG):
        endpoints.append(Endpoint(gateway.tags, source))  # a delegated gateway answers for its service
    return proxy, endpoints


# ------------------------------------------------------------------------------------------ Kubernetes


def _injected(labels: Tags, annotations: Tags) -> bool | None:
    value = tag_value(labels, _INJECTION) or tag_value(annotations, _INJECTION)
    if value is None:
        return None
    return value.lower() in ("enabled", "true")


def _pod_template(resource: Resource) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(pod metadata, pod spec) of a workload."""
    spec = _map(_map(resource.spec).get("spec"))
    if resource.kind == "Pod":
        return _map(_map(resource.spec).get("metadata")), spec
    template = _map(spec.get("template"))
    return _map(template.get("metadata")), _map(template.get("spec"))


def _replicas(resource: Resource) -> int:
    if resource.kind in ("Deployment", "StatefulSet"):
        value = _map(_map(resource.spec).get("spec")).get("replicas", 1)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 1
    return 1  # a DaemonSet runs one pod per node; how many nodes is not in the repository


def protocol_tag_for(app_protocol: Any, annotation: str | None) -> str:
    """Kuma's ``ProtocolTagFor`` (``pkg/plugins/runtime/k8s/util/util.go``): a recognised appProtocol wins,
    else the port annotation taken verbatim (even when invalid), else tcp; lowercased."""
    if isinstance(app_protocol, str) and parse_protocol(app_protocol) != "unknown":
        return app_protocol.lower()
    if annotation is not None:
        return annotation.lower()
    return "tcp"


def _service_inbounds(namespace: str, pod_labels: Tags, services: Iterable[Resource]) -> list[tuple[Tags, str | None]]:
    """Inbound tags for each TCP port of each Service that selects the pod, with the declared protocol."""
    base = [(k, v) for k, v in pod_labels if v and "kuma.io/" not in k]
    labels = dict(pod_labels)
    out = []
    for svc in services:
        spec = _map(_map(svc.spec).get("spec"))
        selector = _map(spec.get("selector"))
        if spec.get("type") == "ExternalName" or not selector:
            continue
        if any(labels.get(str(k)) != str(v) for k, v in selector.items()):
            continue
        for port_value in _list(spec.get("ports")):
            port = _map(port_value)
            number = _port(port.get("port"))
            if number is None or str(port.get("protocol") or "TCP").upper() != "TCP":
                continue  # Kuma builds inbounds for TCP Service ports only
            annotation = tag_value(svc.annotations, f"{number}.service.kuma.io/protocol")
            protocol = protocol_tag_for(port.get("appProtocol"), annotation)
            tags = dict(base)
            tags.update(
                {
                    "k8s.kuma.io/namespace": namespace,
                    "k8s.kuma.io/service-name": svc.name,
                    "k8s.kuma.io/service-port": str(number),
                    SERVICE_TAG: f"{svc.name}_{namespace}_svc_{number}",
                    PROTOCOL_TAG: protocol,
                }
            )
            out.append((tuple(sorted(tags.items())), port.get("appProtocol") or annotation))
    return out


def kubernetes_proxies(resources: Iterable[Resource]) -> tuple[list[Proxy], list[tuple[str, Endpoint, str | None]]]:
    """Proxies and endpoints of the Kubernetes workloads that run a Kuma sidecar."""
    resources = list(resources)
    namespaces = {r.name: r for r in resources if r.kind == "Namespace"}
    services_by_ns: dict[str, list[Resource]] = defaultdict(list)
    for r in resources:
        if r.kind == "Service":
            services_by_ns[r.namespace or "default"].append(r)
    proxies: list[Proxy] = []
    endpoints: list[tuple[str, Endpoint, str | None]] = []
    for r in resources:
        if r.kind not in _WORKLOAD_KINDS:
            continue
        namespace = r.namespace or "default"
        pod_meta, _ = _pod_template(r)
        pod_labels, pod_annotations = make_tags(pod_meta.get("labels")), make_tags(pod_meta.get("annotations"))
        ns = namespaces.get(namespace)
        ns_labels, ns_annotations = (ns.labels, ns.annotations) if ns else ((), ())
        pod_choice = _injected(pod_labels, pod_annotations)
        if not (pod_choice if pod_choice is not None else _injected(ns_labels, ns_annotations)):
            continue
        mesh = (
            tag_value(pod_annotations, "kuma.io/mesh")
            or tag_value(pod_labels, "kuma.io/mesh")
            or tag_value(ns_annotations, "kuma.io/mesh")
            or tag_value(ns_labels, "kuma.io/mesh")
            or DEFAULT_MESH
        )
        inbound_tags = _service_inbounds(namespace, pod_labels, services_by_ns.get(namespace, []))
        if not inbound_tags:
            # A pod no Service selects still gets one inbound (pod_converter.go).
            own = (*[(k, v) for k, v in pod_labels if v and "kuma.io/" not in k], (PROTOCOL_TAG, "tcp"), (SERVICE_TAG, f"{r.name}_{namespace}_svc"))
            inbound_tags = [(tuple(sorted(own)), None)]
        inbounds = tuple(Inbound(None, tags) for tags, _ in inbound_tags)
        group = f"{r.name}.{namespace}"
        source = f"{r.kind} {group}"
        for tags, declared in inbound_tags:
            endpoints.append((mesh, Endpoint(tags, source), declared))
        replicas = _replicas(r)
        for i in range(replicas):
            name = group if r.kind == "Pod" else f"{r.name}-{i}.{namespace}"
            proxies.append(Proxy(name, mesh, Origin.KUBERNETES, inbounds, None, None, group, r.file, r.line))
    return proxies, endpoints


# ------------------------------------------------------------------------------------------ inferred


def _named_services(policy: Policy) -> Iterable[str]:
    """Every service a policy names as a destination or a backend."""
    for entry in policy.to:
        ref = entry.target_ref
        if ref is not None and ref.kind in ("MeshService", "MeshServiceSubset") and ref.name:
            yield ref.name
        for backend in entry.backend_refs or ():
            if backend.name and backend.kind in ("MeshService", "MeshServiceSubset"):
                yield backend.name
        for rule in entry.http_rules:
            for backend in rule.backend_refs or ():
                if backend.name and backend.kind in ("MeshService", "MeshServiceSubset"):
                    yield backend.name
    for split in policy.splits:
        service = tag_value(split.destination, SERVICE_TAG)
        if service and service != "*":
            yield service


def _selected_tags(policy: Policy) -> Iterable[Tags]:
    """Inbound tags a proxy would need for the policy to select it, for inferring proxies."""
    ref = policy.target_ref
    if ref is not None:
        if ref.kind == "MeshSubset" and ref.tags:
            yield ref.tags
        elif ref.kind in ("MeshService", "MeshServiceSubset") and ref.name:
            yield tuple(sorted({**dict(ref.tags), SERVICE_TAG: ref.name}.items()))
    if policy.type == "TrafficRoute":
        for selector in policy.sources:
            concrete = tuple((k, v) for k, v in selector.match if v != "*")
            if concrete:
                yield concrete


def inferred_proxies(mesh: str, policies: Iterable[Policy]) -> list[Proxy]:
    seen: dict[Tags, Proxy] = {}
    for policy in policies:
        if policy.mesh != mesh or not policy.valid:
            continue
        for tags in _selected_tags(policy):
            if tags not in seen:
                name = f"inferred/{tags_str(tags)}"
                seen[tags] = Proxy(name, mesh, Origin.INFERRED, (Inbound(None, tags),), None, None, name, policy.resource.file, policy.resource.line)
    return [seen[t] for t in sorted(seen)]


# ------------------------------------------------------------------------------------------ assembly


def build_inventory(resources: Iterable[Resource], policies: Iterable[Policy], meshes: Iterable[str]) -> Inventory:
    resources = list(resources)
    policies = list(policies)
    proxies: list[Proxy] = []
    endpoints: dict[tuple[str, str], list[Endpoint]] = defaultdict(list)
    declared: dict[tuple[str, str], str] = {}
    for r in resources:
        if r.kind == "Dataplane":
            proxy, eps = dataplane_proxy(r)
            proxies.append(proxy)
            for ep in eps:
                endpoints[(r.mesh, tag_value(ep.tags, SERVICE_TAG) or "")].append(ep)
        elif r.kind == "ExternalService":
            tags = make_tags(_map(r.spec).get("tags"))
            service = tag_value(tags, SERVICE_TAG)
            if service:
                endpoints[(r.mesh, service)].append(Endpoint(tags, f"ExternalService {r.core_name}", True, r.core_name))
    k8s_proxies, k8s_endpoints = kubernetes_proxies(r for r in resources if r.format.value == "kubernetes")
    proxies.extend(k8s_proxies)
    for mesh, ep, protocol in k8s_endpoints:
        key = (mesh, tag_value(ep.tags, SERVICE_TAG) or "")
        endpoints[key].append(ep)
        if protocol:
            declared.setdefault(key, str(protocol))
    services = {key: Service(key[0], key[1], tuple(eps), False, declared.get(key)) for key, eps in endpoints.items()}
    for policy in policies:
        for name in _named_services(policy):
            services.setdefault((policy.mesh, name), Service(policy.mesh, name, (), True))
    meshes_with_proxies = {p.mesh for p in proxies}
    for mesh in sorted(set(meshes) - meshes_with_proxies):
        proxies.extend(inferred_proxies(mesh, policies))
    return Inventory(tuple(proxies), tuple(services[k] for k in sorted(services)))
