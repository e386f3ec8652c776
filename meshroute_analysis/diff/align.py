"""Which pairs of one mesh can have changed, found without joining a million rows.

The exact comparison of :mod:`.pairs` joins both sides' rows; on a mesh of a million pairs that join is
the slowest part of a diff, and almost every pair is the same on both sides.  This module only narrows
the rows down: both sides' rows of a group that is one cell on both sides (see :mod:`.cells`) are
matched by (cell, destination), in place when both sides list them in the same order (the resolver's
order: groups by name, destinations by the group's outbounds), through an index otherwise; matched rows
are compared column by column, vectorised, on integer keys.  What is left — pairs that differ, pairs on
one side only, and every row of a group that split or merged — goes on to the exact comparison, so this
module can make a diff faster, never different (a property test runs diffs with and without it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Narrowed", "narrow"]


@dataclass(frozen=True)
class Narrowed:
    """Row masks of each side's routes and backends: True for the rows the exact comparison must see."""

    routes_before: np.ndarray
    routes_after: np.ndarray
    backends_before: np.ndarray
    backends_after: np.ndarray


@dataclass(frozen=True)
class _Rows:
    """One frame's rows as integer pair keys: -1 for rows of groups that are not one cell on both sides."""

    frame: pd.DataFrame
    keys: np.ndarray

    @property
    def simple(self) -> np.ndarray:
        return np.flatnonzero(self.keys >= 0)


def _pair_keys(frame: pd.DataFrame, cell_of: Mapping[str, int], destinations: pd.Index) -> np.ndarray:
    """cell number x (number of destinations) + destination number, per row; -1 outside simple groups."""
    if frame.empty:
        return np.zeros(0, dtype=np.int64)
    groups = pd.Index(list(cell_of), dtype=object)
    numbers = np.fromiter(cell_of.values(), dtype=np.int64, count=len(cell_of))
    where = groups.get_indexer(frame["source"].to_numpy(dtype=object))  # hashed in C: Series.map is slow on str
    cells = np.where(where >= 0, numbers[where] if len(numbers) else -1, -1)
    dest = destinations.get_indexer(frame["destination"].to_numpy(dtype=object))
    keys = cells * len(destinations) + dest
    keys[(cells < 0) | (dest < 0)] = -1
    return keys


def _match(keys_b: np.ndarray, keys_a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of equal keys on both sides: in place when the sides agree row for row, else by index."""
    if len(keys_b) == len(keys_a) and bool(np.array_equal(keys_b, keys_a)):
        every = np.arange(len(keys_b))
        return every, every
    where = pd.Index(keys_a).get_indexer(keys_b)
    found = where >= 0
    return np.flatnonzero(found), where[found]


def _unmatched(keys: np.ndarray, matched: np.ndarray) -> np.ndarray:
    mask = np.ones(len(keys), dtype=bool)
    mask[matched] = False
    return keys[mask]


def _differs(before: pd.DataFrame, after: pd.DataFrame, rows_b: np.ndarray, rows_a: np.ndarray,
             columns: Sequence[str], tolerance: float | None = None) -> np.ndarray:
    out = np.zeros(len(rows_b), dtype=bool)
    for column in columns:
        left, right = before[column].to_numpy()[rows_b], after[column].to_numpy()[rows_a]
        if tolerance is not None and column == "share":
            out |= np.abs(left.astype(float) - right.astype(float)) > tolerance
        else:
            out |= np.asarray(left != right, dtype=bool)
    return out


def _route_candidates(before: _Rows, after: _Rows, outcome: Sequence[str]) -> list[np.ndarray]:
    """Keys of pairs whose route rows differ or are on one side only."""
    sb, sa = before.simple, after.simple
    kb, ka = before.keys[sb], after.keys[sa]
    idx_b, idx_a = _match(kb, ka)
    changed = _differs(before.frame, after.frame, sb[idx_b], sa[idx_a], outcome)
    return [kb[idx_b][changed], _unmatched(kb, idx_b), _unmatched(ka, idx_a)]


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each run of equal keys (a pair's backend rows are contiguous)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return starts, np.diff(np.append(starts, len(keys)))


def _backend_candidates(before: _Rows, after: _Rows, tolerance: float) -> list[np.ndarray]:
    """Keys of pairs whose backend rows differ: in number, or in backend, HTTP route or share."""
    sb, sa = before.simple, after.simple
    kb, ka = before.keys[sb], after.keys[sa]
    starts_b, lens_b = _runs(kb)
    starts_a, lens_a = _runs(ka)
    run_b, run_a = _match(kb[starts_b], ka[starts_a])
    found = [_unmatched(kb[starts_b], run_b), _unmatched(ka[starts_a], run_a)]
    same_len = lens_b[run_b] == lens_a[run_a]
    found.append(kb[starts_b[run_b[~same_len]]])
    run_b, run_a, lens = run_b[same_len], run_a[same_len], lens_b[run_b[same_len]]
    if len(lens):
        offsets = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        rows_b = sb[np.repeat(starts_b[run_b], lens) + offsets]
        rows_a = sa[np.repeat(starts_a[run_a], lens) + offsets]
        changed = _differs(before.frame, after.frame, rows_b, rows_a, ("backend", "route", "share"), tolerance)
        found.append(before.keys[rows_b[changed]])
    return found


def narrow(routes_before: pd.DataFrame, routes_after: pd.DataFrame, backends_before: pd.DataFrame,
           backends_after: pd.DataFrame, simple_before: Mapping[str, str], simple_after: Mapping[str, str],
           outcome: Sequence[str], tolerance: float) -> Narrowed:
    """The rows of one mesh that the exact comparison must see.  ``simple_*`` map the groups of each
    side that are one cell on both sides to that cell's name; rows of any other group are all kept."""
    number = {name: i for i, name in enumerate(sorted(set(simple_before.values()) | set(simple_after.values())))}
    cell_b = {group: number[cell] for group, cell in simple_before.items()}
    cell_a = {group: number[cell] for group, cell in simple_after.items()}
    destinations = pd.Index(pd.unique(np.concatenate([routes_before["destination"].to_numpy(dtype=object),
                                                      routes_after["destination"].to_numpy(dtype=object)])))
    rb = _Rows(routes_before, _pair_keys(routes_before, cell_b, destinations))
    ra = _Rows(routes_after, _pair_keys(routes_after, cell_a, destinations))
    bb = _Rows(backends_before.assign(route=backends_before["route"].fillna("")),
               _pair_keys(backends_before, cell_b, destinations))
    ba = _Rows(backends_after.assign(route=backends_after["route"].fillna("")),
               _pair_keys(backends_after, cell_a, destinations))
    found = np.unique(np.concatenate(_route_candidates(rb, ra, outcome) + _backend_candidates(bb, ba, tolerance)
                                     + [np.zeros(0, dtype=np.int64)]))

    def keep(rows: _Rows) -> np.ndarray:
        return (rows.keys < 0) | np.isin(rows.keys, found)

    return Narrowed(keep(rb), keep(ra), keep(bb), keep(ba))
