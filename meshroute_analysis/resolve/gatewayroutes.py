"""Builtin gateway listeners from 2.6: which route type builds each one and where its traffic goes.

A builtin gateway proxy (a Dataplane with ``gateway.type: BUILTIN``) serves the listeners of the MeshGateway
that selects it (:func:`~.gateways.select_gateway`).  Each listener is a row of ``res.routes`` whose
destination is ``<gateway>:<PROTOCOL>:<port>`` (``pkg/xds/envoy/names/resource_names.go``).  Sources at
2.6.15 / v2.7.29:

- **Which policies reach a listener** (``pkg/plugins/policies/core/matchers/dataplane.go``): every valid
  MeshTCPRoute / MeshHTTPRoute whose top-level targetRef selects it: ``MeshGateway`` naming the gateway
  with tags that match the listener, and also ``Mesh`` / ``MeshSubset`` (unless ``proxyTypes`` leaves gateways
  out), ``MeshService`` and ``MeshServiceSubset`` matched against the listener's merged tags (the Dataplane's
  gateway tags, the gateway's, the listener's).  Unlike sidecar rules, these lists are not sorted by
  targetRef kind: they keep the store's order, core name ascending (``mesh_context_builder.go``
  ``ListOrdered``), so the greatest name merges last.
- **Rules per listener** (``core/rules/rules.go`` ``BuildGatewayRules``): one rule per ``to`` subset (each
  MeshService named, then ``Mesh``), each merging the ``to: Mesh`` entries with those of its service, and the
  plugins use every rule of the listener whatever its subset.
- **Who builds it** (``pkg/plugins/runtime/gateway/generator.go``): the legacy MeshGatewayRoute generator,
  unless some MeshHTTPRoute (for HTTP/HTTPS listeners) or MeshTCPRoute (TCP/TLS) reaches any listener of the
  proxy; without MeshGatewayRoutes it answers 404 on HTTP and has no upstream on TCP (route type ``none``).
- **TCP/TLS** (``meshtcproute/plugin/v1alpha1/gateway.go``): the backendRefs of every rule make one weighted
  cluster list; a backendRef without ``weight`` dereferences a nil pointer and the control plane panics.
- **HTTP/HTTPS** (``meshhttproute/plugin/v1alpha1/gateway_routes.go``, ``pkg/plugins/runtime/gateway/route/``):
  one entry per (rule, match): a redirect, replaced by forwarding when the rule has backendRefs; duplicate
  destinations collapse (the last weight wins); a mirror or rewrite without a route to forward to fails the
  proxy; 2.6 panics on a rule without backendRefs.  The shares shown are the last ``PathPrefix /`` entry's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..model import SERVICE_TAG, BackendRef, Format, Listener, MeshGateway, Policy, Proxy, Tags, tag_value
from .decide import HTTP, NONE, TCP, Decision
from .httproute import MIRROR, REDIRECT, REWRITE, BuildCheck
from .merge import Item, merge_http_by_priority, merge_tcp, unique_policies
from .protocols import AdmittedKey, MeshEndpoints
from .selection import excluded_by_proxy_type, required_tags
from .semantics import Semantics
from .split import Backend, make_backend, route_label
from .tagmatch import selector_matches

_HTTP_PROTOCOLS = ("HTTP", "HTTPS")
ListenerKey = tuple[int | None, str]  # (port, hostname)


def listener_name(gateway: MeshGateway, listener: Listener) -> str:
    return f"{gateway.name}:{listener.protocol}:{listener.port}"


def listener_tags(proxy: Proxy, gateway: MeshGateway, listener: Listener) -> dict[str, str]:
    own = dict(proxy.gateway.tags) if proxy.gateway is not None else {}
    return {**own, **dict(gateway.tags), **dict(listener.tags)}


def _selects(policy: Policy, proxy: Proxy, gateway: MeshGateway, listener: Listener, semantics: Semantics) -> bool:
    ref = policy.target_ref
    kind = semantics.top_level_kind(policy)  # no targetRef is the Mesh from 2.9
    if kind not in semantics.top_level_kinds or kind == "Dataplane":  # Dataplane never selects a builtin gateway
        return False
    tags = listener_tags(proxy, gateway, listener)
    if ref is None:
        return True
    if ref.kind == "MeshGateway":
        # 2.7 compares the reference with the display name (``IsReferenced``); 2.6 with the name.
        named = display_name_of(gateway) if semantics.references_by_display_name else gateway.name
        return ref.name == named and selector_matches(dict(ref.tags), tags)
    if excluded_by_proxy_type(policy, "Gateway", semantics):
        return False
    required = required_tags(policy, semantics)
    return required is not None and selector_matches(required, tags)


def display_name_of(gateway: MeshGateway) -> str:
    return tag_value(gateway.resource.labels, "kuma.io/display-name") or gateway.resource.name


def listener_policies(policies: Sequence[Policy], proxy: Proxy, gateway: MeshGateway, semantics: Semantics) -> dict[ListenerKey, list[Policy]]:
    """The policies that reach each listener, in store order (core name ascending)."""
    out: dict[ListenerKey, list[Policy]] = {}
    for listener in gateway.listeners:
        key = (listener.port, listener.hostname)
        chosen = [p for p in policies if _selects(p, proxy, gateway, listener, semantics)]
        if chosen:
            out[key] = sorted(chosen, key=lambda p: p.core_name)
    return out


def _subsets(items: Sequence[Item]) -> list[str | None]:
    """The ``to`` subsets of a listener's rules: each MeshService named (in order), then Mesh (None)."""
    seen: list[str | None] = []
    for _, entry in items:
        ref = entry.target_ref
        subset = None if ref is not None and ref.kind == "Mesh" else (ref.name if ref is not None else None)
        if subset not in seen:
            seen.append(subset)
    return [s for s in seen if s is not None] + ([None] if None in seen else [])


