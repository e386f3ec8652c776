"""``resolve(repo)`` and its answer, :class:`Resolution`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import pandas as pd

from ..content import RepoContent
from ..frames import violations_frame
from ..gcpause import FREEZE_AFTER_OBJECTS, cyclic_gc_paused
from .engine import Engine
from .explain import Explanation, explain_pair
from .semantics import DEFAULT_VERSION, Semantics, semantics_for
from .paircodes import PairCodes, pair_codes
from .tables import JoinedRows, backends_rows, proxies_frame, routes_rows, ties_frame
from .whatif import reweigh


class GroupSelection(NamedTuple):
    """The route policies bulk resolution found selecting one source group (see
    :meth:`Resolution.group_selections`)."""

    mesh: str
    source: str
    #: The proxy the selection was made for: the group's first, whose inbounds every member shares.
    representative: Any
    #: The valid MeshTCPRoute / MeshHTTPRoute policies whose top-level targetRef selects it, in merge order;
    #: None for a builtin gateway routed by listener (2.6+), whose selection is made per listener.
    tcp_policies: tuple | None
    http_policies: tuple | None


class Resolution:
    """Which route wins for every (source, destination) of a repository, and where its traffic goes.

    ``proxies``, ``routes`` and ``backends`` are pandas frames built on first access (their columns exist
    even when empty); ``explain(source, destination, mesh=...)`` tells the why of one pair.
    """

    def __init__(self, engine: Engine, repo: Any = None) -> None:
        self._engine = engine
        self._frames: dict[str, pd.DataFrame] = {}
        self._joined: dict[str, JoinedRows] = {}  # where the rows of routes and backends come from
        self._pair_codes: PairCodes | None = None
        #: The PolicyRepo this resolves (None when it was given a RepoContent).
        self.repo = repo

    @property
    def content(self) -> RepoContent:
        """What was resolved: the repository's typed content."""
        return self._engine.content

    @property
    def semantics(self) -> Semantics:
        return self._engine.semantics

    @property
    def kuma_version(self) -> str:
        return self._engine.semantics.version

    @property
    def default_policies(self) -> tuple:
        """The implicit policies added for meshes that do not opt out (empty with ``default_policies=False``)."""
        return self._engine.defaults

    def _frame(self, name: str, build) -> pd.DataFrame:
        if name not in self._frames:
            with cyclic_gc_paused():  # a row record per pair, then the frame: nothing for the collector to free
                self._frames[name] = build(self._engine)
        return self._frames[name]

    def _keep_joined(self, name: str, joined: JoinedRows) -> pd.DataFrame:
        self._joined[name] = joined
        return joined.frame

    def pair_codes(self) -> PairCodes:
        """Integer codes of the (mesh, source, destination) of every row of :attr:`routes` and
        :attr:`backends`, and of every backend label, as built (a reader that changes those frames in place
        must check the lengths).  Worked out from the distinct rows the frames are joined from, far cheaper
        than factorising the frames' columns."""
        if self._pair_codes is None:
            self.routes, self.backends  # noqa: B018 - builds both frames, and what they are joined from
            with cyclic_gc_paused():
                self._pair_codes = pair_codes(self._engine, self._joined["routes"], self._joined["backends"])
        return self._pair_codes

    def refuses(self, policy: Any) -> bool:
        """Whether this version's control plane refuses ``policy`` on apply (see :attr:`violations`)."""
        return id(policy) in self._engine.refused

    @property
    def violation_records(self) -> tuple:
        """The records behind :attr:`violations` (``ViolationRecord``), in document order."""
        return self._engine.violations

    def destination_index(self, mesh: str) -> Any:
        """The destination resources of ``mesh`` as this version reads them (a
        :class:`~.destinations.DestinationIndex`: lookups by KRI and labels, ``mode``, the outbounds they
        give), or None before 2.9 or when the mesh has none."""
        ctx = self._engine.mesh_contexts.get(mesh)
        return ctx.resources if ctx is not None else None

    def group_selections(self) -> tuple[GroupSelection, ...]:
        """For every source group, the route policies that select it, as resolution selected them: once per
        group shape, so a reader (the audit) need not ask every policy about every group again."""
        e = self._engine
        out = []
        for group, sig_id in zip(e.groups, e.group_signature, strict=True):
            sig = e.signatures[sig_id]
            by_listener = sig.gateway is not None
            out.append(GroupSelection(group.mesh, group.name, group.representative,
                                      None if by_listener else sig.tcp_policies,
                                      None if by_listener else sig.http_policies))
        return tuple(out)

    def selects(self, policy: Any, proxy: Any) -> tuple[bool, str]:
        """Whether ``policy``'s top-level targetRef selects ``proxy`` here, and why: the same rule bulk
        resolution applies (this version's validity, Ignored inbounds, proxyTypes, gateway listeners)."""
        return self._engine.explain_selection(policy, proxy)

    @property
    def violations(self) -> pd.DataFrame:
        """The policy documents this version's control plane refuses on apply (``repo.violations``' columns);
        they take no part in this resolution."""
        content = self._engine.content
        return self._frame("violations", lambda e: violations_frame(e.violations, content.policies))

    @property
    def proxies(self) -> pd.DataFrame:
        return self._frame("proxies", proxies_frame)

    @property
    def routes(self) -> pd.DataFrame:
        return self._frame("routes", lambda e: self._keep_joined("routes", routes_rows(e)))

    @property
    def backends(self) -> pd.DataFrame:
        return self._frame("backends", lambda e: self._keep_joined("backends", backends_rows(e)))

    @property
    def ties(self) -> pd.DataFrame:
        """Choices only ``creationTime`` decides, which no file holds (one row per set of tied policies):
        ``chosen`` is the one assumed created later (applied later), ``tied`` the others."""
        return self._frame("ties", ties_frame)

    @property
    def sources(self) -> list[tuple[str, str, int]]:
        """(mesh, source, number of proxies) of every source group."""
        return [(g.mesh, g.name, g.size) for g in self._engine.groups]

    def explain(self, source: str, destination: str, mesh: str = "default") -> Explanation:
        return explain_pair(self._engine, mesh, source, destination)

    def reweigh(self, rows: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
        """One pair's rows of :attr:`backends` as they would be with other weights (backend label →
        weight), split again by this version's rules; the repository and this resolution are untouched."""
        return reweigh(rows, weights, self.semantics)

    def what_if(self, source: str, destination: str, weights: Mapping[str, float], *, mesh: str = "default") -> pd.DataFrame:
        """The backends of (``source``, ``destination``) with ``weights`` in place of the configured ones."""
        b = self.backends
        rows = b[(b["mesh"] == mesh) & (b["source"] == source) & (b["destination"] == destination)]
        if rows.empty:
            self.explain(source, destination, mesh=mesh)  # raises UnknownNameError naming close matches
        return self.reweigh(rows, weights)

    def __repr__(self) -> str:
        e = self._engine
        pairs = sum(len(e.signatures[s].destinations) for s in e.group_signature)
        return (f"<Resolution kuma {e.semantics.version}: {len(e.groups)} sources, {pairs} pairs, "
                f"{len(e.signatures)} routing signatures>")


def _content_of(repo: Any) -> RepoContent:
    if isinstance(repo, RepoContent):
        return repo
    content = getattr(repo, "content", None)
    if isinstance(content, RepoContent):
        return content
    raise TypeError(f"resolve() needs a PolicyRepo (from load_repo) or a RepoContent, not {type(repo).__name__}")


def resolve(repo: Any, *, kuma_version: str | Semantics | None = None, default_policies: bool = True) -> Resolution:
    """Resolve every (source proxy group, destination service) of ``repo`` as a Kuma ``kuma_version``
    control plane would (``"2.5"``, ``"2.6"``, ``"2.7"`` or a full ``x.y.z``; by default the ``kuma-version`` of
    the repository's config file, else 2.5).  ``default_policies`` adds what that version's control plane
    creates with every mesh (2.5: ``route-all-<mesh>`` / ``allow-all-<mesh>``, unless the Mesh opts out).
    Unknown versions raise :class:`~meshroute_analysis.errors.UsageError` (a ValueError)."""
    if kuma_version is None:
        config = getattr(repo, "config", None)
        kuma_version = (config.kuma_version if config is not None else None) or DEFAULT_VERSION
    semantics = semantics_for(kuma_version)
    content = _content_of(repo)
    # Groups, signatures and decisions: many records, no cycles, kept as long as the resolution.  Left in the
    # youngest generation, the collector's next passes would walk them all (5 s at 20,000 policies).
    with cyclic_gc_paused(freeze_after=FREEZE_AFTER_OBJECTS):
        engine = Engine(content, semantics, default_policies)
    return Resolution(engine, repo if repo is not content else None)
