"""Findings introduced, fixed and unchanged (gwctl's framing), matched by their SARIF fingerprint.

The fingerprint is the one SARIF output carries (:func:`~meshroute_analysis.audit.sarif.fingerprints`):
code, policy, field path, pair and mesh, so a finding keeps it when its policy moves to another line or
file.  A finding without a policy is located by its file (an unreadable file; a blackholed pair at its
source's Dataplane); when such a finding of a pair is left unmatched, it is matched once more without its
file, so that moving the Dataplane's file does not turn it into one fixed and one introduced finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from .. import frames
from ..audit.finding import COLUMNS as FINDING_COLUMNS
from ..audit.sarif import fingerprint, fingerprints

__all__ = ["FINDING_DIFF_COLUMNS", "STATES", "compare_findings"]

STATES = ("introduced", "fixed", "unchanged")
FINDING_DIFF_COLUMNS = (
    *frames.DIFF_FINDINGS, *(c for c in FINDING_COLUMNS if c not in frames.DIFF_FINDINGS), "file_before", "line_before",
)  # fmt: skip
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class _Match(NamedTuple):
    state: str
    fingerprint: str
    row: int  # position in the side the finding is shown from (after, or before for fixed ones)
    before: int | None  # position in before, when the finding is there


def _pair_up(keys_before: Sequence[str], keys_after: Sequence[str], left_b: Iterable[int],
             left_a: Iterable[int]) -> tuple[list[tuple[int, int]], set[int], set[int]]:
    """Match positions with equal keys one to one, in order; return the matches and what is left."""
    waiting: dict[str, list[int]] = defaultdict(list)
    for i in left_b:
        waiting[keys_before[i]].append(i)
    matches: list[tuple[int, int]] = []
    rest_a: set[int] = set()
    for j in left_a:
        queue = waiting.get(keys_after[j])
        if queue:
            matches.append((queue.pop(0), j))
        else:
            rest_a.add(j)
    rest_b = {i for queue in waiting.values() for i in queue}
    return matches, rest_b, rest_a


def _fileless(frame: pd.DataFrame) -> list[str]:
    """The fingerprint of each row as if it had no file; only rows of a pair get one (others: "")."""
    return [fingerprint(row, None) if row.pair else "" for row in frame.itertuples(index=False)]


def _matches(before: pd.DataFrame, after: pd.DataFrame, root_before: Path, root_after: Path) -> list[_Match]:
    fb, fa = fingerprints(before, root=root_before), fingerprints(after, root=root_after)
    first, rest_b, rest_a = _pair_up(fb, fa, range(len(fb)), range(len(fa)))
    lb, la = _fileless(before), _fileless(after)
    movable_b, movable_a = sorted(i for i in rest_b if lb[i]), sorted(j for j in rest_a if la[j])
    second, left_b, left_a = _pair_up(lb, la, movable_b, movable_a)
    rest_b = (rest_b - set(movable_b)) | left_b
    rest_a = (rest_a - set(movable_a)) | left_a
    found = [_Match("unchanged", fa[j], j, i) for i, j in first + second]
    found += [_Match("introduced", fa[j], j, None) for j in sorted(rest_a)]
    found += [_Match("fixed", fb[i], i, i) for i in sorted(rest_b)]
    return found


def compare_findings(before: pd.DataFrame, after: pd.DataFrame, *, root_before: Path, root_after: Path) -> pd.DataFrame:
    """Every finding of either side once, with its ``state`` and ``fingerprint``; introduced and unchanged
    findings are shown as they are after (``file_before``/``line_before`` say where they were), fixed
    ones as they were before."""
    before, after = before.reset_index(drop=True), after.reset_index(drop=True)
    records_b, records_a = before.to_dict("records"), after.to_dict("records")
    rows = []
    for m in _matches(before, after, root_before, root_after):
        shown = records_b[m.row] if m.state == "fixed" else records_a[m.row]
        was = records_b[m.before] if m.before is not None else {}
        rows.append((m.state, m.fingerprint, *(shown.get(c) for c in FINDING_COLUMNS), was.get("file"), was.get("line")))
    columns = (*frames.DIFF_FINDINGS[:2], *FINDING_COLUMNS, "file_before", "line_before")
    frame = frames.make_frame(columns, rows)
    if frame.empty:
        return frame[list(FINDING_DIFF_COLUMNS)]
    frame = frame.astype(object).where(frame.notna(), None)
    frame["line"] = frame["line"].astype("Int64")
    frame["line_before"] = frame["line_before"].astype("Int64")
    order = frame.assign(
        _state=frame["state"].map({s: i for i, s in enumerate(STATES)}),
        _severity=frame["severity"].map(_SEVERITY_ORDER).fillna(3),
        _file=frame["file"].fillna("").astype(str), _line=frame["line"].fillna(0).astype(int),
    ).sort_values(["_state", "_severity", "code", "_file", "_line", "message"], kind="stable")
    return order[list(FINDING_DIFF_COLUMNS)].reset_index(drop=True)
