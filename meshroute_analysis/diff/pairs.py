"""The pairs and backends whose outcome changed, side by side (pybatfish's before/after columns).

Both sides' ``res.routes`` and ``res.backends`` rows are put on the cells of :mod:`.cells` (so that a
group that split or merged is compared proxy by proxy) and joined on (mesh, source, destination).  A
pair's *outcome* is what its traffic does: which route type builds the listener, which policies
configured it, whether it forwards, its status, the destination's protocol, and the share of every
backend (per HTTP route).  Weights and reasons are shown, not compared: a weight change that leaves the
shares alone does not move traffic (``d.policies`` still lists it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import frames
from .align import narrow
from .cells import CELL_COLUMNS
from .text import describe_pair

__all__ = ["BACKEND_COLUMNS", "OUTCOME", "PAIR_COLUMNS", "PairChanges", "compare_pairs", "empty_frame"]

#: The columns of res.routes that make a pair's outcome.
OUTCOME = ("route_type", "policies", "forwards", "status", "protocol")
PAIR_COLUMNS = (
    *frames.DIFF_PAIRS, "source_before", "source_after", "proxies_before", "proxies_after", "regrouped",
    "reason_before", "reason_after", "what",
)  # fmt: skip
BACKEND_COLUMNS = (
    *frames.DIFF_BACKENDS, "change", "backend_kind", "weight_before", "weight_after", "route_type_before",
    "route_type_after",
)  # fmt: skip
KEY = ["mesh", "source", "destination"]
BACKEND_KEY = [*KEY, "route", "backend", "nth"]
#: Shares are computed by the same code from the same weights; anything closer than this is equal.
SHARE_TOLERANCE = 1e-9


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    return frames.make_frame(columns)


@dataclass(frozen=True)
class PairChanges:
    pairs: pd.DataFrame
    backends: pd.DataFrame


def _on_cells(frame: pd.DataFrame, cells: pd.DataFrame, side: str, columns: list[str]) -> pd.DataFrame:
    """``frame``'s rows of the groups of one side, renamed to the cells they belong to."""
    own = f"source_{side}"
    link = cells.loc[cells[own].notna(), ["mesh", own, "source"]]
    if frame.empty or link.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ["source", *columns]})
    rows = frame[columns].rename(columns={"source": own})
    return rows.merge(link, on=["mesh", own], how="inner").drop(columns=[own])


def _route_rows(routes: pd.DataFrame, cells: pd.DataFrame, side: str) -> pd.DataFrame:
    return _on_cells(routes, cells, side, ["mesh", "source", "destination", *OUTCOME, "reason"])


def _backend_rows(backends: pd.DataFrame, cells: pd.DataFrame, side: str) -> pd.DataFrame:
    columns = ["mesh", "source", "destination", "route", "backend", "share", "weight", "backend_kind", "route_type"]
    rows = _on_cells(backends, cells, side, columns)
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in [*columns, "nth", "pos"]})
    rows["route"] = rows["route"].fillna("").astype(str)  # TCP and TrafficRoute splits have no HTTP route
    rows["pos"] = rows.groupby(KEY, sort=False).cumcount()  # configuration order, to show rows in it
    # One rule may list the same backend twice; the n-th of each keeps its own row.
    rows["nth"] = rows.groupby(["mesh", "source", "destination", "route", "backend"], sort=False).cumcount()
    return rows


def _differs(left: pd.Series, right: pd.Series) -> np.ndarray:
    return np.fromiter((a != b for a, b in zip(left, right)), dtype=bool, count=len(left))


def _changed_routes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    joined = before.merge(after, on=KEY, how="outer", suffixes=("_before", "_after"), indicator=True)
    changed = joined["_merge"].to_numpy() != "both"
    for column in OUTCOME:
        changed |= _differs(joined[f"{column}_before"], joined[f"{column}_after"])
    out = joined[changed].copy()
    out["change"] = out["_merge"].map({"left_only": "removed", "right_only": "added", "both": "changed"}).astype(object)
    return out.drop(columns=["_merge"])


