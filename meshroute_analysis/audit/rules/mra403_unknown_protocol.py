"""MRA403: a destination whose protocol is unknown.

2.5.11 infers a service's protocol from ``kuma.io/protocol`` on all its endpoints
(``pkg/xds/topology/outbound.go``, ``pkg/core/resources/apis/mesh/dataplane_helpers.go``): a missing or
invalid value on any endpoint gives ``<unknown>``, and disagreeing values fall back through the protocol
stacks.  An ``<unknown>`` destination is TCP to the route plugins: a MeshHTTPRoute does not take it from a
MeshTCPRoute (``listeners_backendrefs.go``), and is skipped unless its backends are http services.
Unknown services are left to MRA202.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding

CODE = "MRA403"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.route_policies(valid=True):
        for entry in policy.to:
            dest = ctx.entry_destination(entry)
            if dest is None or ctx.unknown_service(policy.mesh, dest) or ctx.service(policy.mesh, dest) is None:
                continue
            service = ctx.service(policy.mesh, dest)
            if service is None or service.inferred:
                continue
            protocol, why = ctx.protocol(policy.mesh, dest)
            if protocol != "unknown":
                continue
            effect = (
                "it is routed as TCP and the MeshHTTPRoute rules apply only through http backends"
                if policy.type == "MeshHTTPRoute"
                else "a MeshHTTPRoute naming it would not take it from this MeshTCPRoute and L7 features are lost"
            )
            # No Ready endpoint at all is a different problem from endpoints that lack or garble the tag.
            advice = (
                "it has no Ready, healthy endpoint, so nothing answers and its protocol stays unknown until one is"
                if not service.endpoints
                else "set kuma.io/protocol (or appProtocol) on every endpoint"
            )
            yield ctx.finding(
                CODE, policy,
                f"{policy.key}: to[{entry.index}] names {dest!r}, whose protocol Kuma {ctx.version} infers as <unknown> ({why}); "
                f"{effect}: {advice}",
                f"spec.to[{entry.index}].targetRef.name",
            )
