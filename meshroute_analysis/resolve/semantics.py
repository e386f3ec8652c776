"""The version-dependent facts of route resolution, one :class:`Semantics` object per Kuma version.

Everything that a Kuma release changed lives here, each fact with the source it was read from, so that the
algorithm modules read a fact ("which protocols may a TCP split carry?") instead of testing a version.

Versions: every minor from ``2.5`` (tag 2.5.11) to ``2.14`` (v2.14.3), each standing for its newest modelled
patch (:data:`NEWEST_PATCH`: 2.6.15, v2.7.29 and v2.13.10 are the LTS lines); a full ``x.y.z`` gets that
minor's facts with the patch gates that apply to it (:data:`_PATCH_GATES`), e.g. 2.7.25 is the first 2.7 that
matches Ignored inbounds.  Each profile is the one before it with the fields its release changed; citations
are ``TAG:path``, and a fact holds for later releases unless a later profile says otherwise.  From 2.9 a
second engine routes destination resources (:mod:`.destinations`), switched on by ``resource_engine``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..model import UNKNOWN, tag_value

if TYPE_CHECKING:
    from ..model import Policy, TargetRef


def _frozen(mapping: dict[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping))


ALL_PROTOCOLS = frozenset({UNKNOWN, "tcp", "http", "http2", "grpc", "kafka"})
#: The ``to`` kinds the legacy rule engine takes from 2.9 (``api/common/v1alpha1/targetref.go`` IsOldKind).
LEGACY_TO_KINDS = frozenset({"Mesh", "MeshSubset", "MeshServiceSubset", "MeshService", "MeshGateway", "MeshHTTPRoute"})
ORIGIN_LABEL = "kuma.io/origin"
DISPLAY_NAME_LABEL = "kuma.io/display-name"
EFFECT_LABEL = "kuma.io/effect"


@dataclass(frozen=True, slots=True)
class Semantics:
    """How one Kuma version resolves outbound routes."""

    version: str
    #: The Kuma version whose validation decides what this one refuses (``meshroute_analysis.validation``
    #: profiles; a patch release may validate differently from its minor, such as 2.6.0).
    validates_as: str = "2.5"
    #: Top-level targetRef kind → rank; matched policies merge in ascending rank
    #: (``api/common/v1alpha1/ref.go`` ``order``; an unknown kind ranks 0 and sorts first).
    kind_order: Mapping[str, int] = field(default_factory=dict)
    #: 2.5 sorts equal kinds by core name ascending (``2.5.11:pkg/plugins/policies/core/matchers/dataplane.go``
    #: ``ByTargetRef``), so the greatest name merges last and wins.  2.6 sorts by origin, then (MeshGateway
    #: refs) by the number of listener tags, then by display name *descending*, so the smallest name wins
    #: (``2.6.15:.../matchers/dataplane.go`` ``ByTargetRef``, ``originToNumber``).
    name_descending: bool = False
    #: Top-level kinds a MeshTCPRoute/MeshHTTPRoute may use (the validators); others never select.
    top_level_kinds: frozenset[str] = frozenset()
    #: ``to[].targetRef`` kinds that give a per-service rule on a sidecar (MeshService only, every version:
    #: ``to: Mesh`` is valid only under a MeshGateway top-level targetRef from 2.6).
    to_kinds: frozenset[str] = frozenset()
    #: backendRef kinds a split accepts; others are skipped silently (``meshroute/listeners.go`` makeSplit).
    backend_kinds: frozenset[str] = frozenset()
    #: Backend protocols MakeTCPSplit accepts; any other backend empties the whole split.
    #: 2.5.11: unknown, tcp, http, http2; 2.6.15 adds grpc and kafka, i.e. every protocol.
    tcp_split_protocols: frozenset[str] = frozenset()
    #: Backend protocols MakeHTTPSplit accepts; any other backend drops that HTTP route.
    #: 2.5.11: http, http2; 2.6.15 adds grpc.
    http_split_protocols: frozenset[str] = frozenset()
    #: Destination protocols for which a MeshHTTPRoute ``to`` entry takes the outbound away from
    #: MeshTCPRoute (``listeners_backendrefs.go`` matchingHTTPRuleExist / getBackendRefs) and which get the
    #: MeshHTTPRoute catch-all without any entry (``meshhttproute/.../listeners.go`` prepareRoutes).
    http_like_protocols: frozenset[str] = frozenset()
    #: TrafficRoute-derived protocols the legacy generator skips when the proxy has any MeshHTTPRoute rule
    #: (``2.5.11:pkg/xds/generator/outbound_proxy_generator.go`` hasMeshRoutes; the skip is gone in 2.6.15).
    trafficroute_skip_protocols: frozenset[str] = frozenset()
    #: Protocols for which the legacy generator builds an HTTP listener from a TrafficRoute (routes per
    #: ``conf.http`` entry); any other gets one tcp_proxy (``outbound_proxy_generator.go`` generateLDS).
    trafficroute_http_protocols: frozenset[str] = frozenset()
    #: Weight MeshHTTPRoute gives the implicit backendRef of a rule without backendRefs (prepareRoutes).
    http_default_weight: int = 100
    #: Whether targetRef matching skips inbounds in state Ignored: every 2.5 and 2.6, 2.7 until 2.7.24
    #: (``v2.7.24:.../matchers/dataplane.go`` inboundsSelectedByTags); from v2.7.25 they match (backport
    #: ``ce4bc1f385`` of #16323).
    skip_ignored_inbounds: bool = True
    #: Whether new meshes get ``route-all-<mesh>`` / ``allow-all-<mesh>``: 2.5.11 ``pkg/defaults/mesh/mesh.go``;
    #: from 2.6.15 only with ``defaults.createMeshRoutingResources`` (off by default).
    creates_default_routing: bool = True
    #: What else a new mesh gets (type, name prefix), listed for the user; none of them routes
    #: (``2.6.15:pkg/defaults/mesh/mesh.go``, ``meshtimeout.go``, ``meshretry.go``, ``meshcircuitbreaker.go``).
    default_mesh_policies: tuple[tuple[str, str], ...] = ()
    #: 2.6: ``proxyTypes`` on a Mesh / MeshSubset targetRef restricts it to sidecars or gateways
    #: (``2.6.15:.../matchers/dataplane.go`` inboundsSelectedByPolicy).
    proxy_types: bool = False
    #: 2.6: a delegated gateway is selected by tags that match its ``gateway.tags``
    #: (``2.6.15:.../matchers/dataplane.go`` inboundsSelectedByTags, the delegated flag).
    delegated_gateways_selectable: bool = False
    #: 2.7: policies labelled ``kuma.io/effect: shadow`` take no part (``v2.7.29:.../matchers/dataplane.go``).
    shadow_excluded: bool = False
    #: 2.6: the TrafficRoute generator runs only in a mesh with at least one TrafficRoute
    #: (``2.6.15:pkg/xds/generator/outbound_proxy_generator.go``: ``len(TrafficRoutes) == 0`` returns).
    trafficroute_needs_one: bool = False
    #: 2.6: the route plugins also run for a proxy with no rule of theirs when the mesh has no TrafficRoute
    #: (``2.6.15:.../meshtcproute/plugin/v1alpha1/plugin.go``, ``.../meshhttproute/plugin/v1alpha1/plugin.go``).
    plugins_run_without_trafficroutes: bool = False
    #: 2.6: a MeshTCPRoute plugin that runs gives every non-HTTP outbound without a rule a route to itself,
    #: weight 100, with the outbound's tags (``2.6.15:.../meshtcproute/.../listeners_backendrefs.go``).
    tcp_default_self_route: bool = False
    #: 2.6: a destination's protocol is computed once per mesh (``MeshContext.ServicesInformation``): every
    #: ExternalService counts, whatever the TrafficPermissions (``2.6.15:pkg/xds/context/mesh_context_builder.go``).
    protocol_mesh_wide: bool = False
    #: 2.6: the legacy generator folds the protocols of its clusters' services (a service without endpoints
    #: is unknown); 2.5 folded their endpoints (``outbound_proxy_generator.go`` InferProtocol).
    trafficroute_protocol_per_service: bool = False

    #: 2.6: a MeshHTTPRoute rule without backendRefs routes to the outbound's own tags (2.5: the service).
    default_route_outbound_tags: bool = False
    #: 2.7: ``backendRefs: []`` on a MeshHTTPRoute rule routes to the service itself; 2.5 and 2.6 drop the
    #: route (``v2.7.29:.../meshhttproute/plugin/v1alpha1/listeners.go`` vs ``2.6.15``).
    empty_backend_refs_route_to_self: bool = False
    #: 2.7: a RequestMirror's backendRef keeps its own weight (0 makes no cluster); earlier ones force 1.
    mirror_keeps_weight: bool = False

    #: 2.6: zone ingress and egress learn MeshTCPRoute backends, so a cross-zone subset works
    #: (``2.6.15:pkg/xds/generator/zoneproxy/destinations.go``, ``80007a7969``); 2.5.11 learns only MeshHTTPRoute's.
    cross_zone_tcp_routes: bool = False
    #: 2.6: builtin gateway listeners are routed by MeshTCPRoute / MeshHTTPRoute (``resolve/gatewayroutes.py``);
    #: each listener is a row of ``res.routes``.
    gateway_listener_rows: bool = False
    #: 2.6.15 panics on a MeshHTTPRoute rule without backendRefs that reaches a builtin gateway
    #: (``2.6.15:.../meshhttproute/plugin/v1alpha1/gateway_routes.go`` ranges over a nil pointer); 2.7 derefs safely.
    gateway_rule_without_backends_panics: bool = False
    #: 2.7 drops exact duplicate gateway route entries (``v2.7.29:.../gateway_routes.go`` dedupRouteEntries).
    gateway_dedups_entries: bool = False
    #: 2.7 resolves a MeshGateway / MeshHTTPRoute reference by display name (``IsReferenced``, ``c6d7d77903``).
    references_by_display_name: bool = False

    #: 2.8: the merge order has a role tier after origin and the MeshGateway tag count: system < producer <
    #: consumer < workload-owner, no label counting as system (``2.8.8:.../matchers/dataplane.go`` ByTargetRef;
    #: ``v2.14.3:pkg/core/resources/model/resource.go`` PolicyRole).  Consumer and workload-owner policies
    #: select only proxies of their own namespace (``dppSelectedByNamespace``).
    role_tiers: bool = False
    #: 2.9: a policy without a top-level targetRef targets the Mesh (``2.9.19:.../meshtcproute/api/v1alpha1/
    #: validator.go``; ``v2.14.3:.../matchers/dataplane.go`` resolveMeshHTTPRouteRef derefs to ``Mesh``).
    target_ref_optional: bool = False
    #: 2.9: a zone-origin policy labelled ``kuma.io/zone`` selects only proxies of that zone; producer
    #: policies select everywhere (``2.9.19:.../matchers/dataplane.go`` dppSelectedByZone).
    zone_filter: bool = False
    #: 2.9: a split drops a backend it cannot carry (protocol, weight 0, no service) on its own; up to 2.8 one
    #: such backend emptied the whole split (``2.9.19:.../meshroute/listeners.go`` makeSplits, ``882a878cdc``).
    split_drops_backend_alone: bool = False
    #: 2.10: ``kind: Dataplane`` selects proxies by name (its KRI) or by labels, never a builtin gateway
    #: (``v2.10.11:.../matchers/dataplane.go`` DppSelectedByPolicy); among Dataplane refs labels sort before
    #: a name, and no sectionName before one (``api/common/v1alpha1/targetref.go`` CompareDataplaneKind).
    dataplane_target_ref: bool = False
    #: 2.12.8 / 2.13.3 / 2.14.0: a ``kind: Dataplane`` ref selects a delegated gateway too (``6a830f43f1``,
    #: #15791: ``delegated = IsDelegatedGateway()``); before, it returned ``delegated=false``.
    dataplane_ref_selects_delegated: bool = False
    #: 2.9: a transparent proxy's outbounds are the mesh's VIP outbounds only; the ones its Dataplane lists
    #: are replaced, where 2.5 to 2.8 kept those that are not VIPs (``2.9.19:pkg/xds/sync/
    #: dataplane_proxy_builder.go`` resolveVIPOutbounds: ``Networking.Outbound = legacyOutbounds``).
    transparent_listed_outbounds_dropped: bool = False
    #: 2.9: destination resources (MeshService, MeshExternalService, MeshMultiZoneService) give outbounds of
    #: their own, routed by resource rules (``2.9.19:pkg/plugins/policies/core/rules/resourcerules.go``;
    #: :mod:`.destinations`).
    resource_engine: bool = False
    #: 2.12: a MeshService backendRef with only ``sectionName`` names a real port (``v2.12.14:api/common/
    #: v1alpha1/targetref.go`` ReferencesRealObject); up to 2.11 only ``port`` did.
    section_name_backend_is_real: bool = False
    #: 2.10: Universal documents of the new policies get their schema's defaults on apply, as a Kubernetes
    #: API server gives CRDs (``v2.10.11:pkg/core/resources/model/rest/unmarshaller.go``: ``defaulting.Default``),
    #: so a backendRef without ``weight`` has 1 (``kuma.io_meshtcproutes.yaml`` ``default: 1``).
    universal_schema_defaults: bool = False
    #: 2.12.0 to 2.13.x keep a MeshHTTPRoute route whose split lost every backend: ``makeSplits`` returns an
    #: empty slice, not nil, and ``generateFromService`` tests ``split == nil`` (``v2.13.10:.../meshhttproute/
    #: plugin/v1alpha1/listeners.go``); 2.14.0 tests ``len(split) == 0`` (``c18daffea0``, #16324).
    http_keeps_empty_routes: bool = False

    def top_level_kind(self, policy: Policy) -> str:
        """The kind of the policy's top-level targetRef as this version reads it ("" when it has none)."""
        ref = policy.target_ref
        if ref is not None:
            return ref.kind
        return "Mesh" if self.target_ref_optional else ""

    def policy_sort_key(self, policy: Policy, role: str | None = None) -> tuple:
        """Merge order of matched targetRef policies of one type: the last one merged wins.  ``role`` is the
        policy's ``kuma.io/policy-role`` (None: system), which orders policies from 2.8."""
        ref = policy.target_ref
        kind = self.top_level_kind(policy)
        rank = self.kind_order.get(kind, 0)
        if not self.name_descending:
            return (rank, policy.core_name)
        labels = policy.resource.labels
        origin = {"global": -1, "zone": 1}.get(tag_value(labels, ORIGIN_LABEL) or "", 0)
        listener_tags = len(ref.tags) if ref is not None and kind == "MeshGateway" else 0
        if not self.role_tiers:
            return (rank, origin, listener_tags, descending(display_name(policy)))
        specificity = dataplane_specificity(ref) if self.dataplane_target_ref and kind == "Dataplane" else (0, 0)
        return (rank, specificity, origin, listener_tags, ROLE_RANK.get(role or "system", 0), descending(display_name(policy)))

    def excludes(self, policy: Policy) -> bool:
        """A policy this version leaves out of matching altogether (shadow policies from 2.7)."""
        return self.shadow_excluded and tag_value(policy.resource.labels, EFFECT_LABEL) == "shadow"


