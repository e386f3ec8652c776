"""The review report's "What this change does" section, and the diff as a pull-request comment.

The section is built from the report's own blocks (:mod:`meshroute_analysis.report`), so it renders to
the same Markdown and HTML: the one-line verdict, the changed pairs, one before/after chart per changed
pair (the first :data:`PAIR_CHARTS` of them) and one chart of every share that moved; then, collapsed,
the findings the change introduces and fixes, the policies it touches and every backend that moved.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import report as r
from .cli import for_mesh
from .text import percent, points

if TYPE_CHECKING:
    from .result import Diff

__all__ = ["DIFF_FILES", "PAIR_CHARTS", "diff_blocks", "diff_markdown"]

#: Changed pairs that get a before/after chart of their own; the table and the CSV list every one.
PAIR_CHARTS = 12
#: Changed pairs listed in the summary itself (the rest are in a collapsed table and in diff-pairs.csv).
SUMMARY_PAIRS = 20
#: The CSVs a report with a diff adds.
DIFF_FILES = ("diff-pairs.csv", "diff-backends.csv", "diff-findings.csv", "diff-policies.csv")
_PAIR_TABLE = ["mesh", "source", "destination", "change", "route_type_before", "route_type_after", "what"]
_PAIR_HEADERS = ["mesh", "source", "destination", "change", "route type before", "route type after", "what changes"]
_FINDING_TABLE = ["state", "severity", "code", "message", "where", "pair"]
_POLICY_TABLE = ["mesh", "policy", "change", "fields", "where"]
_BACKEND_TABLE = ["mesh", "source", "destination", "route", "backend", "share_before", "share_after", "delta"]
_BACKEND_HEADERS = ["mesh", "source", "destination", "HTTP route", "backend", "share before", "share after", "change"]


def _rows(frame: pd.DataFrame, columns: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(r._text(v) for v in row) for row in frame[columns].itertuples(index=False))


def _where(files: pd.Series, lines: pd.Series) -> list[str]:
    return [f"{r._text(f)}:{r._text(n)}" if r._text(f) and r._text(n) else r._text(f) for f, n in zip(files, lines)]


def _versions(d: Diff) -> str:
    before, after = d.kuma_versions
    return f"Kuma {before}" if before == after else f"Kuma {before} before, Kuma {after} after"


def _pair_charts(d: Diff, pairs: pd.DataFrame, charts: r._Charts, progress: Any, mesh: str | None) -> list[r._Block]:
    """One before/after chart per changed pair (the largest moves first), then every move in one chart."""
    from ..plotting import plot_diff

    blocks: list[r._Block] = []
    moves = d.backends.assign(_size=d.backends["delta"].abs()).groupby(["mesh", "source", "destination"])["_size"].max()
    order = pairs.assign(_size=[moves.get((m, s, t), 0.0) for m, s, t in zip(pairs["mesh"], pairs["source"], pairs["destination"])])
    order = order.sort_values(["_size", "mesh", "source", "destination"], ascending=[False, True, True, True], kind="stable")
    if not d.backends.empty:
        progress("chart: share changes")
        fig = r._figure(11.0 + r._label_room(d.backends["source"] + d.backends["destination"] + d.backends["backend"]),
                        0.26 * min(len(d.backends), 60) + 1.8)
        plot_diff(d, mesh=mesh, ax=fig.subplots())
        blocks.append(charts.save(fig, "diff-deltas", "Share changes of every backend that moved"))
    shown = order.head(PAIR_CHARTS)
    per_pair: list[r._Block] = []
    for i, row in enumerate(shown.itertuples(index=False)):
        progress(f"chart: {row.source} → {row.destination}")
        rows = d.backends[(d.backends["mesh"] == row.mesh) & (d.backends["source"] == row.source)
                          & (d.backends["destination"] == row.destination)]
        fig = r._figure(9.0 + r._label_room(rows["backend"].astype(str) + rows["route"].fillna("").astype(str)),
                        0.6 * max(len(rows), 1) + 2.2)
        plot_diff(d, row.source, row.destination, mesh=row.mesh, ax=fig.subplots())
        per_pair.append(charts.save(fig, f"diff-pair-{i + 1:02d}",
                                    f"{row.source} → {row.destination} (mesh {row.mesh}), before and after"))
    if len(order) > len(shown):
        per_pair.append(r._Para(f"Charts of the {len(shown)} pairs whose shares move most; diff-pairs.csv lists all {len(order)}."))
    what = f"the {len(shown)} pairs whose shares move most" if len(order) > len(shown) else "every changed pair"
    blocks.append(r._Details(f"Before and after, pair by pair: {what} (bars are shares; colour is the route type)",
                             tuple(per_pair)))
    return blocks


def diff_blocks(d: Diff, out_dir: Path | None, *, mesh: str | None = None, progress: Any = None,
                charts: r._Charts | None = None) -> list[r._Block]:
    """The "What this change does" section; with ``out_dir`` its charts and CSVs are written there (the
    charts in the formats of ``charts``, by default the report's default)."""
    say = progress if callable(progress) else (lambda message: None)
    pairs, findings, policies = for_mesh(d.pairs, mesh), for_mesh(d.findings, mesh), for_mesh(d.policies, mesh)
    blocks: list[r._Block] = [
        r._Heading(2, "What this change does"),
        r._Para(d.verdict),
        r._Para(f"From {d.labels[0]} to {d.labels[1]} ({_versions(d)})."),
    ]
    if out_dir is not None:
        _write_csvs(d, out_dir, mesh)
    csv = "diff-pairs.csv" if out_dir is not None else ""
    if pairs.empty:
        blocks.append(r._Para("Every (source, destination) pair keeps its route type, policies, status and shares."))
    else:
        # The summary shows the first pairs; the collapsed table below holds the rest (up to the report's
        # table size), so that the comment opens short however big the change.
        blocks.append(r._Table(tuple(_PAIR_HEADERS), _rows(pairs.head(SUMMARY_PAIRS), _PAIR_TABLE),
                               max(0, len(pairs) - SUMMARY_PAIRS), csv))
        if out_dir is not None:
            blocks += _pair_charts(d, pairs, charts or r._Charts(out_dir), say, mesh)
        if len(pairs) > SUMMARY_PAIRS:
            blocks.append(r._Details(f"All {len(pairs)} changed pairs", (r._table(pairs, _PAIR_TABLE, csv, _PAIR_HEADERS),)))
    changed = findings[findings["state"] != "unchanged"]
    if not changed.empty:
        shown = changed.assign(where=_where(changed["file"], changed["line"]))
        blocks.append(r._Details(
            f"Findings: {int((changed['state'] == 'introduced').sum())} introduced, {int((changed['state'] == 'fixed').sum())} fixed",
            (r._table(shown, _FINDING_TABLE, "diff-findings.csv" if out_dir is not None else ""),)))
    if not policies.empty:
        shown = policies.assign(where=_where(policies["file_after"].where(policies["file_after"].notna(), policies["file_before"]),
                                             policies["line_after"].where(policies["line_after"].notna(), policies["line_before"])))
        blocks.append(r._Details(f"Policies: {len(policies)} added, removed or modified",
                                 (r._table(shown, _POLICY_TABLE, "diff-policies.csv" if out_dir is not None else ""),)))
    moved = for_mesh(d.backends, mesh)
    if not moved.empty:
        shown = moved.assign(share_before=moved["share_before"].map(percent), share_after=moved["share_after"].map(percent),
                             delta=moved["delta"].map(points))
        blocks.append(r._Details(f"Backends: {len(moved)} shares of the changed pairs, before and after",
                                 (r._table(shown, _BACKEND_TABLE, "diff-backends.csv" if out_dir is not None else "",
                                           _BACKEND_HEADERS),)))
    return blocks


def _write_csvs(d: Diff, out_dir: Path, mesh: str | None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in zip(DIFF_FILES, (d.pairs, d.backends, d.findings, d.policies), strict=True):
        chosen = for_mesh(frame, mesh)
        r._csv(chosen, list(chosen.columns), out_dir / name)


def diff_markdown(d: Diff, *, mesh: str | None = None, limit: int = r.COMMENT_LIMIT) -> str:
    """The diff as a pull-request comment (no charts: they need files), under ``limit`` characters."""
    blocks: list[r._Block] = [r._Heading(1, "Route review: what this change does")]
    blocks += diff_blocks(d, None, mesh=mesh)[1:]  # the comment's own title replaces the section heading
    return r.fit_comment(blocks, limit)
