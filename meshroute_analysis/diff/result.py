"""``mra.diff(before, after)`` and its answer, :class:`Diff`."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..repo import PolicyRepo, load_repo
from ..resolve import Resolution, UnknownNameError
from ..resolve.semantics import Semantics
from .cells import cells, cells_frame
from .explain import DiffExplanation, differences
from .findings import compare_findings
from .pairs import BACKEND_COLUMNS, PAIR_COLUMNS, PairChanges, compare_pairs, empty_frame
from .policies import compare_policies
from .sides import Side, side_of
from .summary import summary_of, text_summary, verdict

__all__ = ["Diff", "diff", "diff_revisions"]

PathLike = str | os.PathLike[str]


class Diff:
    """What a change does to traffic: ``pairs``, ``backends``, ``policies`` and ``findings`` frames
    (their columns exist even when empty), ``explain(source, destination)`` and a summary.

    Frames are computed on first access.  ``findings`` audits both sides, which on a large repository
    costs more than resolving it; the traffic frames never need it.
    """

    def __init__(self, before: Side, after: Side, *, skip: Sequence[str] = ()) -> None:
        self._before = before
        self._after = after
        self._skip = tuple(skip)

    def _side(self, name: str) -> Side:
        if name not in ("before", "after"):
            raise UsageError(f"a diff has the sides 'before' and 'after', not {name!r}")
        return self._before if name == "before" else self._after

    def resolution(self, side: str) -> Resolution:
        """The whole resolution of one side ("before" or "after"): the one given, or computed once (the
        audit of ``findings`` reads the same)."""
        return self._side(side).full_resolution()

    def audit(self, side: str) -> pd.DataFrame:
        """The findings frame of one side, as ``mra.audit`` gives it (computed once)."""
        self._side(side)  # says which sides there are
        return self._audits[0 if side == "before" else 1]

    # ---------------------------------------------------------------------------------- sides

    @property
    def before(self) -> PolicyRepo | Resolution:
        """The before side as it was given (a PolicyRepo or a Resolution)."""
        return self._before.given

    @property
    def after(self) -> PolicyRepo | Resolution:
        return self._after.given

    @property
    def labels(self) -> tuple[str, str]:
        """Where each side comes from ("policies @ origin/main", "policies")."""
        return self._before.label, self._after.label

    @property
    def kuma_versions(self) -> tuple[str, str]:
        """The Kuma version whose decisions each side models."""
        return self._before.kuma_version, self._after.kuma_version

    @property
    def meshes(self) -> tuple[str, ...]:
        """Every mesh of either side."""
        return tuple(sorted(self._before.meshes | self._after.meshes))

    @cached_property
    def compared_meshes(self) -> tuple[str, ...]:
        """Meshes whose outcome was computed on both sides.  A repository side's mesh whose policies,
        proxies and services are the same on both sides (and resolved with the same options) has the
        same outcome and is not resolved at all."""
        meshes = self.meshes
        if not self._may_skip():
            return tuple(meshes)
        return tuple(m for m in meshes if self._before.inputs(m) != self._after.inputs(m))

    def _may_skip(self) -> bool:
        b, a = self._before, self._after
        return b.resolution is None and a.resolution is None and b.semantics == a.semantics and b.default_policies == a.default_policies

    # ---------------------------------------------------------------------------------- frames

    @cached_property
    def _changes(self) -> tuple[PairChanges, pd.DataFrame]:
        parts: list[PairChanges] = []
        all_cells: list[pd.DataFrame] = []
        for mesh in self.compared_meshes:
            rb, ra = self._before.resolution_for(mesh), self._after.resolution_for(mesh)
            found = cells_frame(cells(_of_mesh(rb.proxies, mesh), _of_mesh(ra.proxies, mesh)))
            all_cells.append(found)
            parts.append(compare_pairs(found, _of_mesh(rb.routes, mesh), _of_mesh(ra.routes, mesh),
                                       _of_mesh(rb.backends, mesh), _of_mesh(ra.backends, mesh)))
        pairs = _concat([p.pairs for p in parts], PAIR_COLUMNS)
        backends = _concat([p.backends for p in parts], BACKEND_COLUMNS)
        for frame in (pairs, backends):
            frame.attrs.update(kuma_versions=self.kuma_versions, labels=self.labels)
        return PairChanges(pairs, backends), _concat(all_cells, ())

    @property
    def pairs(self) -> pd.DataFrame:
        """One row per (mesh, source, destination) whose outcome changed: ``change`` added|removed|changed
        and ``<column>_before`` / ``<column>_after`` for route_type, policies, forwards, status, protocol."""
        return self._changes[0].pairs

    @property
    def backends(self) -> pd.DataFrame:
        """Every backend of a changed pair: share before and after (0..1) and ``delta`` in percentage points."""
        return self._changes[0].backends

    @property
    def sources(self) -> pd.DataFrame:
        """How the source groups of the compared meshes line up: one row per cell (see :mod:`.cells`)."""
        return self._changes[1]

    @cached_property
    def policies(self) -> pd.DataFrame:
        """Policies added, removed or modified, with the field paths that changed."""
        return compare_policies(self._before.content, self._after.content)

    @cached_property
    def _audits(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        from ..audit import audit

        before, after = (audit(s.repo, s.full_resolution(), skip=self._skip) for s in (self._before, self._after))
        return before, after

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Every finding of either side with ``state`` introduced|fixed|unchanged (audits both sides)."""
        found = self._audits
        frame = compare_findings(found[0], found[1], root_before=self._before.root, root_after=self._after.root)
        frame.attrs.update(kuma_versions=self.kuma_versions, labels=self.labels,
                           suppressed=(found[0].attrs.get("suppressed", 0), found[1].attrs.get("suppressed", 0)))
        return frame

    @property
    def introduced(self) -> pd.DataFrame:
        f = self.findings
        return f[f["state"] == "introduced"].reset_index(drop=True)

    @property
    def fixed(self) -> pd.DataFrame:
        f = self.findings
        return f[f["state"] == "fixed"].reset_index(drop=True)

    @property
    def is_empty(self) -> bool:
        """No pair changes outcome, no policy changes, and no finding is introduced or fixed."""
        return self.pairs.empty and self.policies.empty and self.introduced.empty and self.fixed.empty

    # ---------------------------------------------------------------------------------- explain

    def _names(self, source: str, mesh: str) -> tuple[str, str]:
        found = self.sources
        if not found.empty:
            row = found[(found["mesh"] == mesh) & (found["source"] == source)]
            if not row.empty:
                b, a = row.iloc[0]["source_before"], row.iloc[0]["source_after"]
                return (b if isinstance(b, str) else source), (a if isinstance(a, str) else source)
        return source, source

    def _mesh_of(self, source: str, mesh: str) -> str:
        """Kuma's ``default`` mesh, unless the source lives in exactly one other mesh (as res.explain does)."""
        if mesh != "default":
            return mesh
        homes = {p.mesh for side in (self._before, self._after) for p in side.content.proxies
                 if source in (p.name, p.group_name)}
        if not self.pairs.empty:
            homes |= set(self.pairs.loc[self.pairs["source"] == source, "mesh"])
        return homes.pop() if len(homes) == 1 and "default" not in homes else mesh

    def explain(self, source: str, destination: str, mesh: str = "default") -> DiffExplanation:
        """Both sides' explanation of (``source``, ``destination``) and the first step where they differ.
        ``source`` is a name of ``d.pairs`` (or any group or proxy name of either side)."""
        mesh = self._mesh_of(source, mesh)
        name_b, name_a = self._names(source, mesh)
        explanations = []
        for side, name in ((self._before, name_b), (self._after, name_a)):
            try:
                # The whole resolution, so that what the explanation says of other meshes holds.
                explanations.append(side.full_resolution().explain(name, destination, mesh=mesh))
            except UnknownNameError:
                explanations.append(None)
        if explanations == [None, None]:
            # Ask again so that the error names the close matches of the after side.
            self._after.full_resolution().explain(name_a, destination, mesh=mesh)
        before, after = explanations
        return DiffExplanation(mesh, source, destination, before, after, differences(before, after), self.kuma_versions)

    # ---------------------------------------------------------------------------------- display

    def summary(self) -> dict[str, Any]:
        """Counts of what changed, as plain data (what ``-o json`` and the report start with)."""
        return summary_of(self)

    @property
    def verdict(self) -> str:
        """One line on what the change does."""
        return verdict(self)

    def __repr__(self) -> str:
        return text_summary(self)

    def _repr_html_(self) -> str:
        esc = html.escape
        versions = " → ".join(dict.fromkeys(self.kuma_versions))
        head = (f"<div class='mra-diff'><strong>Diff: {esc(self.labels[0])} → {esc(self.labels[1])}</strong> "
                f"<small>(Kuma {esc(versions)})</small><p>{esc(self.verdict)}</p>")
        shown = self.pairs[["mesh", "source", "destination", "change", "what"]].head(50)
        table = shown.to_html(index=False, escape=True) if not shown.empty else "<p>No pair changes outcome.</p>"
        return head + table + "</div>"


