"""MRA201: a backendRef (or TrafficRoute split) to a service that no inventory of the mesh provides.

2.5.11 accepts any backend service whose protocol is ``<unknown>``, and a service without endpoints is
``<unknown>`` (``pkg/plugins/policies/core/xds/meshroute/listeners.go``; the ``split-traffic`` golden keeps
``other-backend`` weight 15 with an empty load assignment): that share of the connections fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext, cluster_targets
from ..finding import Finding

CODE = "MRA201"


def _message(policy_key: str, service: str, mesh: str, version: str) -> str:
    return (
        f"{policy_key} sends traffic to {service!r}, which no Dataplane, Kubernetes Service or ExternalService "
        f"of mesh {mesh!r} provides; Kuma {version} builds a cluster without endpoints and this share of the "
        "connections fails (misspelled name, or inventory missing from the repository?)"
    )


def check(ctx: AuditContext) -> Iterator[Finding]:
    for t in cluster_targets(ctx):
        if t.kind in ("MeshService", "MeshServiceSubset") and ctx.unknown_service(t.policy.mesh, t.service):
            yield ctx.finding(CODE, t.policy, _message(t.policy.key, t.service or "", t.policy.mesh, ctx.version), t.path + t.name_field)