#: ``mesh_proto.PolicyRole`` Compare (``v2.14.3:api/mesh/v1alpha1/dataplane_helpers.go``); an unknown role ranks 0.
ROLE_RANK: Mapping[str, int] = MappingProxyType({"system": 1, "producer": 2, "consumer": 3, "workload-owner": 4})


def dataplane_specificity(ref: TargetRef | None) -> tuple[int, int]:
    """``CompareDataplaneKind``: a ref by labels sorts before one by name, no sectionName before one.
    A ref with neither sits between the two here; Kuma's comparison ties it with both, which no sort key can."""
    if ref is None:
        return (0, 0)
    by_name = 1 if ref.name else (-1 if ref.labels is not None else 0)
    return (by_name, 1 if ref.section_name else 0)


def display_name(policy: Policy) -> str:
    """``kuma.io/display-name`` when set, else the name as written: ``metadata.name`` on Kubernetes (the store
    sets the label from it, ``2.6.15:pkg/plugins/resources/k8s/store.go``), the name on Universal."""
    return tag_value(policy.resource.labels, DISPLAY_NAME_LABEL) or policy.resource.name


def descending(text: str) -> tuple[int, ...]:
    """A key that sorts strings in descending byte order (a longer string with the same prefix sorts first)."""
    return tuple(-b for b in text.encode()) + (1,)


