"""What the rules read: the repository, its resolution (computed once, on first use) and lookups.

Rules never resolve anything themselves: route choice, merge order and selection come from
:mod:`meshroute_analysis.resolve`, so the audit and the resolver cannot disagree on Kuma's behaviour.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..model import SERVICE_TAG, Format, Origin, Policy, Proxy, Service, Tags, ToEntry
from .finding import Finding
from .positions import BlockPositions, NamePositions, pair_positions

if TYPE_CHECKING:
    from ..repo import PolicyRepo
    from ..resolve import Resolution

__all__ = ["AuditContext", "Pair"]

TCP = "MeshTCPRoute"
HTTP = "MeshHTTPRoute"
TR = "TrafficRoute"
#: The columns of :meth:`AuditContext.weighted_backends` rows (what MRA303 and MRA304 read of them).
WEIGHTED_BACKEND_COLUMNS = ("mesh", "source", "destination", "backend", "backend_name", "backend_tags",
                            "backend_protocol", "weight")
ROUTE_TYPES = (TCP, HTTP)

#: Legacy policies that match only routes defined by TrafficRoute (seed page, "Interactions with
#: TrafficRoute"); the loader records them as skipped documents with their kind and mesh.
LEGACY_CONNECTION_POLICIES = frozenset({
    "CircuitBreaker", "FaultInjection", "HealthCheck", "RateLimit", "Retry", "Timeout", "TrafficLog", "TrafficTrace",
})  # fmt: skip


class Pair(NamedTuple):
    """One row of ``res.routes`` as the rules use it."""

    mesh: str
    source: str
    destination: str
    protocol: str
    route_type: str
    policy_keys: tuple[str, ...]
    forwards: bool
    status: str
    reason: str
    trafficroute: str | None
    trafficroute_listener: bool  # the TrafficRoute generator built this outbound's listener (not skipped)
    trafficroute_ties: tuple[str, ...]  # TrafficRoutes of the selected one's rank: creation time decides
    gateway_listener: bool  # a builtin gateway's listener (2.6+), not an outbound


class AuditContext:
    def __init__(self, repo: PolicyRepo, res: Resolution | None = None, *, kuma_version: str | None = None) -> None:
        self.repo = repo
        self.content = repo.content
        self._res = res
        config = getattr(repo, "config", None)
        self._kuma_version = kuma_version or (config.kuma_version if config is not None else None)
        #: Results several rules share (e.g. :mod:`.liveness`), computed once per audit.
        self.memo: dict[str, Any] = {}
        self._lines: dict[tuple[int, str | None], int] = {}  # (id(resource), path) -> line (0: none)
        self._finding_names: dict[int, tuple[str | None, str, str, str, str]] = {}  # id(resource) -> finding()'s names
        # items_for: (number of a list of policies, destination) -> its entries, and the numbers by the ids
        self._items: dict[tuple[int, str], tuple[tuple[Policy, ToEntry], ...]] = {}
        self._policy_lists: dict[tuple[int, ...], int] = {}
        self._selecting_lists: dict[tuple[str, str, str], tuple[int, tuple[Policy, ...]]] = {}  # selecting_items
        self._selected_sources: dict[int, frozenset[str]] = {}  # id(policy) -> selected_sources
        self._orders: dict[int, dict[int, int]] = {}  # number of a list -> id(policy) -> position (_configuring)
        self._indexed: set[int] = set()  # ids of the policies _by_destination holds
        # destination -> id(policy) -> (policy, its entries for the destination), for the policies indexed so far
        self._by_destination: dict[str | None, dict[int, tuple[Policy, tuple[ToEntry, ...]]]] = {}

    # ------------------------------------------------------------------------------ the resolution

    @property
    def res(self) -> Resolution:
        if self._res is None:
            from ..resolve import resolve
            from ..resolve.semantics import DEFAULT_VERSION

            self._res = resolve(self.repo, kuma_version=self._kuma_version or DEFAULT_VERSION, default_policies=True)
        return self._res

    @cached_property
    def pairs(self) -> tuple[Pair, ...]:
        routes = self.res.routes
        # Column by column as Python objects (what itertuples gives, several times faster).
        return tuple(map(Pair._make, zip(*(routes[c].to_numpy(dtype=object) for c in Pair._fields))))

    def pairs_where(self, mask: Any) -> list[Pair]:
        """The pairs at the rows of ``res.routes`` where ``mask`` (a boolean Series or array over that frame)
        holds, in frame order: rules that look at few pairs filter by the frame's columns first."""
        pairs = self.pairs
        return [pairs[i] for i in np.flatnonzero(np.asarray(mask, dtype=bool))]

    @cached_property
    def pairs_by_destination(self) -> Mapping[tuple[str, str], tuple[Pair, ...]]:
        out: dict[tuple[str, str], list[Pair]] = defaultdict(list)
        for p in self.pairs:
            out[(p.mesh, p.destination)].append(p)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def _pair_positions(self) -> BlockPositions | NamePositions:
        """(mesh, source, destination) -> the position in :attr:`pairs` of its pair (the first, should a
        repository ever give two), by the resolution's integer codes when it has them (:mod:`.positions`)."""
        codes = getattr(self.res, "pair_codes", None)
        return pair_positions(self.res.routes, codes() if codes is not None else None)

    def pair_at(self, mesh: str, source: str, destination: str) -> Pair | None:
        """The pair of (mesh, source, destination), or None."""
        i = self._pair_positions.position(mesh, source, destination)
        return None if i is None else self.pairs[i]

    def pairs_from(self, mesh: str, destination: str, sources: frozenset[str]) -> list[Pair]:
        """The pairs from ``sources`` to ``destination``, in :attr:`pairs` order: by binary search over the
        rows sorted by destination and source (:mod:`.positions`); without codes, looked up one source at a
        time when there are fewer sources than pairs to the destination, else filtered from those."""
        positions = self._pair_positions
        rows = positions.rows_from(mesh, destination, sources) if isinstance(positions, BlockPositions) else None
        if rows is not None:
            pairs = self.pairs
            return [pairs[i] for i in rows.tolist()]
        to_destination = self.pairs_by_destination.get((mesh, destination), ())
        if len(to_destination) <= len(sources):
            return [pair for pair in to_destination if pair.source in sources]
        found = sorted(self._pair_positions.among(mesh, destination, sources))
        pairs = self.pairs
        # One row per pair; were a (source, destination) ever listed twice, the scan below would be exact.
        if len(found) == len({pairs[i].source for i in found}):
            return [pairs[i] for i in found]
        return [pair for pair in to_destination if pair.source in sources]

    def weighted_backends(self, protocols: Iterable[str], route_type: str) -> Mapping[tuple[str, str, str], tuple[Mapping[str, Any], ...]]:
        """The rows of ``res.backends`` of pairs routed by ``route_type`` whose ``backend_protocol`` is one of
        ``protocols`` and whose weight is not 0, by (mesh, source, destination), in frame order: the frame is
        filtered first, and only those rows become dicts, of the columns :data:`WEIGHTED_BACKEND_COLUMNS`."""
        wanted = tuple(sorted(set(protocols)))
        key = f"weighted_backends:{route_type}:{wanted}"
        if key not in self.memo:
            frame = self.res.backends
            if len(frame):
                frame = frame[frame["backend_protocol"].isin(wanted) & (frame["weight"] != 0) & (frame["route_type"] == route_type)]
                frame = frame[[c for c in WEIGHTED_BACKEND_COLUMNS if c in frame.columns]]
            out: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
            names = list(frame.columns)
            # Column by column as Python objects (what to_dict("records") gives, without its per-cell boxing).
            for values in zip(*(frame[c].to_numpy(dtype=object) for c in names)):
                row = dict(zip(names, values))
                out[(row["mesh"], row["source"], row["destination"])].append(row)
            self.memo[key] = {k: tuple(v) for k, v in out.items()}
        return self.memo[key]

    @cached_property
    def backends_by_pair(self) -> Mapping[tuple[str, str, str], tuple[Mapping[str, Any], ...]]:
        out: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
        for row in self.res.backends.to_dict("records"):
            out[(row["mesh"], row["source"], row["destination"])].append(row)
        return {k: tuple(v) for k, v in out.items()}

    # ------------------------------------------------------------------------------ policies

    @property
    def version(self) -> str:
        """The Kuma version the audit models (its resolution's)."""
        return self.res.kuma_version

    @cached_property
    def policies(self) -> tuple[Policy, ...]:
        """Policies written in the repository (the implicit defaults are not)."""
        return self.content.policies

    def valid(self, policy: Policy) -> bool:
        """Whether the resolved version's control plane accepts ``policy`` (its validation)."""
        return not self.res.refuses(policy)

    def route_policies(self, *, valid: bool | None = None) -> Iterator[Policy]:
        for p in self.policies:
            if p.type in ROUTE_TYPES and (valid is None or self.valid(p) is valid):
                yield p

    @cached_property
    def _by_key(self) -> Mapping[tuple[str, str], Policy]:
        found = {(p.mesh, p.key): p for p in self.res.default_policies}
        found.update({(p.mesh, p.key): p for p in self.policies})
        return found

    def policy(self, mesh: str, key: str) -> Policy | None:
        return self._by_key.get((mesh, key))

    @cached_property
    def _trafficroutes(self) -> Mapping[tuple[str, str], Policy]:
        found: dict[tuple[str, str], Policy] = {}
        for (mesh, _), p in self._by_key.items():
            if p.type == TR:
                found.setdefault((mesh, p.name), p)  # the first by key order, as a scan would find it
        return found

    def trafficroute(self, mesh: str, name: str) -> Policy | None:
        """A TrafficRoute by the name ``res.routes.trafficroute`` shows (written or implicit)."""
        return self._trafficroutes.get((mesh, name))

    @cached_property
    def written_trafficroute_names(self) -> frozenset[str]:
        """Names of the TrafficRoutes the repository holds (not the implicit ones), in any mesh: what a rule
        filters ``res.routes.trafficroute`` by before it reads a pair."""
        return frozenset(p.name for p in self.policies if p.type == TR)

    @staticmethod
    def is_implicit(policy: Policy) -> bool:
        return policy.resource.format is Format.IMPLICIT

    # ------------------------------------------------------------------------------ inventory

    @cached_property
    def _meshes_with_inventory(self) -> frozenset[str]:
        """Meshes with Dataplanes or Kubernetes workloads (with a sidecar or not): the same test the inventory
        uses before it infers proxies (ExternalServices alone do not make one, since the proxies would still be
        inferred)."""
        proxies = {p.mesh for p in self.content.proxies if p.origin is not Origin.INFERRED}
        return frozenset(proxies | {w.mesh for w in self.content.workloads})

    def has_inventory(self, mesh: str) -> bool:
        return mesh in self._meshes_with_inventory

    def service(self, mesh: str, name: str | None) -> Service | None:
        return self.content.services.get((mesh, name or ""))

    def unknown_service(self, mesh: str, name: str | None) -> bool:
        """No inventory of an inventoried mesh provides ``name`` (a wildcard is never unknown)."""
        if not name or name == "*" or not self.has_inventory(mesh):
            return False
        service = self.service(mesh, name)
        return service is None or service.inferred

    @cached_property
    def _protocols(self) -> Mapping[tuple[str, str], tuple[str, str]]:
        frame = self.repo.services
        return {(r.mesh, r.service): (r.protocol, r.protocol_source) for r in frame.itertuples()}

    def protocol(self, mesh: str, service: str) -> tuple[str, str]:
        """The mesh-wide protocol of ``service`` and where it comes from (``repo.services``)."""
        return self._protocols.get((mesh, service), ("unknown", "not in the inventory"))

    @cached_property
    def _legacy_documents(self) -> Mapping[str, list[tuple[str, str]]]:
        found: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for d in self.content.documents:
            if d.kind in LEGACY_CONNECTION_POLICIES:
                found[d.mesh or "default"].add((d.kind, d.name or "?"))
        return {mesh: sorted(docs) for mesh, docs in found.items()}

    def legacy_documents(self, mesh: str) -> list[tuple[str, str]]:
        """(kind, name) of legacy connection policies of ``mesh`` found in the files."""
        return list(self._legacy_documents.get(mesh, ()))

    # ------------------------------------------------------------------------------ selection

    @cached_property
    def _representatives(self) -> Mapping[str, list[tuple[str, Proxy]]]:
        """Per mesh: (source group, its first proxy).  Proxies of one group share their inbounds, so the
        first one answers for all of them."""
        proxies = {(p.mesh, p.name): p for p in self.content.proxies}
        out: dict[str, list[tuple[str, Proxy]]] = defaultdict(list)
        seen: set[tuple[str, str]] = set()
        frame = self.res.proxies
        for mesh, source, name in zip(frame["mesh"], frame["source"], frame["proxy"]):
            key = (mesh, source)
            proxy = proxies.get((mesh, name))
            if key in seen or proxy is None:
                continue
            seen.add(key)
            out[mesh].append((source, proxy))
        return out

    @cached_property
    def _selected(self) -> dict[int, tuple[tuple[str, Proxy], ...]]:
        return {}

    @cached_property
    def _resolved_selection(self) -> dict[int, list[tuple[str, Proxy]]] | None:
        """id(policy) -> (source group, representative) of every group the resolution found it selects, for
        the valid route policies: the resolver selected them once per group shape
        (``Resolution.group_selections``), so the audit reads that instead of asking every policy about every
        group.  Groups whose selection the
        resolver did not record that way (builtin gateways routed by listener, a representative that is not
        the group's first proxy) are asked one policy at a time, as before.  None when the resolution does
        not carry that record (then :meth:`selected` asks per group)."""
        group_selections = getattr(self.res, "group_selections", None)
        if group_selections is None:
            return None
        by_group = {(s.mesh, s.source): s for s in group_selections()}
        valid_by_mesh: dict[str, list[Policy]] = defaultdict(list)
        for policy in self.route_policies(valid=True):
            valid_by_mesh[policy.mesh].append(policy)
        out: dict[int, list[tuple[str, Proxy]]] = defaultdict(list)
        for mesh, reps in self._representatives.items():
            for source, proxy in reps:
                sel = by_group.get((mesh, source))
                recorded = sel is not None and sel.representative is proxy and sel.tcp_policies is not None
                if recorded:
                    for policy in (*sel.tcp_policies, *sel.http_policies):
                        out[id(policy)].append((source, proxy))
                else:
                    for policy in valid_by_mesh.get(mesh, ()):
                        if self.res.selects(policy, proxy)[0]:
                            out[id(policy)].append((source, proxy))
        # Only the valid written route policies are answered from it: anything else asks per group.
        return {id(p): out.get(id(p), []) for ps in valid_by_mesh.values() for p in ps}

    def selected(self, policy: Policy) -> tuple[tuple[str, Proxy], ...]:
        """(source group, representative proxy) of every group the policy's top-level targetRef selects,
        with the resolver's selection (``resolve.selection``: one inbound, not Ignored, carries every tag)."""
        found = self._selected.get(id(policy))
        if found is None:
            resolved = self._resolved_selection
            if resolved is not None and id(policy) in resolved:
                found = tuple(resolved[id(policy)])
            else:
                found = tuple(
                    (source, proxy) for source, proxy in self._representatives.get(policy.mesh, ())
                    if self.res.selects(policy, proxy)[0]
                )  # fmt: skip
            self._selected[id(policy)] = found
        return found

    def selected_sources(self, policy: Policy) -> frozenset[str]:
        found = self._selected_sources.get(id(policy))
        if found is None:
            found = self._selected_sources[id(policy)] = frozenset(source for source, _ in self.selected(policy))
        return found

    @cached_property
    def _selecting_by_type(self) -> dict[str, Mapping[tuple[str, str], tuple[Policy, ...]]]:
        return {}

    def _selecting(self, policy_type: str) -> Mapping[tuple[str, str], tuple[Policy, ...]]:
        """(mesh, source group) -> the valid ``policy_type`` policies selecting it, in policy order; built
        for a type when first asked (the rules ask about MeshHTTPRoute only)."""
        found = self._selecting_by_type.get(policy_type)
        if found is None:
            out: dict[tuple[str, str], list[Policy]] = defaultdict(list)
            for policy in self.route_policies(valid=True):
                if policy.type != policy_type:
                    continue
                # Each list is in policy order whatever the order of sources; selecting() puts it in merge order.
                for source in self.selected_sources(policy):
                    out[(policy.mesh, source)].append(policy)
            found = self._selecting_by_type[policy_type] = {k: tuple(v) for k, v in out.items()}
        return found

    def sources_naming(self, policy_type: str, mesh: str, destination: str) -> frozenset[str]:
        """The source groups selected by some valid ``policy_type`` policy with a ``to`` entry for
        ``destination``: exactly those whose ``selecting_items(policy_type, mesh, source, destination)`` is
        not empty, so a rule can drop every other pair before it looks at one."""
        by_destination = self._sources_naming.get((policy_type, mesh))
        if by_destination is None:
            out: dict[str | None, set[str]] = defaultdict(set)
            for policy in self.route_policies(valid=True):
                if policy.type == policy_type and policy.mesh == mesh:
                    sources = self.selected_sources(policy)
                    for named in self._entries_by_destination(policy):
                        out[named].update(sources)
            by_destination = self._sources_naming[(policy_type, mesh)] = {d: frozenset(v) for d, v in out.items()}
        return by_destination.get(destination, frozenset())

    @cached_property
    def _sources_naming(self) -> dict[tuple[str, str], dict[str | None, frozenset[str]]]:
        return {}

    @cached_property
    def _selecting_ordered(self) -> dict[tuple[str, str, str], tuple[Policy, ...]]:
        return {}

    def selecting(self, policy_type: str, mesh: str, source: str) -> tuple[Policy, ...]:
        """The valid ``policy_type`` policies that select the group ``source``, in merge order."""
        key = (policy_type, mesh, source)
        found = self._selecting_ordered.get(key)
        if found is None:
            from ..resolve.selection import order_policies

            found = self._selecting_ordered[key] = tuple(order_policies(self._selecting(policy_type).get((mesh, source), ()), self.res.semantics))
        return found

    @cached_property
    def _source_locations(self) -> Mapping[tuple[str, str], tuple[str | None, int | None]]:
        frame = self.res.proxies
        first = frame[~frame.duplicated(["mesh", "source"])]  # the first proxy of each group, in frame order
        columns = (first[c].to_numpy(dtype=object) for c in ("mesh", "source", "file", "line"))
        return {(mesh, source): (file or None, int(line) if line else None) for mesh, source, file, line in zip(*columns)}

    def source_location(self, mesh: str, source: str) -> tuple[str | None, int | None]:
        """File and line of the first proxy of a source group (a Dataplane or a workload)."""
        return self._source_locations.get((mesh, source), (None, None))

    # ------------------------------------------------------------------------------ entries

    @cached_property
    def _entry_destination(self):  # noqa: ANN202 - (entry) -> str | None
        from ..resolve.merge import entry_destination

        to_kinds = self.res.semantics.to_kinds
        return lambda entry: entry_destination(entry, to_kinds)

    def entry_destination(self, entry: ToEntry) -> str | None:
        return self._entry_destination(entry)

    @cached_property
    def _policy_destinations(self) -> dict[int, tuple[Policy, Mapping[str | None, tuple[ToEntry, ...]]]]:
        return {}

    def _entries_by_destination(self, policy: Policy) -> Mapping[str | None, tuple[ToEntry, ...]]:
        """The policy's ``to`` entries by the destination each configures, each list in ``to`` order."""
        found = self._policy_destinations.get(id(policy))
        if found is None or found[0] is not policy:
            dest = self._entry_destination
            by_dest: dict[str | None, list[ToEntry]] = defaultdict(list)
            for entry in policy.to:
                by_dest[dest(entry)].append(entry)
            found = self._policy_destinations[id(policy)] = (policy, {d: tuple(es) for d, es in by_dest.items()})
        return found[1]

    def items_for(self, policies: Iterable[Policy], destination: str) -> list[tuple[Policy, ToEntry]]:
        """The ``to`` entries of ``policies`` (already in merge order) that configure ``destination``.  Rules
        ask this for every pair, and the pairs of a group and destination share the answer: it is kept per
        (policies, destination); the policies live as long as the context, so their ids are stable keys."""
        policies = tuple(policies)
        return list(self._items_of(self._policy_list(policies), policies, destination))

    def selecting_items(self, policy_type: str, mesh: str, source: str, destination: str) -> tuple[tuple[Policy, ToEntry], ...]:
        """``items_for(selecting(policy_type, mesh, source), destination)``, with the group's policies looked
        up once per group rather than once per pair.  The tuple is the one the context keeps: the groups
        selected by the same policies get the same object, so a rule may key its own work on its id."""
        group = (policy_type, mesh, source)
        found = self._selecting_lists.get(group)
        if found is None:
            policies = self.selecting(policy_type, mesh, source)
            found = self._selecting_lists[group] = (self._policy_list(policies), policies)
        return self._items_of(*found, destination)

    def _policy_list(self, policies: tuple[Policy, ...]) -> int:
        """A number for a list of policies (by their ids): a cheap key, since a tuple's hash is not kept and
        a group's list is long."""
        return self._policy_lists.setdefault(tuple(map(id, policies)), len(self._policy_lists))

    def _items_of(self, number: int, policies: tuple[Policy, ...], destination: str) -> tuple[tuple[Policy, ToEntry], ...]:
        key = (number, destination)
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = tuple(self._configuring(number, policies, destination))
        return found

    def _configuring(self, number: int, policies: tuple[Policy, ...], destination: str) -> list[tuple[Policy, ToEntry]]:
        """What :meth:`items_for` answers, found from the destination's side: the few policies with an entry
        for it, put in the order of ``policies``.  A group is selected by many policies (hundreds on a large
        estate) and a destination named by few, so this is cheaper than asking every policy."""
        order = self._orders.get(number)
        if order is None:
            for policy in policies:
                self._index_entries(policy)
            order = self._orders[number] = {id(p): k for k, p in enumerate(policies)}
        configuring = self._by_destination.get(destination, {})
        if len(order) != len(policies) or len(configuring) > len(order):
            # A policy listed twice, or a destination named by more policies than were given: in order.
            return [(p, e) for p in policies for e in self._entries_by_destination(p).get(destination, ())]
        hits = sorted((order[ident], ident) for ident in configuring if ident in order)
        return [(policy, e) for _, ident in hits for policy, entries in (configuring[ident],) for e in entries]

    def _index_entries(self, policy: Policy) -> None:
        """Records, per destination, the policy's entries for it (once per policy)."""
        if id(policy) in self._indexed:
            return
        self._indexed.add(id(policy))
        for destination, entries in self._entries_by_destination(policy).items():
            self._by_destination.setdefault(destination, {})[id(policy)] = (policy, entries)

    @cached_property
    def _tcp_winners(self) -> dict[tuple[str, tuple[str, ...], str], tuple[Policy, ToEntry] | None]:
        return {}

    def tcp_winner(self, pair: Pair) -> tuple[Policy, ToEntry] | None:
        """The MeshTCPRoute entry whose backendRefs a pair routed by MeshTCPRoute uses: merge patches
        replace ``backendRefs`` whole, so the last entry in merge order that sets them wins
        (``pkg/plugins/policies/core/rules/merge.go``).  It depends only on the pair's policies and
        destination, so it is worked out once per distinct (mesh, policies, destination)."""
        if pair.route_type != TCP:
            return None
        key = (pair.mesh, pair.policy_keys, pair.destination)
        if key in self._tcp_winners:
            return self._tcp_winners[key]
        from ..resolve.merge import tcp_entry_conf

        policies = [p for p in (self.policy(pair.mesh, k) for k in pair.policy_keys) if p is not None]
        winner = None
        for policy, entry in self.items_for(policies, pair.destination):
            if tcp_entry_conf(entry, pair.destination) is not None:
                winner = (policy, entry)
        self._tcp_winners[key] = winner
        return winner

    def http_live_entries(self, pair: Pair) -> set[tuple[int, int]]:
        """(id(policy), entry index) of the MeshHTTPRoute entries that shape a pair routed by
        MeshHTTPRoute: an entry without rules still claims the destination; otherwise an entry counts
        when it is the last to set backendRefs for one ``matches`` key (merged by key, later replaces)."""
        if pair.route_type != HTTP:
            return set()
        policies = [p for p in (self.policy(pair.mesh, k) for k in pair.policy_keys) if p is not None]
        live: set[tuple[int, int]] = set()
        owner: dict[str, tuple[int, int]] = {}
        for policy, entry in self.items_for(policies, pair.destination):
            ident = (id(policy), entry.index)
            if not entry.http_rules:
                live.add(ident)
            for rule in entry.http_rules:
                if rule.matches not in owner or rule.backend_refs is not None:
                    owner[rule.matches] = ident
        return live | set(owner.values())

    # ------------------------------------------------------------------------------ findings

    def finding(
        self,
        code: str,
        policy: Policy,
        message: str,
        path: str | None = None,
        *,
        pair: Pair | None = None,
    ) -> Finding:
        r = policy.resource
        key = (id(r), path)  # many findings point at one field (a policy's entry, for every pair it shapes)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = r.line_of(path) or 0
        names = self._finding_names.get(id(r))
        if names is None:  # the policy's names are properties worked out on each read: once per policy
            names = self._finding_names[id(r)] = (r.file or None, policy.key, policy.mesh, policy.type, policy.name)
        file, policy_key, mesh, policy_type, policy_name = names
        return Finding(
            code=code, message=message, file=file, line=line or None, policy=policy_key, path=path,
            mesh=mesh, source=pair.source if pair else None, destination=pair.destination if pair else None,
            policy_type=policy_type, policy_name=policy_name,
        )  # fmt: skip