def _for_subset(items: Sequence[Item], subset: str | None) -> list[Item]:
    def applies(entry) -> bool:
        ref = entry.target_ref
        if ref is None:
            return False
        return ref.kind == "Mesh" or (subset is not None and ref.kind == "MeshService" and ref.name == subset)

    return [(p, e) for p, e in items if applies(e)]


def _items(policies: Sequence[Policy]) -> list[Item]:
    return [(p, entry) for p in policies for entry in p.to]


def _weight_is_defaulted(policy: Policy, kubernetes_mesh: bool, semantics: Semantics) -> bool:
    """A Kubernetes API server fills a missing backendRef ``weight`` with the CRD default 1, and so does a
    Universal control plane from 2.10, whatever form the document was written in; before that Universal (or
    Kubernetes-form documents without an API server) keeps it unset."""
    if semantics.universal_schema_defaults:
        return True
    return policy.resource.format is Format.KUBERNETES and kubernetes_mesh


@dataclass(frozen=True, slots=True)
class _Entry:
    matches: Mapping[str, object]
    forward: tuple[BackendRef, ...]
    redirect: bool
    mirror: bool
    rewrite: bool
    policies: tuple[Policy, ...]
    #: Which rule made it (subset, position): Kuma names each entry after its rule, so only entries of one
    #: rule can be exact duplicates.
    rule: tuple[str | None, int] = (None, 0)


class GatewayFailure(Exception):
    """Kuma fails to build the gateway proxy's configuration (an error or a panic)."""

    def __init__(self, check: BuildCheck) -> None:
        super().__init__(check.message)
        self.check = check


def _fails(policy: Policy | None, listener: str, why: str, kuma: str, version: str) -> GatewayFailure:
    where = f"{policy.type} {policy.name}" if policy is not None else "a route"
    return GatewayFailure(BuildCheck(None, f"{where} on gateway listener {listener}: {why}; Kuma {version} fails to build "
                                           f"this gateway's configuration ({kuma})", policy))


def _http_entries(items: Sequence[Item], listener: str, semantics: Semantics) -> list[_Entry]:
    entries: list[_Entry] = []
    for subset in _subsets(items):
        for position, rule in enumerate(merge_http_by_priority(_for_subset(items, subset))):
            culprit = rule.contributors[-1] if rule.contributors else None
            if rule.backend_refs is None and semantics.gateway_rule_without_backends_panics:
                # 2.6.15 gateway_routes.go ranges over *rule.Default.BackendRefs: nil pointer, panic.
                raise _fails(culprit, listener, "a MeshHTTPRoute rule without backendRefs reaches it",
                             "panic: runtime error: invalid memory address or nil pointer dereference", semantics.version)
            types = [f.type for f in rule.filters or ()]
            try:
                matches = json.loads(rule.matches)
            except ValueError:
                matches = None
            for match in matches if isinstance(matches, list) else [{}]:
                entries.append(_Entry(match if isinstance(match, dict) else {}, tuple(rule.backend_refs or ()),
                                      REDIRECT in types, MIRROR in types, REWRITE in types, rule.contributors,
                                      (subset, position)))
    if semantics.gateway_dedups_entries:  # exact duplicates (reflect.DeepEqual on the whole entry)
        unique: list[_Entry] = []
        for e in entries:
            if e not in unique:
                unique.append(e)
        entries = unique
    return entries


