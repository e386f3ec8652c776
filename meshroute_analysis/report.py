"""The review report: findings, the resolved route table and the charts, for a pull request.

``write_report(repo, res, findings, out_dir)`` writes::

    out_dir/
      report.md        what a reviewer reads in the pull request (relative image links)
      index.html       the same content, offline (relative images, no external URL, inline CSS)
      findings.csv     every finding (the findings frame)
      routes.csv       every resolved (mesh, source, destination)
      backends.csv     every backend of every pair, with weight and share
      charts/          route-matrix-<mesh>, splits-<mesh>, weights: .svg by default (``chart_formats``
                       adds or picks .png)

The same input gives the same bytes: rows are sorted, nothing carries a date, PNGs are saved without the
``Software`` chunk, SVGs without ``Date`` and with a fixed ``svg.hashsalt`` (set in a local
``rc_context`` only, so the caller's rcParams stay untouched), and figures are ``Figure`` objects on the
Agg canvas, never pyplot's global state.

The document is built once as a list of blocks and rendered twice (Markdown and HTML), so the two
never disagree.  ``add_report_subcommand`` / ``run_report`` are the ``meshroute report`` subcommand.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from . import plotting
from .cli_input import fail_on, kuma_version, load, load_cache, skips
from .cli_parsers import add_report_subcommand
from .csvfile import write_csv
from .errors import UsageError

__all__ = ["CHART_FORMATS", "REPORT_FILES", "add_report_subcommand", "chart_formats", "run_report", "write_report"]

#: The files every report has (charts come on top of these).
REPORT_FILES = ("report.md", "index.html", "findings.csv", "routes.csv", "backends.csv")
#: The formats a report can save its charts in.  SVG alone is the default: the page shows SVG, and saving
#: every chart twice doubled the charts' share of a report's time (matplotlib draws the figure once per file).
CHART_FORMATS = ("svg", "png")

Progress = Callable[[str], None]

_TABLE_ROWS = 200  # rows of a Markdown/HTML table; the CSVs hold everything
_SPLIT_BARS = 200  # bars of a splits chart (the chart stays readable at this size)
_WEIGHT_BARS = 200  # bars of the weights chart; backends.csv holds every backendRef
_SEVERITIES = ("error", "warning", "info")
_SVG_SALT = "meshroute-report"
_DPI = 100
_ROUTE_COLUMNS = ["mesh", "source", "destination", "proxies", "protocol", "route_type", "policies", "forwards",
                  "status", "reason"]
_BACKEND_COLUMNS = ["mesh", "source", "destination", "route", "backend", "route_type", "backend_kind",
                    "backend_name", "backend_tags_str", "weight", "share", "in_split", "note"]
_FINDING_COLUMNS = ["code", "severity", "message", "policy", "file", "line", "path", "pair"]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# ----------------------------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class _Heading:
    level: int
    text: str


@dataclass(frozen=True)
class _Para:
    text: str


@dataclass(frozen=True)
class _Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    more: int = 0  # rows left out, with a pointer to the CSV
    csv: str = ""
    #: The same cells as HTML (badges, links), already escaped; None: the escaped text of ``rows``.
    html_rows: tuple[tuple[str, ...], ...] | None = None


@dataclass(frozen=True)
class _Toc:
    """The table of contents of the HTML page (headings of level 2 and 3); Markdown has none (GitHub
    shows its own outline)."""


@dataclass(frozen=True)
class _Image:
    alt: str
    files: tuple[str, ...]  # relative paths, one per format; the first is the one Markdown shows

    @property
    def shown(self) -> str:
        """The file a page shows: the SVG when there is one (it scales), else the first."""
        return next((f for f in self.files if f.endswith(".svg")), self.files[0])

    def links(self) -> list[tuple[str, str]]:
        return [(f.rsplit(".", 1)[-1].upper(), f) for f in self.files]


@dataclass(frozen=True)
class _Details:
    """A collapsible section (``<details>``): GitHub shows its summary and folds the rest away."""

    summary: str
    blocks: tuple[Any, ...]


_Block = _Heading | _Para | _Table | _Image | _Details | _Toc


# ----------------------------------------------------------------------------------------------- rendering


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ") or " "


def _md_text(text: str) -> str:
    # Keep reviewers' text literal: no emphasis or HTML from names like a_b_c or <x>.
    return re.sub(r"([\\`*_<>\[\]])", r"\\\1", text)


def _to_markdown(blocks: Sequence[_Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, _Details):
            # GitHub renders Markdown inside <details> when blank lines separate it from the tags.
            out += ["<details>", f"<summary>{html.escape(block.summary)}</summary>", "", _to_markdown(block.blocks).rstrip("\n"),
                    "", "</details>", ""]
        elif isinstance(block, _Toc):
            continue
        elif isinstance(block, _Heading):
            out += ["#" * block.level + " " + _md_text(block.text), ""]
        elif isinstance(block, _Para):
            out += [_md_text(block.text), ""]
        elif isinstance(block, _Table):
            out.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
            out.append("|" + "|".join("---" for _ in block.headers) + "|")
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            if block.more:
                out.append("")
                where = f" in [{block.csv}]({block.csv})" if block.csv else ""
                out.append(_md_text(f"… and {block.more} more rows") + f"{where}.")
            out.append("")
        else:
            links = " · ".join(f"[{label}]({path})" for label, path in block.links())
            out += [f"![{_md_cell(block.alt)}]({block.files[0]})", "", links, ""]
    return "\n".join(out).rstrip("\n") + "\n"


_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em auto;max-width:80em;padding:0 1em;color:#222;
line-height:1.4}
h1,h2,h3,p,summary,li,figcaption{overflow-wrap:anywhere}
.table-wrap{max-width:100%;overflow-x:auto;margin:0.5em 0 1.5em;border:1px solid #ddd}
table{border-collapse:collapse;font-size:0.9em;min-width:100%}
th,td{border:1px solid #bbb;padding:0.2em 0.5em;text-align:left;vertical-align:top}
td{max-width:40em;overflow-wrap:break-word} td:first-child{white-space:nowrap}
h1{font-size:1.7em} @media (max-width:40em){h1{font-size:1.3em} body{padding:0 0.6em}}
th{background:#eee;position:sticky;top:0}
figure{margin:0.5em 0 1.5em}
img{max-width:100%;height:auto;border:1px solid #ddd} .more{color:#555}
details{margin:0.4em 0} summary{cursor:pointer}
nav.toc{border:1px solid #ddd;background:#fafafa;padding:0.3em 1em;margin:1em 0}
nav.toc ul{margin:0.2em 0;padding-left:1.2em}
.sev{display:inline-block;padding:0 0.45em;border-radius:0.7em;font-size:0.85em;font-weight:600;white-space:nowrap}
.sev-error{background:#b00020;color:#fff} .sev-warning{background:#f5c000;color:#222} .sev-info{background:#dde3ea;color:#222}
a.code{font-family:ui-monospace,monospace;white-space:nowrap}
dl.codes dt{font-weight:600;margin-top:0.6em} dl.codes dd{margin-left:1.2em}
""".strip()


