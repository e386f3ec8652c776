"""The MeshHTTPRoute listener of one outbound: its routes, their splits, filters and mirrors (reference §7).

Sources at 2.5.11, ``pkg/plugins/policies/meshhttproute/``:

- ``plugin/v1alpha1/listeners.go`` ``prepareRoutes``: the merged rules for the service, plus a catch-all
  (``PathPrefix /``) when no rule has exactly that match; with no rule at all only http/http2/grpc services
  get a listener (the catch-all alone).  A rule without ``backendRefs`` routes to the service itself with
  weight 100.  ``generateListeners``: a route whose split is empty is dropped (``split == nil``); for a kept
  route every RequestMirror's backend gets a split of its own, so that it has a cluster.
- ``xds/configurer.go``: each route starts with a route action to its split; then its filters run in
  order.  ``xds/filters/requestredirect.go`` replaces the action with a redirect (that route forwards
  nothing); ``filters/urlrewrite.go`` and ``filters/requestmirror.go`` change the route action and fail with
  ``expected envoy_route.Route_Route action`` when a redirect came before them
  (``filters/util.go`` ``UpdateRouteAction``); a mirror fails with ``could not find cluster for backendRef``
  when no split of this proxy gave its backend a cluster.  Either failure fails the whole plugin, so the
  proxy's configuration is not built at all.
- ``pkg/plugins/policies/core/xds/meshroute/listeners.go`` ``makeSplit``: the cluster cache that mirrors
  look up is shared by every outbound of the proxy; a backendRef enters it when ``makeSplit`` reaches it
  (kind MeshService / MeshServiceSubset, weight not 0) and its protocol is accepted, so refs before a
  refused one stay cached even though the split itself is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..model import SERVICE_TAG, BackendRef, HTTPFilter, Policy
from .merge import MergedHTTP, MergedHTTPRule
from .protocols import AdmittedKey, MeshEndpoints
from .semantics import Semantics
from .split import CATCH_ALL_KEY, Backend, SplitResult, is_catch_all, make_split, route_label

REDIRECT = "RequestRedirect"
MIRROR = "RequestMirror"
REWRITE = "URLRewrite"
#: Filters that change the route action, so they need one (``UpdateRouteAction``).
_NEEDS_ROUTE_ACTION = (MIRROR, REWRITE)


def cache_key(ref: BackendRef) -> str:
    """What the cluster cache is keyed by: the backendRef's targetRef (``TargetRef.Hash``: kind, name, tags)."""
    return f"{ref.kind}/{ref.name or ''}/" + ",".join(f"{k}={v}" for k, v in ref.tags)


@dataclass(frozen=True, slots=True)
class BuildCheck:
    """A condition Kuma checks while it builds this outbound's routes; failing one fails the proxy.

    ``needs`` is a cluster-cache key that must be present by then (a mirror's backend); ``None`` means the
    check fails whatever the cache holds."""

    needs: str | None
    message: str
    policy: Policy | None


@dataclass(frozen=True, slots=True)
class HTTPRoute:
    label: str
    matches: str
    split: SplitResult
    action: str  # "route" (forwards to its split) or "redirect"
    mirrors: tuple[Backend, ...]


@dataclass(frozen=True, slots=True)
class HTTPListener:
    """What the MeshHTTPRoute plugin builds for one outbound."""

    routes: tuple[HTTPRoute, ...]
    dropped: tuple[str, ...]  # routes left out because their split is empty, and why
    cached: tuple[str, ...]  # cluster-cache keys this outbound adds, in order
    checks: tuple[BuildCheck, ...]

    @property
    def forwards(self) -> bool:
        # A route kept with an empty split (2.12 / 2.13) has a route action but no cluster to send to.
        return any(r.action == "route" and r.split.forwards for r in self.routes)

    def backends(self) -> tuple[Backend, ...]:
        """Every backend of every kept route; a redirecting route's carry nothing, mirrors get a copy only."""
        out: list[Backend] = []
        for route in self.routes:
            if route.action == "redirect":
                out.extend(replace(b, in_split=False, share=0.0, note="the route redirects (RequestRedirect): nothing is forwarded")
                           for b in route.split.backends)
            else:
                out.extend(route.split.backends)
            out.extend(route.mirrors)
        return tuple(out)


def _cached_by_split(refs: Sequence[BackendRef], accepted: frozenset[str], semantics: Semantics,
                     endpoints: MeshEndpoints, admitted: AdmittedKey) -> list[str]:
    keys = []
    for ref in refs:
        if ref.kind not in semantics.backend_kinds or ref.effective_weight == 0:
            continue
        if endpoints.protocol(ref.name or "", admitted) not in accepted:
            if semantics.split_drops_backend_alone:
                continue  # 2.9+: this ref alone is left out
            break  # makeSplit returns here; what it cached so far stays
        keys.append(cache_key(ref))
    return keys


def _split_reached(refs: Sequence[BackendRef], semantics: Semantics) -> bool:
    """2.12 / 2.13 keep a route whose split came out empty, as long as ``makeSplits`` was called with refs
    (its result is then an empty slice, not nil)."""
    return bool(refs)


def _rule_site(rule: MergedHTTPRule | None) -> tuple[Policy | None, str]:
    if rule is None or rule.filters_from is None:
        return None, ""
    policy, entry = rule.filters_from
    return policy, f"MeshHTTPRoute {policy.name} to[{entry.index}] rule {route_label(rule.matches)}"


