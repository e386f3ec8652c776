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


def _outbounds(networking: Mapping[str, Any]) -> tuple[tuple[Outbound, ...] | None, tuple[Outbound, ...]]:
    """(outbounds, extra outbounds): with transparent proxying Kuma prepends a virtual outbound per service
    (or per ``reachableServices`` entry) to the listed ones (``dataplane_proxy_builder.go``
    ``resolveVIPOutbounds``); without it, only the listed ones exist."""
    listed = _listed_outbounds(networking)
    proxying = networking.get("transparentProxying")
    if not isinstance(proxying, dict):
        return listed, ()
    reachable = [str(s) for s in _list(proxying.get("reachableServices"))]
    if not reachable:
        return None, listed
    virtual = tuple(Outbound(s, ((SERVICE_TAG, s),)) for s in reachable)
    return virtual + tuple(o for o in listed if o.service not in reachable), ()


def _listed_outbounds(networking: Mapping[str, Any]) -> tuple[Outbound, ...]:
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


def dataplane_proxy(resource: Resource) -> tuple[Proxy, list[Endpoint], set[str]]:
    """The proxy, the endpoints it gives its services, and every service it has a non-Ignored inbound of.

    Only Ready, healthy inbounds are endpoints (``outbound.go`` ``fillDataplaneOutbounds``), but every
    non-Ignored inbound gets its service a virtual outbound on transparent proxies
    (``vips_allocator.go`` ``BuildVirtualOutboundMeshView``).  A gateway has no inbounds, so it is neither."""
    networking = _map(_map(resource.spec).get("networking"))
    inbounds = tuple(_inbound(v) for v in _list(networking.get("inbound")))
    gw = _map(networking.get("gateway"))
    gateway = Gateway(str(gw.get("type") or "DELEGATED").upper(), make_tags(gw.get("tags"))) if gw else None
    name = resource.core_name
    outbounds, extra = _outbounds(networking)
    proxy = Proxy(name, resource.mesh, Origin.DATAPLANE, inbounds, outbounds, gateway, name, resource.file, resource.line, extra)
    source = f"Dataplane {name}"
    endpoints = [Endpoint(ib.tags, source) for ib in inbounds if ib.is_endpoint and ib.service]
    known = {ib.service for ib in inbounds if ib.service and ib.state != "Ignored"}
    return proxy, endpoints, known


# ------------------------------------------------------------------------------------------ Kubernetes


def _injected(pod_labels: Tags, namespace_labels: Tags) -> bool:
    """The injector's choice (``webhooks/injector/injector.go`` ``needInject``): the pod's label, else the
    namespace's label; only the exact values enabled/true and disabled/false count, and annotations not at all."""
    for labels in (pod_labels, namespace_labels):
        value = tag_value(labels, _INJECTION)
        if value in ("enabled", "true"):
            return True
        if value in ("disabled", "false"):
            return False
    return False


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
    """Kuma's ``ProtocolTagFor`` (``pkg/plugins/runtime/k8s/controllers/inbound_converter.go``): a recognised
    appProtocol wins, else a non-empty port annotation taken verbatim (even when invalid), else tcp; lowercased."""
    if isinstance(app_protocol, str) and parse_protocol(app_protocol) != "unknown":
        return app_protocol.lower()
    if annotation:
        return annotation.lower()
    return "tcp"


def _selecting_services(pod_labels: Tags, services: Iterable[Resource]) -> list[Resource]:
    """Services of the pod's namespace whose selector matches it, less those annotated ``kuma.io/ignore``
    (``pod_controller.go`` ``findMatchingServices``)."""
    labels = dict(pod_labels)
    out = []
    for svc in services:
        selector = _map(_map(_map(svc.spec).get("spec")).get("selector"))
        if not selector or any(labels.get(str(k)) != str(v) for k, v in selector.items()):
            continue
        if tag_value(svc.annotations, "kuma.io/ignore") == "true":
            continue
        out.append(svc)
    return out


def _container_port_names(pod_spec: Mapping[str, Any]) -> set[tuple[str, str]]:
    names = set()
    for container in _list(pod_spec.get("containers")):
        for port in _list(_map(container).get("ports")):
            port = _map(port)
            if isinstance(port.get("name"), str):
                names.add((port["name"], str(port.get("protocol") or "TCP").upper()))
    return names


def _service_inbounds(namespace: str, pod_labels: Tags, pod_spec: Mapping[str, Any], services: Iterable[Resource]) -> list[tuple[Tags, str | None]]:
    """Inbound tags for each port of each selecting Service that Kuma maps to the pod
    (``inbound_converter.go`` ``inboundForService``), with the protocol the Service declares."""
    base = [(k, v) for k, v in pod_labels if v and "kuma.io/" not in k]
    named_ports = _container_port_names(pod_spec)
    out = []
    for svc in services:
        spec = _map(_map(svc.spec).get("spec"))
        if spec.get("type") == "ExternalName":
            continue
        for port_value in _list(spec.get("ports")):
            port = _map(port_value)
            number = _port(port.get("port"))
            protocol = str(port.get("protocol") or "TCP").upper()
            if number is None or protocol != "TCP":
                continue  # Kuma builds inbounds for TCP Service ports only
            target = port.get("targetPort")
            if isinstance(target, str) and not target.isdigit() and (target, protocol) not in named_ports:
                continue  # util.FindPort: a named targetPort must name a container port
            annotation = tag_value(svc.annotations, f"{number}.service.kuma.io/protocol")
            tags = dict(base)
            tags.update(
                {
                    "k8s.kuma.io/namespace": namespace,
                    "k8s.kuma.io/service-name": svc.name,
                    "k8s.kuma.io/service-port": str(number),
                    SERVICE_TAG: f"{svc.name}_{namespace}_svc_{number}",
                    PROTOCOL_TAG: protocol_tag_for(port.get("appProtocol"), annotation),
                }
            )
            out.append((tuple(sorted(tags.items())), port.get("appProtocol") or annotation))
    return out


