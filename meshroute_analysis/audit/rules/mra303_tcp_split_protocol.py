"""MRA303: a grpc or kafka backend that breaks a 2.5 TCP split.

2.5.11's ``MakeTCPSplit`` (``pkg/plugins/policies/meshtcproute/plugin/v1alpha1/listeners_backendrefs.go``
→ ``meshroute/listeners.go`` makeSplit) accepts backends whose protocol is ``<unknown>``, tcp, http or http2
and returns an empty split as soon as one backend is anything else: the listener then has no tcp_proxy
and every connection of the pair fails.  2.6 accepts grpc and kafka.  Read per pair from the resolution,
because the backend's protocol depends on the endpoints each proxy sees.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import make_tags
from ..context import TCP, AuditContext, pair_text, tcp_backend_path
from ..finding import Finding

CODE = "MRA303"
BREAKING = ("grpc", "kafka")


def check(ctx: AuditContext) -> Iterator[Finding]:
    if set(BREAKING) <= ctx.res.semantics.tcp_split_protocols:
        return  # 2.6 and later accept grpc and kafka backends in a TCP split
    # makeSplit skips weight-0 refs before it checks protocols: only weighted ones break the split.
    for key, bad in ctx.weighted_backends(BREAKING, TCP).items():
        pair = ctx.pair_at(*key)
        if pair is None or pair.route_type != TCP or pair.forwards:
            continue
        winner = ctx.tcp_winner(pair)
        if not bad or winner is None:
            continue
        policy, entry = winner
        for b in bad:
            path = f"spec.to[{entry.index}]"
            tags = make_tags(b["backend_tags"])
            for k, ref in enumerate(entry.backend_refs or ()):
                if ref.name == b["backend_name"] and ref.tags == tags:
                    path = tcp_backend_path(entry.index, k)
                    break
            yield ctx.finding(
                CODE, policy,
                f"{policy.key}: for {pair_text(pair)} the backend {b['backend']!r} is {b['backend_protocol']}; Kuma "
                "2.5.11's TCP split accepts only unknown/tcp/http/http2 backends and discards the whole split, so "
                "the listener has no tcp_proxy and every connection fails (fixed in 2.6)",
                path, pair=pair,
            )
