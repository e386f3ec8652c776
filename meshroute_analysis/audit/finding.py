"""One finding, and the findings frame."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import pandas as pd

from ..frames import FINDINGS, make_frame
from .codes import CODES, severity_rank

__all__ = ["COLUMNS", "Finding", "exit_status", "failing", "findings_frame"]

#: The findings frame: the contract columns of ``frames.FINDINGS`` first, then the helpful ones.
COLUMNS = (*FINDINGS, "mesh", "title", "source", "destination", "policy_type", "policy_name")


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding.  ``severity`` and ``title`` come from the code table; rules only say what and where."""

    code: str
    message: str
    file: str | None
    line: int | None
    policy: str | None = None  # Policy.key, ``<Type>/<core name>``
    path: str | None = None  # field path inside the document, Kuma style: spec.to[0].rules[0]...
    mesh: str | None = None
    source: str | None = None
    destination: str | None = None
    policy_type: str | None = None
    policy_name: str | None = None

    @property
    def severity(self) -> str:
        return CODES[self.code].severity

    @property
    def pair(self) -> str | None:
        if self.source is None or self.destination is None:
            return None
        return f"{self.source} -> {self.destination}"

    def sort_key(self) -> tuple:
        return (
            self.file or "", self.line or 0, self.code, self.path or "", self.mesh or "",
            self.source or "", self.destination or "", self.message,
        )  # fmt: skip

    def row(self) -> tuple:
        return (
            self.code, self.severity, self.message, self.policy, self.file, self.line, self.path, self.pair,
            self.mesh, CODES[self.code].title, self.source, self.destination, self.policy_type, self.policy_name,
        )  # fmt: skip


_FIELDS = ("code", "message", "file", "line", "policy", "path", "mesh", "source", "destination", "policy_type",
           "policy_name")


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings in a deterministic order (file, line, code, path, pair), one row each: the columns of
    :meth:`Finding.row`, sorted by :meth:`Finding.sort_key`, both worked out column by column (a large audit
    has hundreds of thousands of findings, and a method call per finding and column adds up)."""
    unique = list(dict.fromkeys(findings))
    if not unique:
        return make_frame(COLUMNS, [])
    field = dict(zip(_FIELDS, zip(*map(attrgetter(*_FIELDS), unique))))
    codes = field["code"]
    entry = {c: CODES[c] for c in set(codes)}
    pairs = [None if s is None or d is None else f"{s} -> {d}" for s, d in zip(field["source"], field["destination"])]
    values = {
        **field,
        "severity": [entry[c].severity for c in codes],
        "title": [entry[c].title for c in codes],
        "pair": pairs,
    }
    keys = [[v or "" for v in field["file"]], [v or 0 for v in field["line"]], codes,
            *([v or "" for v in field[name]] for name in ("path", "mesh", "source", "destination")), field["message"]]
    order = _sort_order(keys)
    # object columns keep None (not NaN) for "absent", as the other frames of the package do
    frame = pd.DataFrame({name: np.array(values[name], dtype=object)[order] for name in COLUMNS}, dtype=object)
    frame["line"] = frame["line"].astype("Int64")
    return frame


def _sort_order(keys: list) -> np.ndarray:
    """The positions in the order of ``keys`` (columns of :meth:`Finding.sort_key`; stable).  Sorted as
    integer codes of each key but the last, the message, which only breaks the few remaining ties: Python's
    tuple comparison over 170,000 findings costs several times as much, and so would sorting 170,000
    distinct messages."""
    *leading, messages = keys
    codes = [np.array(k, dtype=np.int64) if i == 1 else pd.factorize(np.array(k, dtype=object), sort=True)[0]
             for i, k in enumerate(leading)]  # the line is an int already
    order = np.lexsort(codes[::-1])
    ranked = np.stack(codes, axis=1)[order]
    same = np.all(ranked[1:] == ranked[:-1], axis=1)  # same[k]: order[k + 1] ties with order[k]
    starts = np.flatnonzero(np.r_[True, ~same])  # where each run of tied findings begins
    ends = np.r_[starts[1:], len(order)]
    runs = np.flatnonzero(ends - starts > 1)
    for start, end in zip(starts[runs].tolist(), ends[runs].tolist()):
        order[start:end] = sorted(order[start:end].tolist(), key=messages.__getitem__)
    return order


#: Exit statuses of a review (sysexits, as istioctl): clean, unreadable input, findings at the threshold.
EXIT_OK, EXIT_INPUT, EXIT_FINDINGS = 0, 65, 79


def failing(frame: pd.DataFrame, threshold: str) -> pd.DataFrame:
    """Findings that fail a run at ``threshold``: MRA001 (unreadable input) aside, which means exit 65."""
    hits = at_or_above(frame, threshold)
    return hits[hits["code"] != "MRA001"] if not hits.empty else hits


def exit_status(frame: pd.DataFrame, threshold: str) -> int:
    """79 when a finding fails the run, else 65 when some input could not be read (MRA001), else 0."""
    if not failing(frame, threshold).empty:
        return EXIT_FINDINGS
    if not frame.empty and (frame["code"] == "MRA001").any():
        return EXIT_INPUT
    return EXIT_OK


def at_or_above(frame: pd.DataFrame, threshold: str) -> pd.DataFrame:
    """The findings of ``frame`` whose severity is at least ``threshold``."""
    rank = severity_rank(threshold)
    return frame[frame["severity"].map(severity_rank) >= rank] if not frame.empty else frame
