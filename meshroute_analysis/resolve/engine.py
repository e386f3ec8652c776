"""The orchestration: index the repository per mesh, group proxies, decide every (source, destination).

Cost grows with distinct shapes, not replicas: proxies are grouped first (:mod:`.grouping`); each group's
policy selection, TrafficRoute source candidates and ExternalService admission are computed once; groups
with the same outcome of those share a *routing signature*; and a decision is computed once per distinct
(what configures S for this signature) key, so destinations nobody names are decided once per mesh and
TrafficRoute choice.  Resolving never reads files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..content import RepoContent
from ..model import SERVICE_TAG, MeshGateway, Origin, Policy, Proxy, Service
from .decide import Decision, PairInput, decide
from .destinations import DestinationIndex, RealOutbound, group_by_mesh
from .defaults import default_policies, meshes_of, redefined_defaults
from .gatewayroutes import gateway_listener_decisions, listener_name
from .gateways import listener_tag_sets, select_gateway
from .grouping import INSTANCE_TAG, SourceGroup, group_destinations, group_proxies, mesh_destinations
from .httproute import BuildCheck, first_failure
from .merge import Item, entry_destination
from .protocols import AdmittedKey, MeshEndpoints
from .selection import TargetRefIndex, explain_selection, proxy_type, selecting_inbounds
from .semantics import LEGACY_TO_KINDS, Semantics
from .trafficroute import NO_CHOICE, SourceCandidates, TrafficRouteChoice, TrafficRouteIndex
from .validity import version_violations

TCP_TYPE = "MeshTCPRoute"
HTTP_TYPE = "MeshHTTPRoute"
TR_TYPE = "TrafficRoute"
TP_TYPE = "TrafficPermission"


class MeshContext:
    """The indices of one mesh."""

    def __init__(self, mesh: str, policies: list[Policy], services: Mapping[str, Service],
                 destinations: tuple[str, ...], semantics: Semantics, created_with_mesh: frozenset[int] = frozenset(),
                 gateways: Sequence[MeshGateway] = (), refused: frozenset[int] = frozenset(),
                 resources: DestinationIndex | None = None, zone: str = "default") -> None:
        self.mesh = mesh
        self.zone = zone
        #: The mesh's destination resources (2.9+); None before 2.9 or when the repository has none.
        self.resources = resources
        if resources is not None:
            services = {**services, **resources.services}
        self.gateways = list(gateways)
        self.policies = policies  # every policy of the mesh, valid or not (explain lists them)
        # What this version refuses on apply was never stored; shadow policies (2.7) do not take part.
        valid = [p for p in policies if id(p) not in refused and not semantics.excludes(p)]
        self.has_trafficroutes = any(p.type == TR_TYPE for p in valid)
        by_type: dict[str, list[Policy]] = defaultdict(list)
        for p in valid:
            by_type[p.type].append(p)
        self.tcp = TargetRefIndex(by_type.get(TCP_TYPE, ()), semantics, zone)
        self.http = TargetRefIndex(by_type.get(HTTP_TYPE, ()), semantics, zone)
        self.valid_tcp: list[Policy] = list(by_type.get(TCP_TYPE, ()))
        self.valid_http: list[Policy] = list(by_type.get(HTTP_TYPE, ()))
        #: Policies whose top-level targetRef selects every proxy of the mesh (see :meth:`items_for`).
        self._everywhere = {id(p) for p in self.tcp.everywhere + self.http.everywhere}
        #: Whether the mesh runs on Kubernetes (its proxies come from workloads): an API server applies the CRDs'
        #: defaults to Kubernetes-form policies there.
        self.kubernetes = False
        self.trafficroutes = TrafficRouteIndex(by_type.get(TR_TYPE, ()), created_with_mesh)
        self.endpoints = MeshEndpoints(mesh, services, by_type.get(TP_TYPE, ()), created_with_mesh,
                                       resources.protocols if resources is not None else None)
        self.destinations = destinations
        #: (service, outbound tags) of a proxy without listed outbounds; shared, never mutated.
        self.transparent_destinations = [(d, {SERVICE_TAG: d}) for d in destinations]
        self.position = {d: i for i, d in enumerate(destinations)}
        # Caches.  Keys are small: big tuples (source candidates, item lists, admission sets) are interned
        # to ints once, because Python does not cache tuple hashes.
        self._ids: dict[object, int] = {}
        self.choice_cache: dict[tuple[int, str | None], tuple[TrafficRouteChoice, int]] = {}
        self.named_cache: dict[int, frozenset[str]] = {}
        self.items_cache: dict[tuple[int, ...], tuple[dict[str, list[Item]], dict[str, int]]] = {}
        self.policy_items: dict[int, list[tuple[str, Item]]] = {}
        self.decisions: dict[tuple, Decision] = {}
        #: Per (flags, admission id): decisions of transparent proxies' pairs, shared by their signatures.
        self.transparent_decisions: dict[tuple[int, int], SharedDecisions] = {}
        #: Per source-candidate id: the TrafficRoute choice id of every destination, in destination order.
        self.choice_ids: dict[int, np.ndarray] = {}

    def listeners(self, proxy: Proxy) -> list[dict[str, str]]:
        """The listener tags of the MeshGateway that serves ``proxy``, which targetRefs may select."""
        return listener_tag_sets(proxy, select_gateway(self.gateways, proxy)) if self.gateways else []

    def intern(self, value: object) -> int:
        return self._ids.setdefault(value, len(self._ids))

    def items_for(self, policies: tuple[Policy, ...], semantics: Semantics) -> tuple[dict[str, list[Item]], dict[str, int]]:
        """The ``to`` items of these policies (in merge order) by destination, and an id per item list (equal
        lists, equal ids).  Policies that select every proxy sort first and are the same for most groups, so
        that prefix is collected once and each group only adds its own policies' items to it."""
        key = tuple(map(id, policies))
        found = self.items_cache.get(key)
        if found is None:
            shared = 0
            while shared < len(policies) and key[shared] in self._everywhere:
                shared += 1
            if 0 < shared < len(policies):
                base_items, base_ids = self.items_for(policies[:shared], semantics)
            else:
                base_items, base_ids = {}, {}
                shared = 0
            items, ids = dict(base_items), dict(base_ids)
            own: set[str] = set()  # destinations whose list is this call's own (the base's are shared)
            for policy in policies[shared:]:
                for dest, item in self._policy_items(policy, semantics):
                    if dest not in own:
                        own.add(dest)
                        items[dest] = list(items.get(dest, ()))
                    items[dest].append(item)
                    # A list's id is its prefix's id and its last item, interned: equal lists get equal ids.
                    ids[dest] = self.intern((ids.get(dest, -1), id(item[0]), item[1].index))
            found = self.items_cache[key] = (items, ids)
        return found

    def _policy_items(self, policy: Policy, semantics: Semantics) -> list[tuple[str, Item]]:
        found = self.policy_items.get(id(policy))
        if found is None:
            found = self.policy_items[id(policy)] = [
                (dest, (policy, entry))
                for entry in policy.to
                if (dest := entry_destination(entry, semantics.to_kinds)) is not None
            ]
        return found

    def trafficroute_named(self, sources_id: int, sources: SourceCandidates) -> frozenset[str]:
        """The services some TrafficRoute of these source candidates names by ``kuma.io/service``."""
        named = self.named_cache.get(sources_id)
        if named is None:
            named = self.named_cache[sources_id] = self.trafficroutes.services_named_by(sources)
        return named

    def trafficroute_for(self, sources_id: int, sources: SourceCandidates, service: str) -> tuple[TrafficRouteChoice, int]:
        """Cached TrafficRoute choice and its id; destinations that no candidate names by service share one
        answer per source-candidate set (only wildcard destination selectors can match them)."""
        key = (sources_id, service if service in self.trafficroute_named(sources_id, sources) else None)
        found = self.choice_cache.get(key)
        if found is None:
            choice = self.trafficroutes.choose(sources, service)
            found = self.choice_cache[key] = (choice, self.intern(("choice", choice.key)))
        return found

    def destination_choice_ids(self, sources_id: int, sources: SourceCandidates) -> np.ndarray:
        """The TrafficRoute choice id of every destination of the mesh, for these source candidates."""
        found = self.choice_ids.get(sources_id)
        if found is None:
            found = self.choice_ids[sources_id] = np.fromiter(
                (self.trafficroute_for(sources_id, sources, d)[1] for d in self.destinations), dtype=np.int64,
                count=len(self.destinations))
        return found


