"""``audit.positions``: where a pair sits in ``res.routes``.  Every lookup the rules make must give what a scan
of the frame gives: the first row for one (mesh, source, destination), and every row from a set of sources to
a destination in frame order."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import meshroute_analysis as mra
from meshroute_analysis.audit.positions import BlockPositions, NamePositions, pair_positions

from .test_audit_equivalence import ESTATES, _load_synth


def _scan(routes: pd.DataFrame, mesh: str, destination: str, sources: frozenset[str]) -> list[int]:
    rows = zip(routes["mesh"], routes["source"], routes["destination"])
    return [i for i, (m, s, d) in enumerate(rows) if m == mesh and d == destination and s in sources]


@pytest.mark.parametrize("estate", ["mixed-seed3", "kubernetes-seed2"])
def test_rows_from_is_the_scan(estate: str, tmp_path: Path) -> None:
    _load_synth().generate(tmp_path, **ESTATES[estate])
    res = mra.resolve(mra.load_repo(tmp_path))
    routes = res.routes
    positions = pair_positions(routes, res.pair_codes())
    assert isinstance(positions, BlockPositions)
    names = NamePositions(routes)
    rng = random.Random(7)
    sources = sorted(set(routes["source"]))
    keys = sorted(set(zip(routes["mesh"], routes["destination"])))
    for mesh, destination in rng.sample(keys, min(25, len(keys))) + [("default", "no-such-service"), ("no-such-mesh", keys[0][1])]:
        chosen = frozenset(rng.sample(sources, rng.randint(0, len(sources))) + ["no-such-source"])
        expected = _scan(routes, mesh, destination, chosen)
        got = positions.rows_from(mesh, destination, chosen)
        assert got is not None and got.tolist() == expected, (mesh, destination)
        assert sorted(names.among(mesh, destination, chosen)) == expected
        for i in expected[:3]:
            assert positions.position(mesh, routes["source"].iloc[i], destination) == i


def test_a_pair_listed_twice_is_left_to_the_scan() -> None:
    """Two rows for one (mesh, source, destination): rows_from says so (None) rather than pick one."""
    from meshroute_analysis.resolve.paircodes import FrameCodes, PairCodes

    mesh, source, dest = (np.array([0, 0, 0]), np.array([0, 1, 0]), np.array([0, 0, 0]))
    empty = FrameCodes(np.zeros(0, int), np.zeros(0, int), np.zeros(0, int))
    codes = PairCodes(np.array(["m"], dtype=object), np.array(["a", "b"], dtype=object), np.array(["d"], dtype=object),
                      FrameCodes(mesh, source, dest), empty, np.zeros(0, dtype=object), np.zeros(0, int))
    positions = BlockPositions(codes)
    assert positions.rows_from("m", "d", frozenset({"a"})) is None
    assert positions.position("m", "a", "d") == 0
    assert sorted(positions.among("m", "d", ["a", "b"])) == [0, 1]


def test_a_destination_twice_in_one_block_is_found_at_its_first_row() -> None:
    from meshroute_analysis.resolve.paircodes import FrameCodes, PairCodes

    empty = FrameCodes(np.zeros(0, int), np.zeros(0, int), np.zeros(0, int))
    rows = FrameCodes(np.array([0, 0, 0, 0]), np.array([0, 0, 0, 0]), np.array([1, 0, 1, 0]))
    codes = PairCodes(np.array(["m"], dtype=object), np.array(["a"], dtype=object), np.array(["d", "e"], dtype=object),
                      rows, empty, np.zeros(0, dtype=object), np.zeros(0, int))
    positions = BlockPositions(codes)
    assert positions.position("m", "a", "e") == 0
    assert positions.position("m", "a", "d") == 1
    assert positions.rows_from("m", "d", frozenset({"a"})) is None


@pytest.mark.parametrize("estate", ["mixed-seed3"])
def test_catch_all_counts_by_codes_are_the_frames(estate: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Liveness counts MeshHTTPRoute catch-all pairs per group over the resolution's codes; counting the
    frame's own columns (what it does without codes) gives the same counts."""
    from meshroute_analysis.audit import liveness
    from meshroute_analysis.audit.context import AuditContext

    _load_synth().generate(tmp_path, **ESTATES[estate])
    repo = mra.load_repo(tmp_path)
    ctx = AuditContext(repo)
    routes = ctx.res.routes
    mask = (routes["route_type"] != "TrafficRoute").to_numpy(dtype=bool)
    by_codes = liveness._count_by_group(ctx, mask)
    monkeypatch.setattr(ctx.res, "pair_codes", lambda: None)
    assert by_codes and liveness._count_by_group(ctx, mask) == by_codes
    assert sum(by_codes.values()) == int(mask.sum())
