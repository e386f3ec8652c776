"""Which legacy TrafficRoute a proxy uses for a destination (reference §8.2).

Source: ``pkg/core/policy/connection_matcher.go`` ``SelectConnectionPolicies`` (via
``pkg/xds/topology/router.go`` ``BuildRouteMap``) at 2.5.11:

1. a TrafficRoute is a candidate when one of its ``sources`` matches the proxy (``Dataplane.Matches``: any
   inbound, Ignored ones included, or the gateway tags); it keeps its best source rank;
2. for destination S only the tags ``{kuma.io/service: S}`` are matched against ``destinations`` (a
   selector with any other key never matches);
3. the candidate with the highest aggregate rank (destination + source; more tags first, then more exact
   tags) wins; on equal rank Kuma keeps the later-created one.

Tie-break offline (``creationTime`` is not in the files): implicit defaults (``route-all-<mesh>``) count as
created first, so any other TrafficRoute beats them on a tie; among the others the first in name order is
kept (what Kuma's name-sorted loop does when creation times are equal).  Ties are reported in the reason.

:class:`TrafficRouteIndex` files sources and destinations by the tag they need, so a proxy only tests the
TrafficRoutes that can apply to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from ..model import SERVICE_TAG, Policy
from .protocols import creation_order
from .tagmatch import MATCH_ALL, Rank, any_matches, combine_ranks, compare_ranks, format_tags, selector_rank

#: Per proxy: TrafficRoute position → best source rank, for every TrafficRoute whose source matches.
SourceCandidates = tuple[tuple[int, Rank], ...]


@dataclass(frozen=True, slots=True)
class TrafficRouteChoice:
    policy: Policy | None
    rank: Rank | None
    tied_with: tuple[Policy, ...] = ()
    candidates: tuple[tuple[Policy, Rank], ...] = ()  # every TrafficRoute matching source and destination
    #: What a decision depends on: the chosen route, its rank and the ties (see :func:`make_choice`).
    key: tuple = (id(None), None, ())


def make_choice(policy: Policy, rank: Rank, tied: tuple[Policy, ...], candidates: tuple) -> TrafficRouteChoice:
    return TrafficRouteChoice(policy, rank, tied, candidates, (id(policy), rank, tuple(map(id, tied))))


NO_CHOICE = TrafficRouteChoice(None, None)


class TrafficRouteIndex:
    def __init__(self, routes: Iterable[Policy], created_with_mesh: AbstractSet[int] = frozenset()) -> None:
        # Position in creation order decides ties (earlier position wins).
        self.routes: list[Policy] = creation_order(routes, created_with_mesh)
        self.src_always: list[tuple[int, Rank]] = []
        self.src_by_pair: dict[tuple[str, str], list[tuple[int, object, Rank]]] = defaultdict(list)
        self.src_by_key: dict[str, list[tuple[int, object, Rank]]] = defaultdict(list)
        self.dst_all: dict[int, Rank] = {}
        self.dst_by_service: dict[str, dict[int, Rank]] = defaultdict(dict)
        self.services_of: dict[int, set[str]] = {}  # position → services its destinations name
        self._source_ranks: dict[int, tuple[SourceCandidates, dict[int, Rank]]] = {}  # id(sources) → position → rank
        for pos, route in enumerate(self.routes):
            for sel in route.sources:
                rank = selector_rank(sel.match)
                if not sel.match:
                    self.src_always.append((pos, rank))
                    continue
                exact = [(k, v) for k, v in sel.match if v != MATCH_ALL]
                if exact:
                    self.src_by_pair[exact[0]].append((pos, sel.match, rank))
                else:
                    self.src_by_key[sel.match[0][0]].append((pos, sel.match, rank))
            for sel in route.destinations:
                keys = {k for k, _ in sel.match}
                if not keys <= {SERVICE_TAG}:
                    continue  # only {kuma.io/service: S} is matched: other keys never match
                rank = selector_rank(sel.match)
                value = dict(sel.match).get(SERVICE_TAG)
                if value is None or value == MATCH_ALL:
                    _keep_best(self.dst_all, pos, rank)
                else:
                    _keep_best(self.dst_by_service[value], pos, rank)
                    self.services_of.setdefault(pos, set()).add(value)

    def services_named_by(self, sources: SourceCandidates) -> frozenset[str]:
        """Services that a destination selector of one of these candidates names explicitly."""
        named: set[str] = set()
        for pos, _ in sources:
            named.update(self.services_of.get(pos, ()))
        return frozenset(named)

    def source_candidates(self, tag_sets: Sequence[Mapping[str, str]]) -> SourceCandidates:
        best: dict[int, Rank] = {}
        for pos, rank in self.src_always:
            _keep_best(best, pos, rank)
        seen: set[tuple[int, int]] = set()
        for tags in tag_sets:
            for pair in tags.items():
                for pos, sel, rank in self.src_by_pair.get(pair, ()):
                    self._try(best, seen, pos, sel, rank, tag_sets)
            for key in tags:
                for pos, sel, rank in self.src_by_key.get(key, ()):
                    self._try(best, seen, pos, sel, rank, tag_sets)
        return tuple(sorted(best.items()))

    @staticmethod
    def _try(best: dict[int, Rank], seen: set[tuple[int, int]], pos: int, sel: object, rank: Rank, tag_sets) -> None:
        key = (pos, id(sel))  # selector tuples may be shared between policies
        if key in seen:
            return
        seen.add(key)
        if any_matches(sel, tag_sets):  # type: ignore[arg-type]
            _keep_best(best, pos, rank)

    def choose(self, sources: SourceCandidates, service: str) -> TrafficRouteChoice:
        """The TrafficRoute for (proxy with these source candidates, destination ``service``)."""
        if not sources:
            return NO_CHOICE
        by_service = self.dst_by_service.get(service)
        found: list[tuple[int, Rank]] = []
        for pos, src_rank in self._destination_candidates(sources, by_service):
            dst = self.dst_all.get(pos)
            if by_service is not None and pos in by_service:
                other = by_service[pos]
                dst = other if dst is None or compare_ranks(other, dst) > 0 else dst
            if dst is not None:
                found.append((pos, combine_ranks(dst, src_rank)))
        if not found:
            return NO_CHOICE
        best_pos, best_rank = found[0]
        for pos, rank in found[1:]:  # ``found`` is in creation order: strict > keeps the earlier on ties
            if compare_ranks(rank, best_rank) > 0:
                best_pos, best_rank = pos, rank
        tied = tuple(self.routes[p] for p, r in found if p != best_pos and compare_ranks(r, best_rank) == 0)
        return make_choice(self.routes[best_pos], best_rank, tied, tuple((self.routes[p], r) for p, r in found))


    def _destination_candidates(self, sources: SourceCandidates, by_service: Mapping[int, Rank] | None) -> Sequence[tuple[int, Rank]]:
        """The source candidates some destination selector can match for the service (one with a wildcard
        destination, or one naming it), in position order: ``sources`` itself when that is the shorter walk.
        A group can be a source candidate of thousands of TrafficRoutes, of which a handful name a service."""
        named = by_service or {}
        if len(sources) <= len(self.dst_all) + len(named):
            return sources
        ranks = self._source_ranks.get(id(sources))
        if ranks is None or ranks[0] is not sources:
            ranks = self._source_ranks[id(sources)] = (sources, dict(sources))
        of = ranks[1]
        return [(p, of[p]) for p in sorted({*self.dst_all, *named}) if p in of]


def _keep_best(target: dict[int, Rank], pos: int, rank: Rank) -> None:
    old = target.get(pos)
    if old is None or compare_ranks(rank, old) > 0:
        target[pos] = rank


def describe_rank(rank: Rank | None) -> str:
    if rank is None:
        return "-"
    return f"{rank[0] + rank[1]} tags ({rank[0]} exact, {rank[1]} wildcard)"


def explain_trafficroute_source(route: Policy, tag_sets: Sequence[Mapping[str, str]]) -> str:
    for sel in route.sources:
        if any_matches(sel.match, tag_sets):
            return f"source {format_tags(sel.match)} matches the proxy"
    return "no source selector matches the proxy: " + ", ".join(format_tags(s.match) for s in route.sources)
