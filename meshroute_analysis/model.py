"""The typed, immutable objects every stage passes on.

Loading turns YAML documents into these; resolving reads only these (never files); the frames that users
see are built from them.  Tags are kept as sorted tuples of ``(key, value)`` pairs so that every object
here is hashable and prints the same way every time; :func:`tags_dict` and :func:`tags_str` give the
two forms users see (a plain dict in a frame, ``k=v,k2=v2`` for grouping).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

Tags = tuple[tuple[str, str], ...]

SERVICE_TAG = "kuma.io/service"
PROTOCOL_TAG = "kuma.io/protocol"
ZONE_TAG = "kuma.io/zone"
MESH_LABEL = "kuma.io/mesh"
SKIP_ANNOTATION = "meshroute.io/skip"
DEFAULT_MESH = "default"
#: :attr:`Policy.apply_order` of what a control plane creates with a mesh: before any applied file.
CREATED_WITH_MESH = -1

#: The protocol values Kuma 2.5 parses (``ParseProtocol`` in
#: ``pkg/core/resources/apis/mesh/dataplane_helpers.go``); anything else is ``unknown``.
PROTOCOLS = ("tcp", "http", "http2", "grpc", "kafka")
UNKNOWN = "unknown"


def make_tags(value: object) -> Tags:
    """Tags from a YAML mapping; keys and values are stringified, anything not a mapping gives no tags."""
    # Safe YAML loading only ever builds plain dicts; checking for dict avoids an ABC check per call.
    if not isinstance(value, dict):
        return ()
    return tuple(sorted((str(k), "" if v is None else str(v)) for k, v in value.items()))


def tags_dict(tags: Tags) -> dict[str, str]:
    return dict(tags)


def tags_str(tags: Tags) -> str:
    """The stable ``k=v,k2=v2`` twin of a tags column."""
    return ",".join(f"{k}={v}" for k, v in tags)


def tag_value(tags: Tags, key: str) -> str | None:
    for k, v in tags:
        if k == key:
            return v
    return None


class Status(StrEnum):
    """What became of one YAML document."""

    LOADED = "loaded"
    SKIPPED = "skipped"
    INVALID = "invalid"
    ERROR = "error"


class Format(StrEnum):
    KUBERNETES = "kubernetes"
    UNIVERSAL = "universal"
    IMPLICIT = "implicit"  # created by the control plane, not read from a file


class Origin(StrEnum):
    DATAPLANE = "dataplane"
    KUBERNETES = "kubernetes"
    INFERRED = "inferred"


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of one file, whatever became of it."""

    file: str
    line: int  # 1-based line of the document's first line in the file
    index: int  # position of the document in its file, from 0
    kind: str | None
    name: str | None
    mesh: str | None
    status: Status
    reason: str = ""
    item: int | None = None  # position inside a List / kumactl envelope, None for a plain document


@dataclass(frozen=True, slots=True)
class Resource:
    """A recognised document in one shape, whether it came in Kubernetes or Universal form.

    ``spec`` holds what Kuma keeps under ``spec`` (for Universal legacy resources such as TrafficRoute the
    top-level ``sources``/``destinations``/``conf`` are moved there, so later stages see one shape).
    """

    kind: str
    name: str
    mesh: str
    namespace: str | None
    format: Format
    spec: Any
    labels: Tags
    annotations: Tags
    file: str
    line: int
    #: The line of every field of a policy document, keyed by its path (``("spec", "to", 0, ...)``);
    #: only route and legacy policies carry it, for findings that point at the field itself.
    field_lines: Mapping[tuple[str | int, ...], int] | None = field(default=None, compare=False, repr=False)

    def line_of(self, path: str | None) -> int:
        """The line of the field at a Kuma-style ``path`` (``spec.to[0].rules[0].default.backendRefs[1]``,
        ``tags["version"]`` or dotted schema keys), or of its nearest ancestor in the file; the document's
        line when the path is unknown."""
        if not path or not self.field_lines:
            return self.line
        if self.format is Format.KUBERNETES and self.kind in _LEGACY_KINDS and not path.startswith("spec"):
            path = "spec." + path  # Kuma's legacy paths start at the spec, which Kubernetes nests under "spec"
        found = _deepest_line(self.field_lines, _path_tokens(path))
        return found if found is not None else self.line

    @property
    def namespaced(self) -> bool:
        """Whether the namespace is part of the object's identity (a namespaced Kubernetes object)."""
        return self.format is Format.KUBERNETES and bool(self.namespace) and self.kind not in CLUSTER_SCOPED_KINDS

    @property
    def core_name(self) -> str:
        """The name Kuma 2.5 stores and sorts on: ``<name>.<namespace>`` for namespaced Kubernetes objects
        (``pkg/plugins/resources/k8s/store.go`` / ``pkg/util/k8s/name_converter.go``)."""
        if self.namespaced:
            return f"{self.name}.{self.namespace}"
        return self.name

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