def _anchor(text: str) -> str:
    """An id for a heading: lowercase words joined by '-' (stable, ASCII)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


#: Opens the collapsed sections that hold the target of a link (the table of contents, code links).
_OPEN_DETAILS = ("function mraOpen(){var e=document.getElementById(decodeURIComponent(location.hash.slice(1)));"
                 "for(var n=e;n;n=n.parentElement){if(n.tagName==='DETAILS'){n.open=true}}if(e){e.scrollIntoView()}}"
                 "addEventListener('hashchange',mraOpen);if(location.hash){mraOpen()}")


def _to_html(blocks: Sequence[_Block], title: str, extra: Sequence[str] = ()) -> str:
    esc = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{esc(title)}</title>",
           f"<style>{_CSS}</style>", "</head>", "<body>"]
    out += _html_blocks(blocks, _headings(blocks))
    out += list(extra)
    out += [f"<script>{_OPEN_DETAILS}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _headings(blocks: Sequence[_Block]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for block in blocks:
        if isinstance(block, _Heading) and block.level in (2, 3):
            found.append((block.level, block.text))
        elif isinstance(block, _Details):
            found += _headings(block.blocks)
    return found


def _toc_html(headings: list[tuple[int, str]]) -> list[str]:
    esc = html.escape
    out = ['<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>']
    open_sub = False
    for level, text in headings:
        if level == 3 and not open_sub:
            out.append("<ul>")
            open_sub = True
        elif level == 2 and open_sub:
            out.append("</ul>")
            open_sub = False
        out.append(f'<li><a href="#{_anchor(text)}">{esc(text)}</a></li>')
    if open_sub:
        out.append("</ul>")
    out.append("</ul></nav>")
    return out


def _html_blocks(blocks: Sequence[_Block], headings: list[tuple[int, str]] | None = None) -> list[str]:
    esc = html.escape
    out: list[str] = []
    for block in blocks:
        if isinstance(block, _Toc):
            out += _toc_html(headings or [])
        elif isinstance(block, _Details):
            out.append(f"<details><summary>{esc(block.summary)}</summary>")
            out += _html_blocks(block.blocks, headings)
            out.append("</details>")
        elif isinstance(block, _Heading):
            out.append(f'<h{block.level} id="{_anchor(block.text)}">{esc(block.text)}</h{block.level}>')
        elif isinstance(block, _Para):
            out.append(f"<p>{esc(block.text)}</p>")
        elif isinstance(block, _Table):
            out.append('<div class="table-wrap"><table>')
            out.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in block.headers) + "</tr></thead><tbody>")
            cells = block.html_rows if block.html_rows is not None else tuple(tuple(esc(c) for c in row) for row in block.rows)
            out += ["<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells]
            out.append("</tbody></table></div>")
            if block.more:
                where = f' in <a href="{esc(block.csv)}">{esc(block.csv)}</a>' if block.csv else ""
                out.append(f'<p class="more">… and {block.more} more rows{where}.</p>')
        else:
            links = " · ".join(f'<a href="{esc(path)}">{label}</a>' for label, path in block.links())
            out.append(f'<figure><img src="{esc(block.shown)}" alt="{esc(block.alt)}" loading="lazy">'
                       f"<figcaption>{links}</figcaption></figure>")
    return out


# ----------------------------------------------------------------------------------------------- comment size

#: GitHub refuses a pull-request comment longer than this many characters.
COMMENT_LIMIT = 65_536
_ROW_CAPS = (50, 20, 5, 0)


def _shorter(blocks: Sequence[_Block], cap: int) -> list[_Block]:
    """The blocks with every table inside a collapsible section cut to ``cap`` rows."""
    out: list[_Block] = []
    for block in blocks:
        if isinstance(block, _Details):
            inner = [_cut_table(b, cap) if isinstance(b, _Table) else b for b in _shorter(block.blocks, cap)]
            out.append(_Details(block.summary, tuple(inner)))
        else:
            out.append(block)
    return out


def _cut_table(table: _Table, cap: int) -> _Table:
    if len(table.rows) <= cap:
        return table
    html_rows = table.html_rows[:cap] if table.html_rows is not None else None
    return _Table(table.headers, table.rows[:cap], table.more + len(table.rows) - cap, table.csv, html_rows)


def _folded(blocks: Sequence[_Block]) -> list[_Block]:
    return [_Details(b.summary, (_Para("Left out of this comment to fit GitHub's size limit: see index.html and the CSVs."),))
            if isinstance(b, _Details) else b for b in blocks]


def fit_comment(blocks: Sequence[_Block], limit: int = COMMENT_LIMIT) -> str:
    """The Markdown of ``blocks`` under ``limit`` characters: as it is when it fits, else with the tables of
    the collapsible sections cut shorter, then with those sections emptied, saying what was cut."""
    text = _to_markdown(blocks)
    if len(text) <= limit:
        return text
    for cap in _ROW_CAPS:
        shorter = _to_markdown(_shorter(blocks, cap))
        note = (f"\n_Cut to fit GitHub's {limit:,}-character comment limit: the tables in the collapsed sections show "
                f"at most {cap} rows; index.html and the CSVs hold every row._\n")
        if len(shorter) + len(note) <= limit:
            return shorter + note
    folded = _to_markdown(_folded(blocks))
    note = (f"\n_Cut to fit GitHub's {limit:,}-character comment limit: the collapsed sections are left out; "
            "index.html and the CSVs hold everything._\n")
    if len(folded) + len(note) <= limit:
        return folded + note
    note = f"\n\n_Cut at {limit:,} characters (GitHub's comment limit); index.html and the CSVs hold everything._\n"
    return folded[: limit - len(note)] + note


# ----------------------------------------------------------------------------------------------- charts


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "mesh"
    if slug == name:
        return slug
    # Meshes "a b" and "a-b" must not write the same chart file: a name that had to change keeps a digest.
    return f"{slug}-{hashlib.sha256(name.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


def chart_formats(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """The chart formats of ``value``: "svg", "png", "svg,png" (or a sequence of them); None is the default,
    SVG.  Refuses an unknown format, saying which are known."""
    if value is None:
        return ("svg",)
    names = value.split(",") if isinstance(value, str) else list(value)
    formats = tuple(dict.fromkeys(n.strip().lower() for n in names if n.strip()))
    unknown = [f for f in formats if f not in CHART_FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown chart format {', '.join(unknown) or repr(value)}; known: {', '.join(CHART_FORMATS)}")
    return formats


@dataclass(frozen=True)
class _Charts:
    """Where a report's charts go (``out/charts``) and in which formats."""

    out: Path
    formats: tuple[str, ...] = ("svg",)

    def save(self, fig: Any, name: str, alt: str) -> _Image:
        """Save ``fig`` as charts/NAME.FORMAT for each format, with deterministic bytes (no PNG Software
        chunk, no SVG Date, a fixed id salt), and return the block that shows it."""
        import matplotlib

        files = tuple(f"charts/{name}.{fmt}" for fmt in self.formats)
        (self.out / "charts").mkdir(parents=True, exist_ok=True)
        # Images (the route matrix) are not composited into one: an SVG then embeds each at its own size
        # (a cell per pixel, drawn pixelated) instead of one resampled to the whole figure at _DPI.  Text stays
        # text (svg.fonttype "none"): a fifth of the bytes and less time than a path per glyph, and a
        # reviewer's find-in-page reaches the names in the charts.
        rc = {"svg.hashsalt": _SVG_SALT, "image.composite_image": False, "svg.fonttype": "none"}
        with matplotlib.rc_context(rc):
            for fmt, file in zip(self.formats, files):
                metadata = {"Software": None} if fmt == "png" else {"Date": None}
                fig.savefig(self.out / file, format=fmt, dpi=_DPI, metadata=metadata)
        return _Image(alt, files)


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(min(max(width, 5.0), 40.0), min(max(height, 2.5), 60.0)), layout="constrained")