_KIND_ORDER = _frozen({"Mesh": 1, "MeshSubset": 2, "MeshGateway": 3, "MeshService": 4, "MeshServiceSubset": 5, "MeshHTTPRoute": 6})

KUMA_2_5 = Semantics(
    version="2.5",
    kind_order=_KIND_ORDER,
    name_descending=False,
    top_level_kinds=frozenset({"Mesh", "MeshSubset", "MeshService", "MeshServiceSubset"}),
    to_kinds=frozenset({"MeshService"}),
    backend_kinds=frozenset({"MeshService", "MeshServiceSubset"}),
    tcp_split_protocols=frozenset({UNKNOWN, "tcp", "http", "http2"}),
    http_split_protocols=frozenset({"http", "http2"}),
    http_like_protocols=frozenset({"http", "http2", "grpc"}),
    trafficroute_skip_protocols=frozenset({"http", "http2"}),
    trafficroute_http_protocols=frozenset({"http", "http2", "grpc"}),
)

KUMA_2_6 = replace(
    KUMA_2_5,
    version="2.6",
    validates_as="2.6",
    name_descending=True,
    top_level_kinds=frozenset({"Mesh", "MeshSubset", "MeshGateway", "MeshService", "MeshServiceSubset"}),
    tcp_split_protocols=ALL_PROTOCOLS,
    http_split_protocols=frozenset({"http", "http2", "grpc"}),
    trafficroute_skip_protocols=frozenset(),
    creates_default_routing=False,
    default_mesh_policies=(
        ("MeshTimeout", "mesh-timeout-all"), ("MeshTimeout", "mesh-gateways-timeout-all"),
        ("MeshCircuitBreaker", "mesh-circuit-breaker-all"), ("MeshRetry", "mesh-retry-all"),
    ),
    proxy_types=True,
    delegated_gateways_selectable=True,
    trafficroute_needs_one=True,
    plugins_run_without_trafficroutes=True,
    tcp_default_self_route=True,
    protocol_mesh_wide=True,
    trafficroute_protocol_per_service=True,
    default_route_outbound_tags=True,
    gateway_listener_rows=True,
    gateway_rule_without_backends_panics=True,
    cross_zone_tcp_routes=True,
)

