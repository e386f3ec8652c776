"""The endpoints a proxy sees for a service and the protocol Kuma infers from them (reference §5).

Sources at 2.5.11:

- ``pkg/plugins/policies/core/xds/clusters.go`` ``InferProtocol``: the endpoints of S are the mesh
  endpoint map (Ready and healthy Dataplane inbounds; the loader already gives only those) plus the
  ExternalService endpoints of *this* proxy;
- ``pkg/xds/generator/protocol.go`` ``InferServiceProtocol``: fold of the ``kuma.io/protocol`` tags
  (``meshroute_analysis.protocol``), no endpoints → unknown;
- ``pkg/core/permissions/matcher.go`` ``MatchExternalServicesTrafficPermissions`` /
  ``BuildExternalServicesPermissionsMap``: an ExternalService contributes an endpoint to a proxy only when
  the single TrafficPermission that governs it (the best-ranked one whose ``destinations`` match the
  ExternalService's tags, ``pkg/core/policy/connection_matcher.go`` ``SelectInboundConnectionPolicy``) has a
  ``sources`` selector that matches the proxy (``Dataplane.Matches``: any inbound, Ignored ones included,
  or the gateway tags).  Zone egress is not modelled (the ExternalService endpoint map is used as when it is
  off).

Tie-break (``creationTime`` is unknown offline): among TrafficPermissions of equal rank Kuma keeps the one
created later; we assume the implicit ``allow-all-<mesh>`` was created first and, among the others, keep
the first in name order (what Kuma does when creation times are equal).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from ..model import CREATED_WITH_MESH, UNKNOWN, Endpoint, Policy, Service
from ..protocol import fold_protocols, parse_protocol
from .tagmatch import Rank, any_matches, compare_ranks, selector_matches, selector_rank

AdmittedKey = frozenset[str]


def creation_order(policies: Iterable[Policy], created_with_mesh: AbstractSet[int] = frozenset()) -> list[Policy]:
    """The order in which ties on rank go to the *earlier* entry: the newest first.

    Kuma walks the policies in name order and lets one of equal rank replace the best so far only when it
    was created later (``pkg/core/policy/connection_matcher.go``: ``CreationTime().After``), so the latest
    created wins and, among equal creation times, the first in name order.  ``creationTime`` is in no file:
    :attr:`Policy.apply_order` (apply order, defaults created with their mesh) stands in for it.  A file that
    redefines a default the control plane created (``created_with_mesh``, by ``id``) updates it in place:
    it keeps the mesh's creation time."""
    return sorted(policies, key=lambda p: (-(CREATED_WITH_MESH if id(p) in created_with_mesh else p.apply_order), p.name))


def governing_permission(es_tags: Mapping[str, str], permissions: Sequence[Policy]) -> tuple[Policy | None, Rank, tuple[Policy, ...]]:
    """``SelectInboundConnectionPolicy``: best destination rank, strictly better than (0, 0); with the other
    permissions of that rank, which only creation time separates (``permissions`` is in creation order)."""
    best: Policy | None = None
    best_rank: Rank = (0, 0)
    ranks: dict[int, tuple[Policy, Rank]] = {}
    for permission in permissions:
        for selector in permission.destinations:
            if selector_matches(selector.match, es_tags):
                rank = selector_rank(selector.match)
                if id(permission) not in ranks or compare_ranks(rank, ranks[id(permission)][1]) > 0:
                    ranks[id(permission)] = (permission, rank)
                if compare_ranks(rank, best_rank) > 0:
                    best, best_rank = permission, rank
    tied = tuple(p for p, r in ranks.values() if p is not best and compare_ranks(r, best_rank) == 0)
    return best, best_rank, tied


def es_name(endpoint: Endpoint) -> str:
    return endpoint.external_name or endpoint.source


@dataclass(frozen=True, slots=True)
class EndpointView:
    """One endpoint of a service as seen (or not) by a proxy, for explain()."""

    endpoint: Endpoint
    counted: bool
    why: str


