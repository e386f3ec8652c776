"""Destination resources (2.9+): the MeshServices, MeshExternalServices and MeshMultiZoneServices of a
repository, and the MeshServices Kuma generates for Kubernetes Services.

A repository holds the first kind as documents.  On Kubernetes a control plane also generates a MeshService
for every Service of a mesh whose ``meshServices.mode`` is not Disabled
(``v2.14.3:pkg/plugins/runtime/k8s/controllers/meshservice_controller.go``): a Service of an injected
namespace (or labelled ``kuma.io/mesh``), not ``kuma.io/ignore``-d, not a gateway's, with a cluster IP; its
labels are the Service's plus ``kuma.io/mesh``, ``k8s.kuma.io/service-name``, ``kuma.io/managed-by`` and
``kuma.io/env``; its ports are the TCP ports (named by ``name``, else the number; ``appProtocol`` as written,
tcp when unset); it selects the inbounds tagged with the Service's selector and its namespace.  A headless
Service gets one MeshService per pod in Kuma; that is not modelled here, and the row says so.  A MeshService
the repository writes itself wins over the generated one of the same name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..io.typed import DEFAULT_ZONE, destination
from ..model import DESTINATION_KINDS, Destination, Format, Mesh, Resource, ServicePort, tag_value
from ..protocol import parse_protocol
from ._values import as_list, as_map
from .kubernetes import enabled_value

__all__ = ["destinations"]

_INJECTION = "kuma.io/sidecar-injection"


def destinations(resources: Iterable[Resource], meshes: Mapping[str, Mesh], zone: str = DEFAULT_ZONE) -> tuple[Destination, ...]:
    """Every destination resource: those written, in apply order, then those Kuma would generate."""
    resources = list(resources)
    written = [destination(r, zone) for r in resources if r.kind in DESTINATION_KINDS]
    taken = {(d.kind, d.mesh, d.namespace, d.name) for d in written}
    generated = [*_generated(resources, meshes, zone), *_generated_universal(resources, meshes, zone)]
    return tuple(written + [d for d in generated if (d.kind, d.mesh, d.namespace, d.name) not in taken])


_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def _generated_universal(resources: list[Resource], meshes: Mapping[str, Mesh], zone: str) -> list[Destination]:
    """A Universal zone generates one MeshService per ``kuma.io/service`` of its Dataplanes' inbounds
    (``v2.14.3:pkg/core/resources/apis/meshservice/generate/generator.go``): the service must be a DNS-1035
    label; its ports are the first Dataplane's (in name order) inbounds of it, named by the inbound's name or
    its port, ``appProtocol`` the inbound's ``kuma.io/protocol`` when Kuma parses it, else tcp; it selects
    ``kuma.io/service``."""
    by_service: dict[tuple[str, str], Destination] = {}
    dataplanes = sorted((r for r in resources if r.kind == "Dataplane" and r.format is Format.UNIVERSAL), key=lambda r: r.name)
    for dp in dataplanes:
        found = meshes.get(dp.mesh)
        if found is None or found.mesh_services_mode in (None, "Disabled"):
            continue
        ports: dict[str, list[ServicePort]] = {}
        for item in as_list(as_map(as_map(dp.spec).get("networking")).get("inbound")):
            inbound = as_map(item)
            tags = as_map(inbound.get("tags"))
            service, number = tags.get("kuma.io/service"), inbound.get("port")
            if not isinstance(service, str) or not _DNS_1035.match(service) or len(service) > 63:
                continue
            if not isinstance(number, int) or isinstance(number, bool):
                continue
            name = inbound.get("name")
            protocol = parse_protocol(str(tags.get("kuma.io/protocol"))) if tags.get("kuma.io/protocol") else "unknown"
            ports.setdefault(service, []).append(ServicePort(
                str(name) if isinstance(name, str) and name else str(number), number, protocol if protocol != "unknown" else "tcp"))
        for service, found_ports in ports.items():
            if (dp.mesh, service) in by_service:
                continue  # the first Dataplane's ports win (checkMeshServicesConsistency)
            labels = {"kuma.io/mesh": dp.mesh, "kuma.io/display-name": service, "kuma.io/managed-by": "meshservice-generator",
                      "kuma.io/env": "universal", "kuma.io/zone": zone, "kuma.io/origin": "zone"}
            by_service[(dp.mesh, service)] = Destination(
                kind="MeshService", mesh=dp.mesh, name=service, namespace="", zone=zone, labels=tuple(sorted(labels.items())),
                ports=tuple(found_ports), selector=(("kuma.io/service", service),), file=dp.file, line=dp.line,
                generated_from=f"Dataplane {dp.name} (kuma.io/service {service})",
            )
    return list(by_service.values())


def _generated(resources: list[Resource], meshes: Mapping[str, Mesh], zone: str) -> list[Destination]:
    namespaces = {r.name: r for r in resources if r.kind == "Namespace" and r.format is Format.KUBERNETES}
    out = []
    for svc in resources:
        if svc.kind != "Service" or svc.format is not Format.KUBERNETES:
            continue
        namespace = svc.namespace or "default"
        ns = namespaces.get(namespace)
        injected = ns is not None and enabled_value(tag_value(ns.labels, _INJECTION))
        labelled_mesh = tag_value(svc.labels, "kuma.io/mesh")
        if not injected and not labelled_mesh:
            continue
        # MeshOfByLabelOrAnnotation (v2.14.3:pkg/plugins/runtime/k8s/util/util.go): the Service's label, its
        # annotation, the namespace's label, the namespace's annotation.
        mesh = (labelled_mesh or tag_value(svc.annotations, "kuma.io/mesh")
                or (tag_value(ns.labels, "kuma.io/mesh") or tag_value(ns.annotations, "kuma.io/mesh") if ns else None) or "default")
        found = meshes.get(mesh)
        if found is None or found.mesh_services_mode in (None, "Disabled"):
            continue
        if enabled_value(tag_value(svc.annotations, "kuma.io/ignore")) or tag_value(svc.annotations, "kuma.io/gateway"):
            continue
        spec = as_map(as_map(svc.spec).get("spec"))
        if spec.get("clusterIP") in ("", "None"):
            continue  # no cluster IP, or headless: per-pod MeshServices, not modelled
        selector = {str(k): str(v) for k, v in as_map(spec.get("selector")).items()}
        selector["k8s.kuma.io/namespace"] = namespace
        labels = {**dict(svc.labels), "kuma.io/mesh": mesh, "k8s.kuma.io/service-name": svc.name,
                  "kuma.io/managed-by": "k8s-controller", "kuma.io/env": "kubernetes",
                  "kuma.io/display-name": svc.name, "k8s.kuma.io/namespace": namespace,
                  "kuma.io/origin": "zone", "kuma.io/zone": zone}
        out.append(Destination(
            kind="MeshService", mesh=mesh, name=svc.name, namespace=namespace, zone=zone,
            labels=tuple(sorted(labels.items())), ports=_service_ports(spec), selector=tuple(sorted(selector.items())),
            file=svc.file, line=svc.line, generated_from=f"Service {svc.name}.{namespace}",
        ))
    return out


def _service_ports(spec: Mapping) -> tuple[ServicePort, ...]:
    ports = []
    for item in spec.get("ports") or ():
        port = as_map(item)
        number = port.get("port")
        if not isinstance(number, int) or isinstance(number, bool):
            continue
        if str(port.get("protocol") or "TCP") != "TCP":
            continue  # IgnoredUnsupportedPort
        name = port.get("name")
        protocol = port.get("appProtocol")
        ports.append(ServicePort(str(name) if isinstance(name, str) and name else str(number), number,
                                 protocol if isinstance(protocol, str) and protocol else "tcp"))
    return tuple(ports)
