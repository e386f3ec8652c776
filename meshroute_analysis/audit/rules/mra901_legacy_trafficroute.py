"""MRA901: a TrafficRoute written in the repository (migration hint).

Seed page: "It's recommended to migrate from TrafficRoute ... If you don't use legacy policies, it's
recommended to remove any existing TrafficRoute. Otherwise, it's recommended to migrate to new policies and
then removing TrafficRoute."  The implicit ``route-all-<mesh>`` is not reported: it is not in the files.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import TR, AuditContext, kind_path
from ..finding import Finding

CODE = "MRA901"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.policies:
        if policy.type != TR:
            continue
        legacy = ctx.legacy_documents(policy.mesh)
        step = (
            "first move " + ", ".join(f"{k} {n}" for k, n in legacy) + " to MeshRetry/MeshTimeout/MeshAccessLog/"
            "MeshCircuitBreaker, then replace it with MeshTCPRoute/MeshHTTPRoute and remove it"
            if legacy
            else "no legacy policies use it, so it can be replaced with MeshTCPRoute/MeshHTTPRoute and removed"
        )
        yield ctx.finding(CODE, policy, f"{policy.key} is a legacy TrafficRoute: {step}", kind_path(policy))
