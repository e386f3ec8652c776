"""Services of other zones, as the zone ingresses of a multi-zone mesh advertise them.

Sources at 2.5.11:

- ``pkg/dns/vips_allocator.go`` ``BuildVirtualOutboundMeshView``: every ``availableServices`` entry of a
  remote zone ingress (``IsRemoteIngress``: its ``zone`` is set and is not the local zone) gives its service a
  VIP in that mesh, so transparent proxies get an outbound to it whatever the mesh's mTLS;
- ``pkg/xds/topology/outbound.go`` ``fillIngressOutbounds``: the entries become *endpoints* of the mesh
  (which count for the protocol and for subsets) only when the mesh has mTLS enabled (``MTLSEnabled``: an
  ``enabledBackend``) and the ingress has a public address (``HasPublicAddress``: ``advertisedAddress`` and
  ``advertisedPort``); several ingresses behind one public address count once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from ..model import SERVICE_TAG, Endpoint, Mesh, Resource, make_tags, tag_value
from ._values import as_list, as_map


def _is_remote(zone: object, local_zone: str | None) -> bool:
    return isinstance(zone, str) and zone != "" and zone != local_zone


def zone_ingress_services(
    resources: Iterable[Resource], meshes: Mapping[str, Mesh], local_zone: str | None
) -> Iterator[tuple[str, str, Endpoint | None]]:
    """(mesh, service, endpoint or None) for every service a remote zone ingress advertises; the endpoint is
    None where Kuma gives the service a VIP but no endpoint (no mTLS, or no public address)."""
    seen_addresses: set[tuple[object, object]] = set()
    for r in resources:
        if r.kind != "ZoneIngress":
            continue
        spec = as_map(r.spec)
        if not _is_remote(spec.get("zone"), local_zone):
            continue
        networking = as_map(spec.get("networking"))
        address = (networking.get("advertisedAddress"), networking.get("advertisedPort"))
        public = bool(address[0]) and bool(address[1])
        duplicate = address in seen_addresses
        services = as_list(spec.get("availableServices"))
        if public and services:
            seen_addresses.add(address)
        for entry in services:
            entry = as_map(entry)
            tags = make_tags(entry.get("tags"))
            service = tag_value(tags, SERVICE_TAG)
            mesh = entry.get("mesh")
            if not service or not isinstance(mesh, str):
                continue
            mtls = meshes.get(mesh) is not None and meshes[mesh].mtls
            counted = mtls and public and not duplicate
            yield mesh, service, Endpoint(tags, f"ZoneIngress {r.name} (zone {spec.get('zone')})") if counted else None