def _label_room(labels: Iterable[str]) -> float:
    """Inches for the widest tick label at about 8 pt (0.6 em per character)."""
    return max((len(str(s)) for s in labels), default=0) * 8 * 0.6 / 72


@dataclass(frozen=True)
class _Frames:
    """A resolution-shaped view of filtered frames for the plotting helpers."""

    routes: pd.DataFrame
    backends: pd.DataFrame


_MATRIX_CELLS = 120  # rows and columns of a route-matrix chart; the least configured fold into "… N other"


def _chart_matrix(frames: _Frames, mesh: str, charts: _Charts, name: str) -> _Image:
    routes = frames.routes
    n_rows = min(routes["source"].nunique(), _MATRIX_CELLS)
    n_cols = min(routes["destination"].nunique(), _MATRIX_CELLS)
    room = min(_label_room(plotting._shorten(s, 28) for s in routes["source"].unique()), 2.4)
    width = 0.16 * n_cols + room + 3.5
    height = 0.16 * n_rows + min(_label_room(plotting._shorten(d, 28) for d in routes["destination"].unique()), 2.4) + 1.5
    fig = _figure(width, height)
    plotting.plot_route_matrix(frames, mesh=mesh, max_rows=_MATRIX_CELLS, max_cols=_MATRIX_CELLS, ax=fig.subplots())
    return charts.save(fig, name, f"Winning route type per pair, mesh {mesh}")


