"""MRA605: route policies of one type with the same display name in different namespaces.

From 2.8 policies may live in application namespaces, and the merge order ends with the display name
(``kuma.io/display-name``, the name without its namespace): kind, origin, role, then display name
(``v2.14.3:pkg/plugins/policies/core/matchers/dataplane.go`` SortByTargetRef, ``rules/outbound/sort.go``).
Two policies that are equal on every tier and share the display name compare equal, and ``slices.SortFunc``
is not stable, so which of them merges last, and wins, is not defined.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ...resolve.semantics import display_name
from ..context import AuditContext, name_path
from ..finding import Finding

CODE = "MRA605"


def check(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.res.semantics.role_tiers:
        return
    by_name = defaultdict(list)
    for policy in ctx.route_policies(valid=True):
        by_name[(policy.mesh, policy.type, display_name(policy))].append(policy)
    for (mesh, _, name), group in sorted(by_name.items()):
        namespaces = sorted({p.resource.namespace or "" for p in group})
        if len(namespaces) < 2:
            continue
        first, *others = group
        yield ctx.finding(
            CODE, first,
            f"{len(group)} {first.type}s named {name!r} in namespaces {', '.join(namespaces)} of mesh {mesh!r}: where "
            f"they rank the same (kind, origin, role) Kuma {ctx.version} compares them by display name, which is the "
            "same, and its sort is not stable: which one wins is undefined; give them distinct names",
            name_path(first),
        )