class MeshEndpoints:
    """Services, ExternalService admission and protocols of one mesh, cached per admission set."""

    def __init__(self, mesh: str, services: Mapping[str, Service], permissions: Sequence[Policy],
                 created_with_mesh: AbstractSet[int] = frozenset(), declared: Mapping[str, str] | None = None) -> None:
        self.mesh = mesh
        self.services = services
        #: Services whose protocol is declared, not inferred from endpoints: the ports of destination
        #: resources (2.9+), whose ``appProtocol`` the control plane reads as written (:mod:`.destinations`).
        self.declared: Mapping[str, str] = declared or {}
        self.permissions = creation_order(permissions, created_with_mesh)
        self.governor: dict[str, Policy | None] = {}
        self.governor_rank: dict[str, Rank] = {}
        #: ExternalService → TrafficPermissions of the governor's rank (creation time decides between them).
        self.governor_ties: dict[str, tuple[Policy, ...]] = {}
        self.external_names: dict[str, tuple[str, ...]] = {}
        for name, service in services.items():
            names: list[str] = []
            for ep in service.endpoints:
                if ep.external:
                    key = es_name(ep)
                    names.append(key)
                    if key not in self.governor:
                        gov, rank, tied = governing_permission(dict(ep.tags), self.permissions)
                        self.governor[key], self.governor_rank[key] = gov, rank
                        if gov is not None and tied:
                            self.governor_ties[key] = tied
            self.external_names[name] = tuple(names)
        self._governors = {id(p): p for p in self.governor.values() if p is not None}
        self._protocol_cache: dict[tuple[str, AdmittedKey], str] = {}
        self._count_cache: dict[tuple, int] = {}
        self._external_cache: dict[tuple[str, AdmittedKey], bool] = {}

    # -- admission -------------------------------------------------------------------------------
    def admitted(self, tag_sets: Sequence[Mapping[str, str]]) -> AdmittedKey:
        """The ExternalServices (by name) whose governing TrafficPermission admits a proxy with these
        tag sets (its inbounds' tags, then its gateway tags)."""
        if not self.governor:
            return frozenset()
        admits = {
            pid: any(any_matches(sel.match, tag_sets) for sel in p.sources) for pid, p in self._governors.items()
        }
        return frozenset(name for name, gov in self.governor.items() if gov is not None and admits[id(gov)])

    # -- endpoints and protocol ------------------------------------------------------------------
    def visible_endpoints(self, service: str, admitted: AdmittedKey) -> list[Endpoint]:
        svc = self.services.get(service)
        if svc is None:
            return []
        return [ep for ep in svc.endpoints if not ep.external or es_name(ep) in admitted]

    def protocol(self, service: str, admitted: AdmittedKey) -> str:
        if service in self.declared:
            return self.declared[service]
        names = self.external_names.get(service, ())
        relevant = admitted.intersection(names) if names else frozenset()
        key = (service, relevant)
        cached = self._protocol_cache.get(key)
        if cached is None:
            cached = fold_protocols(ep.protocol_tag for ep in self.visible_endpoints(service, relevant))
            self._protocol_cache[key] = cached
        return cached

    def has_external(self, service: str, admitted: AdmittedKey) -> bool:
        """Whether some endpoint of ``service`` this proxy sees is an ExternalService's (asked per backend;
        a service has as many endpoints as replicas, and only its admitted ExternalServices matter)."""
        names = self.external_names.get(service, ())
        if not names:
            return False
        relevant = admitted.intersection(names)
        key = (service, relevant)
        found = self._external_cache.get(key)
        if found is None:
            found = self._external_cache[key] = any(ep.external for ep in self.visible_endpoints(service, relevant))
        return found

    def protocol_of_services(self, services: Iterable[str], admitted: AdmittedKey, *, per_service: bool = False) -> str:
        """``generator.InferProtocol`` of a TrafficRoute's clusters.  2.5 folds all their endpoints, so a
        service without endpoints adds nothing; from 2.6 it folds each service's own protocol
        (``ServicesInformation``), so such a service is ``unknown`` and makes the whole ``unknown``."""
        seen: list[str] = []
        for service in dict.fromkeys(services):
            if per_service or self.visible_endpoints(service, admitted):
                seen.append(self.protocol(service, admitted))
        return fold_protocols(seen) if seen else UNKNOWN

    def every_external(self) -> AdmittedKey:
        """Every ExternalService of the mesh: from 2.6 protocols are computed mesh-wide, so each one counts
        for every proxy, whatever the TrafficPermissions (``mesh_context_builder.go``)."""
        return frozenset(name for names in self.external_names.values() for name in names)

    def has_endpoints(self, service: str, subset: Mapping[str, str], admitted: AdmittedKey) -> int:
        """How many visible endpoints of ``service`` carry every ``subset`` tag exactly
        (``pkg/core/xds/types.go`` ``Endpoint.ContainsTags``: no ``*``)."""
        names = self.external_names.get(service, ())
        relevant = admitted.intersection(names) if names else frozenset()
        key = (service, tuple(sorted(subset.items())), relevant)
        count = self._count_cache.get(key)
        if count is None:
            wanted = set(key[1])
            count = sum(1 for ep in self.visible_endpoints(service, relevant) if wanted.issubset(ep.tags))
            self._count_cache[key] = count
        return count

    def endpoint_views(self, service: str, admitted: AdmittedKey) -> list[EndpointView]:
        svc = self.services.get(service)
        if svc is None:
            return []
        views: list[EndpointView] = []
        for ep in svc.endpoints:
            raw = ep.protocol_tag
            parsed = parse_protocol(raw)
            tag = f"kuma.io/protocol={raw!r} → {parsed}" if raw is not None else f"no kuma.io/protocol tag → {UNKNOWN}"
            if not ep.external:
                views.append(EndpointView(ep, True, tag))
                continue
            name = es_name(ep)
            gov = self.governor.get(name)
            if gov is None:
                views.append(EndpointView(ep, False, f"ExternalService {name}: no TrafficPermission governs it, so no proxy sees it"))
            elif name in admitted:
                views.append(EndpointView(ep, True, f"ExternalService {name}, admitted by TrafficPermission {gov.name}; {tag}"))
            else:
                views.append(EndpointView(ep, False, f"ExternalService {name}: its TrafficPermission {gov.name} has no source matching this proxy"))
        return views