def _chart_splits(frames: _Frames, mesh: str, charts: _Charts, name: str, notable: int, palette: Any = None) -> _Image:
    """The splits chart of the mesh's ``notable`` non-trivial pairs (the _SPLIT_BARS most interesting)."""
    fig = _figure(14.0, 0.24 * min(notable, _SPLIT_BARS) + 2.8)  # labels take at most 30% of the width; the legend sits below
    plotting.plot_splits(frames, mesh=mesh, nontrivial=True, max_pairs=_SPLIT_BARS, palette=palette, ax=fig.subplots())
    return charts.save(fig, name, f"Traffic splits, mesh {mesh}")


def _chart_weights(repo: Any, charts: _Charts, palette: Any = None) -> tuple[int, _Image | None]:
    """Draw at most _WEIGHT_BARS bars (one per backendRef; thousands would take minutes to draw and be
    unreadable): how many were drawn, and the chart (none when no policy has backendRefs)."""
    backends = repo.backends
    if backends.empty:
        return 0, None
    bars = min(len(backends), _WEIGHT_BARS)
    fig = _figure(14.0, 0.3 * bars + 1.8)
    plotting.plot_weights(repo, max_bars=_WEIGHT_BARS, palette=palette, ax=fig.subplots())
    return bars, charts.save(fig, "weights", "Configured backendRef weights")


def _drawn(what: str, draw: Callable[[], Any], blocks: list[Any]) -> Any:
    """Draw one chart; a chart that cannot be drawn (a weight of -2**56 overflows the font engine) is a note
    in the report, never the end of the report.  Names are text, not TeX: a "$x$" in a policy or service
    name must not go to matplotlib's mathtext parser (which refuses most of them)."""
    import matplotlib

    try:
        with matplotlib.rc_context({"text.parse_math": False}):
            return draw()
    except (ValueError, OverflowError, TypeError, RuntimeError, MemoryError) as exc:
        blocks.append(_Para(f"The {what} chart could not be drawn ({type(exc).__name__}: {str(exc)[:200]})."))
        return None


# ----------------------------------------------------------------------------------------------- content


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(frame: pd.DataFrame, columns: Sequence[str], csv: str, headers: Sequence[str] | None = None,
           total: int | None = None) -> _Table:
    """The first _TABLE_ROWS rows of ``frame`` as text; ``total`` is the row count when ``frame`` is
    already those first rows of a longer one."""
    shown = frame.head(_TABLE_ROWS)
    rows = tuple(tuple(_text(v) for v in row) for row in shown[list(columns)].itertuples(index=False))
    return _Table(tuple(headers or columns), rows, max(0, (len(frame) if total is None else total) - len(shown)), csv)


def _sorted_findings(findings: pd.DataFrame | None) -> pd.DataFrame:
    if findings is None:
        return pd.DataFrame(columns=_FINDING_COLUMNS)
    frame = findings.copy()
    for c in _FINDING_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    rank = frame["severity"].map({s: i for i, s in enumerate(_SEVERITIES)}).fillna(len(_SEVERITIES))
    order = frame.assign(_rank=rank, _file=frame["file"].fillna("").astype(str),
                         _line=pd.to_numeric(frame["line"], errors="coerce").fillna(0))
    order = order.sort_values(["_rank", "code", "_file", "_line", "message"], kind="stable")
    return order.drop(columns=["_rank", "_file", "_line"]).reset_index(drop=True)


_FINDINGS_PER_CODE = 100  # rows of one code's table; findings.csv holds every one