@dataclass(slots=True)
class SharedDecisions:
    """Decisions of transparent proxies' pairs, one per destination of the mesh, kept with the key parts
    they were decided for (the ids of the MeshTCPRoute and MeshHTTPRoute items and of the TrafficRoute
    choice).  A signature with the same flags and admission takes every position whose key parts equal its
    own; only the others are decided for it, which is what makes a transparent proxy's ~all-services
    outbound list cost what its policies name rather than what the mesh holds."""

    decisions: list[Decision | None]
    codes: np.ndarray  # Engine.distinct index of each decision, -1 where none is kept yet
    tcp: np.ndarray
    http: np.ndarray
    choice: np.ndarray


@dataclass(slots=True)
class RoutingSignature:
    """What a group's routing depends on, computed once per distinct group shape."""

    id: int
    mesh: str
    tcp_policies: tuple[Policy, ...]
    http_policies: tuple[Policy, ...]
    tr_sources: SourceCandidates
    admitted: AdmittedKey
    destinations: list[tuple[str, dict[str, str]]]
    transparent: bool  # outbound tags are just {kuma.io/service: S}
    tcp_by_dest: dict[str, list[Item]] = field(default_factory=dict)
    http_by_dest: dict[str, list[Item]] = field(default_factory=dict)
    tcp_keys: dict[str, int] = field(default_factory=dict)
    http_keys: dict[str, int] = field(default_factory=dict)
    tr_id: int = 0
    admitted_id: int = 0
    flags: int = 0  # 1: some MeshTCPRoute rule, 2: some MeshHTTPRoute rule
    decisions: list[Decision] = field(default_factory=list)
    #: For every decision, its index in ``Engine.distinct``.
    codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: Why Kuma fails to build the configuration of proxies of this shape (None: it builds it).
    config_error: BuildCheck | None = None
    #: A builtin gateway's MeshGateway (2.6+): its destinations are listeners, decided by :mod:`.gatewayroutes`.
    gateway: MeshGateway | None = None
    #: Outbounds to ports of destination resources (2.9+), decided after the legacy ones.
    real_outbounds: tuple[RealOutbound, ...] = ()
    representative: Proxy | None = None


