"""From backendRefs / TrafficRoute splits to weighted backends and shares (reference §6.4, §7, §8.1).

Sources at 2.5.11:

- ``pkg/plugins/policies/core/xds/meshroute/listeners.go`` ``makeSplit``: backendRefs keep their order;
  kinds other than MeshService / MeshServiceSubset are skipped; weight ``nil`` is 1 and 0 is skipped; a
  backend whose protocol (as this proxy infers it) is not accepted **empties the whole split** (early
  ``return nil``).  ``MakeTCPSplit`` accepts unknown/tcp/http/http2, ``MakeHTTPSplit`` http/http2 (the
  sets live in :class:`~.semantics.Semantics`).
- ``pkg/xds/envoy/tags/match.go`` ``DestinationClusterName``: the Envoy cluster name of a backend.
- ``pkg/xds/generator/outbound_proxy_generator.go`` ``determineRoutes`` and ``pkg/xds/topology/router.go``
  ``resolveTrafficRouteWildcards``: TrafficRoute split tags lose their ``*`` values and get the outbound's
  tags for the keys they lack; weight-0 splits are skipped; no protocol check.

A backend with no endpoint still takes its share in Kuma (its cluster has an empty load assignment), so it
stays in the split here and is flagged by ``endpoints == 0``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..model import MESH_LABEL, SERVICE_TAG, BackendRef, Split, Tags
from .protocols import AdmittedKey, MeshEndpoints
from .tagmatch import MATCH_ALL

CATCH_ALL_MATCHES = [{"path": {"type": "PathPrefix", "value": "/"}}]
#: The canonical JSON of :data:`CATCH_ALL_MATCHES`, as rule merge keys are written.
CATCH_ALL_KEY = json.dumps(CATCH_ALL_MATCHES, sort_keys=True, separators=(",", ":"))


def cluster_name(service: str, tags: Mapping[str, str]) -> str:
    """``DestinationClusterName``: the service alone, or ``<service>-<first 8 sha256 bytes of k+v...>``."""
    full = dict(tags)
    full[SERVICE_TAG] = service
    if len(full) == 1:
        name = service
    else:
        h = hashlib.sha256()
        for key in sorted(full):
            h.update(key.encode())
            h.update(full[key].encode())
        name = f"{service}-{h.hexdigest()[:16]}"
    mesh = full.get(MESH_LABEL)  # cross-mesh gateway outbounds get a "_<mesh>" suffix (makeSplit)
    return f"{name}_{mesh}" if mesh else name


@dataclass(frozen=True, slots=True)
class Backend:
    """One configured backend of a winning route, with what became of it."""

    kind: str
    name: str
    tags: Tags  # without kuma.io/service
    weight: int  # effective weight (unset = 1)
    in_split: bool
    share: float  # of the pair's traffic (TCP, TrafficRoute) or of its HTTP route
    protocol: str  # the backend service's protocol as this proxy infers it
    endpoints: int  # visible endpoints carrying the backend's tags
    external: bool
    cluster: str
    note: str = ""
    route: str = ""  # HTTP route label ("/" for the catch-all); "" for TCP
    route_matches: str = ""
    mirror: bool = False  # a RequestMirror target: it gets a copy of the route's requests, no share


@dataclass(frozen=True, slots=True)
class SplitResult:
    backends: tuple[Backend, ...]
    forwards: bool
    refusal: str = ""  # why the whole split was emptied, if it was


def _with_shares(backends: list[Backend]) -> tuple[Backend, ...]:
    total = sum(b.weight for b in backends if b.in_split)
    if total <= 0:
        return tuple(replace(b, share=0.0) for b in backends)
    return tuple(replace(b, share=(b.weight / total if b.in_split else 0.0)) for b in backends)


def make_backend(
    endpoints: MeshEndpoints, admitted: AdmittedKey, kind: str, name: str, tags: Tags, weight: int, **extra: object
) -> Backend:
    subset = {k: v for k, v in tags if k != SERVICE_TAG}
    external = endpoints.has_external(name, admitted)
    return Backend(
        kind=kind,
        name=name,
        tags=tuple(sorted(subset.items())),
        weight=weight,
        in_split=False,
        share=0.0,
        protocol=endpoints.protocol(name, admitted),
        endpoints=endpoints.has_endpoints(name, subset, admitted),
        external=external,
        cluster=cluster_name(name, subset),
        **extra,  # type: ignore[arg-type]
    )


def make_split(
    refs: Sequence[BackendRef],
    accepted: frozenset[str],
    backend_kinds: frozenset[str],
    endpoints: MeshEndpoints,
    admitted: AdmittedKey,
    *,
    route: str = "",
    route_matches: str = "",
    drop_alone: bool = False,
) -> SplitResult:
    """``makeSplit`` for one list of backendRefs."""
    rows = [
        make_backend(endpoints, admitted, ref.kind, ref.name or "", ref.tags, ref.effective_weight, route=route, route_matches=route_matches)
        for ref in refs
    ]
    return split_backends(rows, accepted, backend_kinds, drop_alone)


def split_backends(rows: Sequence[Backend], accepted: frozenset[str] | None, backend_kinds: frozenset[str] | None,
                   drop_alone: bool = False) -> SplitResult:
    """The split rule on backends whose weight, kind and protocol are known, in their order: a kind outside
    ``backend_kinds`` or a weight of 0 carries nothing; one protocol outside ``accepted`` empties the whole
    split (``makeSplit``'s early return), or from 2.9 (``drop_alone``) drops that backend only.  ``None``
    skips a check (TrafficRoute splits have neither)."""
    out: list[Backend] = []
    refusal = ""
    for row in rows:
        if drop_alone and accepted is not None and row.name and row.weight != 0 and row.protocol not in accepted \
                and (backend_kinds is None or row.kind in backend_kinds):
            out.append(replace(row, in_split=False, note=f"{row.protocol} is not accepted here ({', '.join(sorted(accepted))}): dropped"))
            continue
        if backend_kinds is not None and row.kind not in backend_kinds:
            out.append(replace(row, in_split=False, note=f"kind {row.kind} is not a split target: skipped"))
            continue
        if row.weight == 0:
            out.append(replace(row, in_split=False, note="weight 0: no traffic"))
            continue
        if not row.name:
            out.append(replace(row, in_split=False, note="no kuma.io/service: skipped"))
            continue
        if accepted is not None and not refusal and row.protocol not in accepted:
            refusal = (
                f"backend {row.name} is {row.protocol}, which this split does not accept "
                f"({', '.join(sorted(accepted))}): the whole split is dropped"
            )
        out.append(replace(row, in_split=not refusal, note=""))
    if refusal:
        out = [replace(r, in_split=False, note=r.note or "split dropped") for r in out]
        return SplitResult(_with_shares(out), False, refusal)
    forwards = any(r.in_split for r in out)
    if forwards:
        return SplitResult(_with_shares(out), True, "")
    why = "; ".join(f"{r.name or r.kind}: {r.note}" for r in out if r.note)
    return SplitResult(_with_shares(out), False, "no backendRef carries traffic" + (f" ({why})" if why else ""))


def resolve_wildcards(destination: Tags, outbound_tags: Mapping[str, str]) -> dict[str, str]:
    """``handleWildcardTagsFor``: drop ``*`` values, then add outbound tags for missing keys."""
    result = {k: v for k, v in destination if v != MATCH_ALL}
    for k, v in outbound_tags.items():
        result.setdefault(k, v)
    return result


def trafficroute_split(
    splits: Sequence[Split], outbound_tags: Mapping[str, str], endpoints: MeshEndpoints, admitted: AdmittedKey,
    *, route: str = "", route_matches: str = "",
) -> SplitResult:
    rows: list[Backend] = []
    for split in splits:
        tags = resolve_wildcards(split.destination, outbound_tags)
        service = tags.get(SERVICE_TAG, "")
        subset = tuple(sorted((k, v) for k, v in tags.items() if k != SERVICE_TAG))
        kind = "MeshServiceSubset" if subset else "MeshService"
        rows.append(make_backend(endpoints, admitted, kind, service, subset, split.weight, route=route, route_matches=route_matches))
    result = split_backends(rows, None, None)  # no kind or protocol check for TrafficRoute splits
    return result if result.forwards else replace(result, refusal="no split carries traffic (weight 0 or no kuma.io/service)")


@dataclass(frozen=True, slots=True)
class TrafficRouteRoutes:
    """What the legacy generator makes of one TrafficRoute for one outbound (``determineRoutes``): a route
    per ``conf.http[]`` entry, then the default (``conf.destination`` / ``conf.split``); a route none of
    whose splits carries traffic is left out (``appendRoute``), but its backends are kept for display."""

    routes: tuple[tuple[str, str, SplitResult], ...]  # (label, match JSON, split), in Envoy's order
    services: tuple[str, ...]  # the services of every cluster, for the listener's protocol

    @property
    def kept(self) -> tuple[tuple[str, str, SplitResult], ...]:
        return tuple(r for r in self.routes if r[2].forwards)

    def http_backends(self) -> tuple[Backend, ...]:
        """The backends of an HTTP listener: each route keeps its own split (the default is the "/" route)."""
        return tuple(b for _, _, split in self.routes for b in split.backends)

    def tcp_split(self) -> SplitResult:
        """Any other listener gets one tcp_proxy over ``Routes.Clusters()`` (``pkg/xds/envoy/route.go``): the
        clusters of every route together, ``conf.http`` entries first, each with its own weight."""
        rows = [replace(b, route="", route_matches="") for _, _, split in self.routes for b in split.backends]
        return split_backends(rows, None, None)


def trafficroute_routes(
    http_routes: Sequence[tuple[str, Sequence[Split]]], default: Sequence[Split], outbound_tags: Mapping[str, str],
    endpoints: MeshEndpoints, admitted: AdmittedKey,
) -> TrafficRouteRoutes:
    routes: list[tuple[str, str, SplitResult]] = []
    for match, splits in http_routes:
        label = trafficroute_route_label(match)
        routes.append((label, match, trafficroute_split(splits, outbound_tags, endpoints, admitted, route=label, route_matches=match)))
    if default:
        routes.append(("/", CATCH_ALL_KEY, trafficroute_split(default, outbound_tags, endpoints, admitted, route="/", route_matches=CATCH_ALL_KEY)))
    services = tuple(dict.fromkeys(b.name for _, _, split in routes for b in split.backends if b.in_split))
    return TrafficRouteRoutes(tuple(routes), services)


def trafficroute_route_label(match: str) -> str:
    """A short name of a TrafficRoute ``conf.http[].match`` (``{path: {prefix: /v2}, method: ..., headers: ...}``)."""
    try:
        parsed = json.loads(match)
    except (TypeError, ValueError):
        return str(match)
    if not isinstance(parsed, dict):
        return str(match)
    parts: list[str] = []
    for key in ("path", "method"):
        matcher = parsed.get(key)
        if isinstance(matcher, dict):
            parts.extend(f"{key} {kind} {value}" for kind, value in sorted(matcher.items()))
    headers = parsed.get("headers")
    if isinstance(headers, dict):
        for name, matcher in sorted(headers.items()):
            if isinstance(matcher, dict):
                parts.extend(f"header {name} {kind} {value}" for kind, value in sorted(matcher.items()))
    return " ".join(parts) or "(no match)"


def is_catch_all(matches: str) -> bool:
    try:
        return json.loads(matches) == CATCH_ALL_MATCHES
    except (TypeError, ValueError):
        return False


def route_label(matches: str) -> str:
    """A short human name of an HTTP route from its ``matches`` JSON; "/" for the catch-all."""
    if is_catch_all(matches):
        return "/"
    try:
        parsed = json.loads(matches)
    except (TypeError, ValueError):
        return str(matches)
    if not isinstance(parsed, list):
        return str(matches)
    alternatives = []
    for match in parsed:
        if not isinstance(match, dict):
            alternatives.append(json.dumps(match, sort_keys=True))
            continue
        parts = []
        path = match.get("path")
        if isinstance(path, dict):
            parts.append(f"{path.get('type', 'PathPrefix')} {path.get('value', '')}")
        if match.get("method"):
            parts.append(str(match["method"]))
        for header in match.get("headers") or ():
            if isinstance(header, dict):
                parts.append(f"header {header.get('name')}{'=' if 'value' in header else ''}{header.get('value', '')}")
        for param in match.get("queryParams") or ():
            if isinstance(param, dict):
                parts.append(f"query {param.get('name')}={param.get('value', '')}")
        alternatives.append(" ".join(parts) or json.dumps(match, sort_keys=True))
    return " | ".join(alternatives) or "(no matches)"