@dataclass(frozen=True)
class _Links:
    """Where the report links to: finding codes (``help_base_url``: the project's docs; None: the code
    glossary at the end of the page) and file:line (``source_url``: the base the finding files are relative
    to, e.g. ``https://github.com/ORG/REPO/blob/SHA``; None: no link, the report stays offline)."""

    help_base_url: str | None = None
    source_url: str | None = None

    def code(self, code: str) -> str:
        known = _code_info(code)
        if self.help_base_url and known is not None:
            return f'<a class="code" href="{html.escape(known.help_uri(self.help_base_url))}">{html.escape(code)}</a>'
        if known is not None:
            return f'<a class="code" href="#{html.escape(known.anchor)}">{html.escape(code)}</a>'
        return html.escape(code)

    def where(self, file: str, line: str) -> str:
        text = f"{file}:{line}" if file and line else file
        if not file or not self.source_url:
            return html.escape(text)
        url = f"{self.source_url.rstrip('/')}/{file.lstrip('./')}" + (f"#L{line}" if line else "")
        return f'<a href="{html.escape(url)}">{html.escape(text)}</a>'


def _code_info(code: str) -> Any:
    try:
        from .audit.codes import code as lookup

        return lookup(code)
    except (ImportError, KeyError, ValueError):
        return None


def _badge(severity: str) -> str:
    return f'<span class="sev sev-{html.escape(severity)}">{html.escape(severity)}</span>' if severity else ""


def _findings_blocks(findings: pd.DataFrame | None, sorted_findings: pd.DataFrame, links: _Links | None = None) -> list[_Block]:
    """The findings, one summary row per code (errors first), then one collapsed table per code: the
    first screen is what kinds of problem there are, not the first fifty of one kind."""
    links = links or _Links()
    blocks: list[_Block] = [_Heading(2, "Findings")]
    if findings is None:
        return blocks + [_Para("The audit was not run (meshroute_analysis.audit is not available).")]
    if sorted_findings.empty:
        return blocks + [_Para("No findings.")]
    counts = sorted_findings["severity"].value_counts()
    summary = ", ".join(f"{int(counts.get(s, 0))} {s}" for s in _SEVERITIES)
    files = [_text(f) for f in sorted_findings["file"]]
    lines = [_text(line) for line in sorted_findings["line"]]
    shown = sorted_findings.assign(where=[f"{f}:{n}" if f and n else f for f, n in zip(files, lines)],
                                   _file=files, _line=lines)
    codes = list(dict.fromkeys(shown["code"].astype(str)))
    rows, html_rows, sections = [], [], []
    for code in codes:
        of_code = shown[shown["code"].astype(str) == code]
        first = of_code.iloc[0]
        info = _code_info(code)
        title = info.title if info is not None else _text(first.get("title", ""))
        severity = _text(first["severity"])
        n = len(of_code)
        rows.append((severity, code, title, str(n), _text(first["where"])))
        html_rows.append((_badge(severity), links.code(code), html.escape(title), str(n),
                          links.where(_text(first["_file"]), _text(first["_line"]))))
        table = _table(of_code.head(_FINDINGS_PER_CODE), ["severity", "code", "message", "where", "path", "pair"],
                       "findings.csv")
        cut = _Table(table.headers, table.rows, n - len(table.rows), "findings.csv", tuple(
            (_badge(_text(r["severity"])), links.code(code), html.escape(_text(r["message"])),
             links.where(_text(r["_file"]), _text(r["_line"])), html.escape(_text(r["path"])), html.escape(_text(r["pair"])))
            for _, r in of_code.head(_FINDINGS_PER_CODE).iterrows()))
        sections.append(_Details(f"{code} {title}: {_count(n, 'finding')} ({severity})", (cut,)))
    return blocks + [
        _Para(f"{len(sorted_findings)} findings: {summary}; {_count(len(codes), 'code')}. One row per code below; "
              "open a code for its findings (findings.csv holds every one)."),
        _Table(("severity", "code", "finding", "count", "first at"), tuple(rows), 0, "", tuple(html_rows)),
        *sections,
    ]


def _glossary(sorted_findings: pd.DataFrame, links: _Links) -> list[str]:
    """The HTML of what each code found means (the anchors the code links point to without a docs URL)."""
    if sorted_findings.empty:
        return []
    out = ['<h2 id="finding-codes">Finding codes</h2>', '<dl class="codes">']
    for code in dict.fromkeys(sorted_findings["code"].astype(str)):
        info = _code_info(code)
        if info is None:
            continue
        out.append(f'<dt id="{html.escape(info.anchor)}">{html.escape(code)} {_badge(info.severity)} '
                   f"{html.escape(info.title)}</dt><dd>{html.escape(info.description)}</dd>")
    out.append("</dl>")
    return out


def _route_summary(routes: pd.DataFrame) -> _Table:
    counts = routes.groupby("route_type").size()
    blocked = routes[~routes["forwards"].astype(bool)].groupby("route_type").size()
    order = [t for t in plotting.ROUTE_TYPE_STYLES if t in counts.index] + sorted(set(counts.index) - set(plotting.ROUTE_TYPE_STYLES))
    rows = tuple((t, str(int(counts[t])), str(int(blocked.get(t, 0)))) for t in order)
    return _Table(("winning route type", "pairs", "forwarding nowhere"), rows)


