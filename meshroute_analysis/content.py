"""What a loaded repository holds, as typed objects: the input of every later stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .model import Destination, Document, Mesh, MeshGateway, Policy, Proxy, Resource, Service, ViolationRecord, Workload


@dataclass(frozen=True, slots=True)
class RepoContent:
    """Everything the loader found, in file order.

    ``services`` is keyed by ``(mesh, service)``; it holds every service the repository knows, including
    services that only policies name (``Service.inferred``).  ``meshes`` holds every mesh that a resource
    names, with a plain :class:`Mesh` for meshes that have no Mesh resource in the repository.
    """

    documents: tuple[Document, ...] = ()
    resources: tuple[Resource, ...] = ()
    policies: tuple[Policy, ...] = ()
    violations: tuple[ViolationRecord, ...] = ()
    meshes: Mapping[str, Mesh] = field(default_factory=lambda: MappingProxyType({}))
    proxies: tuple[Proxy, ...] = ()
    services: Mapping[tuple[str, str], Service] = field(default_factory=lambda: MappingProxyType({}))
    #: Every Kubernetes workload, with whether Kuma gives its pods a sidecar and why.
    workloads: tuple[Workload, ...] = ()
    #: Every MeshGateway, in apply order.
    gateways: tuple[MeshGateway, ...] = ()
    #: MeshServices, MeshExternalServices and MeshMultiZoneServices (2.9+): those written, in apply order,
    #: then the MeshServices Kuma would generate for Kubernetes Services (``Destination.generated_from``).
    destinations: tuple[Destination, ...] = ()
    #: The zone of the modelled control plane: what it computes into ``kuma.io/zone`` labels and KRIs.
    zone: str = "default"
    #: Where the control plane runs on Kubernetes (route policies elsewhere are refused by 2.5's webhook).
    system_namespaces: tuple[str, ...] = ("kuma-system", "kong-mesh-system")