def _of_mesh(frame: pd.DataFrame, mesh: str) -> pd.DataFrame:
    if frame.empty or (frame["mesh"] == mesh).all():
        return frame
    return frame[frame["mesh"] == mesh]


def _concat(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    kept = [f for f in frames if not f.empty]
    if not kept:
        return frames[0].iloc[0:0].copy() if frames else empty_frame(tuple(columns))
    out = pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0].reset_index(drop=True)
    return out


# ------------------------------------------------------------------------------------------ entry points


def _default_version(before: Any, after: Any, kuma_version: str | Semantics | None) -> str | Semantics | None:
    """A repository side is resolved like the Resolution on the other side, unless told otherwise."""
    if kuma_version is not None:
        return kuma_version
    for side in (before, after):
        if isinstance(side, Resolution):
            return side.semantics
    return None


def diff(
    before: PolicyRepo | Resolution,
    after: PolicyRepo | Resolution,
    *,
    kuma_version: str | Semantics | None = None,
    default_policies: bool = True,
    skip: Sequence[str] = (),
) -> Diff:
    """What changes from ``before`` to ``after``: two PolicyRepos (resolved here with the same options,
    ``kuma_version`` default "2.5"), two Resolutions (as they are: one repository under two Kuma versions
    is an upgrade check), or one of each (the repository is resolved like the Resolution).  ``skip``
    suppresses findings on both sides, as :func:`~meshroute_analysis.audit` takes it."""
    version = _default_version(before, after, kuma_version)
    return Diff(side_of("before", before, version, default_policies), side_of("after", after, version, default_policies),
                skip=skip)


def diff_revisions(
    path: PathLike | Sequence[PathLike],
    base: str = "origin/main",
    head: str | None = None,
    *,
    kuma_version: str | Semantics | None = None,
    default_policies: bool = True,
    skip: Sequence[str] = (),
    **load_options: Any,
) -> Diff:
    """The diff of ``path`` between two git revisions: ``base`` and ``head`` (None: the working tree).

    Both sides are loaded with ``load_options`` (as :func:`~meshroute_analysis.load_repo` takes them) and
    share one parse memo, so a file with the same bytes on both sides is parsed once."""
    from ..io.memo import ParseMemo

    if "rev" in load_options or "memo" in load_options:
        raise UsageError("diff_revisions() reads the revisions base and head; pass no rev= or memo=")
    memo = ParseMemo()
    before = load_repo(path, rev=base, memo=memo, **load_options)
    after = load_repo(path, rev=head, memo=memo, **load_options)
    return diff(before, after, kuma_version=kuma_version, default_policies=default_policies, skip=skip)
