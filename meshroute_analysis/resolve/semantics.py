"""The version-dependent facts of route resolution, one :class:`Semantics` object per Kuma version.

Everything that a Kuma release changed lives here, each fact with the source it was read from, so that the
algorithm modules read a fact ("which protocols may a TCP split carry?") instead of testing a version.

Versions: ``2.5`` (tag 2.5.11), ``2.6`` (2.6.15) and ``2.7`` (v2.7.29, an LTS line).  A minor version stands
for its newest modelled patch; a full ``x.y.z`` gets that minor's facts with the patch gates that apply to it
(:data:`_PATCH_GATES`), e.g. 2.7.25 is the first 2.7 that matches Ignored inbounds.  Citations below are
``TAG:path``; ``2.6`` facts hold for 2.7 unless a 2.7 line says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..model import UNKNOWN, tag_value

if TYPE_CHECKING:
    from ..model import Policy


def _frozen(mapping: dict[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping))


ALL_PROTOCOLS = frozenset({UNKNOWN, "tcp", "http", "http2", "grpc", "kafka"})
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

    def policy_sort_key(self, policy: Policy) -> tuple:
        """Merge order of matched targetRef policies of one type: the last one merged wins."""
        ref = policy.target_ref
        kind = ref.kind if ref is not None else ""
        rank = self.kind_order.get(kind, 0)
        if not self.name_descending:
            return (rank, policy.core_name)
        labels = policy.resource.labels
        origin = {"global": -1, "zone": 1}.get(tag_value(labels, ORIGIN_LABEL) or "", 0)
        listener_tags = len(ref.tags) if ref is not None and kind == "MeshGateway" else 0
        return (rank, origin, listener_tags, _descending(display_name(policy)))

    def excludes(self, policy: Policy) -> bool:
        """A policy this version leaves out of matching altogether (shadow policies from 2.7)."""
        return self.shadow_excluded and tag_value(policy.resource.labels, EFFECT_LABEL) == "shadow"


def display_name(policy: Policy) -> str:
    """``kuma.io/display-name`` when set, else the name as written: ``metadata.name`` on Kubernetes (the store
    sets the label from it, ``2.6.15:pkg/plugins/resources/k8s/store.go``), the name on Universal."""
    return tag_value(policy.resource.labels, DISPLAY_NAME_LABEL) or policy.resource.name


def _descending(text: str) -> tuple[int, ...]:
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

#: Patch releases that change a fact of their minor: (minor, first patch) → changes.
_PATCH_GATES: Mapping[tuple[str, int], Mapping[str, object]] = MappingProxyType({
    # v2.7.25 backports #16323: targetRefs match Ignored inbounds (``v2.7.25:.../matchers/dataplane.go``).
    ("2.7", 25): MappingProxyType({"skip_ignored_inbounds": False}),
})

#: The newest patch of each minor that is modelled: a bare minor version means it.
NEWEST_PATCH: Mapping[str, int] = MappingProxyType({"2.5": 11, "2.6": 15, "2.7": 29})

_MINORS: Mapping[str, Semantics] = MappingProxyType({"2.5": KUMA_2_5, "2.6": KUMA_2_6, "2.7": _KUMA_2_7_0})


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

#: Every modelled minor version, by the string ``resolve(kuma_version=...)`` accepts.
SEMANTICS: Mapping[str, Semantics] = MappingProxyType({"2.5": KUMA_2_5, "2.6": KUMA_2_6, "2.7": KUMA_2_7})


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