def _action(entry: _Entry, listener: str, semantics: Semantics) -> str | None:
    """``route`` (forwards), ``redirect`` or None (no action), failing the way ``route/configurers.go`` does."""
    action = "route" if entry.forward else ("redirect" if entry.redirect else None)
    culprit = entry.policies[-1] if entry.policies else None
    for needed, what in ((entry.mirror, "mirroring"), (entry.rewrite, "rewrite")):
        if not needed or action == "route":
            continue
        if action is None:
            raise _fails(culprit, listener, f"a {'RequestMirror' if what == 'mirroring' else 'URLRewrite'} with nothing to forward to",
                         f"cannot configure {what} before the route action", semantics.version)
        raise _fails(culprit, listener, f"a {'RequestMirror' if what == 'mirroring' else 'URLRewrite'} on a redirect without backendRefs",
                     f"cannot configure {what} on a non-forwarding route", semantics.version)
    return action


def _is_catch_all(match: Mapping[str, object]) -> bool:
    path = match.get("path")
    if not isinstance(path, dict) or path.get("type") != "PathPrefix" or path.get("value") != "/":
        return False
    return not match.get("headers") and not match.get("method") and not match.get("queryParams")


def _cluster_key(ref: BackendRef) -> tuple[str, Tags]:
    return (ref.name or "", tuple(kv for kv in ref.tags if kv[0] != SERVICE_TAG))


def _http_decision(name: str, items: Sequence[Item], semantics: Semantics, endpoints: MeshEndpoints,
                   admitted: AdmittedKey) -> Decision:
    entries = _http_entries(items, name, semantics)
    actions = [(_action(e, name, semantics), e) for e in entries]
    if not entries:
        return _decision(name, "http", HTTP, (), False, "MeshHTTPRoute: no route entry for this listener: it answers 404", ())
    # The shares shown are those of the last catch-all entry that forwards (a redirect has no clusters).
    catch_all = [e for a, e in actions if _is_catch_all(e.matches)]
    forwarding = [e for a, e in actions if _is_catch_all(e.matches) and a == "route"]
    shown = (forwarding or catch_all)[-1] if catch_all else None
    backends: list[Backend] = []
    for number, (action, entry) in enumerate(actions, start=1):
        label = "/" if entry is shown else route_label(json.dumps([entry.matches], sort_keys=True))
        if entry is not shown:
            label = f"{label} (entry {number})"  # entries may share a match: the number tells them apart
        by_cluster: dict[tuple[str, Tags], BackendRef] = {}
        for ref in entry.forward:  # duplicates collapse, the last weight wins
            by_cluster[_cluster_key(ref)] = ref
        refs = list(by_cluster.values())
        weights = [ref.effective_weight for ref in refs]
        if len(entry.forward) == 1 and weights[0] == 0:  # a lone destination of weight 0 gets 1
            weights = [1]
        total = sum(weights)
        for ref, weight in zip(refs, weights):
            b = make_backend(endpoints, admitted, ref.kind, ref.name or "", ref.tags, weight, route=label)
            forwarding = action == "route" and weight > 0 and total > 0
            note = "" if action == "route" else "the entry redirects: nothing is forwarded"
            backends.append(replace(b, in_split=forwarding, share=weight / total if forwarding else 0.0, note=note))
    forwards = any(a == "route" for a, _ in actions)
    policies = unique_policies([p for e in entries for p in e.policies])
    summary = f"MeshHTTPRoute ({', '.join(p.name for p in policies)}): {len(entries)} route entr{'y' if len(entries) == 1 else 'ies'}"
    return _decision(name, "http", HTTP, policies, forwards, summary, tuple(backends))


