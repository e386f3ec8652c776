"""One pair's split as SVG markup, for the explorer to show without a matplotlib round trip.

The explorer's live view is this SVG inside an HTML widget: the browser draws it, so a pick or a slider
move costs the kernel a string of a few kilobytes instead of a matplotlib draw and a PNG encode (see
``benchmarks/bench_explorer_browser.py``).  It shows what :func:`~.plotting.plot_split` shows, from the
same rows and the same palette (colour and hatch per backend): one bar per backend (per HTTP route), its
length the share, labelled with the percentage and weight; in what-if mode a thin outlined bar above each
one gives the configured share.  Static views (``Explorer.figure()``, exports, ``plot_split``) stay
matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd

from . import plotting

__all__ = ["message_svg", "split_svg"]

_WIDTH = 600
_LEFT = 196  # the label column
_RIGHT = 14
PLOT_WIDTH = _WIDTH - _LEFT - _RIGHT  # px of a 100% bar
_TOP = 44  # two title lines
_BOTTOM = 40  # the axis, its ticks and its label
_ROW = 26
_ROW_WHAT_IF = 34  # room for the configured bar above the what-if one
_FONT = "font-family='DejaVu Sans, Arial, sans-serif'"
_CHAR_PX = 6.3  # about the advance of one character at 11 px, to decide where a label fits
_LABEL_CHARS = 30
_TITLE_CHARS = 92
_HATCH_PATHS = {  # 8 x 8 pattern tiles, drawn in the backend's edge colour
    "//": "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4",
    "\\\\": "M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4",
    "xx": "M0,0 l8,8 M8,0 l-8,8",
    "--": "M0,4 h8",
    "..": "M2,2 h0.01 M6,6 h0.01",
    "oo": "M4,1.5 a2.5,2.5 0 1,0 0.01,0",
}


@dataclass(frozen=True)
class _Bar:
    """One bar: its label (full and shortened), its share, style and text, and the configured share."""

    label: str
    full: str
    share: float
    style: Mapping[str, Any]
    text: str
    configured: float | None


def split_svg(route: Mapping[str, Any], rows: pd.DataFrame, styles: Mapping[str, Mapping[str, Any]], *,
              what_if: bool = False, configured: pd.DataFrame | None = None) -> str:
    """The split of one pair (``route``: its row of ``res.routes``; ``rows``: its rows of ``res.backends``,
    or what-if rows from ``res.reweigh``) as an ``<svg>`` element."""
    title = [f"{plotting._shorten(str(route['source']), 44)}{plotting._ARROW}"
             f"{plotting._shorten(str(route['destination']), 44)}",
             f"{route['route_type']}, mesh {route['mesh']}"]
    if what_if:
        title[1] += " (what-if weights" + ("; outlined: configured)" if configured is not None else ")")
    bars = _bars(rows, styles, configured)
    row = _ROW_WHAT_IF if any(b.configured is not None for b in bars) else _ROW
    height = _TOP + max(1, len(bars)) * row + _BOTTOM
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' class='mra-split-svg' width='{_WIDTH}' height='{height}' "
             f"viewBox='0 0 {_WIDTH} {height}' role='img' {_FONT} font-size='11'>",
             f"<title>{escape(' '.join(title))}</title>", _patterns(bars),
             f"<rect width='{_WIDTH}' height='{height}' fill='white'/>"]
    parts += [f"<text x='{_WIDTH / 2}' y='{16 + 15 * i}' text-anchor='middle' font-size='{12 if i == 0 else 11}'>"
              f"{escape(plotting._shorten(line, _TITLE_CHARS))}</text>" for i, line in enumerate(title)]
    plot_w = PLOT_WIDTH
    bottom = height - _BOTTOM
    parts.append(_axis(plot_w, bottom, _xlabel(rows)))
    if not bars:
        message = f"no backend: {route.get('status', '')}"
        parts.append(f"<text x='{_LEFT + plot_w / 2}' y='{_TOP + row / 2 + 4}' text-anchor='middle'>"
                     f"{escape(plotting._shorten(message, 60))}</text>")
    for i, bar in enumerate(bars):
        parts.append(_bar(bar, _TOP + i * row, row, plot_w))
    if not bool(route.get("forwards", True)):
        note = f"{plotting._NO_FORWARD_MARKER} forwards nowhere: {route.get('status', '')}"
        parts.append(f"<text x='{_WIDTH - _RIGHT}' y='{bottom - 4}' text-anchor='end' font-size='10'>"
                     f"{escape(plotting._shorten(note, 70))}</text>")
    parts.append("</svg>")
    return "".join(parts)


def message_svg(message: str) -> str:
    """A chart-sized ``<svg>`` that says only ``message`` (no pair selected, say)."""
    height = _TOP + _ROW + _BOTTOM
    return (f"<svg xmlns='http://www.w3.org/2000/svg' class='mra-split-svg' width='{_WIDTH}' height='{height}' "
            f"viewBox='0 0 {_WIDTH} {height}' role='img' {_FONT} font-size='12'>"
            f"<rect width='{_WIDTH}' height='{height}' fill='white'/>"
            f"<text x='{_WIDTH / 2}' y='{height / 2}' text-anchor='middle'>{escape(message)}</text></svg>")


def _bars(rows: pd.DataFrame, styles: Mapping[str, Mapping[str, Any]],
          configured: pd.DataFrame | None) -> list[_Bar]:
    if rows.empty:
        return []
    routes = plotting._route_of(rows).tolist()
    several_routes = len(set(routes)) > 1 or any(routes)
    before = None
    if configured is not None and len(configured) == len(rows):
        before = configured["share"].astype(float).tolist()
    notes = rows["note"].fillna("").astype(str).tolist() if "note" in rows.columns else [""] * len(rows)
    out = []
    for i, (backend, share, weight, carried) in enumerate(zip(
            rows["backend"].astype(str), rows["share"].astype(float), rows["weight"], plotting._in_split(rows),
            strict=True)):
        full = f"[{routes[i]}] {backend}" if several_routes else backend
        label = (plotting._shorten(f"[{routes[i]}] ", 12) + plotting.short_backend(backend, _LABEL_CHARS - 12)
                 if several_routes else plotting.short_backend(backend, _LABEL_CHARS))
        note = "" if carried else f" ({notes[i]})" if notes[i] else " (not in split)"
        text = f"{plotting._percent(share)} · weight {plotting._weight_text(weight)}{note}"
        if before is not None:
            text += f" (configured {plotting._percent(before[i])})"
        out.append(_Bar(label, full, share, styles.get(backend, {}), text,
                        None if before is None else before[i]))
    return out


def _pattern_id(hatch: str, edge: str) -> str:
    return "mra-h" + "".join(f"{ord(c):x}" for c in hatch + edge)


def _patterns(bars: Sequence[_Bar]) -> str:
    seen: dict[str, str] = {}
    for bar in bars:
        hatch, edge = str(bar.style.get("hatch") or ""), str(bar.style.get("edgecolor", "#333333"))
        if hatch in _HATCH_PATHS:
            seen.setdefault(_pattern_id(hatch, edge),
                            f"<pattern id='{_pattern_id(hatch, edge)}' width='8' height='8' patternUnits='userSpaceOnUse'>"
                            f"<path d='{_HATCH_PATHS[hatch]}' stroke='{escape(edge)}' stroke-width='1' fill='none'/>"
                            "</pattern>")
    return f"<defs>{''.join(seen.values())}</defs>" if seen else ""


def _axis(plot_w: float, bottom: float, label: str) -> str:
    parts = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = _LEFT + tick * plot_w
        parts.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{_TOP - 4}' y2='{bottom}' stroke='#e4e4e4'/>"
                     f"<text x='{x:.1f}' y='{bottom + 14}' text-anchor='middle' font-size='10'>{tick:.0%}</text>")
    parts.append(f"<line x1='{_LEFT}' x2='{_LEFT + plot_w}' y1='{bottom}' y2='{bottom}' stroke='#333'/>"
                 f"<text x='{_LEFT + plot_w / 2}' y='{bottom + 30}' text-anchor='middle' font-size='10'>"
                 f"{escape(label)}</text>")
    return "".join(parts)


def _xlabel(rows: pd.DataFrame) -> str:
    http = not rows.empty and plotting._route_of(rows).ne("").any()
    return "share of the HTTP route's traffic" if http else "share of the pair's traffic"


def _bar(bar: _Bar, top: float, row: float, plot_w: float) -> str:
    face = escape(str(bar.style.get("facecolor", plotting.BACKEND_COLORS[0])))
    edge = escape(str(bar.style.get("edgecolor", "#333333")))
    hatch = str(bar.style.get("hatch") or "")
    thick = 16
    y = top + row - thick - 5  # the what-if (or only) bar sits low in its row
    length = max(0.0, min(1.0, bar.share)) * plot_w
    parts = [f"<g><title>{escape(bar.full)}: {escape(bar.text)}</title>",
             f"<text x='{_LEFT - 6}' y='{y + thick / 2 + 4}' text-anchor='end'>{escape(bar.label)}</text>",
             f"<rect class='mra-bar' data-backend='{escape(bar.full)}' data-share='{bar.share:.6g}' x='{_LEFT}' "
             f"y='{y}' width='{length:.1f}' height='{thick}' fill='{face}' stroke='{edge}' stroke-width='0.6'/>"]
    if hatch in _HATCH_PATHS and length > 0:
        parts.append(f"<rect class='mra-hatch' x='{_LEFT}' y='{y}' width='{length:.1f}' height='{thick}' "
                     f"fill='url(#{_pattern_id(hatch, str(bar.style.get('edgecolor', '#333333')))})'/>")
    if bar.configured is not None:
        ghost = max(0.0, min(1.0, bar.configured)) * plot_w
        parts.append(f"<rect class='mra-configured' data-share='{bar.configured:.6g}' x='{_LEFT}' y='{y - 7}' "
                     f"width='{ghost:.1f}' height='5' "
                     "fill='none' stroke='#333' stroke-width='0.8'/>")
    text_px = len(bar.text) * _CHAR_PX
    if length + 6 + text_px <= plot_w:  # after the bar's end when it fits, else inside it on a white halo
        x, anchor = _LEFT + length + 5, "start"
    else:
        x, anchor = _LEFT + max(length - 5, text_px), "end"
    parts.append(f"<text x='{x:.1f}' y='{y + thick / 2 + 4}' text-anchor='{anchor}' font-size='10' "
                 f"stroke='white' stroke-width='3' paint-order='stroke'>{escape(bar.text)}</text></g>")
    return "".join(parts)
