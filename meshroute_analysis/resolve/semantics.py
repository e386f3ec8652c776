"""The version-dependent facts of route resolution, one :class:`Semantics` object per Kuma version.

Everything that a later Kuma release changed lives here, so that the algorithm modules read a fact
("which protocols may a TCP split carry?") instead of hard-coding a version.  Only 2.5 is modelled; the
reference (``kuma-route-semantics.md`` §11) lists what 2.6+ would change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..errors import UsageError
from ..model import UNKNOWN


def _frozen(mapping: dict[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Semantics:
    """How one Kuma version resolves outbound routes."""

    version: str
    #: Top-level targetRef kind → rank; matched policies merge in ascending rank
    #: (``api/common/v1alpha1/ref.go`` ``order``; an unknown kind ranks 0 and sorts first).
    kind_order: Mapping[str, int] = field(default_factory=dict)
    #: 2.5 sorts equal kinds by core name ascending (``matchers/dataplane.go`` ``ByTargetRef``), so the
    #: greatest name merges last and wins; 2.6 reversed it (display name descending).
    name_descending: bool = False
    #: Top-level kinds a MeshTCPRoute/MeshHTTPRoute may use (2.5 validators); others never select.
    top_level_kinds: frozenset[str] = frozenset()
    #: ``to[].targetRef`` kinds that give a per-service rule (2.5: MeshService only).
    to_kinds: frozenset[str] = frozenset()
    #: backendRef kinds a split accepts; others are skipped silently (``meshroute/listeners.go`` makeSplit).
    backend_kinds: frozenset[str] = frozenset()
    #: Backend protocols MakeTCPSplit accepts; any other backend empties the whole split (2.5.11).
    tcp_split_protocols: frozenset[str] = frozenset()
    #: Backend protocols MakeHTTPSplit accepts; any other backend drops that HTTP route (2.5.11).
    http_split_protocols: frozenset[str] = frozenset()
    #: Destination protocols for which a MeshHTTPRoute ``to`` entry takes the outbound away from
    #: MeshTCPRoute (``listeners_backendrefs.go`` matchingHTTPRuleExist) and which get the MeshHTTPRoute
    #: catch-all without any entry (``meshhttproute/.../listeners.go`` prepareRoutes).
    http_like_protocols: frozenset[str] = frozenset()
    #: TrafficRoute-derived protocols the legacy generator skips when the proxy has any MeshHTTPRoute rule
    #: (``pkg/xds/generator/outbound_proxy_generator.go`` hasMeshRoutes).
    trafficroute_skip_protocols: frozenset[str] = frozenset()
    #: Protocols for which the legacy generator builds an HTTP listener from a TrafficRoute (routes per
    #: ``conf.http`` entry); any other gets one tcp_proxy (``outbound_proxy_generator.go`` generateLDS).
    trafficroute_http_protocols: frozenset[str] = frozenset()
    #: Weight MeshHTTPRoute gives the implicit backendRef of a rule without backendRefs (prepareRoutes).
    http_default_weight: int = 100
    #: Whether targetRef matching skips inbounds in state Ignored (2.5: yes; see reference §11).
    skip_ignored_inbounds: bool = True
    #: Whether new meshes get ``route-all-<mesh>`` / ``allow-all-<mesh>`` (``pkg/defaults/mesh/mesh.go``).
    creates_default_routing: bool = True

    def policy_sort_key(self, kind: str | None, core_name: str) -> tuple[int, str]:
        """Merge order of matched targetRef policies: kind rank, then core name (byte order)."""
        rank = self.kind_order.get(kind or "", 0)
        if self.name_descending:  # pragma: no cover - no descending version modelled yet
            return (rank, "".join(chr(0x10FFFF - ord(c)) for c in core_name))
        return (rank, core_name)


KUMA_2_5 = Semantics(
    version="2.5",
    kind_order=_frozen(
        {
            "Mesh": 1,
            "MeshSubset": 2,
            "MeshGateway": 3,
            "MeshService": 4,
            "MeshServiceSubset": 5,
            "MeshHTTPRoute": 6,
        }
    ),
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

#: Every modelled version, by the string ``resolve(kuma_version=...)`` accepts.
SEMANTICS: Mapping[str, Semantics] = MappingProxyType({"2.5": KUMA_2_5})


def supported_versions() -> tuple[str, ...]:
    return tuple(sorted(SEMANTICS))


def semantics_for(version: str | Semantics) -> Semantics:
    """The :class:`Semantics` of ``version``; an unmodelled version is a :class:`UsageError` (a ValueError)."""
    if isinstance(version, Semantics):
        return version
    key = str(version).strip()
    if key.count(".") >= 2:  # "2.5.11" → "2.5": patch releases share their minor's semantics
        key = ".".join(key.split(".")[:2])
    try:
        return SEMANTICS[key]
    except KeyError:
        raise UsageError(
            f"Kuma version {version!r} is not modelled; supported versions: {', '.join(supported_versions())}"
        ) from None