def _tcp_decision(name: str, items: Sequence[Item], semantics: Semantics, endpoints: MeshEndpoints,
                  admitted: AdmittedKey, kubernetes_mesh: bool) -> Decision:
    refs: list[tuple[Policy, BackendRef]] = []
    for subset in _subsets(items):
        chosen = _for_subset(items, subset)
        if not chosen:
            continue
        merged = merge_tcp(chosen, subset or "")
        owner = merged.contributors[-1] if merged.contributors else chosen[-1][0]
        for ref in merged.backend_refs or ():
            if ref.kind not in semantics.backend_kinds or not ref.name:
                continue
            if ref.weight is None and not _weight_is_defaulted(owner, kubernetes_mesh, semantics):
                raise _fails(owner, name, "a backendRef without weight (no CRD default fills it outside Kubernetes)",
                             "panic: runtime error: invalid memory address or nil pointer dereference", semantics.version)
            refs.append((owner, ref))
    if not refs:
        return _decision(name, "tcp", NONE, (), False, "no MeshTCPRoute rule gives this listener a backend: no upstream", ())
    total = sum(ref.effective_weight for _, ref in refs)
    backends = []
    for _, ref in sorted(refs, key=lambda pr: _cluster_key(pr[1])):
        weight = ref.effective_weight
        share = 1.0 if len(refs) == 1 else (weight / total if total else 0.0)
        b = make_backend(endpoints, admitted, ref.kind, ref.name or "", ref.tags, weight)
        backends.append(replace(b, in_split=share > 0, share=share))
    policies = unique_policies([p for p, _ in refs])
    return _decision(name, "tcp", TCP, policies, True, f"MeshTCPRoute ({', '.join(p.name for p in policies)})", tuple(backends))


def _decision(name: str, protocol: str, route_type: str, policies: tuple, forwards: bool, reason: str,
              backends: tuple[Backend, ...]) -> Decision:
    status = "ok" if forwards else ("no-route" if route_type == NONE else "blackhole")
    return Decision(name, protocol, route_type, policies, forwards, status, reason, backends, (reason,), (),
                    gateway_listener=True)


def _legacy(name: str, protocol: str) -> Decision:
    what = "answers 404 (no MeshGatewayRoute)" if protocol == "http" else "has no upstream (no MeshGatewayRoute)"
    return _decision(name, protocol, NONE, (), False, f"no MeshHTTPRoute/MeshTCPRoute reaches this gateway's listeners of "
                                                      f"this protocol: the MeshGatewayRoute generator builds it, and it {what}", ())


def gateway_listener_decisions(
    proxy: Proxy, gateway: MeshGateway, tcp_policies: Sequence[Policy], http_policies: Sequence[Policy],
    semantics: Semantics, endpoints: MeshEndpoints, admitted: AdmittedKey, kubernetes_mesh: bool,
) -> tuple[list[Decision], BuildCheck | None]:
    """One decision per listener name (the last listener of a port wins), and why Kuma fails the proxy."""
    by_http = listener_policies(http_policies, proxy, gateway, semantics)
    by_tcp = listener_policies(tcp_policies, proxy, gateway, semantics)
    decisions: dict[str, Decision] = {}
    try:
        # The MeshHTTPRoute plugin runs before MeshTCPRoute: its errors come first.
        ordered = sorted(gateway.listeners, key=lambda listener: listener.protocol not in _HTTP_PROTOCOLS)
        for listener in ordered:
            name = listener_name(gateway, listener)
            key = (listener.port, listener.hostname)
            if listener.protocol in _HTTP_PROTOCOLS:
                decisions[name] = (_http_decision(name, _items(by_http.get(key, [])), semantics, endpoints, admitted)
                                   if by_http else _legacy(name, "http"))
            else:
                decisions[name] = (_tcp_decision(name, _items(by_tcp.get(key, [])), semantics, endpoints, admitted, kubernetes_mesh)
                                   if by_tcp else _legacy(name, "tcp"))
    except GatewayFailure as failure:
        names = [listener_name(gateway, listener) for listener in gateway.listeners]
        return [_decision(n, "", NONE, (), False, failure.check.message, ()) for n in dict.fromkeys(names)], failure.check
    order = list(dict.fromkeys(listener_name(gateway, listener) for listener in gateway.listeners))
    return [decisions[n] for n in order], None
