"""MRA401: a MeshTCPRoute entry shadowed by a MeshHTTPRoute on an HTTP destination.

2.5.11's ``getBackendRefs`` (``pkg/plugins/policies/meshtcproute/plugin/v1alpha1/listeners_backendrefs.go``,
``matchingHTTPRuleExist``) returns nothing for destination S when S is http/http2/grpc and a MeshHTTPRoute
matched to the same proxy has a ``to`` entry for S, even one without rules (seed page: "MeshHTTPRoute takes
priority over MeshTCPRoute ... and the matching MeshTCPRoute is ignored").  One finding per entry and pair.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import HTTP, TCP, AuditContext, pair_text
from ..finding import Finding

CODE = "MRA401"


def check(ctx: AuditContext) -> Iterator[Finding]:
    http_like = ctx.res.semantics.http_like_protocols
    names_of: dict[int, str] = {}  # id of a selecting_items tuple (kept by the context) -> the policies it names
    for policy in ctx.route_policies(valid=True):
        if policy.type != TCP:
            continue
        sources = ctx.selected_sources(policy)
        for entry in policy.to:
            dest = ctx.entry_destination(entry)
            if dest is None:
                continue
            # Only groups some MeshHTTPRoute with an entry for dest selects can be shadowed.
            shadowed = sources & ctx.sources_naming(HTTP, policy.mesh, dest)
            for pair in ctx.pairs_from(policy.mesh, dest, shadowed) if shadowed else ():
                if pair.protocol not in http_like:
                    continue
                http = ctx.selecting_items(HTTP, pair.mesh, pair.source, dest)
                if not http:
                    continue
                names = names_of.get(id(http))
                if names is None:
                    names = names_of[id(http)] = ", ".join(dict.fromkeys(p.key for p, _ in http))
                yield ctx.finding(
                    CODE, policy,
                    f"{policy.key}: to[{entry.index}] is ignored for {pair_text(pair)}: {dest} is {pair.protocol} and "
                    f"{names} names it for the same proxies, and MeshHTTPRoute takes priority (Kuma {ctx.version} skips the "
                    f"MeshTCPRoute for it); the pair is routed by {pair.route_type}",
                    f"spec.to[{entry.index}]", pair=pair,
                )
