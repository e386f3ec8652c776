"""Who sends and who receives: proxies and services, from whatever inventory the repository holds.

- Dataplane resources give proxies directly, and their Ready, healthy inbounds are service endpoints.
- Kubernetes workloads (Deployment, StatefulSet, DaemonSet, Pod) in a namespace with sidecar injection
  give one proxy per replica; each Service that selects the workload gives it an inbound tagged as Kuma's
  pod converter would (``pkg/plugins/runtime/k8s/controllers/inbound_converter.go``,
  ``pkg/plugins/runtime/k8s/util/util.go``).
- ExternalServices are endpoints too (the resolver decides per proxy whether a TrafficPermission admits it).
- A service that only policies name becomes an *inferred* service with no endpoints; in a mesh with no
  inventory at all, the proxies that policies select are inferred from their targetRefs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from ..model import (
    SERVICE_TAG,
    Endpoint,
    Format,
    Inventory,
    Mesh,
    Policy,
    Proxy,
    Resource,
    Service,
    make_tags,
    tag_value,
)
from ._values import as_map
from .dataplanes import dataplane_proxy
from .inferred import inferred_proxies, named_services
from .kubernetes import kubernetes_proxies
from .zones import zone_ingress_services

__all__ = ["build_inventory"]


def build_inventory(resources: Iterable[Resource], policies: Iterable[Policy], meshes: Mapping[str, Mesh],
                    local_zone: str | None = None) -> Inventory:
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
            tags = make_tags(as_map(r.spec).get("tags"))
            external = tag_value(tags, SERVICE_TAG)
            if external:
                endpoints[(r.mesh, external)].append(Endpoint(tags, f"ExternalService {r.core_name}", True, r.core_name))
    for mesh, service, remote in zone_ingress_services(resources, meshes, local_zone):
        seen = endpoints.setdefault((mesh, service), [])  # a remote service has a VIP even with no endpoint
        if remote is not None:
            seen.append(remote)
    k8s = kubernetes_proxies(r for r in resources if r.format is Format.KUBERNETES)
    proxies.extend(k8s.proxies)
    for mesh, ep, protocol in k8s.endpoints:
        key = (mesh, tag_value(ep.tags, SERVICE_TAG) or "")
        endpoints[key].append(ep)
        if protocol:
            declared.setdefault(key, str(protocol))
    services = {key: Service(key[0], key[1], tuple(eps), False, declared.get(key)) for key, eps in endpoints.items()}
    for policy in policies:
        for name in named_services(policy):
            services.setdefault((policy.mesh, name), Service(policy.mesh, name, (), True))
    # A mesh whose Dataplanes or Kubernetes workloads are in the repository has its inventory, even when no
    # workload gets a sidecar: only meshes with none of them get proxies inferred from their policies.
    inventoried = {p.mesh for p in proxies} | {w.mesh for w in k8s.workloads}
    for mesh in sorted(set(meshes) - inventoried):
        proxies.extend(inferred_proxies(mesh, policies))
    return Inventory(tuple(proxies), tuple(services[k] for k in sorted(services)), tuple(k8s.workloads))
