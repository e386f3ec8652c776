"""Which MeshGateway serves a proxy, and the listeners it lends to targetRef selection.

Sources at 2.5.11:

- ``pkg/plugins/policies/core/matchers/dataplane.go`` ``MatchedPolicies`` looks a MeshGateway up for
  **every** Dataplane (``SelectGateway(..., dpp.Spec.Matches)``), sidecars and delegated gateways included;
  ``inboundsSelectedByTags`` then matches a policy's tags against each listener's tags as well as against
  the inbounds: ``Merge(dataplane gateway tags, gateway tags, listener tags)``, later maps winning.  So a
  MeshSubset policy can select a sidecar that a MeshGateway's selectors happen to match.
- ``pkg/xds/topology/gateway.go`` ``SelectGateway`` → ``pkg/core/policy/dataplane_matcher.go``
  ``SelectDataplanePolicyWithMatcher``: gateways in name order; one without selectors (or with an empty
  ``match``) matches everything at the lowest rank; otherwise the best-ranked selector that
  ``Dataplane.Matches`` (any inbound, or the gateway tags) wins, ties going to the later-created gateway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..model import MeshGateway, Proxy
from .tagmatch import Rank, compare_ranks, selector_matches, selector_rank


def _proxy_matches(selector: Mapping[str, str], proxy: Proxy) -> bool:
    """``Dataplane.Matches``: one inbound, or the gateway tags (an absent gateway has no tags)."""
    if any(selector_matches(selector, dict(ib.tags)) for ib in proxy.inbounds):
        return True
    return selector_matches(selector, dict(proxy.gateway.tags) if proxy.gateway is not None else {})


def select_gateway(gateways: Sequence[MeshGateway], proxy: Proxy) -> MeshGateway | None:
    best: MeshGateway | None = None
    best_rank: Rank = (0, 0)

    def later(gateway: MeshGateway, rank: Rank) -> bool:
        return best is not None and compare_ranks(rank, best_rank) == 0 and gateway.apply_order > best.apply_order

    for gateway in sorted(gateways, key=lambda g: g.name):
        if not gateway.selectors:
            if best is None or later(gateway, (0, 0)):
                best = gateway
            continue
        for selector in gateway.selectors:
            if not selector:
                if best is None or later(gateway, (0, 0)):
                    best = gateway
                continue
            if _proxy_matches(dict(selector), proxy):
                rank = selector_rank(selector)
                if compare_ranks(rank, best_rank) > 0 or later(gateway, rank):
                    best, best_rank = gateway, rank
    return best


def listener_tag_sets(proxy: Proxy, gateway: MeshGateway | None) -> list[dict[str, str]]:
    """The tags each listener of ``gateway`` shows to targetRef selection on ``proxy``."""
    if gateway is None:
        return []
    own = dict(proxy.gateway.tags) if proxy.gateway is not None else {}
    return [{**own, **dict(gateway.tags), **dict(listener.tags)} for listener in gateway.listeners]