_KUMA_2_7_0 = replace(
    KUMA_2_6,
    version="2.7",
    validates_as="2.7",
    shadow_excluded=True,
    empty_backend_refs_route_to_self=True,
    mirror_keeps_weight=True,
    gateway_rule_without_backends_panics=False,
    gateway_dedups_entries=True,
    references_by_display_name=True,
)

_KUMA_2_8_0 = replace(
    _KUMA_2_7_0,
    version="2.8",
    validates_as="2.8",
    role_tiers=True,
)

#: 2.9 renumbers the kinds for the new resources (``2.9.19:api/common/v1alpha1/targetref.go`` ``order``).
_KIND_ORDER_2_9 = _frozen({
    "Mesh": 1, "MeshSubset": 2, "MeshGateway": 3, "MeshService": 4, "MeshExternalService": 5,
    "MeshMultiZoneService": 6, "MeshServiceSubset": 7, "MeshHTTPRoute": 8,
})
_KUMA_2_9_0 = replace(
    _KUMA_2_8_0,
    version="2.9",
    validates_as="2.9",
    kind_order=_KIND_ORDER_2_9,
    top_level_kinds=_KUMA_2_8_0.top_level_kinds,
    target_ref_optional=True,
    zone_filter=True,
    split_drops_backend_alone=True,
    transparent_listed_outbounds_dropped=True,
    resource_engine=True,
)

