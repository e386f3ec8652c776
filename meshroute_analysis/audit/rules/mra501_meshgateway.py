"""MRA501: MeshGateway targeting, which Kuma 2.5 does not accept.

The seed page's "Gateways" section (top-level ``kind: MeshGateway`` with ``to[].targetRef.kind: Mesh``)
describes 2.6 (``d337897012`` "feat(MeshTCPRoute): support MeshGateway").  2.5.11's validators allow only
Mesh, MeshSubset, MeshService and MeshServiceSubset at the top level and MeshService in ``to``
(``meshtcproute/api/v1alpha1/validator.go``, ``meshhttproute/api/v1alpha1/validation.go``), and there is no
gateway code in the 2.5 MeshTCPRoute plugin.  This code replaces MRA101 for those two violations.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Policy
from ..context import ROUTE_TYPES, AuditContext
from ..finding import Finding

CODE = "MRA501"


def gateway_paths(ctx: AuditContext, policy: Policy) -> frozenset[str]:
    """The violation paths MRA501 explains for ``policy`` (empty unless it targets a MeshGateway, which only
    Kuma 2.5 refuses: the modelled version's top-level kinds say)."""
    if policy.type not in ROUTE_TYPES or policy.target_ref is None or policy.target_ref.kind != "MeshGateway":
        return frozenset()
    if "MeshGateway" in ctx.res.semantics.top_level_kinds:
        return frozenset()
    paths = {"spec.targetRef.kind"}
    paths |= {f"spec.to[{e.index}].targetRef.kind" for e in policy.to if e.target_ref and e.target_ref.kind == "Mesh"}
    return frozenset(paths)


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.policies:
        paths = gateway_paths(ctx, policy)
        if not paths:
            continue
        gateway = policy.target_ref.name if policy.target_ref else None
        yield ctx.finding(
            CODE, policy,
            f"{policy.key} targets MeshGateway {gateway or '(no name)'}: Kuma 2.5 rejects it "
            "(spec.targetRef.kind: value is not supported) and builtin gateways there are routed by "
            f"MeshGatewayRoute; {policy.type} on a MeshGateway needs Kuma 2.6 or later",
            "spec.targetRef.kind",
        )
        for path in sorted(paths - {"spec.targetRef.kind"}):
            yield ctx.finding(
                CODE, policy,
                f"{policy.key}: `to` kind Mesh (the gateway form of the seed page) is rejected by Kuma 2.5, which "
                "accepts only MeshService in `to`; it is valid from 2.6 with a MeshGateway top-level targetRef",
                path,
            )