def _joined_backends(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    joined = before.merge(after, on=BACKEND_KEY, how="outer", suffixes=("_before", "_after"), indicator=True)
    joined["share_before"] = joined["share_before"].astype(float).fillna(0.0)
    joined["share_after"] = joined["share_after"].astype(float).fillna(0.0)
    delta = joined["share_after"] - joined["share_before"]
    joined["delta"] = delta * 100.0
    state = np.where(joined["_merge"] == "left_only", "removed", np.where(joined["_merge"] == "right_only", "added", "changed"))
    joined["change"] = np.where((state == "changed") & (delta.abs() <= SHARE_TOLERANCE), "same", state)
    joined["backend_kind"] = joined["backend_kind_after"].where(joined["backend_kind_after"].notna(), joined["backend_kind_before"])
    return joined.drop(columns=["_merge", "backend_kind_before", "backend_kind_after"])


def _keys(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[KEY]) if not frame.empty else pd.MultiIndex.from_tuples([], names=KEY)


def compare_pairs(cells: pd.DataFrame, routes_before: pd.DataFrame, routes_after: pd.DataFrame,
                  backends_before: pd.DataFrame, backends_after: pd.DataFrame) -> PairChanges:
    """The changed pairs and their backends, for the groups of ``cells`` (a :func:`.cells.cells_frame`);
    the frames are both sides' ``res.routes`` / ``res.backends`` rows of those groups."""
    if cells.empty:
        return PairChanges(empty_frame(PAIR_COLUMNS), empty_frame(BACKEND_COLUMNS))
    if cells["mesh"].nunique() == 1:
        # Only the rows that can differ go on to the joins below (see .align); a diff is the same without it.
        simple = cells[~cells["regrouped"].astype(bool) & cells["source_before"].notna() & cells["source_after"].notna()]
        kept = narrow(routes_before, routes_after, backends_before, backends_after,
                      dict(zip(simple["source_before"], simple["source"])), dict(zip(simple["source_after"], simple["source"])),
                      OUTCOME, SHARE_TOLERANCE)
        routes_before, routes_after = routes_before[kept.routes_before], routes_after[kept.routes_after]
        backends_before, backends_after = backends_before[kept.backends_before], backends_after[kept.backends_after]
    routes = _changed_routes(_route_rows(routes_before, cells, "before"), _route_rows(routes_after, cells, "after"))
    backends = _joined_backends(_backend_rows(backends_before, cells, "before"), _backend_rows(backends_after, cells, "after"))
    moved = backends[backends["change"] != "same"]
    # A pair whose route row is the same can still have moved shares: add it with both sides' rows.
    extra = _keys(moved).unique().difference(_keys(routes))
    if len(extra):
        again = _changed_routes_for(extra, cells, routes_before, routes_after)
        routes = pd.concat([routes, again], ignore_index=True)
    pairs = _pairs_frame(routes, cells)
    in_changed = pd.MultiIndex.from_frame(backends[KEY]).isin(_keys(pairs)) if not backends.empty else np.zeros(0, bool)
    kept = _backends_frame(backends[in_changed])
    by_pair: dict[tuple, list] = {}
    for row in kept.itertuples(index=False):  # one pass: itertuples on many small groups is slow
        by_pair.setdefault((row.mesh, row.source, row.destination), []).append(row)
    pairs["what"] = [describe_pair(row, by_pair.get((row.mesh, row.source, row.destination), ())) for row in pairs.itertuples(index=False)]
    return PairChanges(pairs.reset_index(drop=True), kept)


def _changed_routes_for(keys: pd.MultiIndex, cells: pd.DataFrame, routes_before: pd.DataFrame,
                        routes_after: pd.DataFrame) -> pd.DataFrame:
    """Both sides' rows of pairs that differ only in their backends (marked ``changed``)."""
    wanted = keys.to_frame(index=False)
    before = _route_rows(routes_before, cells, "before").merge(wanted, on=KEY)
    after = _route_rows(routes_after, cells, "after").merge(wanted, on=KEY)
    joined = before.merge(after, on=KEY, how="outer", suffixes=("_before", "_after"))
    joined["change"] = "changed"
    return joined


def _pairs_frame(routes: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    if routes.empty:
        return empty_frame(PAIR_COLUMNS)
    out = routes.merge(cells[CELL_COLUMNS], on=["mesh", "source"], how="left")
    out = out.astype(object).where(out.notna(), None)
    for side in ("before", "after"):
        out[f"proxies_{side}"] = out[f"proxies_{side}"].fillna(0).astype(int)
    return out.sort_values(KEY, kind="stable")[list(PAIR_COLUMNS[:-1])].assign(what="")


def _backends_frame(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return empty_frame(BACKEND_COLUMNS)
    # After's order first; backends only before come after them, in before's order.
    order = rows["pos_after"].astype(float).fillna(rows["pos_before"].astype(float) + 1e6)
    out = rows.assign(_order=order).sort_values([*KEY, "_order"], kind="stable").reset_index(drop=True)
    out["route"] = out["route"].where(out["route"] != "", None)
    shares = out[["share_before", "share_after", "delta"]]
    out = out.astype(object).where(out.notna(), None)
    out[["share_before", "share_after", "delta"]] = shares.to_numpy(dtype=float)
    for column in ("weight_before", "weight_after"):  # NaN of the missing side made them floats
        out[column] = pd.Series([_weight(v) for v in out[column]], index=out.index, dtype=object)
    return out[list(BACKEND_COLUMNS)]


def _weight(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    number = float(value)  # type: ignore[arg-type]
    return int(number) if number.is_integer() else number
