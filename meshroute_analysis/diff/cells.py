"""Source groups across two revisions: proxies are compared one by one, and reported per group.

A source group is a set of proxies that Kuma cannot tell apart, so a group's outcome is each member's
outcome.  Between two revisions groups may split (some replicas get a new tag), merge, be renamed (a new
first proxy), appear or disappear.  A *cell* is the set of proxies that share their group on both sides:
every proxy of a cell had one outcome before and has one outcome after, so comparing cells compares every
proxy, at the cost of a group.  A cell that is a whole group on both sides is reported under the group's
(after) name; a cell of a group that split or merged is named ``"<after> (was <before>)"``.  Proxies that
exist on one side only add nothing when their group has members on both sides (they share its outcome);
a group with no member on the other side is added or removed, unless a group of the same name is on the
other side, which it is then compared with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

__all__ = ["CELL_COLUMNS", "Cell", "cells", "cells_frame"]

GroupKey = tuple[str, str]  # (mesh, source)


class Cell(NamedTuple):
    mesh: str
    source: str  # the name the diff reports
    source_before: str | None
    source_after: str | None
    proxies_before: int  # proxies this row stands for on each side
    proxies_after: int
    regrouped: bool  # the proxies' group split or merged between the sides


CELL_COLUMNS = list(Cell._fields)


def _members(proxies: pd.DataFrame) -> dict[tuple[str, str], str]:
    return dict(zip(zip(proxies["mesh"], proxies["proxy"]), proxies["source"]))


def cells(proxies_before: pd.DataFrame, proxies_after: pd.DataFrame) -> list[Cell]:
    """The cells of two ``res.proxies`` frames (columns mesh, proxy, source)."""
    before, after = _members(proxies_before), _members(proxies_after)
    size_b: Counter[GroupKey] = Counter((m, g) for (m, _), g in before.items())
    size_a: Counter[GroupKey] = Counter((m, g) for (m, _), g in after.items())
    links: Counter[tuple[str, str, str]] = Counter()
    for (mesh, proxy), group_b in before.items():
        group_a = after.get((mesh, proxy))
        if group_a is not None:
            links[(mesh, group_b, group_a)] += 1
    out_b = Counter((m, gb) for m, gb, _ in links)
    into_a = Counter((m, ga) for m, _, ga in links)
    found: list[Cell] = []
    for (mesh, gb, ga), common in sorted(links.items()):
        if out_b[(mesh, gb)] == 1 and into_a[(mesh, ga)] == 1:
            found.append(Cell(mesh, ga, gb, ga, size_b[(mesh, gb)], size_a[(mesh, ga)], False))
        else:
            found.append(Cell(mesh, f"{ga} (was {gb})", gb, ga, common, common, True))
    found.extend(_unlinked(size_b, size_a, set(out_b), set(into_a)))
    return _unique_names(found)


def _unlinked(size_b: Counter[GroupKey], size_a: Counter[GroupKey], linked_b: set[GroupKey],
              linked_a: set[GroupKey]) -> Iterable[Cell]:
    """Groups with no member on the other side: removed, added, or paired with a namesake."""
    gone = sorted(k for k in size_b if k not in linked_b)
    new = {k for k in size_a if k not in linked_a}
    for mesh, name in gone:
        if (mesh, name) in new:  # same name, all members replaced (e.g. every Dataplane renamed)
            new.discard((mesh, name))
            yield Cell(mesh, name, name, name, size_b[(mesh, name)], size_a[(mesh, name)], False)
        else:
            yield Cell(mesh, name, name, None, size_b[(mesh, name)], 0, False)
    for mesh, name in sorted(new):
        yield Cell(mesh, name, None, name, 0, size_a[(mesh, name)], False)


def _unique_names(found: list[Cell]) -> list[Cell]:
    """A removed group may share its name with another group after: say which side each one is."""
    counts = Counter((c.mesh, c.source) for c in found)
    out = []
    for c in found:
        if counts[(c.mesh, c.source)] > 1 and (c.source_before is None or c.source_after is None):
            c = c._replace(source=f"{c.source} ({'added' if c.source_before is None else 'removed'})")
        out.append(c)
    return sorted(out, key=lambda c: (c.mesh, c.source))


def cells_frame(found: Iterable[Cell]) -> pd.DataFrame:
    rows = list(found)
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in CELL_COLUMNS})
    return pd.DataFrame.from_records(rows, columns=CELL_COLUMNS)
