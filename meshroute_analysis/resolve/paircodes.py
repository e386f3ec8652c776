"""Integer codes of the (mesh, source, destination) of every row of ``res.routes`` and ``res.backends``,
and of every backend label: what the explorer and the palette group and sort by.

Factorising a million pair names costs about 0.1 s a column.  The frames are joined from few distinct
decision rows and one block per source group (:mod:`.tables`), so the codes come from those instead: the
groups' names, the distinct rows' destinations and labels, then integer takes.  They are the codes
``pd.factorize`` would give up to the order of the vocabularies, which no reader relies on.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .engine import Engine
from .tables import JoinedRows


class FrameCodes(NamedTuple):
    """Per row of one frame: codes into :class:`PairCodes`' ``meshes``, ``sources`` and ``destinations``."""

    mesh: np.ndarray
    source: np.ndarray
    destination: np.ndarray


class PairCodes(NamedTuple):
    """The codes of both frames, over vocabularies they share (a source name is one code in every mesh)."""

    meshes: np.ndarray
    sources: np.ndarray
    destinations: np.ndarray
    routes: FrameCodes
    backends: FrameCodes
    #: The distinct backend labels, and per row of ``res.backends`` its code into them.
    backend_labels: np.ndarray
    backend_label: np.ndarray


def _names(values) -> tuple[np.ndarray, np.ndarray]:
    codes, names = pd.factorize(pd.Series(values, dtype=object).astype(str))
    return codes.astype(np.int32), np.asarray(names, dtype=object)


def _distinct_column(joined: JoinedRows, column: str) -> list:
    return [] if joined.distinct is None else list(joined.distinct[column])


def pair_codes(engine: Engine, routes: JoinedRows, backends: JoinedRows) -> PairCodes:
    """The codes of the frames joined as ``routes`` and ``backends``."""
    group_mesh, meshes = _names([g.mesh for g in engine.groups])
    group_source, sources = _names([g.name for g in engine.groups])
    route_destinations = _distinct_column(routes, "destination")
    destination_code, destinations = _names(route_destinations + _distinct_column(backends, "destination"))
    label_code, labels = _names(_distinct_column(backends, "backend"))

    def frame_codes(joined: JoinedRows, distinct_destination: np.ndarray) -> FrameCodes:
        group = np.repeat(np.arange(len(engine.groups), dtype=np.int32), joined.per_group)
        return FrameCodes(group_mesh[group], group_source[group], distinct_destination[joined.taken])

    n_routes = len(route_destinations)
    return PairCodes(
        meshes, sources, destinations,
        frame_codes(routes, destination_code[:n_routes]),
        frame_codes(backends, destination_code[n_routes:]),
        labels, label_code[backends.taken],
    )