_LEGACY_KINDS = frozenset({"TrafficRoute", "TrafficPermission"})
#: Kuma kinds whose CRDs are cluster-scoped (``scope: Cluster`` in ``deployments/charts/kuma/crds/`` at
#: 2.5.11): ``metadata.namespace`` is not part of their identity, and kubectl drops it.
CLUSTER_SCOPED_KINDS = frozenset({"Mesh", "TrafficRoute", "TrafficPermission", "ExternalService", "MeshGateway"})
_TOKEN = re.compile(r'\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.\[]+)')


def _path_tokens(path: str) -> list[tuple[str, str | int]]:
    """``spec.to[0].tags["k"]`` as ("key", "spec"), ("key", "to"), ("index", 0), ("key", "tags"), ("quoted", "k")."""
    tokens: list[tuple[str, str | int]] = []
    for index, quoted, key in _TOKEN.findall(path):
        if index:
            tokens.append(("index", int(index)))
        elif quoted:
            tokens.append(("quoted", quoted))
        elif key:
            tokens.append(("key", key))
    return tokens


def _deepest_line(lines: Mapping[tuple[str | int, ...], int], tokens: list[tuple[str, str | int]]) -> int | None:
    """Walk ``tokens`` through ``lines``; dotted keys may hold dots themselves (``tags.kuma.io/service``),
    so a plain key absorbs following plain tokens until the joined key exists."""
    at: tuple[str | int, ...] = ()
    best = lines.get(at)
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        step: str | int | None = None
        if kind in ("index", "quoted"):
            step, i = value, i + 1
        else:
            joined, j = str(value), i + 1
            while (*at, joined) not in lines and j < len(tokens) and tokens[j][0] == "key":
                joined, j = f"{joined}.{tokens[j][1]}", j + 1
            step, i = joined, j
        if (*at, step) not in lines:
            break
        at = (*at, step)
        best = lines[at]
    return best


@dataclass(frozen=True, slots=True)
class TargetRef:
    kind: str
    name: str | None = None
    tags: Tags = ()
    mesh: str | None = None
    proxy_types: tuple[str, ...] = ()  # ``proxyTypes`` (Sidecar, Gateway), from 2.6
    #: From 2.8: ``labels`` (None when absent; an empty map is present and selects everything it may),
    #: ``namespace`` and ``sectionName``.
    labels: Tags | None = None
    namespace: str | None = None
    section_name: str | None = None


@dataclass(frozen=True, slots=True)
class BackendRef:
    kind: str
    name: str | None
    tags: Tags = ()
    weight: int | None = None  # as written; None means Kuma's default of 1
    #: From 2.7 a backendRef may name a real resource: ``port`` (a MeshService port number), and from 2.8
    #: ``sectionName``, ``labels`` and ``namespace`` (:mod:`meshroute_analysis.resolve.destinations`).
    port: int | None = None
    section_name: str | None = None
    labels: Tags | None = None
    namespace: str | None = None

    @property
    def effective_weight(self) -> int:
        # pointer.DerefOr(weight, 1) in 2.5's split builder; the CRD default is also 1.
        return 1 if self.weight is None else self.weight