class Engine:
    def __init__(self, content: RepoContent, semantics: Semantics, with_defaults: bool) -> None:
        self.content = content
        self.semantics = semantics
        self.defaults = default_policies(content, semantics) if with_defaults else ()
        self.violations, self.refused = version_violations(content, semantics)
        created_with_mesh = redefined_defaults(content, semantics) if with_defaults else frozenset()
        #: Policies created with their mesh (defaults, and files that redefine them): a tie with one of them is
        #: decided, since anything applied later was created later.
        self.created_with_mesh = created_with_mesh | {id(p) for p in self.defaults}
        self.policies: tuple[Policy, ...] = tuple(content.policies) + tuple(self.defaults)
        self.meshes = meshes_of(content)
        for p in self.policies:
            self.meshes.setdefault(p.mesh, self.meshes.get(p.mesh) or _plain_mesh(p.mesh))
        policies_by_mesh: dict[str, list[Policy]] = defaultdict(list)
        for p in self.policies:
            policies_by_mesh[p.mesh].append(p)
        services_by_mesh: dict[str, dict[str, Service]] = defaultdict(dict)
        for (mesh, name), svc in content.services.items():
            services_by_mesh[mesh][name] = svc
        proxies_by_mesh: dict[str, list[Proxy]] = defaultdict(list)
        for proxy in content.proxies:
            proxies_by_mesh[proxy.mesh].append(proxy)
        gateways_by_mesh: dict[str, list[MeshGateway]] = defaultdict(list)
        for gateway in content.gateways:
            gateways_by_mesh[gateway.mesh].append(gateway)
        real = group_by_mesh(content.destinations) if semantics.resource_engine else {}
        self.mesh_contexts: dict[str, MeshContext] = {}
        for mesh in sorted(self.meshes):
            index = DestinationIndex(mesh, real[mesh], proxies_by_mesh.get(mesh, []), self.meshes[mesh].mesh_services_mode,
                                     content.zone) if mesh in real else None
            self.mesh_contexts[mesh] = MeshContext(
                mesh,
                policies_by_mesh.get(mesh, []),
                services_by_mesh.get(mesh, {}),
                mesh_destinations(mesh, content.services, proxies_by_mesh.get(mesh, [])),
                semantics,
                created_with_mesh,
                gateways_by_mesh.get(mesh, ()),
                self.refused,
                index,
                content.zone,
            )
        for proxy in content.proxies:
            if proxy.origin is Origin.KUBERNETES and proxy.mesh in self.mesh_contexts:
                self.mesh_contexts[proxy.mesh].kubernetes = True
        self.groups: list[SourceGroup] = group_proxies(
            content.proxies, _instance_blind(self.policies, self.meshes), _naming_proxies(self.policies)
        )
        self.signatures: list[RoutingSignature] = []
        self.group_signature: list[int] = []
        #: Every distinct decision of the signatures, once (``RoutingSignature.codes`` index it).
        self.distinct: list[Decision] = []
        self._codes: dict[int, int] = {}  # id(decision) -> its index in distinct
        self._with_checks: set[int] = set()  # codes of decisions whose HTTP listener makes build checks
        self._resolve_all()

    # -- per group ---------------------------------------------------------------------------------
    def _signature_of(self, group: SourceGroup, index: dict[tuple, int]) -> int:
        ctx = self.mesh_contexts[group.mesh]
        rep = group.representative
        if self.semantics.gateway_listener_rows and rep.gateway is not None and rep.gateway.type == "BUILTIN":
            return self._gateway_signature(group, index)
        selecting = selecting_inbounds(rep, self.semantics, ctx.listeners(rep))
        kind_of_proxy = proxy_type(rep)
        tcp = tuple(ctx.tcp.select(rep, selecting, kind_of_proxy))
        http = tuple(ctx.http.select(rep, selecting, kind_of_proxy))
        tr_sources = ctx.trafficroutes.source_candidates(group.legacy_tag_sets)
        admitted = ctx.endpoints.every_external() if self.semantics.protocol_mesh_wide else ctx.endpoints.admitted(group.legacy_tag_sets)
        outbounds = None if rep.outbounds is None else tuple((o.service, o.tags) for o in rep.outbounds)
        keep_listed = not self.semantics.transparent_listed_outbounds_dropped
        extra = tuple((o.service, o.tags) for o in rep.extra_outbounds) if keep_listed else ()
        transparent = rep.outbounds is None and not extra and rep.reachable is None
        real = ctx.resources.outbounds_of(rep) if ctx.resources is not None else ()
        # Exclusive mode: a transparent proxy gets no legacy VIP outbound (mesh_context_builder.go).
        legacy_vips = rep.outbounds is not None or ctx.resources is None or ctx.resources.keeps_legacy_outbounds()
        key = (group.mesh, tuple(map(id, tcp)), tuple(map(id, http)), tr_sources, admitted, outbounds, extra, rep.reachable,
               tuple(out.kri for out in real), legacy_vips)
        sig_id = index.get(key)
        if sig_id is None:
            sig_id = index[key] = len(self.signatures)
            if not legacy_vips:
                legacy: list[tuple[str, dict[str, str]]] = []
            elif transparent:
                legacy = ctx.transparent_destinations
            else:
                legacy = group_destinations(group, ctx.destinations, keep_listed)
            sig = RoutingSignature(sig_id, group.mesh, tcp, http, tr_sources, admitted, legacy, transparent and legacy_vips)
            sig.real_outbounds = real
            sig.tcp_by_dest, sig.tcp_keys = ctx.items_for(tcp, self.semantics)
            sig.http_by_dest, sig.http_keys = ctx.items_for(http, self.semantics)
            sig.tr_id = ctx.intern(("sources", tr_sources))
            sig.admitted_id = ctx.intern(("admitted", admitted))
            sig.flags = (1 if sig.tcp_by_dest or _legacy_rules(tcp, self.semantics) else 0) | (
                2 if sig.http_by_dest or _legacy_rules(http, self.semantics) else 0)
            self.signatures.append(sig)
        return sig_id

    def _gateway_signature(self, group: SourceGroup, index: dict[tuple, int]) -> int:
        """A builtin gateway proxy: one destination per listener of its MeshGateway."""
        ctx = self.mesh_contexts[group.mesh]
        rep = group.representative
        gateway = select_gateway(ctx.gateways, rep)
        key = (group.mesh, "builtin-gateway", rep.gateway.tags if rep.gateway else (), id(gateway))
        sig_id = index.get(key)
        if sig_id is None:
            sig_id = index[key] = len(self.signatures)
            names = list(dict.fromkeys(listener_name(gateway, lst) for lst in gateway.listeners)) if gateway else []
            sig = RoutingSignature(sig_id, group.mesh, (), (), (), ctx.endpoints.every_external(), [(n, {}) for n in names], False)
            sig.gateway, sig.representative = gateway, rep
            self.signatures.append(sig)
        return sig_id

    def _resolve_all(self) -> None:
        index: dict[tuple, int] = {}
        for group in self.groups:
            self.group_signature.append(self._signature_of(group, index))
        for sig in self.signatures:
            if sig.gateway is not None and sig.representative is not None:
                ctx = self.mesh_contexts[sig.mesh]
                sig.decisions, sig.config_error = gateway_listener_decisions(
                    sig.representative, sig.gateway, ctx.valid_tcp, ctx.valid_http, self.semantics, ctx.endpoints,
                    sig.admitted, ctx.kubernetes,
                )
                sig.codes = self._codes_of(sig.decisions)
                continue
            if sig.transparent and sig.destinations:
                decisions, codes = self._transparent_decisions(sig)
            else:
                decisions = [self.decision(sig, dest, tags) for dest, tags in sig.destinations]
                codes = self._codes_of(decisions)
            if sig.real_outbounds:
                real = [self.real_decision(sig, out) for out in sig.real_outbounds]
                decisions.extend(real)
                codes = np.concatenate([codes, self._codes_of(real)])
            sig.decisions, sig.codes = decisions, codes
            # The MeshHTTPRoute plugin builds every outbound of the proxy in turn; one failure fails them all.
            if self._with_checks and np.isin(codes, list(self._with_checks)).any():
                sig.config_error = first_failure([d.http_listener for d in decisions])

    def _code_of(self, decision: Decision) -> int:
        code = self._codes.get(id(decision))
        if code is None:
            code = self._codes[id(decision)] = len(self.distinct)
            self.distinct.append(decision)
            if decision.http_listener is not None and decision.http_listener.checks:
                self._with_checks.add(code)
        return code

    def _codes_of(self, decisions: Sequence[Decision]) -> np.ndarray:
        return np.fromiter(map(self._code_of, decisions), dtype=np.int64, count=len(decisions))

    def _transparent_decisions(self, sig: RoutingSignature) -> tuple[list[Decision], np.ndarray]:
        """The decisions of a transparent signature's pairs (every destination of the mesh, in order): taken
        from the mesh's shared decisions wherever this signature's key parts are theirs, decided otherwise
        (exactly :meth:`decision`, whose cache the shared decisions come from)."""
        ctx = self.mesh_contexts[sig.mesh]
        n = len(ctx.destinations)
        tcp, http = self._item_ids(ctx, sig.tcp_keys), self._item_ids(ctx, sig.http_keys)
        choice = ctx.destination_choice_ids(sig.tr_id, sig.tr_sources)
        shared = ctx.transparent_decisions.get((sig.flags, sig.admitted_id))
        if shared is None:
            shared = ctx.transparent_decisions[(sig.flags, sig.admitted_id)] = SharedDecisions(
                [None] * n, np.full(n, -1, dtype=np.int64), tcp.copy(), http.copy(), choice.copy())  # never the cached choice ids
        differs = (shared.codes < 0) | (shared.tcp != tcp) | (shared.http != http) | (shared.choice != choice)
        decisions = shared.decisions.copy()
        codes = shared.codes.copy()
        at = np.flatnonzero(differs)
        cached = ctx.decisions
        for pos, tcp_id, http_id, choice_id in zip(at.tolist(), tcp[at].tolist(), http[at].tolist(), choice[at].tolist()):
            dest, tags = ctx.transparent_destinations[pos]
            # Mostly decided already for another signature: looked up by the key decision() would build.
            d = cached.get(_decision_key(dest, None, tcp_id, http_id, sig.flags, choice_id, sig.admitted_id))
            decisions[pos] = d = d if d is not None else self.decision(sig, dest, tags)
            codes[pos] = self._code_of(d)
            if shared.codes[pos] < 0:  # the first signature to need a position keeps it for the others
                shared.decisions[pos], shared.codes[pos] = d, codes[pos]
                shared.tcp[pos], shared.http[pos], shared.choice[pos] = tcp[pos], http[pos], choice[pos]
        return decisions, codes  # type: ignore[return-value]  # every None was replaced above

    @staticmethod
    def _item_ids(ctx: MeshContext, keys: Mapping[str, int]) -> np.ndarray:
        """A signature's item-list id per destination of the mesh (-1: no item names it)."""
        ids = np.full(len(ctx.destinations), -1, dtype=np.int64)
        at = [(ctx.position[d], k) for d, k in keys.items() if d in ctx.position]
        if at:
            positions, values = zip(*at)
            ids[list(positions)] = values
        return ids

    # -- per pair ----------------------------------------------------------------------------------
    def pair_input(self, sig: RoutingSignature, destination: str, outbound_tags: Mapping[str, str]) -> PairInput:
        ctx = self.mesh_contexts[sig.mesh]
        return PairInput(
            destination=destination,
            outbound_tags=outbound_tags,
            tcp_items=sig.tcp_by_dest.get(destination, ()),
            http_items=sig.http_by_dest.get(destination, ()),
            has_tcp_rules=bool(sig.flags & 1),
            has_http_rules=bool(sig.flags & 2),
            trafficroute=ctx.trafficroute_for(sig.tr_id, sig.tr_sources, destination)[0],
            admitted=sig.admitted,
            mesh_has_trafficroutes=ctx.has_trafficroutes,
        )

    def decision(self, sig: RoutingSignature, destination: str, outbound_tags: Mapping[str, str]) -> Decision:
        """The decision for one pair, computed once per distinct input: a destination no matched policy
        names is decided once per (TrafficRoute choice, flags, admission) of its mesh, whatever the group."""
        if sig.gateway is not None:
            return next(d for d in sig.decisions if d.destination == destination)
        ctx = self.mesh_contexts[sig.mesh]
        choice_id = ctx.trafficroute_for(sig.tr_id, sig.tr_sources, destination)[1]
        key = _decision_key(
            destination, None if sig.transparent else tuple(sorted(outbound_tags.items())),
            sig.tcp_keys.get(destination, -1), sig.http_keys.get(destination, -1),
            sig.flags, choice_id, sig.admitted_id,
        )
        found = ctx.decisions.get(key)
        if found is None:
            found = ctx.decisions[key] = decide(self.pair_input(sig, destination, outbound_tags), ctx.endpoints, self.semantics)
        return found

    def real_decision(self, sig: RoutingSignature, out: RealOutbound) -> Decision:
        """The decision for an outbound to a port of a destination resource (2.9+): its resource rules
        replace the legacy rule for its ``kuma.io/service`` name (computeConf), the legacy generator never
        builds it, and the plugins' guards still read the legacy rules only (plugin.go)."""
        ctx = self.mesh_contexts[sig.mesh]
        assert ctx.resources is not None
        key = ("real", out.kri, tuple(map(id, sig.tcp_policies)), tuple(map(id, sig.http_policies)), sig.flags, sig.admitted_id)
        found = ctx.decisions.get(key)
        if found is None:
            tcp = ctx.resources.items_for(out, sig.tcp_policies, self.semantics) or sig.tcp_by_dest.get(out.service, [])
            http = ctx.resources.items_for(out, sig.http_policies, self.semantics) or sig.http_by_dest.get(out.service, [])
            pair = PairInput(
                destination=out.service, outbound_tags={SERVICE_TAG: out.service}, tcp_items=tcp, http_items=http,
                has_tcp_rules=bool(sig.flags & 1), has_http_rules=bool(sig.flags & 2), trafficroute=NO_CHOICE,
                admitted=sig.admitted, mesh_has_trafficroutes=ctx.has_trafficroutes, real_resource=True,
            )
            decided = decide(pair, ctx.endpoints, self.semantics)
            found = ctx.decisions[key] = replace(decided, destination=out.kri, service=out.service)
        return found

    # -- lookups -----------------------------------------------------------------------------------
    def explain_selection(self, policy: Policy, proxy: Proxy) -> tuple[bool, str]:
        ctx = self.mesh_contexts.get(proxy.mesh)
        listeners = ctx.listeners(proxy) if ctx is not None else []
        return explain_selection(policy, proxy, self.semantics, listeners, refused=id(policy) in self.refused,
                                 zone=self.content.zone)

    def find_group(self, mesh: str, source: str) -> tuple[int, SourceGroup] | None:
        for i, group in enumerate(self.groups):
            if group.mesh == mesh and group.name == source:
                return i, group
        for i, group in enumerate(self.groups):  # a member proxy's own name also finds its group
            if group.mesh == mesh and any(p.name == source for p in group.proxies):
                return i, group
        return None


