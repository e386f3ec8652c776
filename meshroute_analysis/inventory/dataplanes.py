"""Proxies and endpoints from Universal Dataplane resources (``api/mesh/v1alpha1/dataplane.proto``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import (
    SERVICE_TAG,
    BackendRef,
    Endpoint,
    Gateway,
    Inbound,
    Origin,
    Outbound,
    Proxy,
    Resource,
    make_tags,
    tag_value,
)
from ..io.typed import backend_refs
from ._values import as_list, as_map, as_port


def _inbound(value: Any) -> Inbound:
    ib = as_map(value)
    state = ib.get("state")
    health = as_map(ib.get("health"))
    ready = health.get("ready") if isinstance(health.get("ready"), bool) else None
    return Inbound(port=as_port(ib.get("port")), tags=make_tags(ib.get("tags")), state=state if isinstance(state, str) else "Ready", health_ready=ready)


def _outbounds(networking: Mapping[str, Any]) -> tuple[tuple[Outbound, ...] | None, tuple[Outbound, ...], frozenset[str] | None]:
    """(outbounds, extra outbounds, reachable services): with transparent proxying Kuma prepends a virtual
    outbound per service of the mesh (only those named in ``reachableServices``, when it is set) to the listed
    ones (``dataplane_proxy_builder.go`` ``resolveVIPOutbounds``); without it, only the listed ones exist."""
    listed = _listed_outbounds(networking)
    proxying = networking.get("transparentProxying")
    if not isinstance(proxying, dict):
        return listed, (), None
    reachable = frozenset(str(s) for s in as_list(proxying.get("reachableServices")))
    return None, listed, reachable or None


def _listed_outbounds(networking: Mapping[str, Any]) -> tuple[Outbound, ...]:
    outbounds = []
    for value in as_list(networking.get("outbound")):
        ob = as_map(value)
        tags = make_tags(ob.get("tags"))
        service = tag_value(tags, SERVICE_TAG) or (str(ob["service"]) if ob.get("service") else None)
        if service is None:
            continue  # a backendRef outbound (see _listed_backends), or Kuma's "mandatory tag kuma.io/service is missing"
        address = ob.get("address")
        outbounds.append(Outbound(service, tags, as_port(ob.get("port")), address if isinstance(address, str) else None))
    return tuple(outbounds)


def _listed_backends(networking: Mapping[str, Any]) -> tuple[BackendRef, ...]:
    """Outbounds with a ``backendRef`` (``kind``, ``name`` or ``labels``, ``port``): the 2.9+ way to list a
    destination resource (``v2.14.3:pkg/xds/sync/dataplane_proxy_builder.go`` asOutbounds)."""
    refs = [as_map(ob).get("backendRef") for ob in as_list(networking.get("outbound"))]
    return backend_refs([r for r in refs if isinstance(r, dict)]) or ()


def _reachable_backends(networking: Mapping[str, Any]) -> tuple[BackendRef, ...] | None:
    """``transparentProxying.reachableBackends``: None when absent (every destination resource), else its refs."""
    proxying = as_map(networking.get("transparentProxying"))
    if "reachableBackends" not in proxying:
        return None
    refs = as_list(as_map(proxying.get("reachableBackends")).get("refs"))
    return backend_refs(refs) or ()


def dataplane_proxy(resource: Resource) -> tuple[Proxy, list[Endpoint], set[str]]:
    """The proxy, the endpoints it gives its services, and every service it has a non-Ignored inbound of.

    Only Ready, healthy inbounds are endpoints (``outbound.go`` ``fillDataplaneOutbounds``), but every
    non-Ignored inbound gets its service a virtual outbound on transparent proxies
    (``vips_allocator.go`` ``BuildVirtualOutboundMeshView``).  A gateway has no inbounds, so it is neither."""
    networking = as_map(as_map(resource.spec).get("networking"))
    inbounds = tuple(_inbound(v) for v in as_list(networking.get("inbound")))
    gw = as_map(networking.get("gateway"))
    gateway = Gateway(str(gw.get("type") or "DELEGATED").upper(), make_tags(gw.get("tags"))) if gw else None
    name = resource.core_name
    outbounds, extra, reachable = _outbounds(networking)
    proxy = Proxy(name, resource.mesh, Origin.DATAPLANE, inbounds, outbounds, gateway, name, resource.file, resource.line,
                  extra, reachable, labels=resource.labels, namespace=resource.namespace,
                  reachable_backends=_reachable_backends(networking), listed_backends=_listed_backends(networking))
    source = f"Dataplane {name}"
    endpoints = [Endpoint(ib.tags, source) for ib in inbounds if ib.is_endpoint and ib.service]
    known = {ib.service for ib in inbounds if ib.service and ib.state != "Ignored"}
    return proxy, endpoints, known


