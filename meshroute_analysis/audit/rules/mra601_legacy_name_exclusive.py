"""MRA601: a ``to`` entry that names no MeshService in a mesh whose ``meshServices.mode`` is Exclusive.

In Exclusive mode a transparent proxy has no ``kuma.io/service`` outbound at all, only one per MeshService
port (``v2.14.3:pkg/xds/context/mesh_context_builder.go``: legacy VIP outbounds unless Exclusive), so a
``to: MeshService <name>`` entry can only configure something through the resource rules: when ``name`` is
a MeshService of the policy's namespace and zone, or a legacy ``<name>_<namespace>_svc_<port>`` that maps to
one (``rules/resolve/targetref.go``).  An entry that resolves to no MeshService configures nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..context import AuditContext, to_path
from ..finding import Finding

CODE = "MRA601"


def check(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.res.semantics.resource_engine:
        return
    for policy in ctx.route_policies(valid=True):
        index = ctx.res.destination_index(policy.mesh)
        if index is None or index.mode != "Exclusive":
            continue
        for entry in policy.to:
            ref = entry.target_ref
            if ref is None or ref.kind != "MeshService" or ref.labels or not ref.name:
                continue
            if index.to_sections(replace(ref, section_name=None), policy):
                continue  # it names a MeshService (a missing port is MRA606's)
            if any(d.name == ref.name for d in index.destinations):
                continue  # a MeshService of that name exists elsewhere (another namespace or zone: MRA604)
            yield ctx.finding(
                CODE, policy,
                f"{policy.key}: to[{entry.index}] names {ref.name!r}, which is no MeshService here (nor a "
                f"<name>_<namespace>_svc_<port> name of one); mesh {policy.mesh!r} is in Exclusive mode, so proxies "
                "have no kuma.io/service outbound for it either: the entry configures nothing; name the MeshService "
                "by labels (kuma.io/display-name, k8s.kuma.io/namespace) or by its name and namespace",
                f"{to_path(entry.index)}.targetRef",
            )
