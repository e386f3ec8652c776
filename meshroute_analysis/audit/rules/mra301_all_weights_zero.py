"""MRA301: every backend weight is 0, so the traffic goes nowhere.

2.5.11's split builder skips weight-0 backends (``pkg/plugins/policies/core/xds/meshroute/listeners.go``
makeSplit: ``if weight == 0 { continue }``).  With all of them 0: a MeshTCPRoute listener gets no tcp_proxy
filter (``pkg/xds/envoy/listeners/v3/tcp_proxy_configurer.go``) and a MeshHTTPRoute route is dropped.
A TrafficRoute whose splits are all 0 is rejected by Kuma's validator ("there must be at least one split
entry with weight above 0", ``traffic_route_validator.go``), so it is MRA101's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ...model import BackendRef
from ..context import AuditContext, ref_sites
from ..finding import Finding

CODE = "MRA301"


def all_zero(refs: Sequence[BackendRef]) -> bool:
    return bool(refs) and all(r.effective_weight == 0 for r in refs)


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.route_policies(valid=True):
        for site in ref_sites(policy):
            if not all_zero(site.refs):
                continue
            dest = site.entry.target_ref.name if site.entry.target_ref else "?"
            effect = (
                "the listener gets no tcp_proxy filter and every connection"
                if policy.type == "MeshTCPRoute"
                else f"Kuma {ctx.version} drops this route (rules[{site.rule_index}]) and every request it matched"
            )
            yield ctx.finding(
                CODE, policy,
                f"{policy.key}: every backendRef for {dest!r} has weight 0; Kuma {ctx.version} skips zero-weight backends, "
                f"so the split is empty: {effect} from the selected proxies to {dest} goes nowhere",
                site.path,
            )