def _serviceless_inbound(workload: str, namespace: str, pod_labels: Tags) -> Tags:
    """``InboundTagsForPod``: every non-empty pod label (``kuma.io/`` ones included), the namespace, a
    ``<workload>_<namespace>_svc`` service and tcp.  (Kuma adds ``kuma.io/instance=<pod>`` too; pod names
    are not in a repository, and a tag unique per pod would keep replicas from grouping.)"""
    tags = {k: v for k, v in pod_labels if v}
    tags.update({"k8s.kuma.io/namespace": namespace, SERVICE_TAG: f"{workload}_{namespace}_svc", PROTOCOL_TAG: "tcp"})
    return tuple(sorted(tags.items()))


def _reachable(pod_annotations: Tags) -> tuple[Outbound, ...] | None:
    value = tag_value(pod_annotations, "kuma.io/transparent-proxying-reachable-services")
    if not value:
        return None
    services = [s.strip() for s in value.split(",") if s.strip()]
    return tuple(Outbound(s, ((SERVICE_TAG, s),)) for s in services)


def kubernetes_proxies(resources: Iterable[Resource]) -> tuple[list[Proxy], list[tuple[str, Endpoint, str | None]], list[str]]:
    """Proxies and endpoints of the Kubernetes workloads that run a Kuma sidecar, and notes on workloads
    that Kuma would refuse to turn into a Dataplane."""
    resources = list(resources)
    namespaces = {r.name: r for r in resources if r.kind == "Namespace"}
    services_by_ns: dict[str, list[Resource]] = defaultdict(list)
    for r in resources:
        if r.kind == "Service":
            services_by_ns[r.namespace or "default"].append(r)
    proxies: list[Proxy] = []
    endpoints: list[tuple[str, Endpoint, str | None]] = []
    notes: list[str] = []
    for r in resources:
        if r.kind not in _WORKLOAD_KINDS:
            continue
        namespace = r.namespace or "default"
        pod_meta, pod_spec = _pod_template(r)
        pod_labels, pod_annotations = make_tags(pod_meta.get("labels")), make_tags(pod_meta.get("annotations"))
        ns = namespaces.get(namespace)
        if not _injected(pod_labels, ns.labels if ns else ()):
            continue
        # The mesh comes from annotations only: the pod's, then the namespace's (MeshOfByAnnotation).
        mesh = tag_value(pod_annotations, "kuma.io/mesh") or (tag_value(ns.annotations, "kuma.io/mesh") if ns else None) or DEFAULT_MESH
        replicas = _replicas(r)
        group = f"{r.name}.{namespace}"
        selecting = _selecting_services(pod_labels, services_by_ns.get(namespace, []))
        inbound_tags = _service_inbounds(namespace, pod_labels, pod_spec, selecting)
        gateway = None
        if tag_value(pod_annotations, "kuma.io/gateway") in ("enabled", "provided"):
            # A delegated gateway pod gets no inbounds, only gateway tags (pod_converter.go dataplaneFor).
            first = inbound_tags[0][0] if inbound_tags else _serviceless_inbound(r.name, namespace, pod_labels)
            gateway = Gateway("DELEGATED", tuple((k, v) for k, v in first if k != PROTOCOL_TAG))
            inbound_tags = []
        elif not inbound_tags:
            if selecting:
                notes.append(f"{r.kind} {group}: Services select it but none of their ports maps to a container port; Kuma creates no Dataplane for it")
                continue
            inbound_tags = [(_serviceless_inbound(r.name, namespace, pod_labels), None)]
        inbounds = tuple(Inbound(None, tags) for tags, _ in inbound_tags)
        if replicas:
            source = f"{r.kind} {group}"
            for tags, declared in inbound_tags:
                endpoints.append((mesh, Endpoint(tags, source), declared))
        outbounds = _reachable(pod_annotations)
        for i in range(replicas):
            name = group if r.kind == "Pod" else f"{r.name}-{i}.{namespace}"
            proxies.append(Proxy(name, mesh, Origin.KUBERNETES, inbounds, outbounds, gateway, group, r.file, r.line))
    return proxies, endpoints, notes


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
            proxy, eps, known = dataplane_proxy(r)
            proxies.append(proxy)
            for service in known:
                endpoints.setdefault((r.mesh, service), [])  # known even with no Ready endpoint
            for ep in eps:
                endpoints[(r.mesh, tag_value(ep.tags, SERVICE_TAG) or "")].append(ep)
        elif r.kind == "ExternalService":
            tags = make_tags(_map(r.spec).get("tags"))
            external = tag_value(tags, SERVICE_TAG)
            if external:
                endpoints[(r.mesh, external)].append(Endpoint(tags, f"ExternalService {r.core_name}", True, r.core_name))
    k8s_proxies, k8s_endpoints, k8s_notes = kubernetes_proxies(r for r in resources if r.format.value == "kubernetes")
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
    return Inventory(tuple(proxies), tuple(services[k] for k in sorted(services)), tuple(k8s_notes))