def _filter_checks(rule: MergedHTTPRule | None, filters: Sequence[HTTPFilter], version: str) -> tuple[str, list[BuildCheck]]:
    """The route's action after its filters run in order, and the checks they make."""
    policy, site = _rule_site(rule)
    action = "route"
    checks: list[BuildCheck] = []
    fails = f"Kuma {version} fails to build this proxy's configuration"
    for position, f in enumerate(filters):
        if f.type == REDIRECT:
            action = "redirect"
        elif f.type in _NEEDS_ROUTE_ACTION and action != "route":
            checks.append(BuildCheck(None, f"{site}: filters[{position}] {f.type} comes after a RequestRedirect, which "
                                           f"left no route action to change; {fails} (expected envoy_route.Route_Route action)", policy))
            break  # the first error ends the build
        elif f.type == MIRROR and f.mirror is not None:
            key = cache_key(f.mirror)
            checks.append(BuildCheck(key, f"{site}: filters[{position}] RequestMirror to {f.mirror.kind} {f.mirror.name}, for which "
                                          f"no split of this proxy made an HTTP cluster (its protocol is not http/http2, or it is not "
                                          f"a MeshService); {fails} (could not find cluster for backendRef {key})", policy))
    return action, checks


def _mirror_backends(filters: Sequence[HTTPFilter], semantics: Semantics, endpoints: MeshEndpoints,
                     admitted: AdmittedKey, label: str, matches: str) -> tuple[list[Backend], list[str]]:
    """A row per mirrored backend (a copy of the route's requests, no share) and the cache keys their own
    splits add (weight 1, the HTTP split's protocols)."""
    rows: list[Backend] = []
    keys: list[str] = []
    for f in filters:
        if f.type != MIRROR or f.mirror is None:
            continue
        # 2.5 / 2.6 give the mirror's split weight 1; 2.7 keeps its own weight, so weight 0 makes no cluster.
        ref = f.mirror if semantics.mirror_keeps_weight else replace(f.mirror, weight=1)
        keys.extend(_cached_by_split([ref], semantics.http_split_protocols, semantics, endpoints, admitted))
        split = make_split([ref], semantics.http_split_protocols, semantics.backend_kinds, endpoints, admitted,
                           route=label, route_matches=matches, drop_alone=semantics.split_drops_backend_alone)
        for b in split.backends:
            rows.append(replace(b, in_split=False, share=0.0, weight=0, mirror=True,
                                note="mirror (RequestMirror): gets a copy of this route's requests, no share of the traffic"))
    return rows, keys


def build_http_listener(merged: MergedHTTP, service: str, protocol: str, semantics: Semantics,
                        endpoints: MeshEndpoints, admitted: AdmittedKey,
                        outbound_tags: Mapping[str, str] | None = None) -> HTTPListener | None:
    """The HTTP listener for ``service``, or None when ``prepareRoutes`` gives no route at all."""
    rules: list[tuple[str, tuple[BackendRef, ...] | None, MergedHTTPRule | None]] = [
        (r.matches, r.backend_refs, r) for r in merged.rules
    ]
    if not rules and protocol not in semantics.http_like_protocols:
        return None
    if not any(is_catch_all(m) for m, _, _ in rules):
        rules.append((CATCH_ALL_KEY, None, None))
    routes: list[HTTPRoute] = []
    dropped: list[str] = []
    cached: list[str] = []
    checks: list[BuildCheck] = []
    for matches, refs, rule in rules:
        label = route_label(matches)
        if refs is None or (not refs and semantics.empty_backend_refs_route_to_self):
            refs = (_self_ref(service, semantics, outbound_tags),)
        cached.extend(_cached_by_split(refs, semantics.http_split_protocols, semantics, endpoints, admitted))
        split = make_split(refs, semantics.http_split_protocols, semantics.backend_kinds, endpoints, admitted,
                           route=label, route_matches=matches, drop_alone=semantics.split_drops_backend_alone)
        if not split.forwards and not (semantics.http_keeps_empty_routes and _split_reached(refs, semantics)):
            dropped.append(f"route {label} dropped ({split.refusal})")
            continue
        filters = rule.filters if rule is not None else ()
        mirrors, mirror_keys = _mirror_backends(filters, semantics, endpoints, admitted, label, matches)
        cached.extend(mirror_keys)
        action, route_checks = _filter_checks(rule, filters, semantics.version)
        checks.extend(route_checks)
        routes.append(HTTPRoute(label, matches, split, action, tuple(mirrors)))
    return HTTPListener(tuple(routes), tuple(dropped), tuple(cached), tuple(checks))


def _self_ref(service: str, semantics: Semantics, outbound_tags: Mapping[str, str] | None) -> BackendRef:
    """A rule without backendRefs routes to the service itself (prepareRoutes), with weight 100; from 2.6
    with the outbound's tags (``2.6.15:.../meshhttproute/plugin/v1alpha1/listeners.go``)."""
    tags: tuple[tuple[str, str], ...] = ()
    if semantics.default_route_outbound_tags and outbound_tags:
        tags = tuple(sorted((k, v) for k, v in outbound_tags.items() if k != SERVICE_TAG))
    return BackendRef(kind="MeshService", name=service, tags=tags, weight=semantics.http_default_weight)


def first_failure(listeners: Sequence[HTTPListener | None]) -> BuildCheck | None:
    """The check that fails first when Kuma builds these outbounds in order (``generateListeners``): each
    outbound's routes are configured after all its splits were made, against the cache filled so far."""
    cache: set[str] = set()
    for listener in listeners:
        if listener is None:
            continue
        cache.update(listener.cached)
        for check in listener.checks:
            if check.needs is None or check.needs not in cache:
                return check
    return None
