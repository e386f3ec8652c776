"""MRA402: a MeshTCPRoute that takes an outbound from a TrafficRoute.

2.5.11 builds the TrafficRoute listener first and the MeshTCPRoute plugin overwrites it
(``pkg/xds/server/v3/reconcile.go``; ``pkg/core/xds/resource.go`` ``ResourceSet.Add`` replaces by name).
Legacy connection policies (Retry, Timeout, TrafficLog, ...) attach to routes defined by TrafficRoute only
(seed page, "Interactions with TrafficRoute"), so they stop applying to that outbound.  Reported when the
displaced TrafficRoute is written in the repository (a migration in progress); the implicit
``route-all-<mesh>`` giving way to a MeshTCPRoute is the path the seed page recommends and is not reported
(the legacy policies' own selectors are not read, so the message names the mesh's legacy policies).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import TCP, AuditContext, pair_text, where
from ..finding import Finding

CODE = "MRA402"


def check(ctx: AuditContext) -> Iterator[Finding]:
    routes = ctx.res.routes
    # Only a listener the TrafficRoute generator actually built is taken over; one it skipped (an http
    # outbound of a proxy with MeshHTTPRoute rules) lost its legacy policies before any MeshTCPRoute.
    taken = (routes["route_type"] == TCP) & routes["trafficroute_listener"].astype(bool)
    # Only a written TrafficRoute is reported; the implicit route-all giving way is the recommended path.
    taken &= routes["trafficroute"].isin(list(ctx.written_trafficroute_names))
    for pair in ctx.pairs_where(taken):
        if not pair.trafficroute:
            continue
        winner = ctx.tcp_winner(pair)
        tr = ctx.trafficroute(pair.mesh, pair.trafficroute)
        legacy = ctx.legacy_documents(pair.mesh)
        if winner is None or tr is None or ctx.is_implicit(tr):
            continue
        policy, entry = winner
        lost = (
            "legacy policies on this outbound (the mesh has " + ", ".join(f"{k} {n}" for k, n in legacy) + ")"
            if legacy else "legacy Retry/Timeout/TrafficLog/CircuitBreaker policies (none in this repository)"
        )  # fmt: skip
        yield ctx.finding(
            CODE, policy,
            f"{policy.key}: to[{entry.index}] takes {pair_text(pair)} from TrafficRoute {tr.name} ({where(tr)}); "
            f"{lost} match only TrafficRoute routes and stop applying to this outbound: use MeshRetry, "
            "MeshTimeout, MeshAccessLog, MeshCircuitBreaker instead",
            f"spec.to[{entry.index}]", pair=pair,
        )
