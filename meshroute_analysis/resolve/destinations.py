"""The second engine of 2.9+: outbounds and rules keyed by real destination resources (MADR 066).

A MeshService, MeshExternalService or MeshMultiZoneService gives every transparent proxy of its mesh one
outbound per port, named by its KRI.  Such an outbound is routed by *resource rules*, not by the
``kuma.io/service`` subsets of the legacy engine.  Sources at v2.14.3 (the same engine from 2.9.19 unless a
:class:`~.semantics.Semantics` field says otherwise):

- **Outbounds** (``pkg/xds/sync/dataplane_proxy_builder.go`` resolveVIPOutbounds; ``pkg/xds/context/
  mesh_context_builder.go``): the mesh's VIP outbounds are the legacy ones unless ``meshServices.mode`` is
  Exclusive, plus one per destination port; a proxy with ``reachableServices`` gets no real-resource outbound
  (unless it also lists ``reachableBackends``), and in ReachableBackends mode only a proxy that lists
  ``reachableBackends`` gets them.  A proxy without transparent proxying has its listed outbounds only.
- **Which ``to`` entries apply** (``pkg/plugins/policies/core/rules/resolve/targetref.go`` TargetRef,
  ``rules/outbound/resourcerules.go``): a MeshService / MeshMultiZoneService ref by labels (a subset of the
  resource's labels) or by name (the KRI: the policy's mesh and zone, the ref's namespace or the policy's),
  a legacy ``<name>_<namespace>_svc_<port>`` name mapped to the MeshService with that display name and
  namespace label and that port; a ``sectionName`` (or mapped port) narrows it to one port.  An entry about
  the whole resource applies to each of its ports; an entry about one port only to it.
- **Their order** (``rules/outbound/sort.go``, ``rules/sort/sort.go``, stable): top-level kind, Dataplane
  specificity, origin, role, then the ``to`` kind, a MeshService without ``sectionName`` before one with, then
  display name descending; merged in that order, so the last one's backendRefs win.
- **Precedence** (``meshtcproute/plugin/v1alpha1/listeners_backendrefs.go`` computeConf): a resource rule
  for the outbound replaces the legacy rule for its ``kuma.io/service`` name.
- **backendRefs** (``rules/resolve/backendref.go`` BackendRef): MeshExternalService and MeshMultiZoneService
  always, a MeshService when it has ``port`` (and from 2.12 ``sectionName``), name a real port: by labels the
  oldest matching resource, else by KRI; a ref that resolves to nothing, or to no such port, carries no
  traffic (``meshroute/listeners.go`` handleRealResources, DestinationPortFromRef).
- **Protocol** (``meshroute/listeners.go`` CollectServices): the port's ``appProtocol``, tcp when unset; the
  split checks it as written.

A real port is modelled as a service of its own under the name Kuma gives its cluster
(``<mesh>_<name>_<namespace>_<zone>_<short>_<port>``, ``destinationname``), so that the split, the
endpoint counts and the decision code of the legacy engine serve both; ``res.routes`` names the
destination by its KRI and keeps that name beside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from ..model import (
    PROTOCOL_TAG,
    SERVICE_TAG,
    BackendRef,
    Destination,
    Endpoint,
    Format,
    HTTPRule,
    Policy,
    Proxy,
    Service,
    ServicePort,
    TargetRef,
    ToEntry,
)
from .merge import Item
from .selection import DEFAULT_ZONE, NAMESPACE_LABEL, policy_namespace, policy_role, policy_zone
from .semantics import ORIGIN_LABEL, ROLE_RANK, Semantics, dataplane_specificity, descending, display_name
from .tagmatch import selector_matches

#: ``to`` kinds the resource engine reads, in ``TargetRefKind`` order (``api/common/v1alpha1/targetref.go``).
REAL_TO_KINDS = ("MeshService", "MeshExternalService", "MeshMultiZoneService")
#: The kind a backendRef gets when it names no real port (it is then left out of the split, with a note).
UNRESOLVED = "UnresolvedBackend"


@dataclass(frozen=True, slots=True)
class RealOutbound:
    """One outbound of a proxy to a port of a destination resource."""

    destination: Destination
    port: ServicePort
    #: The section its KRI carries: the port's name, except for a listed ``backendRef`` outbound of a proxy
    #: without transparent proxying, whose KRI keeps the port *number* (asOutbounds → resolve.BackendRef).
    section: str = ""

    @property
    def section_name(self) -> str:
        return self.section or self.port.name

    @property
    def kri(self) -> str:
        return self.destination.kri(self.section_name)

    @property
    def service(self) -> str:
        return self.destination.legacy_name(self.port)


def mesh_services_mode(mode: str | None) -> str:
    """``MeshServicesMode``: what the Mesh says, Disabled when it says nothing (up to 2.14)."""
    return mode if mode in ("Everywhere", "ReachableBackends", "Exclusive") else "Disabled"


class DestinationIndex:
    """The destination resources of one mesh: lookups by KRI and labels, the outbounds they give, and the
    endpoints and protocol of each port (as services the legacy split code understands)."""

    def __init__(self, mesh: str, destinations: Sequence[Destination], proxies: Sequence[Proxy], mode: str | None,
                 zone: str = DEFAULT_ZONE) -> None:
        self.mesh = mesh
        self.zone = zone
        self.mode = mesh_services_mode(mode)
        self.destinations = [d for d in destinations if d.mesh == mesh]
        self.by_kri: dict[tuple[str, str, str, str], Destination] = {}
        for d in self.destinations:
            self.by_kri.setdefault((d.kind, d.name, d.namespace, d.zone), d)
        self.outbounds = tuple(RealOutbound(d, p) for d in self.destinations for p in d.ports)
        self.services: dict[str, Service] = {}
        self.protocols: dict[str, str] = {}
        own = {out.service: _endpoints(out, proxies) for out in self.outbounds if out.destination.kind == "MeshService"}
        for out in self.outbounds:
            endpoints = own.get(out.service) or _other_endpoints(out, self.destinations, own)
            self.services[out.service] = Service(mesh, out.service, endpoints, False, out.port.app_protocol)
            self.protocols[out.service] = out.port.app_protocol

    # -- which outbounds a proxy gets -------------------------------------------------------------
    def outbounds_of(self, proxy: Proxy) -> tuple[RealOutbound, ...]:
        if not self.outbounds:
            return ()
        if not proxy.transparent:
            return self._picked(proxy, proxy.listed_backends, every_port=False, by_number=True)
        # GetReachableBackends (destination_index.go): listed backendRef outbounds first, then reachableBackends;
        # resolveVIPOutbounds still requires reachableBackends in ReachableBackends mode.
        if self.mode == "ReachableBackends" and proxy.reachable_backends is None:
            return ()
        listed = self._picked(proxy, proxy.listed_backends, every_port=False)
        if listed:
            return listed
        if proxy.reachable_backends is not None:
            return self._picked(proxy, proxy.reachable_backends, every_port=True)
        if proxy.reachable is not None:
            return ()  # reachableServices without reachableBackends: no real-resource outbound
        if self.mode == "ReachableBackends":
            return ()  # in this mode only proxies that list reachableBackends get them
        return self.outbounds

    def _picked(self, proxy: Proxy, refs: Sequence[BackendRef], every_port: bool, by_number: bool = False) -> tuple[RealOutbound, ...]:
        """The outbounds refs pick: ``reachableBackends`` (``destination_index.go`` GetReachableBackends; a ref
        without ``port`` means every port) or listed ``backendRef`` outbounds (asOutbounds: the port is required).
        Each ref by labels or by name (the proxy's mesh and zone, its namespace unless the ref says)."""
        chosen: dict[tuple[str, str], RealOutbound] = {}
        for ref in refs:
            if ref.port is None and not every_port:
                continue
            if ref.labels:
                found = self._by_labels(ref.kind, ref.labels)
            else:
                namespace = ref.namespace or proxy.namespace or ""
                one = self.by_kri.get((ref.kind, ref.name or "", namespace, self.zone))
                found = [one] if one is not None else []
            for d in found:
                match = find_port(d, str(ref.port)) if ref.port is not None else None
                for port in d.ports if ref.port is None else ([match] if match else []):
                    chosen.setdefault((d.kri(), port.name), RealOutbound(d, port, str(ref.port) if by_number else ""))
        return tuple(chosen[(out.destination.kri(), out.port.name)] for out in self.outbounds
                     if (out.destination.kri(), out.port.name) in chosen)

    def keeps_legacy_outbounds(self) -> bool:
        return self.mode != "Exclusive"

    # -- resolving refs ---------------------------------------------------------------------------
    def _by_labels(self, kind: str, labels: Mapping[str, str]) -> list[Destination]:
        return [d for d in self.destinations if d.kind == kind and selector_matches(dict(labels), dict(d.labels))]

    def _by_name(self, kind: str, ref_name: str | None, ref_namespace: str | None, policy: Policy) -> Destination | None:
        namespace = ref_namespace or _origin_namespace(policy)
        return self.by_kri.get((kind, ref_name or "", namespace, policy_zone(policy, self.zone)))

    def to_sections(self, ref: TargetRef, policy: Policy) -> list[tuple[Destination, str]]:
        """``resolve.TargetRef``: the (resource, section) pairs a ``to`` ref is about; section "" is the
        whole resource."""
        if ref.kind not in REAL_TO_KINDS:
            return []
        section = ref.section_name or ""
        port = 0
        if ref.labels:
            found = self._by_labels(ref.kind, ref.labels)
        else:
            one = self._by_name(ref.kind, ref.name, ref.namespace, policy)
            found = [one] if one is not None else []
        legacy = _parse_service(ref.name) if ref.kind == "MeshService" and not section and ref.name else None
        if legacy is not None:
            name, namespace, port = legacy
            found = self._by_labels("MeshService", {NAMESPACE_LABEL: namespace, "kuma.io/display-name": name})
        if port == 0 and not section:
            return [(d, "") for d in found]
        out = []
        for d in found:
            match = d.port_numbered(port) if port else d.port_named(section)
            if match is not None:
                out.append((d, match.name))
        return out

    def backend(self, ref: BackendRef, policy: Policy, semantics: Semantics) -> BackendRef:
        """``resolve.BackendRef`` then ``DestinationPortFromRef``: a ref to a real port becomes a ref to the
        service that stands for it; one that names nothing real stays as it is (a legacy ref); one that
        should be real but resolves to nothing gets kind :data:`UNRESOLVED`."""
        real = ref.kind in ("MeshExternalService", "MeshMultiZoneService") or (
            ref.kind == "MeshService" and (ref.port is not None or (semantics.section_name_backend_is_real and bool(ref.section_name)))
        )
        if not real:
            return ref
        if ref.labels:
            candidates = self._by_labels(ref.kind, ref.labels)[:1]  # the oldest: apply order
        else:
            one = self._by_name(ref.kind, ref.name, ref.namespace, policy)
            candidates = [one] if one is not None else []
        section = ref.section_name or (str(ref.port) if ref.port else "")
        for d in candidates:
            port = find_port(d, section)
            if port is not None:
                return BackendRef(kind="MeshService", name=d.legacy_name(port), weight=ref.weight)
        what = ", ".join(f"{k}={v}" for k, v in ref.labels) if ref.labels else (ref.name or "")
        return BackendRef(kind=UNRESOLVED, name=f"{ref.kind} {what}" + (f" port {section}" if section else ""), weight=ref.weight)

    # -- the rules of one outbound ----------------------------------------------------------------
    def items_for(self, out: RealOutbound, policies: Sequence[Policy], semantics: Semantics) -> list[Item]:
        """The ``to`` entries of ``policies`` (already in merge order) that configure ``out``, in the resource
        engine's entry order, with their backendRefs resolved."""
        relevant: list[tuple[tuple, int, Item]] = []
        for position, policy in enumerate(policies):
            role = policy_role(policy, semantics)
            for entry in policy.to:
                ref = entry.target_ref
                if ref is None or ref.kind not in REAL_TO_KINDS:
                    continue
                sections = {s for d, s in self.to_sections(ref, policy) if d is out.destination}
                if not sections or not ("" in sections or out.section_name in sections):
                    continue  # resourcerules.go isRelevant: the whole resource, or this very section
                key = _entry_key(policy, role, ref, semantics)
                relevant.append((key, position * 1000 + entry.index, (policy, self._resolved(entry, out, policy, semantics))))
        relevant.sort(key=lambda r: (r[0], r[1]))
        return [item for _, _, item in relevant]

    def _resolved(self, entry: ToEntry, out: RealOutbound, policy: Policy, semantics: Semantics) -> ToEntry:
        """The entry with its backendRefs resolved.  An entry without ``rules`` routes to its own ``to``
        targetRef (``To.GetDefault`` copies it), which is then resolved like any backendRef."""
        if not entry.has_rules or entry.rule_count == 0:
            ref = entry.target_ref
            assert ref is not None
            own = BackendRef(kind=ref.kind, name=ref.name, weight=1, section_name=ref.section_name, labels=ref.labels,
                             namespace=ref.namespace)
            refs = (self.backend(own, policy, semantics),)
            http = tuple(HTTPRule(r.matches, refs, r.filters) for r in entry.http_rules)
            return replace(entry, has_rules=True, rule_count=max(1, entry.rule_count), backend_refs=refs, http_rules=http)
        tcp = None if entry.backend_refs is None else tuple(self.backend(r, policy, semantics) for r in entry.backend_refs)
        http = tuple(
            replace(rule, backend_refs=None if rule.backend_refs is None else tuple(self.backend(r, policy, semantics) for r in rule.backend_refs))
            for rule in entry.http_rules
        )
        return replace(entry, backend_refs=tcp, http_rules=http)


def find_port(d: Destination, section: str) -> ServicePort | None:
    """``FindPortByName``: the first port whose name or number is ``section``; a MeshExternalService's
    only port whatever is asked (``meshexternalservice/api/v1alpha1/helpers.go``)."""
    if d.kind == "MeshExternalService":
        return d.ports[0] if d.ports else None
    return next((p for p in d.ports if p.name == section or str(p.port) == section), None)


def _entry_key(policy: Policy, role: str | None, ref: TargetRef, semantics: Semantics) -> tuple:
    """``outbound.Sort``: policy attributes, then the ``to`` entry, then display name descending."""
    kind = semantics.top_level_kind(policy)
    top = policy.target_ref
    specificity = dataplane_specificity(top) if kind == "Dataplane" else (0, 0)
    origin = {"global": -1, "zone": 1}.get(dict(policy.resource.labels).get(ORIGIN_LABEL, ""), 0)
    to_rank = semantics.kind_order.get(ref.kind, 0)
    section = 1 if ref.kind == "MeshService" and ref.section_name else 0
    return (semantics.kind_order.get(kind, 0), specificity, origin, ROLE_RANK.get(role or "system", 0), to_rank, section,
            descending(display_name(policy)))


def _origin_namespace(policy: Policy) -> str:
    """The namespace of the policy's KRI: recorded on Kubernetes only (``labels.Compute``)."""
    return (policy_namespace(policy) or "") if policy.resource.format is Format.KUBERNETES else ""


def _parse_service(name: str | None) -> tuple[str, str, int] | None:
    """``parseService``: ``<name>_<namespace>_svc_<port>`` (or ``<name>_<namespace>_svc``, port 0)."""
    if not name:
        return None
    parts = name.split("_")
    if len(parts) == 4:
        if not parts[3].lstrip("-").isdigit():
            return None
        return parts[0], parts[1], int(parts[3])
    if len(parts) == 3:
        return parts[0], parts[1], 0
    return None


def _endpoints(out: RealOutbound, proxies: Iterable[Proxy]) -> tuple[Endpoint, ...]:
    """The inbounds a MeshService selects (``dataplaneTags``), as endpoints of the port's service."""
    selector = out.destination.selector
    if selector is None or out.destination.kind != "MeshService":
        return ()
    wanted = dict(selector)
    tags = ((SERVICE_TAG, out.service), (PROTOCOL_TAG, out.port.app_protocol))
    found = []
    for proxy in proxies:
        if proxy.mesh != out.destination.mesh:
            continue
        for inbound in proxy.inbounds:
            if inbound.is_endpoint and selector_matches(wanted, dict(inbound.tags)):
                found.append(Endpoint(tags, f"Dataplane {proxy.name}"))
    return tuple(found)


def _other_endpoints(out: RealOutbound, destinations: Sequence[Destination], own: Mapping[str, tuple[Endpoint, ...]]) -> tuple[Endpoint, ...]:
    """A MeshExternalService's endpoints are its own ``endpoints``; a MeshMultiZoneService spans the
    same-numbered port of every MeshService its selector matches (those of this zone: other zones' are not
    in a repository)."""
    d, tags = out.destination, ((SERVICE_TAG, out.service), (PROTOCOL_TAG, out.port.app_protocol))
    if d.kind == "MeshExternalService":
        return tuple(Endpoint(tags, f"MeshExternalService {d.name} endpoint {address}") for address in d.external_endpoints)
    if d.kind == "MeshMultiZoneService" and d.service_selector is not None:
        wanted = dict(d.service_selector)
        found: list[Endpoint] = []
        for ms in destinations:
            port = ms.port_numbered(out.port.port) if ms.kind == "MeshService" else None
            if port is not None and selector_matches(wanted, dict(ms.labels)):
                found.extend(Endpoint(tags, ep.source) for ep in own.get(ms.legacy_name(port), ()))
        return tuple(found)
    return ()


def group_by_mesh(destinations: Iterable[Destination]) -> dict[str, list[Destination]]:
    out: dict[str, list[Destination]] = defaultdict(list)
    for d in destinations:
        out[d.mesh].append(d)
    return out