# ---------------------------------------------------------------------------------- field paths


def spec_prefix(policy: Policy) -> str:
    """Where ``spec`` lives in the file: Universal legacy policies keep sources/destinations/conf at the
    top level (the loader moves them under ``spec``), everything else has a ``spec``."""
    if policy.type in (TR, "TrafficPermission") and policy.resource.format is Format.UNIVERSAL:
        return ""
    return "spec."


def to_path(index: int) -> str:
    return f"spec.to[{index}]"


def tcp_backend_path(to_index: int, ref_index: int | None = None) -> str:
    base = f"spec.to[{to_index}].rules[0].default.backendRefs"
    return base if ref_index is None else f"{base}[{ref_index}]"


def http_backend_path(to_index: int, rule_index: int, ref_index: int | None = None) -> str:
    base = f"spec.to[{to_index}].rules[{rule_index}].default.backendRefs"
    return base if ref_index is None else f"{base}[{ref_index}]"


def name_path(policy: Policy) -> str:
    return "metadata.name" if policy.resource.format is Format.KUBERNETES else "name"


def kind_path(policy: Policy) -> str:
    return "kind" if policy.resource.format is Format.KUBERNETES else "type"


def pair_text(pair: Pair) -> str:
    return f"{pair.source} -> {pair.destination}"