def _split_text(backends: pd.DataFrame, pairs: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
    """"backend 90%, backend 10%" (per HTTP route: "[route] ...") of each (mesh, source, destination) of
    ``pairs``.  Only the pairs a table shows are asked for: building the text of every pair of a large mesh
    took most of a report's time."""
    wanted = set(pairs)
    if not wanted:
        return {}
    # Narrow by column first (cheap, vectorised), then keep the exact pairs.
    near = backends[backends["source"].isin({s for _, s, _ in wanted}) & backends["destination"].isin({d for _, _, d in wanted})]
    parts: dict[tuple[str, str, str], list[str]] = {}
    route = near["route"].fillna("") if "route" in near.columns else pd.Series("", index=near.index)
    for (m, s, d, r, b, share) in zip(near["mesh"], near["source"], near["destination"], route,
                                      near["backend"], near["share"]):
        if (m, s, d) in wanted:
            prefix = f"[{r}] " if r else ""
            parts.setdefault((m, s, d), []).append(f"{prefix}{b} {plotting._percent(float(share))}")
    return {k: "; ".join(v) for k, v in parts.items()}


def _mesh_blocks(mesh: str, routes: pd.DataFrame, backends: pd.DataFrame, charts: _Charts, progress: Progress,
                 palette: Any = None) -> list[_Block]:
    slug = _slug(mesh)
    frames = _Frames(routes, backends)
    blocks: list[_Block] = [_Heading(3, f"Mesh {mesh}")]
    n_sources, n_dest = routes["source"].nunique(), routes["destination"].nunique()
    blocks.append(_Para(f"{_count(n_sources, 'source')}, {_count(n_dest, 'destination')}, {_count(len(routes), 'pair')}."))
    blocks.append(_route_summary(routes))
    progress(f"chart: route matrix of mesh {mesh}")
    matrix = _drawn("route matrix", lambda: _chart_matrix(frames, mesh, charts, f"route-matrix-{slug}"), blocks)
    if matrix is not None:
        blocks.append(matrix)
    key = ["mesh", "source", "destination"]
    trivial = plotting._trivial_pairs(backends)
    notable = routes[~pd.MultiIndex.from_frame(routes[key]).isin(trivial)].sort_values(key)
    if notable.empty:
        blocks.append(_Para("Every pair sends all of its traffic to the destination itself."))
        return blocks
    progress(f"chart: splits of mesh {mesh}")
    image = _drawn("splits", lambda: _chart_splits(frames, mesh, charts, f"splits-{slug}", len(notable), palette), blocks)
    drawn = min(len(notable), _SPLIT_BARS)
    note = f" (the {drawn} most interesting of {len(notable)}: forwarding nowhere, then split, then redirected)" \
        if image is not None and drawn < len(notable) else ""
    blocks.append(_Para(f"Pairs whose traffic is split, redirected or goes nowhere{note}; every other pair "
                        "sends all of its traffic to the destination itself."))
    if image is not None:
        blocks.append(image)
    shown = notable.head(_TABLE_ROWS)  # _table shows no more; the rest are counted, and in routes.csv
    idx = list(zip(shown["mesh"], shown["source"], shown["destination"]))
    splits = _split_text(backends, idx)
    table = shown.assign(split=[splits.get(k, "") for k in idx])
    blocks.append(_table(table, ["source", "destination", "route_type", "policies", "split", "status"], "routes.csv",
                         ["source", "destination", "route type", "policies (merge order)", "split", "status"],
                         total=len(notable)))
    return blocks


def _overview(repo: Any, res: Any, routes: pd.DataFrame) -> list[_Block]:
    sources = getattr(repo, "sources", ()) or ()
    rev = getattr(repo, "rev", None)
    version = getattr(res, "kuma_version", "2.5")
    documents = repo.documents
    status = documents["status"].value_counts() if "status" in documents.columns else pd.Series(dtype=int)
    docs = ", ".join(f"{int(status.get(s, 0))} {s}" for s in ("loaded", "skipped", "invalid", "error"))
    lines: list[_Block] = [
        _Heading(1, "Route review" + (f": {', '.join(map(str, sources))}" if sources else "")),
        _Para(f"Kuma {version} semantics, resolved offline" + (f" at revision {rev}" if rev else "") + ". "
              f"{len(documents)} documents ({docs}); {len(repo.policies)} route policies; "
              f"{routes['mesh'].nunique()} meshes; {len(routes[['mesh', 'source']].drop_duplicates())} sources; "
              f"{len(routes)} pairs."),
        _Para(_settings_text(repo)),
    ]
    return lines


def _settings_text(repo: Any) -> str:
    """Which config file the run used and what it left out, so a reviewer knows what was not looked at."""
    config = getattr(repo, "config", None)
    path = config.path if config is not None else None
    text = f"Config: {path}." if path is not None else "Config: none (no .meshroute.toml or [tool.meshroute] used)."
    excluded = getattr(repo, "excluded", None) or {}
    if excluded:
        text += f" {_count(len(excluded), 'file')} excluded ({', '.join(sorted(set(excluded.values())))})."
    return text


def _csv(frame: pd.DataFrame, columns: Sequence[str], path: Path) -> None:
    present = [c for c in columns if c in frame.columns]
    out = frame[present].copy()
    for c in present:  # tuples and dicts as stable text
        if out[c].dtype == object:
            out[c] = _texts(out[c])
    write_csv(out, path)


def _texts(column: pd.Series) -> pd.Series:
    """``_text`` of every cell, worked out once per distinct value (a million pairs share a few thousand
    policy lists)."""
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
    except TypeError:  # unhashable cells (lists, dicts)
        return column.map(_text)
    return pd.Series(np.array([_text(v) for v in uniques], dtype=object)[codes], index=column.index, dtype=object)


def _progress_for(progress: Progress | bool | None) -> Progress:
    if callable(progress):
        return progress
    if progress is None and sys.stderr.isatty():
        return lambda message: print(f"meshroute report: {message}", file=sys.stderr, flush=True)
    return lambda message: None


def write_report(
    repo: Any,
    res: Any,
    findings: pd.DataFrame | None,
    out_dir: str | Path,
    *,
    mesh: str | None = None,
    progress: Progress | bool | None = None,
    diff: Any = None,
    source_url: str | None = None,
    help_base_url: str | None = None,
    formats: str | Sequence[str] | None = None,
) -> Path:
    """Write the review report of ``repo`` / ``res`` (and the audit's ``findings``, or None when the audit
    was not run) into ``out_dir`` (created) and return the path of ``report.md``.

    ``mesh`` limits the routes and charts to one mesh.  ``progress`` is a callable that receives one line
    per step; None prints them on stderr when stderr is a terminal; False is silent.  ``diff`` (a
    :class:`~meshroute_analysis.diff.Diff` whose after side is ``repo``) opens the report with what the
    change does.  report.md is a pull-request comment: the summary first, the details collapsed, and cut
    to fit GitHub's comment limit (it says what was cut).  ``source_url`` (the URL the finding files are
    relative to, e.g. ``https://github.com/ORG/REPO/blob/SHA``) links every file:line; ``help_base_url``
    (where the project's docs are browsable) links codes to docs/findings.md, else to the page's own
    glossary.  Without them the report links nothing outside its directory.  ``formats`` are the chart
    formats (:data:`CHART_FORMATS`, e.g. "svg", "png" or ("svg", "png")); the default is SVG alone.
    """
    links = _Links(help_base_url=help_base_url, source_url=source_url)
    say = _progress_for(progress)
    out = Path(out_dir)
    charts = _Charts(out, chart_formats(formats))
    (out / "charts").mkdir(parents=True, exist_ok=True)
    key = ["mesh", "source", "destination"]
    routes = res.routes.sort_values(key, kind="stable").reset_index(drop=True)
    backends = res.backends
    if mesh is not None:
        # A mesh of the repository with no pairs is known (audit accepts it too): its report just has no routes.
        known = set(routes["mesh"]) | set(getattr(getattr(repo, "content", None), "meshes", None) or ())
        if mesh not in known:
            raise UsageError(f"meshroute report: unknown mesh {mesh!r}; meshes: {', '.join(sorted(known))}")
        routes = routes[routes["mesh"] == mesh]
        backends = backends[backends["mesh"] == mesh]
    sorted_findings = _sorted_findings(findings)
    palette = plotting.backend_palette(res, repo)  # one style per backend in every chart of the report
    blocks: list[_Block] = _overview(repo, res, routes)
    blocks.append(_Toc())
    if diff is not None:
        from .diff.review import diff_blocks

        blocks += diff_blocks(diff, out, mesh=mesh, progress=say, charts=charts)
    blocks += _findings_blocks(findings, sorted_findings, links)
    blocks.append(_Heading(2, "Routes"))
    blocks.append(_Para("Which route wins for every (source, destination) pair and where its traffic goes; "
                        "routes.csv and backends.csv hold every row."))
    for name in sorted(routes["mesh"].unique()):
        of_mesh = routes[routes["mesh"] == name]
        summary = f"Mesh {name}: {_count(of_mesh['source'].nunique(), 'source')}, {_count(len(of_mesh), 'pair')}"
        blocks.append(_Details(summary, tuple(_mesh_blocks(name, of_mesh, backends[backends["mesh"] == name], charts, say,
                                                           palette))))
    blocks.append(_Heading(2, "Configured weights"))
    say("chart: configured weights")
    drawn_weights, weights = _drawn("weights", lambda: _chart_weights(repo, charts, palette), blocks) or (None, None)
    if drawn_weights:
        total = len(repo.backends)
        cut = (_Para(f"The first {drawn_weights} of {total} backendRefs; backends.csv holds every row."),) if drawn_weights < total else ()
        blocks.append(_Details("Configured backendRef weights (chart)", (*cut, weights)))
    elif drawn_weights is not None:
        blocks.append(_Para("No policy in the repository configures backendRefs."))
    say("tables: findings.csv, routes.csv, backends.csv")
    _csv(sorted_findings, _FINDING_COLUMNS, out / "findings.csv")
    _csv(routes, _ROUTE_COLUMNS, out / "routes.csv")
    _csv(backends.sort_values([*key, "backend"], kind="stable") if not backends.empty else backends, _BACKEND_COLUMNS,
         out / "backends.csv")
    say("documents: report.md, index.html")
    report = out / "report.md"
    # A file name that is not UTF-8 reaches us with surrogate escapes: written as \udcxx, not a crash.
    report.write_text(fit_comment(blocks), encoding="utf-8", errors="backslashreplace")
    title = blocks[0].text if isinstance(blocks[0], _Heading) else "Route review"
    (out / "index.html").write_text(_to_html(blocks, title, _glossary(sorted_findings, links)), encoding="utf-8",
                                    errors="backslashreplace")
    say(f"done: {report}")
    return report


# ----------------------------------------------------------------------------------------------- CLI


def _link_options(args: argparse.Namespace) -> dict[str, str | None]:
    return {"source_url": getattr(args, "source_url", None), "help_base_url": getattr(args, "help_base_url", None)}


def run_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``report`` subcommand: stdout gets the path of report.md (pure), stderr the human notes."""
    from .audit import audit, exit_status
    from .resolve import resolve

    formats = chart_formats(getattr(args, "chart_format", None))  # refused before the work, not after it
    isatty = getattr(err, "isatty", None)

    def progress(message: str) -> None:
        err.write(f"meshroute report: {message}\n")

    say: Progress | bool = progress if isatty and isatty() else False
    _warn_inside_analysed(args, err)
    if getattr(args, "base", None) is not None:  # --base '' is refused by the loader, not taken for no base
        return _run_review(args, out, err, say, formats)
    if callable(say):
        say("loading")
    repo = load(args, err)
    if callable(say):
        say("resolving")
    res = resolve(repo, kuma_version=kuma_version(args, repo.config))
    if callable(say):
        say("auditing")
    # The same findings as `meshroute audit` with the same flags (--mesh included), so the same exit status.
    findings = audit(repo, res, skip=skips(args, repo.config, err), mesh=args.mesh)
    try:
        report = write_report(repo, res, findings, args.out_dir, mesh=args.mesh, progress=say, formats=formats,
                              **_link_options(args))
    except OSError as exc:
        raise UsageError(f"meshroute report: cannot write the report to {args.out_dir}: {exc.strerror or exc}") from None
    out.write(f"{report}\n")
    n = len(findings)
    err.write(f"meshroute report: {report} and {report.parent / 'index.html'} written ({n} finding{'' if n == 1 else 's'})\n")
    # The same status as `meshroute audit` on the same input: 79 for findings at --fail-on, 65 for
    # unreadable input, 0 otherwise.
    return exit_status(findings, fail_on(args, repo.config))


def _warn_inside_analysed(args: argparse.Namespace, err: TextIO) -> None:
    """Say so when -o lies inside a directory being analysed: the report would then sit among the policies
    it describes (and a later run over that directory walks it)."""
    out = Path(args.out_dir).resolve()
    for raw in args.paths:
        if str(raw) == "-":
            continue
        given = Path(raw).resolve()
        if given.is_dir() and (out == given or given in out.parents):
            err.write(f"meshroute report: warning: -o {args.out_dir} lies inside the analysed directory {raw}; "
                      "write the report outside the repository you analyse (e.g. -o build/meshroute-report from "
                      "the repository root, with PATH policies/)\n")
            return


def _run_review(args: argparse.Namespace, out: TextIO, err: TextIO, say: Progress | bool,
                formats: tuple[str, ...] = ("svg",)) -> int:
    """``report --base REV``: the report of the after side, opened by what the change does; the exit
    status counts the findings the change introduces, as ``meshroute diff`` does."""
    from .diff.cli import diff_exit_status
    from .diff.result import diff
    from .io.memo import ParseMemo
    from .repo import load_repo

    if callable(say):
        say(f"loading {args.base} and {args.rev or 'the working tree'}")
    memo = ParseMemo()
    after = load(args, err, memo=memo)
    before = load_repo(args.paths, rev=args.base, system_namespaces=args.system_namespace, exclude=args.exclude,
                       config=after.config, memo=memo, cache=load_cache(args))
    d = diff(before, after, skip=skips(args, after.config, err), kuma_version=kuma_version(args, after.config))
    if callable(say):
        say("resolving and auditing both sides")
    res, findings = d.resolution("after"), d.audit("after")
    try:
        report = write_report(after, res, findings, args.out_dir, mesh=args.mesh, progress=say, diff=d,
                              formats=formats, **_link_options(args))
    except OSError as exc:
        raise UsageError(f"meshroute report: cannot write the report to {args.out_dir}: {exc.strerror or exc}") from None
    out.write(f"{report}\n")
    err.write(f"meshroute report: {report} and {report.parent / 'index.html'} written; {d.verdict}\n")
    return diff_exit_status(d, fail_on(args, after.config), args.mesh)