@dataclass(frozen=True, slots=True)
class HTTPFilter:
    """One MeshHTTPRoute ``default.filters[]`` entry: its type and, for a RequestMirror, the mirrored backend."""

    type: str
    mirror: BackendRef | None = None


@dataclass(frozen=True, slots=True)
class HTTPRule:
    """One MeshHTTPRoute rule: its ``matches`` kept as canonical JSON text (the merge key), backends and
    filters (``None`` when the rule does not set the field, which a JSON merge patch leaves alone)."""

    matches: str
    backend_refs: tuple[BackendRef, ...] | None
    filters: tuple[HTTPFilter, ...] | None = None


@dataclass(frozen=True, slots=True)
class ToEntry:
    """One ``spec.to[i]`` entry of a targetRef policy.

    ``backend_refs`` is the first rule's list (MeshTCPRoute only counts ``rules[0]``); ``has_rules`` tells
    an entry without ``rules`` (route to the destination itself, weight 1) from one with them.
    """

    index: int
    target_ref: TargetRef | None
    has_rules: bool = False
    backend_refs: tuple[BackendRef, ...] | None = None
    http_rules: tuple[HTTPRule, ...] = ()
    rule_count: int = 0


@dataclass(frozen=True, slots=True)
class Selector:
    """A legacy ``sources[]``/``destinations[]`` match of TrafficRoute and TrafficPermission."""

    match: Tags


@dataclass(frozen=True, slots=True)
class Split:
    """One legacy TrafficRoute split entry."""

    weight: int
    destination: Tags


