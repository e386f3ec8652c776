"""Where a pair sits in ``res.routes``: the (mesh, source, destination) -> row lookup the rules share.

MRA303, MRA401 and liveness look pairs up by their three names hundreds of thousands of times on a large
estate.  A dict of one key per pair (1.5 M at full size) costs about a second to build; the frame holds
one block of rows per source group, so :class:`BlockPositions` finds the group's block first and then the
destination inside it, from the resolution's integer codes (``Resolution.pair_codes``), with one small dict
per block built when the block is first asked about.  The pairs from many sources to one destination (what
liveness and MRA401 ask per ``to`` entry) come from the rows sorted by (mesh, destination, source), with
one binary search over a sorted range per question.  :class:`NamePositions` answers the same from the
frame's strings, for a resolution without codes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..resolve.paircodes import PairCodes

__all__ = ["BlockPositions", "NamePositions", "pair_positions"]


class NamePositions:
    """Positions keyed by the frame's (mesh, source, destination) strings: the first row of each."""

    def __init__(self, routes: pd.DataFrame) -> None:
        columns = (routes[c].to_numpy(dtype=object) for c in ("mesh", "source", "destination"))
        self._at: dict[tuple[str, str, str], int] = {}
        for i, key in enumerate(zip(*columns)):
            self._at.setdefault(key, i)

    def position(self, mesh: str, source: str, destination: str) -> int | None:
        return self._at.get((mesh, source, destination))

    def among(self, mesh: str, destination: str, sources: Iterable[str]) -> list[int]:
        at = self._at
        return [i for s in sources if (i := at.get((mesh, s, destination))) is not None]


class BlockPositions:
    """Positions found by the source group's block of rows, then the destination's row inside it."""

    def __init__(self, codes: PairCodes) -> None:
        rows = codes.routes
        self._mesh = {name: k for k, name in enumerate(codes.meshes)}
        self._source = {name: k for k, name in enumerate(codes.sources)}
        self._destination = {name: k for k, name in enumerate(codes.destinations)}
        self._destinations = rows.destination
        n = len(rows.mesh)
        changed = np.r_[True, (np.diff(rows.mesh) != 0) | (np.diff(rows.source) != 0)] if n else np.zeros(0, bool)
        starts = np.flatnonzero(changed)
        ends = np.r_[starts[1:], n]
        #: (mesh code, source code) -> (start, end) of its blocks in frame order: one, unless a repository
        #: ever lists a group twice.
        self._blocks: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for start, end, m, s in zip(starts.tolist(), ends.tolist(), rows.mesh[starts].tolist(), rows.source[starts].tolist()):
            self._blocks[(m, s)].append((start, end))
        self._rows_of: dict[int, dict[int, int]] = {}  # block start -> destination code -> row
        self._row_sources = rows.source
        self._mesh_codes = rows.mesh
        self._twice = False
        self._n_destinations = len(codes.destinations)
        self._sorted: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # see _by_destination
        self._source_arrays: dict[int, tuple[frozenset[str], np.ndarray]] = {}  # id(sources) -> their codes

    def _block(self, start: int, end: int) -> dict[int, int]:
        found = self._rows_of.get(start)
        if found is None:
            # Built back to front, so that a destination listed twice keeps its first row.
            found = dict(zip(self._destinations[start:end][::-1].tolist(), range(end - 1, start - 1, -1)))
            self._rows_of[start] = found
        return found

    def _find(self, m: int, s: int | None, d: int) -> int | None:
        for start, end in self._blocks.get((m, s), ()):
            found = self._block(start, end).get(d)
            if found is not None:
                return found
        return None

    def position(self, mesh: str, source: str, destination: str) -> int | None:
        m, d = self._mesh.get(mesh), self._destination.get(destination)
        if m is None or d is None:
            return None
        return self._find(m, self._source.get(source), d)

    def among(self, mesh: str, destination: str, sources: Iterable[str]) -> list[int]:
        """The positions of the pairs from ``sources`` to ``destination`` that exist, in ``sources`` order."""
        m, d = self._mesh.get(mesh), self._destination.get(destination)
        if m is None or d is None:
            return []
        source_code, find = self._source, self._find
        return [i for s in sources if (i := find(m, source_code.get(s), d)) is not None]

    def _by_destination(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Rows in (mesh, destination, source, row) order, their (mesh, destination) keys and their source
        codes; None when some (mesh, source, destination) has two rows (the callers then scan)."""
        if self._sorted is None:
            keys = self._mesh_codes.astype(np.int64) * self._n_destinations + self._destinations
            order = np.lexsort((np.arange(len(keys)), self._row_sources, keys))
            keys, sources = keys[order], self._row_sources[order]
            twice = bool(len(keys) > 1 and ((keys[1:] == keys[:-1]) & (sources[1:] == sources[:-1])).any())
            self._sorted = (order, keys, sources) if not twice else (np.zeros(0, np.int64),) * 3
            self._twice = twice
        return None if self._twice else self._sorted

    def _codes_of(self, sources: frozenset[str]) -> np.ndarray:
        found = self._source_arrays.get(id(sources))
        if found is None or found[0] is not sources:
            try:  # every source is a group of the resolution, nearly always
                codes = np.fromiter(map(self._source.__getitem__, sources), dtype=np.int64, count=len(sources))
            except KeyError:
                codes = np.fromiter((c for s in sources if (c := self._source.get(s)) is not None), dtype=np.int64)
            found = self._source_arrays[id(sources)] = (sources, codes)
        return found[1]

    def rows_from(self, mesh: str, destination: str, sources: frozenset[str]) -> np.ndarray | None:
        """The rows of the pairs from ``sources`` to ``destination``, in frame order; None when the frame
        lists some pair twice (ask :meth:`among`, or scan).  The sources' codes are kept per frozenset object:
        the audit context keeps one per policy, so most questions reuse them."""
        index = self._by_destination()
        if index is None:
            return None
        m, d = self._mesh.get(mesh), self._destination.get(destination)
        if m is None or d is None:
            return np.zeros(0, dtype=np.int64)
        order, keys, row_sources = index
        key = m * self._n_destinations + d
        lo, hi = np.searchsorted(keys, key, "left"), np.searchsorted(keys, key, "right")
        if lo == hi:
            return np.zeros(0, dtype=np.int64)
        wanted = self._codes_of(sources)
        at = lo + np.searchsorted(row_sources[lo:hi], wanted)
        inside = at < hi
        at, wanted = at[inside], wanted[inside]
        return np.sort(order[at[row_sources[at] == wanted]])


def pair_positions(routes: pd.DataFrame, codes: PairCodes | None) -> BlockPositions | NamePositions:
    """The lookup for ``routes``: by ``codes`` when they are the frame's (same length), else by names."""
    if codes is None or len(codes.routes.mesh) != len(routes):
        return NamePositions(routes)
    return BlockPositions(codes)
