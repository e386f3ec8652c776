"""MRA201: a backendRef (or TrafficRoute split) to a service that no inventory of the mesh provides.

2.5.11 accepts any backend service whose protocol is ``<unknown>``, and a service without endpoints is
``<unknown>`` (``pkg/plugins/policies/core/xds/meshroute/listeners.go``; the ``split-traffic`` golden keeps
``other-backend`` weight 15 with an empty load assignment): that share of the connections fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import SERVICE_TAG
from ..context import TR, AuditContext, ref_sites, spec_prefix
from ..finding import Finding

CODE = "MRA201"


def _message(policy_key: str, service: str, mesh: str) -> str:
    return (
        f"{policy_key} sends traffic to {service!r}, which no Dataplane, Kubernetes Service or ExternalService "
        f"of mesh {mesh!r} provides; Kuma 2.5 builds a cluster without endpoints and this share of the "
        "connections fails (misspelled name, or inventory missing from the repository?)"
    )


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.route_policies(valid=True):
        for site in ref_sites(policy):
            for k, ref in enumerate(site.refs):
                if ref.effective_weight == 0:
                    continue  # no cluster is built for a weight-0 ref, so nothing fails
                if ref.kind in ("MeshService", "MeshServiceSubset") and ctx.unknown_service(policy.mesh, ref.name):
                    yield ctx.finding(CODE, policy, _message(policy.key, ref.name or "", policy.mesh), f"{site.path}[{k}].name")
    for policy in ctx.policies:
        if policy.type != TR or not policy.valid:
            continue
        for i, split in enumerate(policy.splits):
            service = dict(split.destination).get(SERVICE_TAG)
            if split.weight and ctx.unknown_service(policy.mesh, service):
                yield ctx.finding(
                    CODE, policy, _message(policy.key, service or "", policy.mesh),
                    f"{spec_prefix(policy)}conf.split[{i}].destination",
                )
