"""MRA304: a (source, destination) pair whose traffic goes nowhere, for a reason no more specific code has.

The resolver's status ``blackhole`` (a route configures the outbound but its split is empty) or ``no-route``
(no TrafficRoute selects the pair and no new route configures it: the legacy generator builds a listener
without upstream, ``pkg/xds/generator/outbound_proxy_generator.go``; or every MeshHTTPRoute route was dropped
and no listener is left).  Empty splits explained by MRA301 (all weights 0) and MRA303 (grpc/kafka backend)
are left to those codes.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Policy
from ..context import HTTP, TCP, TR, AuditContext, Pair, pair_text
from ..finding import Finding
from .mra301_all_weights_zero import all_zero
from .mra303_tcp_split_protocol import BREAKING

CODE = "MRA304"


def _explained(ctx: AuditContext, pair: Pair) -> bool:
    if pair.route_type == TCP:
        winner = ctx.tcp_winner(pair)
        if winner is not None and all_zero(winner[1].backend_refs or ()):
            return True
        # a weighted grpc/kafka backend (MRA303's); weight-0 backends are skipped before protocols are checked
        return (pair.mesh, pair.source, pair.destination) in ctx.weighted_backends(BREAKING, TCP)
    # MeshHTTPRoute dropped every route: MRA301 explains it when the entries naming the pair weigh 0 throughout.
    naming = ctx.selecting_items(HTTP, pair.mesh, pair.source, pair.destination)
    rules = [r for _, entry in naming for r in entry.http_rules if r.backend_refs is not None]
    return bool(rules) and all(all_zero(r.backend_refs or ()) for r in rules)


def _trafficroute(ctx: AuditContext, pair: Pair) -> Policy | None:
    for key in pair.policy_keys:
        policy = ctx.policy(pair.mesh, key)
        if policy is not None and policy.type == TR:
            return policy
    return None


def _culprit(ctx: AuditContext, pair: Pair) -> tuple[Policy, str | None] | None:
    """The written policy (and field) that configures, or last touched, the pair, if any."""
    if pair.route_type == TCP:
        winner = ctx.tcp_winner(pair)
        return (winner[0], f"spec.to[{winner[1].index}]") if winner else None
    if pair.route_type == TR:
        policy = _trafficroute(ctx, pair)
        return None if policy is None or ctx.is_implicit(policy) else (policy, None)
    naming = ctx.selecting_items(HTTP, pair.mesh, pair.source, pair.destination)
    return (naming[-1][0], f"spec.to[{naming[-1][1].index}]") if naming else None


def check(ctx: AuditContext) -> Iterator[Finding]:
    for pair in ctx.pairs_where(ctx.res.routes["status"].isin(("blackhole", "no-route"))):
        if _explained(ctx, pair):
            continue
        text = f"traffic from {pair_text(pair)} (mesh {pair.mesh!r}) goes nowhere in Kuma {ctx.version}: {pair.reason}"
        culprit = _culprit(ctx, pair)
        if culprit is not None:
            yield ctx.finding(CODE, culprit[0], text, culprit[1], pair=pair)
            continue
        file, line = ctx.source_location(pair.mesh, pair.source)
        yield Finding(CODE, text, file, line, mesh=pair.mesh, source=pair.source, destination=pair.destination)
