"""Which mechanism configures one outbound of one proxy, and where its traffic goes (reference §6–§8.4).

Kuma 2.5.11 builds the outbound listener ``outbound:<ip>:<port>`` three times, and the last writer wins
(``pkg/xds/server/v3/reconcile.go`` runs the generators, then the policy plugins in
``pkg/plugins/policies/policies.go`` order; ``pkg/core/xds/resource.go`` ``ResourceSet.Add`` replaces by name):

1. **TrafficRoute** (``pkg/xds/generator/outbound_proxy_generator.go``): the selected TrafficRoute's splits;
   skipped when the protocol of the split's services is http/http2 and the proxy has any MeshHTTPRoute
   rule.  With no TrafficRoute the listener has no upstream: traffic is blackholed.
2. **MeshHTTPRoute** (``pkg/plugins/policies/meshhttproute/plugin/v1alpha1/listeners.go``), when the proxy
   has any MeshHTTPRoute rule: the merged rules for S plus a catch-all (``prepareRoutes``), or only the
   catch-all when S is http/http2/grpc and no rule names it; a route survives only if its split does.
3. **MeshTCPRoute** (``pkg/plugins/policies/meshtcproute/plugin/v1alpha1/listeners*.go``), when the proxy
   has any MeshTCPRoute rule: steps aside when S is http-like and a MeshHTTPRoute names S
   (``matchingHTTPRuleExist``); otherwise the merged backendRefs for S, even when the split is empty.

``route_type`` is the last writer; ``none`` means no route configures the pair (a listener without upstream
or no listener at all).  Status vocabulary (:data:`STATUSES`): see below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model import SERVICE_TAG, BackendRef, Policy
from .httproute import HTTPListener, build_http_listener
from .merge import Item, merge_http, merge_tcp
from .protocols import AdmittedKey, MeshEndpoints
from .semantics import Semantics
from .split import Backend, SplitResult, make_split, trafficroute_routes
from .trafficroute import TrafficRouteChoice, describe_rank

NONE = "none"
TCP = "MeshTCPRoute"
HTTP = "MeshHTTPRoute"
TR = "TrafficRoute"

#: The ``status`` vocabulary of ``res.routes``.
STATUSES = {
    "ok": "traffic is forwarded and every backend in the split has a known endpoint",
    "partial-endpoints": "traffic is forwarded, but some backends have no known endpoint: their share fails",
    "no-endpoints": "traffic is forwarded, but no backend in the split has a known endpoint",
    "blackhole": "a route configures the outbound but its split is empty: connections go nowhere",
    "no-route": "no route configures the outbound (listener without upstream, or no listener at all)",
    "config-error": "the control plane fails to build this proxy's configuration (see res.proxies.config_error): "
                    "nothing new reaches the proxy, which keeps its previous configuration or has none",
}



@dataclass(frozen=True, slots=True)
class Decision:
    destination: str
    protocol: str
    route_type: str
    policies: tuple  # Policy objects of the winning type that configured S, in merge order
    forwards: bool
    status: str
    reason: str
    backends: tuple[Backend, ...]
    stages: tuple[str, ...]  # what each generator/plugin did, in run order
    merge_steps: tuple[str, ...]
    trafficroute: Policy | None = None  # the selected TrafficRoute, whether or not it won
    trafficroute_listener: bool = False  # whether the TrafficRoute generator built a listener for S
    #: What the MeshHTTPRoute plugin built for S (it may fail the whole proxy: see :mod:`.httproute`).
    http_listener: HTTPListener | None = None
    #: TrafficRoutes of the same rank as the selected one: creation time, which no file holds, decides.
    trafficroute_ties: tuple[Policy, ...] = ()
    #: The destination is a listener of a builtin gateway (``<gateway>:<PROTOCOL>:<port>``), not a service.
    gateway_listener: bool = False
    #: The ``kuma.io/service``-style name of the destination when ``destination`` is a KRI (2.9+ real
    #: resources); "" means the destination is that name itself.
    service: str = ""


@dataclass(frozen=True, slots=True)
class PairInput:
    """Everything one (source group, destination) decision depends on."""

    destination: str
    outbound_tags: Mapping[str, str]
    tcp_items: Sequence[Item]
    http_items: Sequence[Item]
    has_tcp_rules: bool
    has_http_rules: bool
    trafficroute: TrafficRouteChoice
    admitted: AdmittedKey
    #: Whether the mesh has any TrafficRoute: from 2.6 the legacy generator and the plugins' guards read it.
    mesh_has_trafficroutes: bool = True
    #: The outbound is a port of a destination resource (2.9+), which the legacy generator never builds.
    real_resource: bool = False


def _endpoint_status(backends: Sequence[Backend]) -> tuple[str, str]:
    used = [b for b in backends if b.in_split]
    empty = [b for b in used if b.endpoints == 0]
    if not empty:
        return "ok", ""
    names = ", ".join(dict.fromkeys(_backend_text(b) for b in empty))
    if len(empty) == len(used):
        return "no-endpoints", f"no backend has a known endpoint ({names})"
    share = sum(b.share for b in empty) if all(not b.route for b in empty) else None
    pct = f" ({share:.0%} of the traffic)" if share is not None else ""
    return "partial-endpoints", f"backends without a known endpoint get their share and fail{pct}: {names}"


def _backend_text(b: Backend) -> str:
    tags = "{" + ",".join(f"{k}={v}" for k, v in b.tags) + "}" if b.tags else ""
    return f"{b.name}{tags}"


def _split_text(split: SplitResult) -> str:
    used = [b for b in split.backends if b.in_split]
    if not used:
        return "empty split"
    return ", ".join(f"{_backend_text(b)} {b.share:.0%}" for b in used)


def decide(pair: PairInput, endpoints: MeshEndpoints, semantics: Semantics) -> Decision:
    S = pair.destination
    admitted = pair.admitted
    protocol = endpoints.protocol(S, admitted)
    stages: list[str] = []
    tr_listener = False
    merge_steps: list[str] = []
    attempts: list[str] = []  # later plugins that ran for S but produced no listener
    # (route_type, policies, split-or-None, backends, forwards, summary)
    result: tuple[str, tuple, tuple[Backend, ...], bool, str] | None = None
    http_listener: HTTPListener | None = None

    # 1. TrafficRoute generator --------------------------------------------------------------------
    choice = pair.trafficroute
    # 2.6: with no TrafficRoute in the mesh, the route plugins build every outbound (see below).
    without_trafficroutes = semantics.trafficroute_needs_one and not pair.mesh_has_trafficroutes
    if pair.real_resource:
        # The legacy generator only takes kuma.io/service outbounds (v2.14.3:pkg/xds/generator/
        # outbound_proxy_generator.go, NonBackendRefFilter).
        stages.append("TrafficRoute: the legacy generator builds only kuma.io/service outbounds, not this real-resource one")
    elif without_trafficroutes:
        stages.append("TrafficRoute: the mesh has no TrafficRoute, so the legacy generator builds nothing")
    elif choice.policy is None:
        stages.append("TrafficRoute: none selects this pair, so the legacy generator builds a listener without upstream")
        result = (NONE, (), (), False, "no TrafficRoute selects this pair and no MeshTCPRoute/MeshHTTPRoute configures it: the listener has no upstream (blackholed)")
    else:
        tr = choice.policy
        built = trafficroute_routes(
            [(r.match, r.splits) for r in tr.http_routes], tr.splits, pair.outbound_tags, endpoints, admitted
        )
        # InferProtocol over the clusters of every route (``outbound_proxy_generator.go``).
        p_tr = endpoints.protocol_of_services(built.services, admitted, per_service=semantics.trafficroute_protocol_per_service)
        tie = (f"; on a tie of rank with {', '.join(p.name for p in choice.tied_with)} Kuma keeps the one created later, "
               "assumed to be the one applied later (the outcome depends on creation order)") if choice.tied_with else ""
        picked = f"TrafficRoute {tr.name} selected (aggregate rank {describe_rank(choice.rank)}){tie}"
        if p_tr in semantics.trafficroute_skip_protocols and pair.has_http_rules:
            stages.append(f"{picked}; its services are {p_tr} and the proxy has MeshHTTPRoute rules, so the generator skips this outbound")
            result = None
        else:
            tr_listener = True
            if p_tr in semantics.trafficroute_http_protocols:
                backends = built.http_backends()
                forwards = bool(built.kept)
                shape = f"HTTP listener with {len(built.kept)} route(s)"
            else:
                split = built.tcp_split()
                backends, forwards = split.backends, split.forwards
                shape = "TCP listener" + (" (its conf.http entries join the one weighted split)" if tr.http_routes else "")
            what = ", ".join(f"{label} → {_split_text(split)}" for label, _, split in built.kept) or "no route keeps a cluster"
            stages.append(f"{picked}; its services' protocol is {p_tr}: {shape} ({what})")
            summary = f"TrafficRoute {tr.name}" + ("" if forwards else ": no split carries traffic (weight 0 or no kuma.io/service)")
            result = (TR, (tr,), backends, forwards, summary + tie)

    # 2. MeshHTTPRoute plugin ------------------------------------------------------------------------
    # Each plugin returns early for a proxy without rules of its type, unless (2.6+) the mesh has no TrafficRoute.
    guard_open = semantics.plugins_run_without_trafficroutes and not pair.mesh_has_trafficroutes
    if not (pair.has_http_rules or guard_open):
        stages.append("MeshHTTPRoute: no MeshHTTPRoute rule matches this proxy; the plugin does nothing")
    else:
        merged = merge_http(pair.http_items)
        merge_steps.extend(f"MeshHTTPRoute {s.policy.name} to[{s.entry_index}]: {s.description}" for s in merged.steps)
        http_listener = build_http_listener(merged, S, protocol, semantics, endpoints, admitted, pair.outbound_tags)
        if http_listener is None:
            why = "no MeshHTTPRoute rule names it" if not pair.http_items else "the entries naming it have no rules"
            stages.append(f"MeshHTTPRoute: {why} and {S} is {protocol}, not http/http2/grpc: no HTTP listener")
        elif http_listener.routes:
            names = ", ".join(p.name for p in merged.contributors) or "no policy names it: default catch-all"
            dropped = http_listener.dropped
            extra = f"; {'; '.join(dropped)}" if dropped else ""
            redirects = [r.label for r in http_listener.routes if r.action == "redirect"]
            if redirects:
                extra += f"; route(s) {', '.join(redirects)} redirect (RequestRedirect) and forward nothing"
            stages.append(f"MeshHTTPRoute: HTTP listener with {len(http_listener.routes)} route(s) ({names}){extra}; it replaces any earlier listener")
            result = (HTTP, merged.contributors, http_listener.backends(), http_listener.forwards, f"MeshHTTPRoute ({names}){extra}")
        else:
            all_dropped = "; ".join(http_listener.dropped)
            stages.append(f"MeshHTTPRoute: every route was dropped ({all_dropped}): no HTTP listener")
            attempts.append(f"MeshHTTPRoute dropped every route ({all_dropped})")

    # 3. MeshTCPRoute plugin -------------------------------------------------------------------------
    if not (pair.has_tcp_rules or guard_open):
        stages.append("MeshTCPRoute: no MeshTCPRoute rule matches this proxy; the plugin does nothing")
    elif protocol in semantics.http_like_protocols and pair.http_items:
        stages.append(f"MeshTCPRoute: {S} is {protocol} and a MeshHTTPRoute names it, so MeshTCPRoute steps aside")
    elif not pair.tcp_items and (protocol in semantics.http_like_protocols or not semantics.tcp_default_self_route):
        stages.append(f"MeshTCPRoute: no matched MeshTCPRoute names {S}; the outbound is left as it is")
    else:
        if pair.tcp_items:
            merged_tcp = merge_tcp(pair.tcp_items, S)
            merge_steps.extend(f"MeshTCPRoute {s.policy.name} to[{s.entry_index}]: {s.description}" for s in merged_tcp.steps)
            refs, contributors = merged_tcp.backend_refs, merged_tcp.contributors
            names = ", ".join(p.name for p in contributors)
        else:
            # 2.6+: an outbound no rule names routes to its own service (listeners_backendrefs.go getBackendRefs).
            tags = tuple(sorted((k, v) for k, v in pair.outbound_tags.items() if k != SERVICE_TAG))
            refs, contributors = (BackendRef(kind="MeshService", name=S, tags=tags, weight=100),), ()
            names = "no policy names it: default route to the service itself"
        if not refs:
            stages.append(f"MeshTCPRoute: the merged entries for {S} set no backendRefs; no listener from this plugin")
        else:
            split = make_split(refs, semantics.tcp_split_protocols, semantics.backend_kinds, endpoints, admitted,
                               drop_alone=semantics.split_drops_backend_alone)
            if split.forwards:
                stages.append(f"MeshTCPRoute: TCP listener to {_split_text(split)} ({names}); it replaces any earlier listener")
                result = (TCP, contributors, split.backends, True, f"MeshTCPRoute ({names})")
            else:
                stages.append(f"MeshTCPRoute: listener without tcp_proxy ({split.refusal}); it replaces any earlier listener")
                result = (TCP, contributors, split.backends, False, f"MeshTCPRoute ({names}): {split.refusal}")

    if result is None:
        return Decision(
            S, protocol, NONE, (), False, "no-route",
            "no listener at all: " + "; ".join(stages),
            (), tuple(stages), tuple(merge_steps), choice.policy, tr_listener, http_listener, choice.tied_with,
        )
    route_type, policies, backends, forwards, summary = result
    if route_type == NONE:
        status, reason = "no-route", summary + "".join(f"; {a}" for a in attempts)
    elif not forwards:
        status, reason = "blackhole", summary
    else:
        status, note = _endpoint_status(backends)
        reason = summary + (f"; {note}" if note else "")
    return Decision(
        S, protocol, route_type, tuple(policies), forwards, status, reason, tuple(backends),
        tuple(stages), tuple(merge_steps), choice.policy, tr_listener, http_listener, choice.tied_with,
    )
