"""MRA604: a global policy that names a zone's MeshService by name.

A MeshService ref by ``name`` resolves to the KRI built from the policy's own metadata: its mesh, its
namespace and its ``kuma.io/zone`` label (``v2.14.3:pkg/plugins/policies/core/rules/resolve/backendref.go``
TargetRefToKRI).  A policy created on the global control plane (``kuma.io/origin: global``) has no zone, so
the KRI has none either and never equals that of a MeshService a zone owns, which carries its
``kuma.io/zone``: the ref resolves to nothing.  Refs by ``labels`` do not have this problem
(``kuma.io/display-name``, ``k8s.kuma.io/namespace``, ``kuma.io/zone``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext, tcp_backend_path, to_path
from ..finding import Finding

CODE = "MRA604"


def _named(policy):
    for entry in policy.to:
        ref = entry.target_ref
        if ref is not None and ref.kind == "MeshService" and ref.name and not ref.labels:
            yield ref.name, f"{to_path(entry.index)}.targetRef"
        for k, b in enumerate(entry.backend_refs or ()):
            if b.kind == "MeshService" and b.name and not b.labels and (b.port is not None or b.section_name):
                yield b.name, tcp_backend_path(entry.index, k)


def check(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.res.semantics.resource_engine:
        return
    zoned = {(d.mesh, d.name): d for d in ctx.content.destinations if d.kind == "MeshService" and d.zone}
    for policy in ctx.route_policies(valid=True):
        if dict(policy.resource.labels).get("kuma.io/origin") != "global" or dict(policy.resource.labels).get("kuma.io/zone"):
            continue
        for name, path in _named(policy):
            d = zoned.get((policy.mesh, name))
            if d is None:
                continue
            yield ctx.finding(
                CODE, policy,
                f"{policy.key} is a global policy and names MeshService {name!r} by name: its KRI has no zone, while "
                f"{name} belongs to zone {d.zone!r}, so the ref resolves to nothing; select it by labels "
                f"(kuma.io/display-name: {name}, kuma.io/zone: {d.zone})",
                path,
            )