def where(policy: Policy) -> str:
    if policy.resource.format is Format.IMPLICIT:
        return "created by the control plane with the mesh"
    return policy.resource.location


def quote_tags(tags: Iterable[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in tags) + "}"


class RefSite(NamedTuple):
    """One backendRef list of a route policy: a MeshTCPRoute ``to`` entry (only ``rules[0]`` counts in
    2.5, ``To.GetDefault``) or one MeshHTTPRoute rule, with the path of the list."""

    policy: Policy
    entry: ToEntry
    rule_index: int
    refs: tuple  # tuple[BackendRef, ...]
    path: str


def ref_sites(policy: Policy) -> Iterator[RefSite]:
    for entry in policy.to:
        if policy.type == TCP and entry.backend_refs is not None:
            yield RefSite(policy, entry, 0, entry.backend_refs, tcp_backend_path(entry.index))
        elif policy.type == HTTP:
            for j, rule in enumerate(entry.http_rules):
                if rule.backend_refs is not None:
                    yield RefSite(policy, entry, j, rule.backend_refs, http_backend_path(entry.index, j))


class Target(NamedTuple):
    """A backend that gets an Envoy cluster: a weighted backendRef of a valid route policy, or a weighted split
    of a valid TrafficRoute, with the service it names and the path of its entry."""

    policy: Policy
    service: str | None
    tags: Tags  # the backendRef's tags, or the split's whole destination selector
    kind: str  # MeshService | MeshServiceSubset (a TrafficRoute split counts as MeshServiceSubset)
    path: str  # spec.to[0].rules[0].default.backendRefs[1] or conf.split[2]
    name_field: str  # the field that names the service, relative to ``path``


def _names_real_port(ref, semantics) -> bool:
    """``BackendRef.ReferencesRealObject`` as this version reads it (``api/common/v1alpha1/targetref.go``)."""
    if ref.kind in ("MeshExternalService", "MeshMultiZoneService"):
        return True
    return ref.kind == "MeshService" and (ref.port is not None or (semantics.section_name_backend_is_real and bool(ref.section_name)))


def cluster_targets(ctx: AuditContext) -> Iterator[Target]:
    """Backends that get a cluster.  A weight of 0 builds none: 2.5's ``makeSplit`` skips such refs before
    anything else, and the TrafficRoute generator skips such splits (reference §6.4, §8.1)."""
    semantics = ctx.res.semantics
    for policy in ctx.route_policies(valid=True):
        for site in ref_sites(policy):
            for k, ref in enumerate(site.refs):
                if semantics.resource_engine and _names_real_port(ref, semantics):
                    continue  # a destination resource's port, not a kuma.io/service (MRA606 checks it)
                if ref.effective_weight != 0:
                    yield Target(policy, ref.name, ref.tags, ref.kind, f"{site.path}[{k}]", ".name")
    for policy in ctx.policies:
        if policy.type != TR or not ctx.valid(policy):
            continue
        for i, split in enumerate(policy.splits):
            if split.weight:
                service = dict(split.destination).get(SERVICE_TAG)
                path = f"{spec_prefix(policy)}conf.split[{i}].destination"
                yield Target(policy, service, split.destination, "MeshServiceSubset", path, "")
