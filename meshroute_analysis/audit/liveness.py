"""Which policies and ``to`` entries decide the traffic of at least one pair (shared by MRA902/MRA903).

A MeshTCPRoute entry is live on a pair routed by MeshTCPRoute when it is the last entry in merge order that
sets backendRefs for the destination (merge patches replace lists whole,
``pkg/plugins/policies/core/rules/merge.go``).  A MeshHTTPRoute entry is live unless another route type
decides its destination: its rules merge by ``matches`` into every route (filters as well as backendRefs),
and when all its routes are dropped the pair gets no listener because of it.  A MeshHTTPRoute policy is
also live when its mere presence hands some http outbound of a proxy it selects to the MeshHTTPRoute
catch-all (§7 of the semantics reference).  A TrafficRoute is live when it routes some pair.  Meshes
without an inventory are not judged: their proxies are inferred from the policies themselves.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from ..model import Policy
from .context import HTTP, TCP, TR, AuditContext, Pair

__all__ = ["EntryLife", "PolicyLife", "liveness"]


@dataclass(slots=True)
class EntryLife:
    index: int
    destination: str | None
    pairs: int = 0
    live: int = 0
    lost: Counter[str] = field(default_factory=Counter)

    def why(self) -> str:
        if self.destination is None:
            return "it names no service"
        if not self.pairs:
            return f"no proxy the policy selects has an outbound to {self.destination}"
        parts = [f"{reason} ({n} pair{'s' if n > 1 else ''})" for reason, n in sorted(self.lost.items())]
        return "; ".join(parts)


@dataclass(slots=True)
class PolicyLife:
    policy: Policy
    entries: list[EntryLife]
    reason: str = ""  # for policies with no entry to judge (TrafficRoute, no `to`)
    activates: int = 0  # pairs a MeshHTTPRoute hands to the catch-all just by applying to their proxy

    @property
    def live(self) -> bool:
        return self.activates > 0 or any(e.live for e in self.entries)


def _lost_reason(ctx: AuditContext, policy: Policy, index: int, pair: Pair) -> str | None:
    """None when the entry decides the pair, else why not."""
    if pair.route_type != policy.type and not (policy.type == HTTP and pair.route_type == "none"):
        return f"{pair.route_type if pair.route_type != 'none' else 'no route'} decides {pair.destination} for {pair.source}"
    if policy.type == TCP:
        winner = ctx.tcp_winner(pair)
        if winner is not None and winner[0] is policy and winner[1].index == index:
            return None
        if winner is None:
            return "no entry sets backendRefs"
        w, we = winner
        if w is policy:
            return f"to[{we.index}] of the same policy merges later and replaces it"
        return f"overridden by {w.key} to[{we.index}], which merges later"
    return None  # a MeshHTTPRoute entry shapes (or, dropping every route, empties) its destination


@dataclass(slots=True)
class _PairIndex:
    """Lookups over ``ctx.pairs`` that liveness needs for every policy, from the routes frame's columns: only
    the pairs a lookup holds become records."""

    gateway_keys: Counter[tuple[str, str]]  # (mesh, policy key) -> builtin gateway listeners it shaped
    http_catch_all: Counter[tuple[str, str]]  # (mesh, source) -> pairs routed by the MeshHTTPRoute catch-all
    by_trafficroute: dict[tuple[str, str], np.ndarray]  # (mesh, trafficroute shown) -> positions of its pairs
    by_tie: dict[tuple[str, str], list[Pair]]  # (mesh, tied TrafficRoute) -> pairs routed by TrafficRoute

    def trafficroute_pairs(self, ctx: AuditContext, mesh: str, name: str) -> list[Pair]:
        pairs = ctx.pairs
        return [pairs[i] for i in self.by_trafficroute.get((mesh, name), ())]


def _pair_index(ctx: AuditContext) -> _PairIndex:
    if "liveness_pairs" not in ctx.memo:
        routes, where = ctx.res.routes, ctx.pairs_where

        gateway_keys: Counter[tuple[str, str]] = Counter()
        for p in where(routes["gateway_listener"]):
            for key in set(p.policy_keys):
                gateway_keys[(p.mesh, key)] += 1
        # Most pairs are routed by TrafficRoute or MeshHTTPRoute: the tuple columns pick the rows that count
        # before any pair is read (catch-all pairs are only counted, never read).
        catch_all = _count_by_group(ctx, (routes["route_type"] == HTTP).to_numpy(dtype=bool) & _empty(routes["policy_keys"]))
        by_tie: dict[tuple[str, str], list[Pair]] = defaultdict(list)
        for p in where((routes["route_type"] == TR).to_numpy(dtype=bool) & ~_empty(routes["trafficroute_ties"])):
            for name in set(p.trafficroute_ties):
                by_tie[(p.mesh, name)].append(p)
        # Every pair shows the TrafficRoute its source and destination select (route-all at least), but
        # only the written ones are judged: positions by (mesh, name) of the pairs showing one of those.
        written = ctx.written_trafficroute_names
        at = np.flatnonzero(routes["trafficroute"].isin(list(written)).to_numpy(dtype=bool)) if written else np.zeros(0, int)
        shown = routes.iloc[at]
        by_tr = shown.groupby(["mesh", "trafficroute"], sort=False).indices if len(shown) else {}
        by_tr = {key: at[rows] for key, rows in by_tr.items()}
        ctx.memo["liveness_pairs"] = _PairIndex(gateway_keys, catch_all, dict(by_tr), by_tie)
    return ctx.memo["liveness_pairs"]


def _count_by_group(ctx: AuditContext, mask: np.ndarray) -> Counter[tuple[str, str]]:
    """How many rows of ``res.routes`` where ``mask`` holds each (mesh, source) has: counted over the
    resolution's integer codes of those columns when it has them."""
    routes = ctx.res.routes
    codes = ctx.res.pair_codes() if hasattr(ctx.res, "pair_codes") else None
    if codes is None or len(codes.routes.mesh) != len(routes):
        rows = routes.loc[mask]
        sizes = rows.groupby(["mesh", "source"], sort=False).size() if len(rows) else {}
        return Counter({key: int(n) for key, n in dict(sizes).items()})
    width = len(codes.sources)
    keys, counts = np.unique(codes.routes.mesh[mask].astype(np.int64) * width + codes.routes.source[mask], return_counts=True)
    return Counter({(codes.meshes[k // width], codes.sources[k % width]): int(n) for k, n in zip(keys.tolist(), counts.tolist())})


def _empty(column) -> np.ndarray:
    """Per row of a column of tuples: whether it is empty."""
    values = column.to_numpy(dtype=object)
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values)) == 0


def _route_policy_life(ctx: AuditContext, policy: Policy) -> PolicyLife:
    index = _pair_index(ctx)
    sources = ctx.selected_sources(policy)
    entries = []
    resources = ctx.res.destination_index(policy.mesh) if ctx.res.semantics.resource_engine else None
    for entry in policy.to:
        dest = ctx.entry_destination(entry)
        real = _real_destinations(resources, policy, entry) if resources is not None else []
        if real:
            entries.append(_real_entry_life(ctx, index, policy, entry.index, real, sources))
            continue
        entries.append(_entry_life(ctx, policy, entry.index, dest, sources))
    # A builtin gateway listener (2.6+) lists every policy whose rules shaped it: such a policy is in use, and
    # its `to: Mesh` entries (the gateway form) are what shaped it.
    activates = index.gateway_keys.get((policy.mesh, policy.key), 0)
    for life in entries:
        if activates and life.destination is None:
            life.live = activates
    if policy.type == HTTP:
        # Pairs routed by MeshHTTPRoute that no policy names: the catch-all exists because some MeshHTTPRoute
        # applies to the proxy, this one included.
        activates += sum(index.http_catch_all.get((policy.mesh, s), 0) for s in sources)
    return PolicyLife(policy, entries, "" if policy.to else f"it has no `to` entries (accepted by Kuma {ctx.version}, a no-op)", activates)


def _entry_life(ctx: AuditContext, policy: Policy, index: int, dest: str | None, sources: frozenset[str]) -> EntryLife:
    life = EntryLife(index, dest)
    pairs = ctx.pairs_from(policy.mesh, dest, sources) if dest else []
    life.pairs = len(pairs)
    tcp, tcp_winner = policy.type == TCP, ctx.tcp_winner
    for pair in pairs:
        # The common answers first, without building a reason (what _lost_reason says for them is None).
        if tcp and pair.route_type == TCP:
            winner = tcp_winner(pair)
            if winner is not None and winner[0] is policy and winner[1].index == index:
                life.live += 1
                continue
        elif not tcp and pair.route_type in (HTTP, "none"):
            life.live += 1
            continue
        reason = _lost_reason(ctx, policy, index, pair)
        if reason is None:
            life.live += 1
        else:
            life.lost[reason] += 1
    return life


def _real_destinations(resources, policy: Policy, entry) -> list[str]:
    """2.9+: the KRIs of the destination ports a ``to`` entry is about (resource rules)."""
    ref = entry.target_ref
    if ref is None:
        return []
    out = []
    for d, section in resources.to_sections(ref, policy):
        out.extend(d.kri(p.name) for p in d.ports if not section or p.name == section)
    return out


def _real_entry_life(ctx: AuditContext, index: _PairIndex, policy: Policy, entry_index: int, kris: list[str],
                     sources: frozenset[str]) -> EntryLife:
    """An entry about destination resources is live on a pair its policy configures with its own route type
    (the pair lists the policies whose entries merged into it)."""
    life = EntryLife(entry_index, kris[0] if len(kris) == 1 else f"{kris[0]} (and {len(kris) - 1} more ports)")
    for kri in kris:
        for pair in ctx.pairs_from(policy.mesh, kri, sources):
            life.pairs += 1
            if pair.route_type == policy.type and policy.key in pair.policy_keys:
                life.live += 1
            else:
                what = pair.route_type if pair.route_type != "none" else "no route"
                life.lost[f"{what} decides {pair.destination} for {pair.source}"] += 1
    return life


def _trafficroute_life(ctx: AuditContext, policy: Policy) -> PolicyLife:
    index = _pair_index(ctx)
    selected = index.trafficroute_pairs(ctx, policy.mesh, policy.name)
    routed = [p for p in selected if p.route_type == TR and policy.key in p.policy_keys]
    # A TrafficRoute of the selected one's rank routes those pairs if it was created later, which no file
    # says (MRA504): it may be the one carrying the traffic, so it is never called dead.
    routed += index.by_tie.get((policy.mesh, policy.name), [])
    life = PolicyLife(policy, [EntryLife(0, None, len(selected), len(routed))])
    if routed:
        return life
    if not selected:
        life.reason = "no (source, destination) pair selects it: its sources/destinations match nothing, or more specific TrafficRoutes win"
    else:
        by = Counter(p.route_type for p in selected)
        life.reason = "it is selected for " + ", ".join(f"{n} pair(s) routed by {t}" for t, n in sorted(by.items()))
    return life


def liveness(ctx: AuditContext) -> list[PolicyLife]:
    """One :class:`PolicyLife` per valid written route policy that selects some proxy (TrafficRoutes
    always)."""
    if "liveness" not in ctx.memo:
        out = []
        for policy in ctx.policies:
            if not ctx.valid(policy) or not ctx.has_inventory(policy.mesh):
                continue
            if policy.type == TR:
                out.append(_trafficroute_life(ctx, policy))
            elif policy.type in (TCP, HTTP) and ctx.selected(policy):
                out.append(_route_policy_life(ctx, policy))
        ctx.memo["liveness"] = out
    return ctx.memo["liveness"]