#: 2.10 adds ``Dataplane`` second (``v2.10.11:api/common/v1alpha1/targetref.go``; the same at v2.14.3).
_KIND_ORDER_2_10 = _frozen({
    "Mesh": 1, "Dataplane": 2, "MeshSubset": 3, "MeshGateway": 4, "MeshService": 5, "MeshExternalService": 6,
    "MeshMultiZoneService": 7, "MeshServiceSubset": 8, "MeshHTTPRoute": 9,
})
_KUMA_2_10_0 = replace(
    _KUMA_2_9_0,
    version="2.10",
    validates_as="2.10",
    kind_order=_KIND_ORDER_2_10,
    top_level_kinds=_KUMA_2_9_0.top_level_kinds | {"Dataplane"},
    dataplane_target_ref=True,
    universal_schema_defaults=True,
)
# 2.11 to 2.14 route legacy outbounds as 2.10 does; they differ in validation and in the patch gates below.
_KUMA_2_11_0 = replace(_KUMA_2_10_0, version="2.11", validates_as="2.11")
_KUMA_2_12_0 = replace(_KUMA_2_10_0, version="2.12", validates_as="2.12", http_keeps_empty_routes=True,
                       section_name_backend_is_real=True)
_KUMA_2_13_0 = replace(_KUMA_2_12_0, version="2.13", validates_as="2.13")
_KUMA_2_14_0 = replace(
    _KUMA_2_10_0, version="2.14", validates_as="2.14", skip_ignored_inbounds=False, dataplane_ref_selects_delegated=True,
    section_name_backend_is_real=True,
)

