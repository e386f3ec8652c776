"""MRA203: a subset (MeshServiceSubset backendRef or TrafficRoute split destination) that selects no
endpoint of its service.

A subset cluster's load assignment holds the endpoints whose tags contain every ref tag other than
``kuma.io/service`` (``pkg/xds/cache/cla/cache.go``, ``pkg/xds/topology/outbound.go``); with none, that
share of the connections fails.  Subsets that name ``kuma.io/zone`` are left to MRA502 (other zones are
not in the repository), and unknown services to MRA201.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import SERVICE_TAG, ZONE_TAG, Tags
from ..context import AuditContext, cluster_targets, quote_tags
from ..finding import Finding

CODE = "MRA203"


def _selects_nothing(ctx: AuditContext, mesh: str, service: str | None, tags: Tags) -> bool:
    wanted = {k: v for k, v in tags if k != SERVICE_TAG and v != "*"}
    if not wanted or ZONE_TAG in wanted or not ctx.has_inventory(mesh) or ctx.unknown_service(mesh, service):
        return False
    svc = ctx.service(mesh, service)
    if svc is None or not svc.endpoints:
        return False
    if all(ep.external for ep in svc.endpoints):
        return False  # an ExternalService cluster takes all its endpoints, unfiltered (meshroute/clusters.go)
    return not any(all(dict(ep.tags).get(k) == v for k, v in wanted.items()) for ep in svc.endpoints)


def _message(ctx: AuditContext, key: str, mesh: str, service: str, tags: Tags) -> str:
    svc = ctx.service(mesh, service)
    keys = {k for k, _ in tags if k != SERVICE_TAG}
    seen = sorted({f"{k}={v}" for ep in (svc.endpoints if svc else ()) for k, v in ep.tags if k in keys})
    have = f" (its endpoints carry {', '.join(seen)})" if seen else ""
    return (
        f"{key}: the subset {quote_tags(t for t in tags if t[0] != SERVICE_TAG)} of {service!r} selects none of its "
        f"{len(svc.endpoints) if svc else 0} endpoint(s){have}; Kuma {ctx.version} builds the cluster with no endpoints "
        "and this share of the connections fails"
    )


def check(ctx: AuditContext) -> Iterator[Finding]:
    empty: dict[tuple[str, str | None, Tags], bool] = {}  # many refs name the same subset: asked once each
    for t in cluster_targets(ctx):
        if t.kind != "MeshServiceSubset":
            continue
        key = (t.policy.mesh, t.service, t.tags)
        if key not in empty:
            empty[key] = _selects_nothing(ctx, *key)
        if empty[key]:
            text = _message(ctx, t.policy.key, t.policy.mesh, t.service or "", t.tags)
            # A backendRef's subset is its tags; a TrafficRoute split's is its destination selector.
            yield ctx.finding(CODE, t.policy, text, t.path + (".tags" if t.name_field else ""))