@dataclass(frozen=True, slots=True)
class TrafficRouteHTTP:
    """One TrafficRoute ``conf.http[]`` entry: its ``match`` as canonical JSON and its destinations."""

    match: str
    splits: tuple[Split, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    """A route-related policy: MeshTCPRoute, MeshHTTPRoute, TrafficRoute or TrafficPermission."""

    resource: Resource
    valid: bool
    target_ref: TargetRef | None = None
    to: tuple[ToEntry, ...] = ()
    sources: tuple[Selector, ...] = ()
    destinations: tuple[Selector, ...] = ()
    splits: tuple[Split, ...] = ()
    #: TrafficRoute ``conf.http[]`` entries, in order: HTTP routes before the default on an HTTP listener,
    #: and extra clusters of the one TCP split on any other listener.
    http_routes: tuple[TrafficRouteHTTP, ...] = ()
    #: Position in apply order (files in path order, documents in file order: ``kubectl apply -R -f DIR``).
    #: It stands in for ``creationTime``, which decides TrafficRoute / TrafficPermission ties and is in no
    #: file; the implicit defaults are :data:`CREATED_WITH_MESH`.
    apply_order: int = 0

    @property
    def http_splits(self) -> tuple[Split, ...]:
        """The destinations of every ``conf.http[]`` entry, in order."""
        return tuple(split for route in self.http_routes for split in route.splits)

    @property
    def type(self) -> str:
        return self.resource.kind

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def mesh(self) -> str:
        return self.resource.mesh

    @property
    def core_name(self) -> str:
        return self.resource.core_name

    @property
    def key(self) -> str:
        """How findings and frames name a policy: ``<Type>/<core name>``."""
        return f"{self.type}/{self.core_name}"


@dataclass(frozen=True, slots=True)
class Inbound:
    port: int | None
    tags: Tags
    state: str = "Ready"  # Ready | NotReady | Ignored
    health_ready: bool | None = None

    @property
    def service(self) -> str | None:
        return tag_value(self.tags, SERVICE_TAG)

    @property
    def is_endpoint(self) -> bool:
        """Counts as an endpoint of its service: Ready and not reported unhealthy
        (``BuildEdsEndpointMap`` in ``pkg/xds/topology/outbound.go``)."""
        return self.state == "Ready" and self.health_ready is not False


@dataclass(frozen=True, slots=True)
class Outbound:
    service: str
    tags: Tags
    port: int | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Gateway:
    type: str  # BUILTIN | DELEGATED
    tags: Tags


@dataclass(frozen=True, slots=True)
class Proxy:
    """A data-plane proxy: a Dataplane resource, one replica of a Kubernetes workload, or inferred.

    ``outbounds`` is None when the proxy reaches every service of its mesh (transparent proxying,
    Kubernetes workloads, inferred proxies); such a proxy may still list ``extra_outbounds`` of its own,
    which Kuma keeps beside the virtual ones.  ``group_name`` is what the proxy calls itself when it names
    a group of identical proxies (the workload for Kubernetes replicas).
    """

    name: str
    mesh: str
    origin: Origin
    inbounds: tuple[Inbound, ...]
    outbounds: tuple[Outbound, ...] | None
    gateway: Gateway | None = None
    group_name: str = ""
    file: str = ""
    line: int = 0
    extra_outbounds: tuple[Outbound, ...] = ()
    #: ``reachableServices`` of a transparent proxy: its virtual outbounds are only these services (those
    #: that exist); None means every service of the mesh.
    reachable: frozenset[str] | None = None
    #: The labels of the Dataplane resource (on Kubernetes: the pod's), which ``kind: Dataplane`` targetRefs
    #: select from 2.10; the labels the control plane computes on top are added where they are matched.
    labels: Tags = ()
    #: The Kubernetes namespace of the proxy's pod (``k8s.kuma.io/namespace``); None on Universal.
    namespace: str | None = None
    #: ``transparentProxying.reachableBackends.refs`` (2.9+): the destination resources (``kind``, ``name`` /
    #: ``namespace`` or ``labels``, ``port``) it gets outbounds for; None when it does not say.
    reachable_backends: tuple[BackendRef, ...] | None = None
    #: Listed outbounds that name a destination resource (``outbound[].backendRef``, 2.9+) instead of tags.
    listed_backends: tuple[BackendRef, ...] = ()
    #: How many identical pods this proxy stands for: 1, except for the last modelled replica of a workload
    #: with more replicas than are modelled one by one (inventory.kubernetes.MAX_MODELLED_REPLICAS).
    stands_for: int = 1

    @property
    def transparent(self) -> bool:
        return self.outbounds is None


@dataclass(frozen=True, slots=True)
class Listener:
    """One ``conf.listeners[]`` entry of a MeshGateway."""

    port: int | None
    protocol: str
    hostname: str
    tags: Tags


@dataclass(frozen=True, slots=True)
class MeshGateway:
    """A MeshGateway: which proxies it serves (``selectors``) and its listeners."""

    resource: Resource
    selectors: tuple[Tags, ...]
    tags: Tags
    listeners: tuple[Listener, ...]
    apply_order: int = 0  # stands in for creationTime, as for policies

    @property
    def name(self) -> str:
        return self.resource.core_name

    @property
    def mesh(self) -> str:
        return self.resource.mesh


@dataclass(frozen=True, slots=True)
class Workload:
    """A Kubernetes workload of the repository and whether Kuma gives its pods a sidecar (a Dataplane)."""

    kind: str
    name: str
    namespace: str
    mesh: str
    replicas: int
    sidecar: bool
    reason: str
    severity: str  # the finding it deserves: "" (none), info, warning or error
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint of a service as a proxy's control plane would see it."""

    tags: Tags
    source: str  # what contributed it: "Dataplane web-01", "Deployment backend.kuma-demo", ...
    external: bool = False  # an ExternalService: reachable only where a TrafficPermission admits the proxy
    external_name: str | None = None

    @property
    def protocol_tag(self) -> str | None:
        return tag_value(self.tags, PROTOCOL_TAG)


@dataclass(frozen=True, slots=True)
class Service:
    """A ``kuma.io/service`` of a mesh with every endpoint the repository knows for it."""

    mesh: str
    name: str
    endpoints: tuple[Endpoint, ...]
    inferred: bool = False
    declared_protocol: str | None = None  # what a Kubernetes Service port says, for display only


@dataclass(frozen=True, slots=True)
class Mesh:
    name: str
    skip_initial_policies: tuple[str, ...] = ()
    mtls: bool = False
    resource: Resource | None = None
    #: ``meshServices.mode`` as written (2.9+): Disabled, Everywhere, ReachableBackends or Exclusive; None when
    #: the Mesh does not say, which Kuma up to 2.14 reads as Disabled (``api/mesh/v1alpha1/mesh_helpers.go``).
    mesh_services_mode: str | None = None

    def creates_default(self, kind: str) -> bool:
        """Whether a 2.5 control plane creates its default ``kind`` policy for this mesh
        (``skipCreatingInitialPolicies`` in ``pkg/defaults/mesh/mesh.go``)."""
        skipped = set(self.skip_initial_policies)
        return "*" not in skipped and kind not in skipped


#: The resources that stand for a destination from 2.9 (MADR 066), by the short name their KRI uses
#: (``v2.14.3:pkg/core/kri/kri.go``; the descriptors' ``ShortName``).
DESTINATION_KINDS: Mapping[str, str] = MappingProxyType({
    "MeshService": "msvc", "MeshExternalService": "extsvc", "MeshMultiZoneService": "mzsvc",
})


@dataclass(frozen=True, slots=True)
class ServicePort:
    """One port of a destination resource: what ``sectionName`` names and ``port`` finds."""

    name: str  # ``name``, else the port number as text (``v2.14.3:.../meshservice/api/v1alpha1/helpers.go``)
    port: int
    app_protocol: str  # as written, "tcp" when absent: the split checks it raw


@dataclass(frozen=True, slots=True)
class Destination:
    """A MeshService, MeshExternalService or MeshMultiZoneService: a destination resource of 2.9+.

    ``labels`` are those the control plane stores (its own plus the computed ``kuma.io/display-name``,
    ``k8s.kuma.io/namespace``, ``kuma.io/zone`` ...); ``selector`` is a MeshService's ``dataplaneTags``
    (None: it selects by ``dataplaneRef`` or not at all).  ``generated_from`` says which Kubernetes Service
    Kuma would generate it from ("" when the repository holds it)."""

    kind: str
    mesh: str
    name: str  # the display name
    namespace: str
    zone: str
    labels: Tags
    ports: tuple[ServicePort, ...]
    selector: Tags | None
    file: str
    line: int
    generated_from: str = ""
    resource: Resource | None = None
    #: A MeshExternalService's ``endpoints`` (``address:port``); a MeshMultiZoneService's
    #: ``selector.meshService.matchLabels`` (the MeshServices whose endpoints it spans).
    external_endpoints: tuple[str, ...] = ()
    service_selector: Tags | None = None

    def kri(self, section: str = "") -> str:
        """The resource's KRI: ``kri_<short>_<mesh>_<zone>_<namespace>_<name>_<section>``."""
        return f"kri_{DESTINATION_KINDS[self.kind]}_{self.mesh}_{self.zone}_{self.namespace}_{self.name}_{section}"

    def legacy_name(self, port: ServicePort) -> str:
        """The ``kuma.io/service``-style name Kuma gives one of its ports (``destinationname``
        ResolveLegacyFromKRI: ``<mesh>_<name>_<namespace>_<zone>_<short>_<port>``)."""
        return f"{self.mesh}_{self.name}_{self.namespace}_{self.zone}_{DESTINATION_KINDS[self.kind]}_{port.port}"

    def port_named(self, section: str) -> ServicePort | None:
        return next((p for p in self.ports if p.name == section), None)

    def port_numbered(self, number: int) -> ServicePort | None:
        return next((p for p in self.ports if p.port == number), None)


@dataclass(frozen=True, slots=True)
class ViolationRecord:
    """A 2.5 validation violation of one policy, located."""

    policy: str
    file: str
    line: int  # the line of the field at ``path`` (or its nearest ancestor)
    path: str
    message: str
    document_line: int = 0  # the line where the policy's document starts


@dataclass(frozen=True, slots=True)
class Inventory:
    proxies: tuple[Proxy, ...] = ()
    services: tuple[Service, ...] = ()
    workloads: tuple[Workload, ...] = ()
