"""MRA302: a weight on a lone backend, which Envoy ignores.

With one split Kuma sets ``tcp_proxy.cluster`` instead of ``weighted_clusters``
(``pkg/xds/envoy/listeners/v3/tcp_proxy_configurer.go``; the HTTP route builder does the same with one
cluster), so the number means nothing: all traffic goes to that backend.  A weight of 1 (the default) is
not reported, nor is 0 (MRA301).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext, ref_sites
from ..finding import Finding

CODE = "MRA302"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.route_policies(valid=True):
        for site in ref_sites(policy):
            # Weight-0 refs build no cluster, so one weighted ref among them is alone in the split too.
            carrying = [(k, r) for k, r in enumerate(site.refs) if r.effective_weight != 0]
            if len(carrying) != 1:
                continue
            index, ref = carrying[0]
            if ref.weight is None or ref.weight in (0, 1):
                continue
            yield ctx.finding(
                CODE, policy,
                f"{policy.key}: backendRef {ref.name!r} is the only backend that carries traffic, so its weight {ref.weight} is ignored "
                "(Envoy gets a single cluster): it receives 100% of the traffic; add the other backends of the "
                "split or drop the weight",
                f"{site.path}[{index}].weight",
            )
