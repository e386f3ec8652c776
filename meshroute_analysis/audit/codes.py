"""The one ordered table of finding codes.

Codes are stable and never reused: a retired rule keeps its row (``retired=True``) so that suppressions and
SARIF alerts that name it keep meaning what they meant.  Groups of a hundred by concern:

====  ========================================================
0xx   input (files that could not be read, missing inventory)
1xx   Kuma 2.5 validation and what it lets through
2xx   references (services, subsets, proxies that do not exist)
3xx   traffic and splits (where connections actually go)
4xx   route-type interplay (MeshTCPRoute / MeshHTTPRoute / TrafficRoute)
5xx   version and portability (2.5 versus the seed page, Kubernetes versus Universal)
6xx   destination resources of 2.9+ (MeshService, MeshExternalService, MeshMultiZoneService, meshServices modes)
9xx   hygiene (dead policies, migration hints)
====  ========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["CODES", "Code", "SEVERITIES", "code", "severity_rank"]

#: Severity levels in increasing order (istioctl: Info < Warning < Error).
SEVERITIES = ("info", "warning", "error")

#: Where the README documents the codes; each code has the anchor ``#mra###``.
DOCS_PAGE = "docs/findings.md"


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: str
    title: str
    description: str
    retired: bool = False

    @property
    def anchor(self) -> str:
        """The anchor of this code's section in ``docs/findings.md`` (GitHub lowercases headings)."""
        return self.code.lower()

    @property
    def group(self) -> str:
        return _GROUPS[self.code[3]]

    @property
    def help_path(self) -> str:
        """Where this code is documented, relative to the repository root."""
        return f"{DOCS_PAGE}#{self.anchor}"

    def help_uri(self, base_url: str) -> str:
        """The documentation as an absolute URL, given where the project's files are served
        (e.g. ``https://github.com/ORG/REPO/blob/main``)."""
        return f"{base_url.rstrip('/')}/{self.help_path}"


_GROUPS = {
    "0": "input",
    "1": "validation",
    "2": "references",
    "3": "traffic",
    "4": "route-type interplay",
    "5": "version and portability",
    "6": "destination resources",
    "9": "hygiene",
}