def _decision_key(destination: str, outbound_tags: tuple | None, tcp_id: int, http_id: int, flags: int,
                  choice_id: int, admitted_id: int) -> tuple:
    """What a legacy pair's decision depends on (``MeshContext.decisions``' key): the destination, its outbound
    tags unless the proxy is transparent, the ids of its MeshTCPRoute and MeshHTTPRoute item lists (-1: none),
    the rule flags, the TrafficRoute choice and the admission."""
    return (destination, outbound_tags, tcp_id, http_id, flags, choice_id, admitted_id)


def _instance_blind(policies: Sequence[Policy], meshes: Mapping[str, object]) -> frozenset[str]:
    """Meshes where no policy names the ``kuma.io/instance`` tag anywhere (selectors, subsets, splits)."""
    naming = {p.mesh for p in policies if INSTANCE_TAG in _tag_keys(p)}
    return frozenset(m for m in meshes if m not in naming)


def _legacy_rules(policies: Sequence[Policy], semantics: Semantics) -> bool:
    """2.9+: whether the policies give the proxy legacy (``kuma.io/service``) to-rules, which the plugins'
    TrafficRoute guard counts: every ``to`` entry of an old kind does, a MeshService ref by labels included
    (it becomes the subset ``kuma.io/service: ""``, ``v2.14.3:pkg/plugins/policies/core/rules/rules.go``
    asSubset); MeshExternalService and MeshMultiZoneService entries go to the resource rules only."""
    if not semantics.resource_engine:
        return False
    return any(e.target_ref is not None and e.target_ref.kind in LEGACY_TO_KINDS for p in policies for e in p.to)


def _naming_proxies(policies: Sequence[Policy]) -> frozenset[str]:
    """Meshes where a ``kind: Dataplane`` targetRef names a proxy (any version may read one; grouping by
    name where none is needed would only cost time)."""
    return frozenset(p.mesh for p in policies if p.target_ref is not None and p.target_ref.kind == "Dataplane" and p.target_ref.name)


def _tag_keys(policy: Policy) -> set[str]:
    keys: set[str] = set()
    refs = [policy.target_ref] + [e.target_ref for e in policy.to]
    keys.update(k for ref in refs if ref is not None for k, _ in ref.tags)
    for entry in policy.to:
        backends = list(entry.backend_refs or ()) + [b for rule in entry.http_rules for b in rule.backend_refs or ()]
        backends += [f.mirror for rule in entry.http_rules for f in rule.filters or () if f.mirror is not None]
        keys.update(k for b in backends for k, _ in b.tags)
    for selector in policy.sources + policy.destinations:
        keys.update(k for k, _ in selector.match)
    for split in policy.splits + policy.http_splits:
        keys.update(k for k, _ in split.destination)
    return keys


def _plain_mesh(name: str):
    from ..model import Mesh

    return Mesh(name=name)