_MATCH_IGNORED = MappingProxyType({"skip_ignored_inbounds": False})
_DATAPLANE_REF_DELEGATED = MappingProxyType({"dataplane_ref_selects_delegated": True})

#: Patch releases that change a fact of their minor: (minor, first patch) → changes.
_PATCH_GATES: Mapping[tuple[str, int], Mapping[str, object]] = MappingProxyType({
    # #16323 and its backports: targetRefs match Ignored inbounds (``v2.7.25:.../matchers/dataplane.go``
    # inboundsSelectedByTags; 2.9.15, v2.11.13, v2.12.10, v2.13.5 likewise; v2.10.11 still skips them).
    ("2.7", 25): _MATCH_IGNORED,
    ("2.9", 15): _MATCH_IGNORED,
    ("2.11", 13): _MATCH_IGNORED,
    ("2.12", 10): _MATCH_IGNORED,
    ("2.13", 5): _MATCH_IGNORED,
    # #15791 (``6a830f43f1``) and backports: ``kind: Dataplane`` selects delegated gateways
    # (``v2.12.8:`` / ``v2.13.3:.../matchers/dataplane.go``: ``return inbounds, nil, dpp.Spec.IsDelegatedGateway()``).
    ("2.12", 8): _DATAPLANE_REF_DELEGATED,
    ("2.13", 3): _DATAPLANE_REF_DELEGATED,
})

#: The newest patch of each minor that is modelled: a bare minor version means it.
NEWEST_PATCH: Mapping[str, int] = MappingProxyType({
    "2.5": 11, "2.6": 15, "2.7": 29, "2.8": 8, "2.9": 19, "2.10": 11, "2.11": 18, "2.12": 14, "2.13": 10, "2.14": 3,
})

_MINORS: Mapping[str, Semantics] = MappingProxyType({
    "2.5": KUMA_2_5, "2.6": KUMA_2_6, "2.7": _KUMA_2_7_0, "2.8": _KUMA_2_8_0, "2.9": _KUMA_2_9_0,
    "2.10": _KUMA_2_10_0, "2.11": _KUMA_2_11_0, "2.12": _KUMA_2_12_0, "2.13": _KUMA_2_13_0, "2.14": _KUMA_2_14_0,
})


def _at_patch(minor: str, patch: int, version: str) -> Semantics:
    base = _MINORS[minor]
    changes: dict[str, object] = {}
    for (gate_minor, first), gate in sorted(_PATCH_GATES.items()):
        if gate_minor == minor and patch >= first:
            changes.update(gate)
    if not changes and version == base.version:
        return base
    return replace(base, version=version, validates_as=version, **changes)  # type: ignore[arg-type]


KUMA_2_7 = _at_patch("2.7", NEWEST_PATCH["2.7"], "2.7")
KUMA_2_13 = _at_patch("2.13", NEWEST_PATCH["2.13"], "2.13")
KUMA_2_14 = _at_patch("2.14", NEWEST_PATCH["2.14"], "2.14")

#: Every modelled minor version, by the string ``resolve(kuma_version=...)`` accepts.
SEMANTICS: Mapping[str, Semantics] = MappingProxyType({
    minor: _at_patch(minor, NEWEST_PATCH[minor], minor) for minor in _MINORS
})


#: What ``resolve`` and the CLI model when nothing says otherwise.
DEFAULT_VERSION = "2.5"


def supported_versions() -> tuple[str, ...]:
    return tuple(sorted(SEMANTICS, key=lambda v: tuple(int(p) for p in v.split("."))))


def semantics_for(version: str | Semantics) -> Semantics:
    """The :class:`Semantics` of ``version`` (``"2.7"`` or ``"2.7.24"``; a leading ``v`` is allowed); an
    unmodelled version is a :class:`UsageError` (a ValueError) listing the known ones."""
    if isinstance(version, Semantics):
        return version
    text = str(version).strip().removeprefix("v")
    parts = text.split(".")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
        minor = f"{int(parts[0])}.{int(parts[1])}"
        if minor in SEMANTICS:
            if len(parts) == 2:
                return SEMANTICS[minor]
            return _at_patch(minor, int(parts[2]), f"{minor}.{int(parts[2])}")
    raise UsageError(
        f"Kuma version {version!r} is not modelled; supported versions: {', '.join(supported_versions())} "
        "(or a full x.y.z of one of them)"
    )
