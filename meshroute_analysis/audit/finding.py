"""One finding, and the findings frame."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings in a deterministic order (file, line, code, path, pair), one row each."""
    ordered = sorted(set(findings), key=Finding.sort_key)
    frame = make_frame(COLUMNS, (f.row() for f in ordered))
    if not frame.empty:
        # object columns keep None (not NaN) for "absent", as the other frames of the package do
        frame = frame.astype(object).where(frame.notna(), None)
        frame["line"] = frame["line"].astype("Int64")
    return frame


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