_TABLE = (
    Code("MRA001", "error", "YAML document could not be read",
         "A file or YAML document could not be read or parsed, so the policies in it are missing from every "
         "other check. The CLI exits 65 (unreadable input) for these unless other findings already decide the "
         "exit code (79)."),
    Code("MRA002", "info", "Mesh has no inventory",
         "The repository holds policies for a mesh but no Dataplanes, Kubernetes workloads or ExternalServices "
         "for it. Proxies and services are inferred from the policies, so checks that need an inventory "
         "(unknown services, subsets without endpoints, targetRefs that select nothing) are skipped for it."),
    Code("MRA003", "error", "Kubernetes refuses a workload's pods, or Kuma cannot convert them",
         "The workload's pods get no working sidecar: an injection label that is not enabled, true, disabled or "
         "false makes Kuma's injector fail, and the webhook then refuses the pod, so Kubernetes does not create it; "
         "an invalid `kuma.io/gateway` value, or Services that select the pod with no port that maps to a "
         "container, make the pod converter fail, so Kuma creates no Dataplane for it."),
    Code("MRA004", "warning", "Sidecar injection is set where Kuma 2.5 does not read it",
         "`kuma.io/sidecar-injection` is set as an annotation, which Kuma 2.5 ignores (it reads the label), or a "
         "namespace label other than `enabled`, which the injector accepts but the Helm chart's namespace webhook "
         "does not select: the workload may not get the sidecar it was meant to have."),
    Code("MRA005", "info", "Whether a workload gets a sidecar is not in the repository",
         "The workload's namespace is not in the repository (its labels decide injection) or is one the Helm "
         "chart's webhooks exclude: the toolkit assumes no sidecar."),
    Code("MRA101", "error", "Policy fails Kuma 2.5 validation",
         "Kuma 2.5.11 rejects the policy (the admission webhook or `kumactl apply` fails), so none of it "
         "applies. One finding per violation, with Kuma's field path and message."),
    Code("MRA102", "warning", "MeshServiceSubset backendRef without tags",
         "The seed page says `tags` must be specified with kind MeshServiceSubset, but Kuma 2.5 accepts a "
         "subset without tags and routes to every endpoint of the service, exactly like kind MeshService."),
    Code("MRA201", "warning", "backendRef names a service no inventory knows",
         "No Dataplane, Kubernetes Service or ExternalService of the mesh provides this service. Kuma 2.5 "
         "still builds a cluster for it, with no endpoints: its share of the connections fails."),
    Code("MRA202", "warning", "`to` targetRef names a service no inventory knows",
         "The `to` entry configures an outbound that no proxy of the mesh can have, because no inventory "
         "provides the service: the entry never applies (or the service name is misspelled)."),
    Code("MRA203", "warning", "Subset selects no endpoint",
         "A MeshServiceSubset backendRef (or a TrafficRoute split destination) selects endpoints by tags that "
         "no endpoint of the service carries. Kuma 2.5 builds the cluster with an empty load assignment, so "
         "that share of the connections fails."),
    Code("MRA204", "warning", "Top-level targetRef selects no proxy",
         "No Dataplane or Kubernetes workload of the mesh has an inbound that the policy's top-level "
         "targetRef selects (Kuma 2.5 needs one inbound, not Ignored, to carry every required tag), so the "
         "policy configures nothing."),
    Code("MRA301", "error", "Every backend weight is 0",
         "Kuma 2.5 skips backends of weight 0 when it builds a split. When all of them are 0 the split is "
         "empty: a MeshTCPRoute listener has no tcp_proxy filter or a MeshHTTPRoute route is dropped, and "
         "the connections go nowhere. (A TrafficRoute with only zero weights fails validation: MRA101.)"),
    Code("MRA302", "info", "Weight on a lone backend is ignored",
         "With a single backend Kuma 2.5 sets `tcp_proxy.cluster` (or a single route cluster) and Envoy "
         "ignores the weight: all the traffic goes to that backend, whatever the number says."),
    Code("MRA303", "error", "grpc or kafka backend breaks a 2.5 TCP split",
         "Kuma 2.5.11's MakeTCPSplit accepts only unknown, tcp, http and http2 backends. One grpc or kafka "
         "backend discards the whole split, the listener has no tcp_proxy filter and every connection of the "
         "pair fails (fixed in 2.6)."),
    Code("MRA304", "error", "Traffic of a pair goes nowhere",
         "The resolver finds no working route for this (source, destination) pair for a reason no more "
         "specific code reports: no TrafficRoute selects it and no new route configures it, or every "
         "MeshHTTPRoute route was dropped."),
    Code("MRA305", "error", "The control plane cannot build these proxies' configuration",
         "Kuma fails to generate the whole Envoy configuration of the proxies this policy selects: a MeshHTTPRoute "
         "rule has a RequestMirror or URLRewrite after a RequestRedirect (no route action left to change), or "
         "mirrors to a service for which the proxy has no HTTP cluster. Such a proxy keeps its previous "
         "configuration or gets none, and nothing in the repository says so."),
    Code("MRA401", "warning", "MeshTCPRoute shadowed by MeshHTTPRoute",
         "The destination is http, http2 or grpc and a MeshHTTPRoute selecting the same proxy names it, so "
         "Kuma 2.5 skips the MeshTCPRoute for it (matchingHTTPRuleExist): the MeshTCPRoute entry is ignored."),
    Code("MRA402", "warning", "MeshTCPRoute takes an outbound from a TrafficRoute",
         "The MeshTCPRoute listener replaces the one built from a TrafficRoute. Legacy policies (Retry, "
         "Timeout, TrafficLog, CircuitBreaker, ...) match only routes defined by TrafficRoute, so they stop "
         "applying to this outbound (seed page, \"Interactions with TrafficRoute\"). Reported when the "
         "TrafficRoute is written in the repository (a migration in progress), not for the implicit "
         "`route-all-<mesh>`."),
    Code("MRA403", "warning", "Destination protocol is unknown",
         "The endpoints of a destination that a route policy names disagree on `kuma.io/protocol`, lack it, or "
         "carry an unknown value. Kuma 2.5 then treats the destination as `<unknown>`: a MeshHTTPRoute does "
         "not take it, MeshTCPRoute does, and L7 features are lost."),
    Code("MRA501", "error", "MeshGateway targeting is not accepted by Kuma 2.5",
         "The seed page's \"Gateways\" section describes a top-level `MeshGateway` with `to[].targetRef.kind: "
         "Mesh`, but the 2.5 validator rejects both (`value is not supported`); MeshTCPRoute supports "
         "MeshGateway from 2.6."),
    Code("MRA502", "warning", "Cross-zone backend",
         "A backendRef selects `kuma.io/zone`. MeshTCPRoute does not support cross-zone traffic before 2.6.0 "
         "(zone ingress and egress do not learn MeshTCPRoute backends in 2.5)."),
    Code("MRA503", "warning", "Kubernetes and Universal would order these policies differently",
         "Two policies of the same type and top-level kind apply to the same proxies and name the same "
         "destination. Kuma 2.5 merges equal kinds by core name, which is `<name>.<namespace>` on Kubernetes "
         "and `<name>` on Universal; because '.' sorts after '-', `route` vs `route-2` flips which one wins."),
    Code("MRA504", "warning", "Which policy applies depends on when each was created",
         "Two TrafficRoutes (for a pair) or TrafficPermissions (for an ExternalService) match with the same rank. "
         "Kuma keeps the one created later (`creationTime`), which no file holds. The toolkit assumes apply order "
         "(files in path order, documents in file order, as `kubectl apply -R -f`); the other one wins if it was "
         "created later. Make one of them more specific to decide it in the files."),
    Code("MRA505", "warning", "The repository needs a newer Kuma than the one modelled",
         "Policies the modelled Kuma version refuses (MRA101) are accepted by a later modelled release: the "
         "repository most likely targets that release. The finding names the lowest version that accepts them "
         "all; resolve with `--kuma-version` (or `kuma-version` in `.meshroute.toml`) to see what it does there."),
    Code("MRA601", "warning", "A to entry that names no MeshService in Exclusive mode",
         "In a mesh whose `meshServices.mode` is Exclusive, proxies have no `kuma.io/service` outbounds, so a "
         "`to: MeshService <name>` entry configures something only when it resolves to a MeshService (by name and "
         "namespace, or as a `<name>_<namespace>_svc_<port>` name Kuma maps to one). One that resolves to none "
         "configures nothing. Select MeshServices by labels (`kuma.io/display-name`, `k8s.kuma.io/namespace`)."),
    Code("MRA602", "warning", "Real-resource outbounds without a listener",
         "From 2.9 MeshService, MeshExternalService and MeshMultiZoneService outbounds are built only by the "
         "MeshTCPRoute/MeshHTTPRoute plugins, and those skip a proxy when the mesh has a TrafficRoute and no "
         "`kuma.io/service` rule of theirs matches the proxy. The outbound then has no listener and its traffic "
         "goes nowhere. Remove the TrafficRoute (a `route-all` kept from 2.5; 2.6 and later need none) or give the "
         "proxies a Mesh*Route."),
    Code("MRA603", "warning", "A destination port whose appProtocol no split accepts",
         "A MeshService port is checked by its `appProtocol` as written: TCP splits accept tcp, http, http2, grpc, "
         "kafka (and unknown), HTTP splits http, http2, grpc. Anything else (`tls`, `mysql`, `kubernetes.io/h2c`) "
         "drops the port from every split, including its default route to itself, so its outbound forwards "
         "nothing. On Kubernetes the generated MeshService copies the Service port's `appProtocol` verbatim."),
    Code("MRA604", "warning", "A global policy names a zone's MeshService by name",
         "A ref by `name` resolves to the MeshService whose KRI has the policy's mesh, namespace and zone. A "
         "policy created on the global control plane has no zone, so it never resolves to a MeshService a zone "
         "owns. Select it by labels, including `kuma.io/zone`."),
    Code("MRA605", "warning", "Policies with the same display name in different namespaces",
         "From 2.8 route policies may live in application namespaces; where two of one type rank the same (kind, "
         "origin, role), Kuma orders them by display name, which is then equal, with a sort that is not stable: "
         "which one wins is undefined. Give them distinct names."),
    Code("MRA606", "error", "A MeshService port or section that does not exist",
         "A `to` ref with a `sectionName` the MeshService does not have, or a backendRef to a real resource "
         "(`port`, `sectionName` from 2.12, MeshExternalService, MeshMultiZoneService) whose resource or port does "
         "not exist, configures nothing: the entry applies to no outbound, the backend gets no cluster."),
    Code("MRA901", "info", "Legacy policy",
         "A legacy selector-based policy, which the targetRef policies replace (Kuma 3.0 removes the legacy "
         "kinds); the message names the successor: TrafficRoute → MeshTCPRoute/MeshHTTPRoute, TrafficPermission "
         "→ MeshTrafficPermission, TrafficLog → MeshAccessLog, TrafficTrace → MeshTrace, Timeout → MeshTimeout, "
         "Retry → MeshRetry, CircuitBreaker → MeshCircuitBreaker, HealthCheck → MeshHealthCheck, RateLimit → "
         "MeshRateLimit, FaultInjection → MeshFaultInjection, ProxyTemplate → MeshProxyPatch, MeshGatewayRoute "
         "→ MeshHTTPRoute/MeshTCPRoute on the gateway (2.6+), VirtualOutbound → MeshService with "
         "HostnameGenerator (2.9+; none in 2.5). The legacy connection policies apply only on TrafficRoute "
         "routes, so the seed page's order is: migrate them first, then replace the TrafficRoute and remove it."),
    Code("MRA902", "warning", "Policy wins for no pair",
         "The policy selects proxies, but on every (source, destination) pair it could configure another "
         "policy or route type wins, or it names no destination those proxies have: it changes no traffic."),
    Code("MRA903", "warning", "`to` entry wins for no pair",
         "The policy is in use, but this `to` entry is overridden on every pair it could configure (a later "
         "policy in merge order, a later entry of the same policy, or another route type wins)."),
)  # fmt: skip

#: Every code by its id, in table order.
CODES: Mapping[str, Code] = MappingProxyType({c.code: c for c in _TABLE})


def code(code_id: str) -> Code:
    return CODES[code_id]


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)
