"""MRA606: a ``sectionName`` or ``port`` that the MeshService does not have, or a real backendRef that names
no destination resource.

A ``to`` ref with ``sectionName`` is about that port only, and a resource without it drops out of the ref
(``v2.14.3:pkg/plugins/policies/core/rules/resolve/targetref.go``: ``findPort``); a backendRef to a real
resource whose resource or port does not exist gets no cluster (``meshroute/listeners.go``
DestinationPortFromRef).  Either way the entry or the backend does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ...resolve.destinations import UNRESOLVED
from ..context import AuditContext, tcp_backend_path, to_path
from ..finding import Finding

CODE = "MRA606"


def _backends(entry):
    for k, b in enumerate(entry.backend_refs or ()):
        yield b, tcp_backend_path(entry.index, k)
    for r, rule in enumerate(entry.http_rules):
        for k, b in enumerate(rule.backend_refs or ()):
            yield b, f"{to_path(entry.index)}.rules[{r}].default.backendRefs[{k}]"


def check(ctx: AuditContext) -> Iterator[Finding]:
    semantics = ctx.res.semantics
    if not semantics.resource_engine:
        return
    for policy in ctx.route_policies(valid=True):
        index = ctx.res.destination_index(policy.mesh)
        if index is None:
            continue
        for entry in policy.to:
            ref = entry.target_ref
            if ref is not None and ref.kind in ("MeshService", "MeshMultiZoneService") and ref.section_name:
                whole = index.to_sections(replace(ref, section_name=None), policy)
                if whole and not index.to_sections(ref, policy):
                    ports = sorted({p.name for d, _ in whole for p in d.ports})
                    yield ctx.finding(
                        CODE, policy,
                        f"{policy.key}: to[{entry.index}] is about port {ref.section_name!r} of {ref.kind} "
                        f"{ref.name or dict(ref.labels or ())}, which has only {', '.join(ports) or 'no ports'}: the "
                        "entry configures nothing",
                        f"{to_path(entry.index)}.targetRef.sectionName",
                    )
            for b, path in _backends(entry):
                resolved = index.backend(b, policy, semantics)
                if resolved.kind == UNRESOLVED:
                    yield ctx.finding(
                        CODE, policy,
                        f"{policy.key}: backendRef {resolved.name} names no existing {b.kind} port, so it gets no "
                        "cluster and carries no traffic",
                        path,
                    )
