"""MRA202: a ``to`` targetRef naming a service no inventory of the mesh provides.

A ``to`` entry configures the outbound for that ``kuma.io/service`` (``BuildToRules`` in
``pkg/plugins/policies/core/rules/rules.go``); a proxy has such an outbound only if the service exists, so
the entry never applies.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding

CODE = "MRA202"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.route_policies(valid=True):
        for entry in policy.to:
            ref = entry.target_ref
            if ref is None or ref.kind != "MeshService" or not ctx.unknown_service(policy.mesh, ref.name):
                continue
            yield ctx.finding(
                CODE, policy,
                f"{policy.key}: to[{entry.index}] configures traffic to {ref.name!r}, but no Dataplane, Kubernetes "
                f"Service or ExternalService of mesh {policy.mesh!r} provides that service, so no proxy has such an "
                "outbound and the entry never applies (misspelled name, or inventory missing?)",
                f"spec.to[{entry.index}].targetRef.name",
            )
