"""Charts of a resolution and of a repository's configured weights, in seaborn's manner.

Every helper takes the data first and everything else by keyword, draws on ``ax`` (or the current Axes
when ``ax`` is None), returns the Axes, never shows a window and never changes matplotlib settings.  The module
imports nothing from matplotlib at import time: ``import meshroute_analysis`` must stay free of pyplot,
and pyplot is imported only when a helper has to find the current Axes.

Plotting never computes routing semantics: shares, route types and whether a pair forwards are read from
``res.routes`` / ``res.backends``; a what-if (``plot_split(..., weights=)``) asks the resolution to split
again (``res.reweigh``) and only draws the answer.

Colours hold in greyscale print: every backend gets a (colour, hatch) pair, route types get colours of
clearly different lightness plus letters on small matrices, and every bar carries a text label.
"""

from __future__ import annotations

import difflib
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - typing only; matplotlib is imported lazily
    from matplotlib.axes import Axes

__all__ = [
    "BACKEND_COLORS",
    "BACKEND_HATCHES",
    "CONFIGURED_GID",
    "PAIR_KINDS",
    "ROUTE_TYPE_STYLES",
    "backend_palette",
    "backend_styles",
    "pair_kinds",
    "plot_diff",
    "plot_flow",
    "plot_route_matrix",
    "plot_split",
    "plot_splits",
    "plot_weights",
    "short_backend",
]

#: Okabe-Ito's colour-blind-safe palette (its black replaced by grey so hatches stay visible).
BACKEND_COLORS: tuple[str, ...] = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
)  # fmt: skip
#: Hatches cycled with the colours; 7 and 8 are coprime, so 56 backends get distinct (colour, hatch) pairs.
BACKEND_HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "--", "oo")


@dataclass(frozen=True)
class RouteTypeStyle:
    """How a route type looks in the matrix: a colour of its own lightness and a letter for small grids."""

    color: str
    letter: str


#: Lightness falls from TrafficRoute to MeshHTTPRoute, so the types stay apart in greyscale.
ROUTE_TYPE_STYLES: dict[str, RouteTypeStyle] = {
    "TrafficRoute": RouteTypeStyle("#edf8b1", "R"),
    "MeshTCPRoute": RouteTypeStyle("#41b6c4", "T"),
    "MeshHTTPRoute": RouteTypeStyle("#253494", "H"),
    "none": RouteTypeStyle("#bdbdbd", "–"),
}
_NO_FORWARD_MARKER = "X"
#: The ``gid`` of the outlined bars that show configured shares beside what-if ones.
CONFIGURED_GID = "configured-share"
_LETTERS_UP_TO_CELLS = 900  # beyond 30 x 30 the cells are too small for letters
_MAX_LEGEND_BACKENDS = 16  # a longer legend hides the chart; the bars carry labels anyway
_ARROW = " → "
_LABEL_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0}


# ----------------------------------------------------------------------------------------------- helpers


def _get_ax(ax: Axes | None) -> Axes:
    """The given Axes, or pyplot's current one (imported here so the package import stays pyplot-free)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


def _patch(**kwargs: Any) -> Any:
    from matplotlib.patches import Patch

    return Patch(**kwargs)


def _slot_style(slot: int) -> dict[str, str]:
    return {
        "facecolor": BACKEND_COLORS[slot % len(BACKEND_COLORS)],
        "hatch": BACKEND_HATCHES[slot % len(BACKEND_HATCHES)],
        "edgecolor": "#333333",
    }


def _home_slot(label: str) -> int:
    return zlib.crc32(label.encode("utf-8")) % (len(BACKEND_COLORS) * len(BACKEND_HATCHES))


def backend_styles(labels: Iterable[str], *, together: Iterable[Iterable[str]] | None = None) -> dict[str, dict[str, Any]]:
    """``{label: {"facecolor", "hatch", "edgecolor"}}`` for backend labels.

    A backend's style comes from a hash of its label, so the same backend looks the same in every chart,
    report and session.  Without ``together``, when two labels of the call hash to the same style the later
    one (in sorted order) moves to the next free style, so the backends of one chart always differ.  With
    ``together`` (groups of labels drawn side by side: the backends of one pair or one rule), a label moves
    only when it collides with a label it shares a group with, so a backend keeps its style whatever other
    pairs the chart holds (:func:`backend_palette` does this for a whole resolution).
    """
    combos = len(BACKEND_COLORS) * len(BACKEND_HATCHES)
    names = sorted(set(map(str, labels)))
    out: dict[str, dict[str, str]] = {}
    if together is None:
        taken: set[int] = set()
        for label in names:
            slot = _home_slot(label)
            while slot in taken and len(taken) < combos:
                slot = (slot + 1) % combos
            taken.add(slot)
            out[label] = _slot_style(slot)
        return out
    neighbours: dict[str, set[str]] = {}
    for group in together:
        members = set(map(str, group))
        if len(members) > 1:
            for label in members:
                neighbours.setdefault(label, set()).update(members - {label})
    slots: dict[str, int] = {}
    for label in sorted(set(names) | set(neighbours)):
        used = {slots[n] for n in neighbours.get(label, ()) if n in slots}
        slot = _home_slot(label)
        for _ in range(combos):
            if slot not in used:
                break
            slot = (slot + 1) % combos
        slots[label] = slot
        out[label] = _slot_style(slot)
    return out


_PALETTES: dict[int, tuple[Any, dict[str, dict[str, Any]]]] = {}


def _groups_of(frame: pd.DataFrame, key: Sequence[str], column: str) -> list[tuple[str, ...]]:
    """The distinct sets of labels that share a ``key`` (only the groups of two labels or more).
    Vectorised (integer codes and one sort): a million rows take well under a second."""
    present = [k for k in key if k in frame.columns]
    if frame.empty or not present:
        return []
    combined = np.zeros(len(frame), dtype=np.int64)
    for k in present:
        codes, uniques = pd.factorize(frame[k], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    labels, names = pd.factorize(frame[column].astype(str))
    return _label_groups(combined, labels, list(names))


def _label_groups(pair_key: np.ndarray, labels: np.ndarray, names: Sequence[str]) -> list[tuple[str, ...]]:
    """:func:`_groups_of` with the grouping key and the labels given as integer codes (one per row; a
    label code indexes ``names``)."""
    order = np.lexsort((labels, pair_key))
    keys, values = pair_key[order], labels[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=int)
    sizes = np.diff(np.r_[starts, len(keys)])
    out: set[tuple[str, ...]] = set()
    two = starts[sizes == 2]  # most groups: a two-way split; deduplicated as code pairs first
    if len(two):
        pairs = np.unique(np.sort(np.stack([values[two], values[two + 1]], axis=1), axis=1), axis=0)
        out.update(tuple(sorted({str(names[a]), str(names[b])})) for a, b in pairs)
    for start, size in zip(starts[sizes > 2], sizes[sizes > 2]):
        out.add(tuple(sorted({str(names[i]) for i in values[start:start + size]})))
    return sorted(g for g in out if len(g) > 1)


def _coded_backends(item: Any, frame: pd.DataFrame) -> tuple[set[str], list[tuple[str, ...]]] | None:
    """The labels of a resolution's backends and the groups of one pair, from the integer codes it keeps
    (:meth:`~.resolve.Resolution.pair_codes`): the same answer as reading the frame, without factorising
    a million labels.  None when ``item`` keeps none for this frame."""
    given = getattr(item, "pair_codes", None)
    codes = given() if callable(given) else None
    if codes is None or len(codes.backend_label) != len(frame):
        return None
    b = codes.backends
    pair = (b.mesh.astype(np.int64) * (len(codes.sources) + 1) + b.source) * (len(codes.destinations) + 1) + b.destination
    names = [str(n) for n in codes.backend_labels]
    used = np.flatnonzero(np.bincount(codes.backend_label, minlength=len(names)))
    return {names[i] for i in used}, _label_groups(pair, codes.backend_label, names)


def backend_palette(*data: Any) -> dict[str, dict[str, Any]]:
    """One style per backend for every chart of a resolution (or repository, or both): what
    :func:`backend_styles` gives every label of ``res.backends`` / ``repo.backends``, the backends of one
    pair (one rule) always apart.  Every helper and the explorer use it, so a backend has one colour
    everywhere; it is computed once per frame."""
    labels: set[str] = set()
    groups: list[tuple[str, ...]] = []
    cache_key = tuple(id(getattr(d, "backends", d)) for d in data)
    cached = _PALETTES.get(hash(cache_key))
    if cached is not None and cached[0] == cache_key:
        return cached[1]
    for item in data:
        frame = getattr(item, "backends", item)
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            continue
        if "backend" in frame.columns:
            coded = _coded_backends(item, frame)
            if coded is not None:
                labels.update(coded[0])
                groups += coded[1]
                continue
            labels.update(frame["backend"].astype(str).unique())
            groups += _groups_of(frame, ("mesh", "source", "destination"), "backend")
        elif "backend_name" in frame.columns:
            kinds = frame["backend_kind"] if "backend_kind" in frame.columns else [None] * len(frame)
            named = frame.assign(_label=[_backend_label(n, t, k) for n, t, k in
                                         zip(frame["backend_name"], _tags_str(frame), kinds)])
            labels.update(named["_label"])
            groups += _groups_of(named, ("policy", "to_index", "rule_index"), "_label")
    styles = backend_styles(labels, together=groups)
    if len(_PALETTES) > 16:
        _PALETTES.clear()
    _PALETTES[hash(cache_key)] = (cache_key, styles)
    return styles


def _shorten(text: str, width: int) -> str:
    """``text`` cut in the middle to at most ``width`` characters (the start and the end tell names apart)."""
    text = str(text)
    if width < 5 or len(text) <= width:
        return text if width >= 5 else text[: max(width, 1)]
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


def short_backend(label: str, width: int = 28) -> str:
    """A backend label in at most ``width`` characters that keeps what tells it apart: the subset tags
    (``name{version=v1}`` becomes ``na…me{version=v1}``), the name cut in the middle."""
    label = str(label)
    if len(label) <= width:
        return label
    brace = label.find("{")
    if brace > 0 and label.endswith("}"):
        name, tags = label[:brace], label[brace:]
        if len(tags) <= width - 6:
            return _shorten(name, width - len(tags)) + tags
        return _shorten(name, 5) + _shorten(tags, width - 5) if width > 12 else _shorten(tags, width)
    return _shorten(label, width)


def _pair_label(source: str, destination: str, width: int, *, prefix: str = "", wrap: bool = False) -> str:
    """``source → destination`` in at most ``width`` characters per line: on two lines when ``wrap``,
    else both names shortened in the middle."""
    if wrap:
        return _shorten(prefix + source + " →", width) + "\n" + _shorten(destination, width)
    full = f"{prefix}{source}{_ARROW}{destination}"
    if len(full) <= width:
        return full
    room = max(width - len(_ARROW) - len(prefix), 10)
    left = max(room // 2, room - len(destination))
    return _shorten(prefix + source, left + len(prefix)) + _ARROW + _shorten(destination, room - left)


def _chars_for(ax: Axes, fraction: float, fontsize: float) -> int:
    """How many characters of ``fontsize`` fit in ``fraction`` of the figure's width (0.6 em each)."""
    width_pt = float(ax.figure.get_size_inches()[0]) * 72.0  # type: ignore[union-attr]
    return max(12, int(fraction * width_pt / (0.6 * fontsize)))


def _label_chars(ax: Axes, fontsize: float, fraction: float = 0.3) -> int:
    """Characters of a tick label left of the Axes: ``fraction`` of the figure's width under a layout engine
    (which makes room), else what the Axes' left margin holds."""
    if ax.figure.get_layout_engine() is not None:  # type: ignore[union-attr]
        return _chars_for(ax, fraction, fontsize)
    room_pt = ax.get_position().x0 * float(ax.figure.get_size_inches()[0]) * 72.0 - 8  # type: ignore[union-attr]
    return max(12, int(room_pt / (0.6 * fontsize)))


def _text_pt(text: str, fontsize: float) -> float:
    longest = max((len(line) for line in str(text).split("\n")), default=0)
    return longest * 0.6 * fontsize + 4.0


def _axes_width_pt(ax: Axes) -> float:
    return float(ax.get_position().width * ax.figure.get_size_inches()[0] * 72.0)  # type: ignore[union-attr]


def _bar_label(ax: Axes, x: float, y: float, text: str, *, xmax: float, fontsize: float = 8.0) -> Any:
    """A bar's label that stays inside the Axes: just after the bar's end when it fits there, else inside
    the bar's end (on a white box), else shrunk to fit inside."""
    per_unit = _axes_width_pt(ax) / xmax
    need = _text_pt(text, fontsize) / per_unit  # in data units
    gap = 0.01 * xmax
    if x + gap + need <= xmax:
        return ax.text(x + gap, y, text, va="center", ha="left", fontsize=fontsize, clip_on=True)
    size = fontsize
    while size > 5 and _text_pt(text, size) / per_unit > max(x, xmax - gap) - gap:
        size -= 0.5
    if x - gap - _text_pt(text, size) / per_unit >= 0:
        return ax.text(x - gap, y, text, va="center", ha="right", fontsize=size, bbox=_LABEL_BOX, clip_on=True)
    return ax.text(gap, y, text, va="center", ha="left", fontsize=size, bbox=_LABEL_BOX, clip_on=True)


def _fontsize_for(ax: Axes, count: int, *, vertical: bool = True, largest: float = 9.0) -> float:
    """A tick-label size that fits ``count`` labels along the Axes' height (or width), between 3 and 9 pt."""
    fig = ax.figure
    box = ax.get_position()
    width_in, height_in = fig.get_size_inches()  # type: ignore[union-attr]  # our Axes live on a Figure
    span_pt = (box.height * height_in if vertical else box.width * width_in) * 72.0
    return float(max(3.0, min(largest, 0.8 * span_pt / max(count, 1))))


def _unknown_pair(what: str, name: str, known: Iterable[str], where: str) -> ValueError:
    names = sorted(set(known))
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
    hint = f"; close names: {', '.join(close)}" if close else f"; known: {', '.join(names[:10])}" if names else ""
    return ValueError(f"unknown {what} {name!r}{where}{hint}")


def _frame_of(obj: Any, attribute: str, wanted: str) -> pd.DataFrame:
    """``obj.<attribute>``, or a TypeError that says which object the helper takes."""
    frame = getattr(obj, attribute, None)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected {wanted}, not {type(obj).__name__}")
    return frame


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        wanted = "the PolicyRepo from mra.load_repo()" if what.startswith("repo.") else "the Resolution from mra.resolve()"
        raise TypeError(f"{what} lacks the columns {missing}: pass {wanted}")


def _route_of(rows: pd.DataFrame) -> pd.Series:
    """The HTTP route label of each backend row ("" for TCP and TrafficRoute splits)."""
    if "route" not in rows.columns:
        return pd.Series("", index=rows.index, dtype=object)
    return rows["route"].fillna("").astype(str)


def _in_split(rows: pd.DataFrame) -> pd.Series:
    if "in_split" not in rows.columns:
        return pd.Series(True, index=rows.index)
    return rows["in_split"].fillna(False).astype(bool)


def _percent(share: float) -> str:
    return f"{share:.0%}" if share in (0.0, 1.0) or abs(share * 100 - round(share * 100)) < 1e-9 else f"{share:.1%}"


# ----------------------------------------------------------------------------------------------- plot_split


def _pair_rows(res: Any, mesh: str, source: str, destination: str) -> tuple[pd.Series, pd.DataFrame]:
    routes = _frame_of(res, "routes", "the Resolution from mra.resolve()")
    backends = _frame_of(res, "backends", "the Resolution from mra.resolve()")
    _require(routes, ("mesh", "source", "destination", "route_type", "forwards"), "res.routes")
    _require(backends, ("mesh", "source", "destination", "backend", "share"), "res.backends")
    in_mesh = routes[routes["mesh"] == mesh]
    if in_mesh.empty:
        raise _unknown_pair("mesh", mesh, routes["mesh"].unique(), "")
    of_source = in_mesh[in_mesh["source"] == source]
    if of_source.empty:
        raise _unknown_pair("source", source, in_mesh["source"].unique(), f" in mesh {mesh!r}")
    pair = of_source[of_source["destination"] == destination]
    if pair.empty:
        raise _unknown_pair("destination", destination, of_source["destination"], f" of source {source!r}")
    mask = (backends["mesh"] == mesh) & (backends["source"] == source) & (backends["destination"] == destination)
    return pair.iloc[0], backends[mask]


def _draw_split(
    ax: Axes, route: Mapping[str, Any], rows: pd.DataFrame, styles: Mapping[str, Mapping[str, Any]], *, what_if: bool,
    configured: pd.DataFrame | None = None,
) -> Axes:
    """One horizontal bar per backend (per HTTP route), width = share, labelled with backend and percent.
    With ``configured`` (the configured rows, when ``rows`` are what-if shares), a thin outlined bar above
    each what-if bar shows the configured share."""
    route_type = str(route["route_type"])
    title = f"{_shorten(str(route['source']), 60)}{_ARROW}{_shorten(str(route['destination']), 60)}\n{route_type}, mesh {route['mesh']}"
    if what_if:
        title += " (what-if weights" + ("; outlined: configured)" if configured is not None else ")")
    ax.set_title(title, fontsize=10)
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("share of the pair's traffic" if not _route_of(rows).ne("").any() else "share of the HTTP route's traffic")
    ax.xaxis.set_major_formatter(_percent_formatter())
    if rows.empty:
        status = route.get("status", "")
        ax.text(0.5, 0.5, f"no backend: {status}\n{route.get('reason', '')}", ha="center", va="center",
                transform=ax.transAxes, wrap=True, clip_on=True)
        ax.set_yticks([])
        return ax
    rows = rows.assign(_route=_route_of(rows)).reset_index(drop=True)
    several_routes = rows["_route"].nunique() > 1 or rows["_route"].ne("").any()
    width = _label_chars(ax, 9.0, 0.4)
    wrap = several_routes and len(rows) <= 12  # room for two lines: the route above its backend
    labels = [(_shorten(f"[{r}]", width) + "\n" + short_backend(str(b), width) if wrap
               else _shorten(f"[{r}] ", width // 2) + short_backend(str(b), width - min(width // 2, len(str(r)) + 3)))
              if several_routes else short_backend(str(b), width) for r, b in zip(rows["_route"], rows["backend"])]
    positions = np.arange(len(rows))[::-1]  # first backend on top, in configuration order
    in_split = _in_split(rows)
    before = None
    if configured is not None and len(configured) == len(rows):
        before = configured["share"].astype(float).to_numpy()
    height = 0.5 if before is not None else 0.7
    for i, (y, (_, row), carried) in enumerate(zip(positions, rows.iterrows(), in_split, strict=True)):
        style = styles.get(str(row["backend"]), {})
        share = float(row["share"])
        ax.barh(y - (0.12 if before is not None else 0.0), share, height=height, label=str(row["backend"]),
                linewidth=0.6, **style)
        if before is not None:
            outline = ax.barh(y + 0.33, float(before[i]), height=0.14, facecolor="none", edgecolor="#333333",
                              linewidth=0.8, label="_configured")
            for patch in outline:
                patch.set_gid(CONFIGURED_GID)
        note = "" if carried else f" ({row['note']})" if str(row.get("note", "") or "") else " (not in split)"
        text = f"{_percent(share)} · weight {_weight_text(row['weight'])}{note}"
        if before is not None:
            text += f" (configured {_percent(float(before[i]))})"
        _bar_label(ax, share, y - (0.12 if before is not None else 0.0), text, xmax=1.0)
    ax.set_yticks(positions, labels, fontsize=_fontsize_for(ax, len(rows)))
    ax.set_ylim(-0.6, len(rows) - 0.4)
    if not bool(route["forwards"]):
        ax.text(0.98, 0.02, f"{_NO_FORWARD_MARKER} forwards nowhere: {route.get('status', '')}", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=8, clip_on=True)
    return ax


def _weight_text(weight: Any) -> str:
    value = float(weight)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _percent_formatter() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0)


def plot_split(
    res: Any,
    source: str,
    destination: str,
    *,
    mesh: str = "default",
    weights: Mapping[str, float] | None = None,
    palette: Mapping[str, Mapping[str, Any]] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The shares of one pair's backends: one bar per backend, its width the share, labelled with the
    backend, its percentage and weight; titled with the pair, route type and mesh.

    For a MeshHTTPRoute pair each bar is one backend of one HTTP route (``[route] backend``) and shares are
    within that route.  ``weights`` (backend label → weight, as in ``res.backends["backend"]``) draws a
    what-if: the shares those weights would give, without touching the repository or the resolution, with
    the configured shares as thin outlined bars above them.  ``palette`` (``{backend: style}``, default
    :func:`backend_palette` of ``res``) colours the bars.  Unknown mesh, source or destination raise ``ValueError`` naming close matches.
    """
    ax = _get_ax(ax)
    route, rows = _pair_rows(res, mesh, source, destination)
    styles = palette if palette is not None else backend_palette(res)
    configured = None
    if weights:
        configured = rows
        rows = res.reweigh(rows, weights)  # the resolver re-splits; the chart only draws
    return _draw_split(ax, route, rows, styles, what_if=bool(weights), configured=configured)


# ----------------------------------------------------------------------------------------------- plot_splits


def _pairs_frame(res: Any, mesh: str | None, sources: Iterable[str] | None, destinations: Iterable[str] | None) -> pd.DataFrame:
    routes = res.routes
    keep = pd.Series(True, index=routes.index)
    if mesh is not None:
        keep &= routes["mesh"] == mesh
    if sources is not None:
        keep &= routes["source"].isin(list(sources))
    if destinations is not None:
        keep &= routes["destination"].isin(list(destinations))
    return routes[keep]


def _trivial_pairs(backends: pd.DataFrame) -> pd.Index:
    """(mesh, source, destination) whose whole traffic goes to the destination itself, unsplit."""
    key = ["mesh", "source", "destination"]
    g = backends.groupby(key, sort=False)
    single = g["backend"].transform("size") == 1
    to_self = backends["backend"] == backends["destination"]
    full = backends["share"] >= 1.0
    trivial = backends[single & to_self & full]
    return pd.MultiIndex.from_frame(trivial[key])


#: What a pair does, most interesting first: the order in which ``plot_splits`` keeps pairs and the explorer
#: filters them.
PAIR_KINDS: tuple[str, ...] = ("forwards nowhere", "split", "redirected", "to the destination itself")
_MAX_SPLIT_BARS = 400  # with max_pairs=None: at most this many bars, however tall the figure
_LEGEND_CHARS = 48


def pair_kinds(routes: pd.DataFrame, backends: pd.DataFrame) -> pd.Series:
    """The index into :data:`PAIR_KINDS` of every row of ``routes`` (aligned on its index): 0 forwards
    nowhere, 1 split over several backends, 2 redirected (all of it to one backend other than the
    destination itself, a subset included), 3 all of it to the destination itself.  Vectorised on integer
    codes: a million pairs take well under a second."""
    if routes.empty:
        return pd.Series(np.zeros(0, dtype=int), index=routes.index)
    forwards = routes["forwards"].fillna(False).astype(bool).to_numpy()
    if backends.empty:
        return pd.Series(np.where(forwards, 3, 0), index=routes.index)
    r_key = np.zeros(len(routes), dtype=np.int64)
    b_key = np.zeros(len(backends), dtype=np.int64)
    for column in ("mesh", "source", "destination"):
        codes, uniques = pd.factorize(routes[column].astype(str))
        b_codes = pd.Index(uniques).get_indexer(backends[column].astype(str))
        r_key = r_key * (len(uniques) + 1) + codes
        b_key = b_key * (len(uniques) + 1) + np.where(b_codes < 0, len(uniques), b_codes)
    pair, b_pair = np.unique(r_key, return_inverse=True)[0], None
    at = np.searchsorted(pair, b_key)
    at = np.minimum(at, len(pair) - 1)
    known = pair[at] == b_key
    b_pair = at[known]
    carried = ((backends["share"].astype(float) > 0) & _in_split(backends)).to_numpy()[known]
    elsewhere = (backends["backend"].astype(str).to_numpy() != backends["destination"].astype(str).to_numpy())[known]
    elsewhere = elsewhere | ~carried
    n = np.bincount(b_pair, weights=carried, minlength=len(pair))
    other = np.bincount(b_pair, weights=elsewhere, minlength=len(pair)) > 0
    where = np.searchsorted(pair, r_key)
    kind = np.where(~forwards, 0, np.where(n[where] > 1, 1, np.where(other[where], 2, 3)))
    return pd.Series(kind, index=routes.index)


def _kind_counts(kinds: Iterable[int]) -> str:
    counts = pd.Series(list(kinds), dtype=int).value_counts()
    return ", ".join(f"{int(counts[i]):,} {PAIR_KINDS[i]}" for i in range(len(PAIR_KINDS)) if i in counts.index)


def plot_splits(
    res: Any,
    *,
    mesh: str | None = None,
    sources: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    nontrivial: bool = False,
    max_pairs: int | None = None,
    palette: Mapping[str, Mapping[str, Any]] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Many pairs at once: one horizontal bar per pair (per HTTP route), stacked by backend share.

    Filter with ``mesh``, ``sources`` and ``destinations``; ``nontrivial=True`` keeps only pairs whose
    traffic is split, redirected or goes nowhere (drops the "100% to the destination itself" rows).
    The most interesting pairs come first (:data:`PAIR_KINDS`: forwarding nowhere, split, redirected,
    then the rest; by name within each) and at most ``max_pairs`` are drawn (None: as many as the Axes'
    height holds legibly, at most 400); the title says how many were left out, and of which kind.  Pairs
    that forward nowhere get an empty bar marked ``X`` and their status.  Tick labels shrink to the Axes'
    height and are shortened (or wrapped) to leave the plot its width, segment labels are written where
    they fit, and the legend below the chart lists at most 16 backends (the most traffic first).
    """
    ax = _get_ax(ax)
    routes = _pairs_frame(res, mesh, sources, destinations)
    backends = res.backends
    if mesh is not None:
        backends = backends[backends["mesh"] == mesh]
    styles = palette if palette is not None else backend_palette(res)
    key = ["mesh", "source", "destination"]
    where = f"mesh {mesh}" if mesh is not None else "all meshes"
    if routes.empty:
        ax.set_title("Traffic splits: no pair selected")
        ax.set_yticks([])
        return ax
    kinds = pair_kinds(routes, backends)
    if nontrivial:
        routes, kinds = routes[kinds < 3], kinds[kinds < 3]
        if routes.empty:
            ax.set_title(f"Traffic splits, {where}: every pair sends all to the destination itself")
            ax.set_yticks([])
            return ax
    total = len(routes)
    limit = max_pairs if max_pairs is not None else _fitting_bars(ax)
    ranked = routes.assign(_kind=kinds.to_numpy())
    # Within a kind, one pair per destination first, then a second one, ...: a cut keeps the variety.
    ranked = ranked.assign(_nth=ranked.sort_values(key, kind="stable").groupby(["_kind", "mesh", "destination"],
                                                                                sort=False).cumcount())
    ranked = ranked.sort_values(["_kind", "_nth", *key], kind="stable")
    count = max(int(limit), 1)
    shown, left_out = ranked.head(count).sort_values(["_kind", *key], kind="stable"), ranked.iloc[count:]
    rows = backends.merge(shown[key], on=key, how="inner")
    rows = rows.assign(_route=_route_of(rows))
    several_meshes = shown["mesh"].nunique() > 1
    bars = _split_bars(shown, rows, several_meshes)
    positions = np.arange(len(bars))[::-1]
    n = len(bars)
    fontsize = _fontsize_for(ax, n)
    show_text = fontsize >= 5.5
    axes_width_pt = _axes_width_pt(ax)
    row_pt = ax.get_position().height * float(ax.figure.get_size_inches()[1]) * 72.0 / max(n, 1)  # type: ignore[union-attr]
    width = _label_chars(ax, fontsize)
    wrap = row_pt >= 2.6 * fontsize
    labels = []
    for (prefix, source, destination, suffix), *_ in bars:
        full = f"{prefix}{source}{_ARROW}{destination}{suffix}"
        if len(full) <= width:
            labels.append(full)
        else:
            labels.append(_pair_label(source, destination + suffix, width, prefix=prefix, wrap=wrap))
    if ax.figure.get_layout_engine() is not None:  # type: ignore[union-attr]  # the labels will take their room
        label_pt = max(_text_pt(t, fontsize) for t in labels) + 40.0
        axes_width_pt = min(axes_width_pt, float(ax.figure.get_size_inches()[0]) * 72.0 - label_pt)  # type: ignore[union-attr]
    totals: dict[str, float] = {}
    segments_of: dict[str, tuple[list[float], list[float], list[float]]] = {}
    for y, (_label, segments, forwards, status) in zip(positions, bars, strict=True):
        left = 0.0
        for backend, share in segments:
            ys, lefts, widths = segments_of.setdefault(backend, ([], [], []))
            ys.append(y)
            lefts.append(left)
            widths.append(share)
            text = _segment_text(backend, share, share * axes_width_pt, fontsize * 0.85) if show_text else ""
            if text:
                ax.text(left + share / 2, y, text, ha="center", va="center", fontsize=fontsize * 0.85, bbox=_LABEL_BOX,
                        clip_on=True)
            left += share
            totals[backend] = totals.get(backend, 0.0) + share
        if not forwards:
            ax.text(0.01, y, f"{_NO_FORWARD_MARKER} forwards nowhere ({status})", va="center", ha="left",
                    fontsize=fontsize * 0.85, clip_on=True)
    for backend, (ys, lefts, widths) in segments_of.items():  # one call per backend: fast on many bars
        ax.barh(ys, widths, left=lefts, height=0.8, linewidth=0.4, **styles.get(backend, {}))
    ax.set_yticks(positions, labels, fontsize=fontsize)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, 1.0)
    ax.xaxis.set_major_formatter(_percent_formatter())
    http = rows["_route"].ne("").any()
    ax.set_xlabel("share of the pair's traffic" + (" (of the HTTP route's, for MeshHTTPRoute)" if http else ""))
    title = f"Traffic splits, {where}: {total:,} pair{'s' if total != 1 else ''}"
    if not left_out.empty:
        title = (f"Traffic splits, {where}: the {len(shown):,} most interesting of {total:,} pairs\n"
                 f"left out: {_kind_counts(left_out['_kind'])}")
    ax.set_title(title, fontsize=10)
    _backend_legend(ax, totals, styles)
    return ax


def _fitting_bars(ax: Axes) -> int:
    """How many bars the Axes' height holds with 6 pt labels (between 10 and 400)."""
    span_pt = ax.get_position().height * float(ax.figure.get_size_inches()[1]) * 72.0  # type: ignore[union-attr]
    return int(max(10, min(_MAX_SPLIT_BARS, 0.8 * span_pt / 6.0)))


def _split_bars(
    routes: pd.DataFrame, rows: pd.DataFrame, several_meshes: bool
) -> list[tuple[tuple[str, str, str, str], list[tuple[str, float]], bool, str]]:
    """((mesh prefix, source, destination, route suffix), [(backend, share)], forwards, status) per bar,
    in the routes' order."""
    grouped = {k: g for k, g in rows.groupby(["mesh", "source", "destination"], sort=False)}
    bars: list[tuple[tuple[str, str, str, str], list[tuple[str, float]], bool, str]] = []
    for route in routes.itertuples(index=False):
        k = (route.mesh, route.source, route.destination)
        prefix = f"{route.mesh}: " if several_meshes else ""
        g = grouped.get(k)
        if g is None or g.empty:
            bars.append(((prefix, str(route.source), str(route.destination), ""), [], bool(route.forwards),
                         str(route.status)))
            continue
        by_route = list(g.groupby("_route", sort=False))
        for name, part in by_route:
            segs = [(str(b), float(s)) for b, s in zip(part["backend"], part["share"]) if s > 0]
            suffix = f" [{name}]" if len(by_route) > 1 else ""
            bars.append(((prefix, str(route.source), str(route.destination), suffix), segs, bool(route.forwards),
                         str(route.status)))
    return bars


def _segment_text(backend: str, share: float, width_pt: float, fontsize: float) -> str:
    """The longest of "backend 90%" / "back…d 90%" / "90%" that fits the segment (0.6 em per character), or ""."""
    percent = _percent(share)
    room = int((width_pt - 4) / (0.6 * fontsize)) - len(percent) - 1
    candidates = [f"{backend} {percent}"]
    if room >= 8:
        candidates.append(f"{short_backend(backend, room)} {percent}")
    candidates.append(percent)
    for text in candidates:
        if len(text) * 0.6 * fontsize + 4 <= width_pt:
            return text
    return ""


def _backend_legend(ax: Axes, totals: Mapping[str, float], styles: Mapping[str, Mapping[str, Any]]) -> None:
    """The backends, the most traffic first, in columns below the Axes (the plot keeps the figure's width)."""
    from matplotlib.transforms import offset_copy

    ranked = sorted(totals, key=lambda b: (-totals[b], b))
    handles = [_patch(label=short_backend(b, _LEGEND_CHARS), linewidth=0.4, **styles.get(b, {}))
               for b in ranked[:_MAX_LEGEND_BACKENDS]]
    if len(ranked) > _MAX_LEGEND_BACKENDS:
        handles.append(_patch(label=f"… {len(ranked) - _MAX_LEGEND_BACKENDS} more backends", facecolor="white",
                              edgecolor="white"))
    if not handles:
        return
    longest = max(len(h.get_label()) for h in handles)
    columns = int(max(1, min(len(handles), _axes_width_pt(ax) // (longest * 0.6 * 8 + 30))))
    below = offset_copy(ax.transAxes, fig=ax.figure, y=-34, units="points")
    ax.legend(handles=handles, title="backend", loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below,
              ncols=columns, fontsize=8, title_fontsize=8, frameon=False)


# ----------------------------------------------------------------------------------------------- route matrix


_FADED = "#f3f3ec"  # cells of the implicit route-all-<mesh>: every pair has one, so they recede
_SPLIT_MARKER = "o"
_OTHERS = "… {n} other {what}"


def _matrix_data(routes: pd.DataFrame, several_meshes: bool, faded: np.ndarray, kinds: np.ndarray,
                 max_rows: int, max_cols: int) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row labels, column labels, route-type codes (NaN: not a pair; -1: implicit route-all), a
    no-forward mask, a split mask and a faded mask.  Beyond ``max_rows`` / ``max_cols`` the least
    interesting sources / destinations (fewest cells other than the implicit route-all) are folded into
    one last row / column that shows, per cell, what most of the folded pairs do."""
    prefix = routes["mesh"].astype(str) + ": " if several_meshes else ""
    row_keys = (prefix + routes["source"].astype(str)).to_numpy()
    col_keys = (prefix + routes["destination"].astype(str)).to_numpy()
    types = list(ROUTE_TYPE_STYLES)
    type_codes = pd.Categorical(routes["route_type"].astype(str), categories=types).codes.astype(float)
    type_codes[type_codes < 0] = types.index("none")
    blocked_v = ~routes["forwards"].fillna(False).astype(bool).to_numpy()
    split_v = kinds == 1
    interest = (~faded | blocked_v | (kinds < 3)).astype(float) + blocked_v + split_v

    def fold(keys: np.ndarray, limit: int, what: str) -> tuple[np.ndarray, list[str]]:
        cat = pd.Categorical(keys)
        labels = list(cat.categories)
        if len(labels) <= limit:
            return cat.codes.astype(int), labels
        score = np.bincount(cat.codes, weights=interest, minlength=len(labels))
        keep = np.sort(np.argsort(-score, kind="stable")[: max(limit - 1, 1)])
        new_code = np.full(len(labels), len(keep), dtype=int)
        new_code[keep] = np.arange(len(keep))
        return new_code[cat.codes], [labels[i] for i in keep] + [_OTHERS.format(n=len(labels) - len(keep), what=what)]

    r, row_labels = fold(row_keys, max_rows, "sources")
    c, col_labels = fold(col_keys, max_cols, "destinations")
    shape = (len(row_labels), len(col_labels))
    # Per cell, the most common (type, faded) among its pairs (one pair per cell unless folded).
    cell = r * shape[1] + c
    value = np.where(faded, -1.0, type_codes)
    frame = pd.DataFrame({"cell": cell, "value": value, "blocked": blocked_v, "split": split_v})
    mode = frame.groupby(["cell", "value"], sort=False).size().reset_index(name="n")
    mode = mode.sort_values(["cell", "n", "value"], ascending=[True, False, True], kind="stable").drop_duplicates("cell")
    codes = np.full(shape, np.nan)
    codes.flat[mode["cell"].to_numpy()] = mode["value"].to_numpy()
    flags = frame.groupby("cell", sort=False)[["blocked", "split"]].any()
    blocked = np.zeros(shape, dtype=bool)
    split = np.zeros(shape, dtype=bool)
    blocked.flat[flags.index.to_numpy()] = flags["blocked"].to_numpy()
    split.flat[flags.index.to_numpy()] = flags["split"].to_numpy()
    fade = codes == -1
    codes[fade] = types.index("TrafficRoute")
    return row_labels, col_labels, codes, blocked, split & ~blocked, fade


def _tick_every(count: int, fontsize: float) -> int:
    """Label every k-th row when even 3 pt labels would overlap (beyond about 150 per axis)."""
    return 1 if fontsize > 3.0 or count <= 150 else int(np.ceil(count / 150))


def _implicit_route_all(routes: pd.DataFrame) -> np.ndarray:
    """Pairs that only the mesh's implicit ``route-all-<mesh>`` TrafficRoute configures (vectorised: one
    string comparison per mesh)."""
    if routes.empty:
        return np.zeros(len(routes), dtype=bool)
    is_tr = routes["route_type"].astype(str).to_numpy() == "TrafficRoute"
    if "trafficroute" in routes.columns:
        names = routes["trafficroute"].astype(object).to_numpy()
    elif "policies" in routes.columns:
        names = np.array([p[0] if isinstance(p, tuple) and len(p) == 1 else None for p in routes["policies"]],
                         dtype=object)
    else:
        return np.zeros(len(routes), dtype=bool)
    meshes = routes["mesh"].astype(str).to_numpy()
    out = np.zeros(len(routes), dtype=bool)
    for mesh in pd.unique(meshes):
        at = meshes == mesh
        out[at] = names[at] == f"route-all-{mesh}"
    return out & is_tr


def plot_route_matrix(res: Any, *, mesh: str | None = None, max_rows: int | None = None, max_cols: int | None = None,
                      ax: Axes | None = None) -> Axes:
    """Sources (rows) x destinations (columns), each cell coloured by the winning route type.

    Pairs that forward nowhere carry an ``X``, pairs split over several backends an ``o``; white cells are
    not pairs (the source does not reach that destination), and pairs only the mesh's implicit
    ``route-all-<mesh>`` configures are faded, so what the repository's own policies do stands out.  The
    colours differ in lightness and small matrices (up to 30 x 30) also print the type's letter (R
    TrafficRoute, T MeshTCPRoute, H MeshHTTPRoute, – none), so the chart holds in greyscale.  At most
    ``max_rows`` sources and ``max_cols`` destinations are drawn (None: as many as the Axes hold with
    legible labels): the least interesting are folded into a last ``… N other`` row / column showing what
    most of them do.  With ``mesh=None`` and several meshes, labels are prefixed with the mesh.
    """
    from matplotlib.colors import ListedColormap

    ax = _get_ax(ax)
    _require(_frame_of(res, "routes", "the Resolution from mra.resolve()"), ("mesh", "source", "destination", "route_type", "forwards"), "res.routes")
    routes = res.routes if mesh is None else res.routes[res.routes["mesh"] == mesh]
    where = f"mesh {mesh}" if mesh is not None else "all meshes"
    if routes.empty:
        ax.set_title(f"Winning route type, {where}: no pair")
        return ax
    backends = getattr(res, "backends", None)
    known = getattr(res, "pair_kinds", None)  # worked out already (the explorer's index), in the routes' order
    if isinstance(known, np.ndarray) and len(known) == len(res.routes) and len(routes) == len(res.routes):
        kinds = known
    elif isinstance(backends, pd.DataFrame) and not backends.empty and {"share", "backend"} <= set(backends.columns):
        if mesh is not None:
            backends = backends[backends["mesh"] == mesh]
        kinds = pair_kinds(routes, backends).to_numpy()
    else:
        kinds = np.where(routes["forwards"].fillna(False).astype(bool), 3, 0)
    faded = _implicit_route_all(routes)
    n_sources, n_destinations = routes["source"].nunique(), routes["destination"].nunique()
    fig_w, fig_h = (float(v) * 72.0 for v in ax.figure.get_size_inches())  # type: ignore[union-attr]
    box = ax.get_position()
    small = fig_h < 4.5 * 72 or fig_w < 6 * 72  # e.g. the explorer's 700 x 250 px: short labels, fewer cells
    label_chars = 16 if small else 28
    if ax.figure.get_layout_engine() is not None:  # type: ignore[union-attr]  # room left by labels and legend
        plot_h = fig_h - 36.0 - (label_chars * 0.6 * 6.5 + 24.0)
        plot_w = fig_w * (0.97 if mesh is not None else 1.0) - 150.0 - (label_chars * 0.6 * 6.5 + 24.0)
    else:
        plot_h, plot_w = box.height * fig_h, box.width * fig_w
    cell = 8.0 if small else 7.0  # labels of about 0.8 of a cell
    fit_rows = max(8, int(plot_h / cell))
    fit_cols = max(8, int(plot_w / cell))
    row_labels, col_labels, codes, blocked, split, fade = _matrix_data(
        routes, routes["mesh"].nunique() > 1, faded, kinds, max_rows or fit_rows, max_cols or fit_cols)
    types = list(ROUTE_TYPE_STYLES)
    cmap = ListedColormap([ROUTE_TYPE_STYLES[t].color for t in types]).with_extremes(bad="white")
    ax.imshow(np.ma.masked_invalid(codes), cmap=cmap, vmin=-0.5, vmax=len(types) - 0.5, aspect="auto",
              interpolation="none")
    if fade.any():
        overlay = np.zeros((*codes.shape, 4))
        overlay[fade] = (*_rgb(_FADED), 1.0)
        ax.imshow(overlay, aspect="auto", interpolation="none")
    n_rows, n_cols = codes.shape
    if n_rows * n_cols <= _LETTERS_UP_TO_CELLS and min(plot_h / n_rows, plot_w / n_cols) >= 9.0:
        for (r, c), code in np.ndenumerate(codes):
            if not np.isnan(code) and not blocked[r, c] and not split[r, c]:
                dark = types[int(code)] == "MeshHTTPRoute" and not fade[r, c]
                ax.text(c, r, ROUTE_TYPE_STYLES[types[int(code)]].letter, ha="center", va="center", fontsize=7,
                        color="white" if dark else "#888888" if fade[r, c] else "black")
    size = max(4.0, min(60.0, 2500.0 / max(n_rows, n_cols)))
    ys, xs = np.nonzero(blocked)
    if len(xs):
        ax.scatter(xs, ys, marker=_NO_FORWARD_MARKER, s=size, c="black", edgecolors="white", linewidths=0.5,
                   label="forwards nowhere", zorder=3)
    sy, sx = np.nonzero(split)
    if len(sx):
        ax.scatter(sx, sy, marker=_SPLIT_MARKER, s=size * 0.8, facecolors="white", edgecolors="black", linewidths=0.8,
                   label="split", zorder=3)
    _matrix_ticks(ax, row_labels, col_labels, label_chars)
    ax.set_xlabel("destination")
    ax.set_ylabel("source")
    shown = f"{n_sources} sources x {n_destinations} destinations"
    if n_rows < n_sources or n_cols < n_destinations:
        shown += ("\n" if not small else "; ") + (
            f"{n_rows - (n_rows < n_sources)} x {n_cols - (n_cols < n_destinations)} most configured shown"
            + (", the rest folded" if not small else ""))
    ax.set_title(f"{'Winning route type, ' if not small else ''}{where}: {shown}", fontsize=10 if not small else 8.5)
    present = [t for t in types if ((codes == types.index(t)) & ~fade).any()]
    handles = [_patch(facecolor=ROUTE_TYPE_STYLES[t].color, edgecolor="#333333", linewidth=0.5,
                      label=f"{ROUTE_TYPE_STYLES[t].letter} {t}") for t in present]
    if fade.any():
        handles.append(_patch(facecolor=_FADED, edgecolor="#333333", linewidth=0.5, label="implicit route-all"))
    from matplotlib.lines import Line2D

    if len(xs):
        handles.append(Line2D([], [], marker=_NO_FORWARD_MARKER, color="black", linestyle="none",
                              label=f"{_NO_FORWARD_MARKER} forwards nowhere ({len(xs)})"))
    if len(sx):
        handles.append(Line2D([], [], marker=_SPLIT_MARKER, markerfacecolor="white", markeredgecolor="black",
                              color="black", linestyle="none", label=f"{_SPLIT_MARKER} split ({len(sx)})"))
    handles.append(_patch(facecolor="white", edgecolor="#333333", linewidth=0.5, label="not a pair"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8 if not small else 7,
              frameon=False, title="winning route" if not small else None, title_fontsize=8,
              handlelength=1.2 if small else 2.0, labelspacing=0.3 if small else 0.5)
    if small:
        ax.set_xlabel("destination", fontsize=8)
        ax.set_ylabel("source", fontsize=8)
    return ax


def _rgb(color: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(color)


def _matrix_ticks(ax: Axes, row_labels: list[str], col_labels: list[str], width: int = 28) -> None:
    row_size = _fontsize_for(ax, len(row_labels), vertical=True, largest=8.0)
    col_size = _fontsize_for(ax, len(col_labels), vertical=False, largest=8.0)
    r_every = _tick_every(len(row_labels), row_size)
    c_every = _tick_every(len(col_labels), col_size)
    r_at = np.arange(0, len(row_labels), r_every)
    c_at = np.arange(0, len(col_labels), c_every)
    ax.set_yticks(r_at, [_tick_text(row_labels[i], width) for i in r_at], fontsize=row_size)
    ax.set_xticks(c_at, [_tick_text(col_labels[i], width) for i in c_at], fontsize=col_size, rotation=90)


def _tick_text(label: str, width: int) -> str:
    """A matrix tick label in ``width`` characters; the folded row / column reads "… +N more" when short."""
    if len(label) > width and label.startswith("… "):
        count = label.split(" ")[1]
        return f"… +{count} more"
    return _shorten(label, width)


# ----------------------------------------------------------------------------------------------- weights


def _select_policy(backends: pd.DataFrame, policies: pd.DataFrame | None, policy: str) -> pd.DataFrame:
    """Rows of one policy, named by key (``MeshTCPRoute/name.ns``), name or ``name.namespace``."""
    names = {policy}
    if policies is not None and not policies.empty:
        match = policies[(policies["key"] == policy) | (policies["name"] == policy) | (policies["core_name"] == policy)]
        names |= set(match["key"].astype(str))
    rows = backends[backends["policy"].isin(names)]
    if rows.empty:
        known = list(backends["policy"].astype(str))
        if policies is not None and not policies.empty:
            known += list(policies["name"].astype(str))
        raise _unknown_pair("policy", policy, known, " with backendRefs")
    return rows


def plot_weights(repo: Any, *, policy: str | None = None, max_bars: int | None = None,
                 palette: Mapping[str, Mapping[str, Any]] | None = None, ax: Axes | None = None) -> Axes:
    """The configured weights of each policy's rules: one bar per backendRef, its length the weight.

    Each bar is labelled ``policy to[i].rules[j] → backend`` and annotated with the weight (``default``
    when the file leaves it unset and 1 applies) and its share within the rule.  ``policy`` keeps one
    policy (by key, name or ``name.namespace``).  At most ``max_bars`` bars are drawn (None: as many as the
    Axes' height holds, at most 400), whole rules, those that split or set a weight of 0 first; the title
    says how many were left out.  ``palette`` as for :func:`plot_split` (default :func:`backend_palette`).
    """
    ax = _get_ax(ax)
    backends = _frame_of(repo, "backends", "the PolicyRepo from mra.load_repo()")
    _require(backends, ("policy", "to_index", "destination", "backend_name", "weight", "share"), "repo.backends")
    if policy is not None:
        backends = _select_policy(backends, getattr(repo, "policies", None), policy)
    title = "Configured backendRef weights" + (f": {policy}" if policy else "")
    if backends.empty:
        ax.set_title(title + " (none)")
        ax.set_yticks([])
        return ax
    rows = backends.reset_index(drop=True)
    total = len(rows)
    limit = max(1, max_bars if max_bars is not None else _fitting_bars(ax))
    if total > limit:
        rule = [c for c in ("policy", "to_index", "rule_index") if c in rows.columns]
        keys = rows.groupby(rule, sort=False, dropna=False).ngroup()
        size = keys.map(keys.value_counts())
        zero = rows["weight"].astype(float).eq(0).groupby(keys).transform("any")
        plain = ~((size > 1) | zero)  # False sorts first: splits and zero weights before single backendRefs
        order = rows.assign(_plain=plain.to_numpy(), _first=keys.to_numpy())
        order = order.sort_values(["_plain", "_first"], kind="stable")
        rows = order.head(limit).sort_index().drop(columns=["_plain", "_first"]).reset_index(drop=True)
        title += f": {len(rows):,} of {total:,} backendRefs\n(whole rules; those that split or set a weight of 0 first)"
    kinds = rows["backend_kind"] if "backend_kind" in rows.columns else [None] * len(rows)
    labels_b = [_backend_label(n, t, k) for n, t, k in zip(rows["backend_name"], _tags_str(rows), kinds)]
    styles = palette if palette is not None else backend_palette(repo)
    several_meshes = "mesh" in rows.columns and rows["mesh"].nunique() > 1
    positions = np.arange(len(rows))[::-1]
    ticks = []
    top = float(rows["weight"].max()) or 1.0
    fontsize = _fontsize_for(ax, len(rows))
    width = _label_chars(ax, fontsize, 0.38)
    row_pt = ax.get_position().height * float(ax.figure.get_size_inches()[1]) * 72.0 / max(len(rows), 1)  # type: ignore[union-attr]
    wrap = row_pt >= 2.6 * fontsize
    ax.set_xlim(0, top * 1.3)
    for y, label, (_, row) in zip(positions, labels_b, rows.iterrows()):
        weight = float(row["weight"])
        ax.barh(y, weight, height=0.7, linewidth=0.6, **styles.get(label, {}))
        defaulted = "weight_configured" in row.index and pd.isna(row["weight_configured"])
        text = f"{_weight_text(weight)}{' (default)' if defaulted else ''} · {_percent(float(row['share']))}"
        _bar_label(ax, weight, y, text, xmax=top * 1.3, fontsize=min(8.0, max(fontsize, 5.0)))
        mesh = f"{row['mesh']}: " if several_meshes else ""
        where = f"{mesh}{_short_policy(str(row['policy']))}{_rule_label(row)}"
        full = f"{where}{_ARROW}{label}"
        if len(full) <= width:
            ticks.append(full)
        elif wrap:  # the rule on one line, its backend on the next
            ticks.append(_shorten(where + " →", width) + "\n" + short_backend(label, width))
        else:
            ticks.append(_shorten(where, max(12, width - min(len(label), width // 2) - len(_ARROW))) + _ARROW
                         + short_backend(label, max(12, min(len(label), width // 2))))
    ax.set_yticks(positions, ticks, fontsize=fontsize)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("configured weight (label: weight · share within the rule)")
    ax.set_title(title, fontsize=10)
    return ax


def _rule_label(row: pd.Series) -> str:
    """Where in the policy a backend is configured: `` to[i].rules[j]``, `` to[i]`` for an entry without
    rules, `` conf`` for a TrafficRoute (its split has no ``to`` entry)."""
    if row.get("policy_type") == "TrafficRoute":
        return " conf"
    to_index, rule_index = row.get("to_index"), row.get("rule_index")
    if to_index is None or pd.isna(to_index):
        return ""
    rule = "" if rule_index is None or pd.isna(rule_index) else f".rules[{int(rule_index)}]"
    return f" to[{int(to_index)}]{rule}"


def _tags_str(rows: pd.DataFrame) -> list[str]:
    if "backend_tags_str" in rows.columns:
        return [s if isinstance(s, str) else "" for s in rows["backend_tags_str"]]
    return [",".join(f"{k}={v}" for k, v in sorted((t or {}).items())) for t in rows.get("backend_tags", [])]


def _backend_label(name: Any, tags: str, kind: Any = None) -> str:
    """The same ``name{k=v}`` label the resolver uses in ``res.backends["backend"]``.  A backendRef without a
    name (2.9+ refs by ``labels``; pandas holds the missing name as NaN) reads ``<kind> without a name``."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        name = f"{kind if isinstance(kind, str) else 'backendRef'} without a name"
    return f"{name}{{{tags}}}" if tags else str(name)


def _short_policy(key: str) -> str:
    return key.split("/", 1)[1] if "/" in key else key


# ----------------------------------------------------------------------------------------------- flow

_FLOW_PAIRS = 40
_FLOW_NODES = 14  # per column; the rest fold into "… N other"
_NOWHERE = "✗ nowhere"


def _fold_nodes(totals: pd.Series, limit: int, what: str) -> dict[str, str]:
    """Node label → drawn label: the ``limit - 1`` largest keep theirs, the others share "… N other"."""
    ranked = totals.sort_values(ascending=False, kind="stable")
    if len(ranked) <= limit:
        return {k: k for k in ranked.index}
    keep = set(ranked.index[: limit - 1])
    other = _OTHERS.format(n=len(ranked) - len(keep), what=what)
    return {k: (k if k in keep else other) for k in ranked.index}


def _stack(totals: dict[str, float], order: list[str], gap: float) -> dict[str, list[float]]:
    """Each node's [bottom, top] in a column stacked from the top, heights proportional to its total."""
    whole = sum(totals[k] for k in order) or 1.0
    scale = (1.0 - gap * max(len(order) - 1, 0)) / whole
    out: dict[str, list[float]] = {}
    top = 1.0
    for k in order:
        height = totals[k] * scale
        out[k] = [top - height, top]
        top -= height + gap
    return out


def _band(ax: Axes, x0: float, x1: float, left: tuple[float, float], right: tuple[float, float], **style: Any) -> None:
    t = np.linspace(0.0, 1.0, 24)
    ease = 3 * t**2 - 2 * t**3
    xs = x0 + (x1 - x0) * t
    ax.fill_between(xs, left[0] + (right[0] - left[0]) * ease, left[1] + (right[1] - left[1]) * ease,
                    linewidth=0, **style)


def plot_flow(
    res: Any,
    *,
    mesh: str | None = None,
    sources: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    max_pairs: int | None = _FLOW_PAIRS,
    palette: Mapping[str, Mapping[str, Any]] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Where the traffic flows: source → destination → backend, as bands whose widths are shares.

    Every pair carries one unit from its source to its destination, split over its backends by share
    (a MeshHTTPRoute pair's routes count equally); a pair that forwards nowhere flows to ``✗ nowhere``.
    The ``max_pairs`` most interesting pairs are drawn (:data:`PAIR_KINDS` order, None: all), and each
    column folds its smallest nodes into ``… N other`` beyond 14, so the chart stays legible and quick on
    any estate; the title says what was left out.  Backend bands and nodes use the backend's style
    (``palette``, default :func:`backend_palette`).
    """
    ax = _get_ax(ax)
    routes = _pairs_frame(res, mesh, sources, destinations)
    backends = res.backends if mesh is None else res.backends[res.backends["mesh"] == mesh]
    styles = palette if palette is not None else backend_palette(res)
    key = ["mesh", "source", "destination"]
    where = f"mesh {mesh}" if mesh is not None else "all meshes"
    ax.set_axis_off()
    if routes.empty:
        ax.set_title(f"Traffic flow, {where}: no pair selected")
        return ax
    kinds = pair_kinds(routes, backends)
    flow_first = np.array([2, 0, 1, 3])  # a flow shows splits best: split, redirected, nowhere, the rest
    ranked = routes.assign(_kind=kinds.to_numpy(), _order=flow_first[kinds.to_numpy()])
    ranked = ranked.sort_values(["_order", *key], kind="stable")
    total = len(ranked)
    shown = ranked if max_pairs is None else ranked.head(max(int(max_pairs), 1))
    left_out = ranked.iloc[len(shown):]
    rows = backends.merge(shown[key], on=key, how="inner")
    if rows.empty:
        rows = rows.assign(_route="", share=pd.Series(dtype=float))
    rows = rows.assign(_route=_route_of(rows))
    carried = rows[(rows["share"].astype(float) > 0) & _in_split(rows)]
    routes_per_pair = carried.groupby(key, sort=False)["_route"].transform("nunique").clip(lower=1)
    carried = carried.assign(_flow=carried["share"].astype(float) / routes_per_pair)
    prefix = (lambda m: f"{m}: ") if shown["mesh"].nunique() > 1 else (lambda m: "")
    src = [prefix(m) + str(x) for m, x in zip(shown["mesh"], shown["source"])]
    dst = [prefix(m) + str(x) for m, x in zip(shown["mesh"], shown["destination"])]
    first = pd.DataFrame({"s": src, "d": dst, "w": 1.0})
    second = pd.DataFrame({"d": [prefix(m) + str(x) for m, x in zip(carried["mesh"], carried["destination"])],
                           "b": carried["backend"].astype(str).to_numpy(), "w": carried["_flow"].to_numpy()})
    nowhere = ~shown["forwards"].fillna(False).astype(bool).to_numpy()
    if nowhere.any():
        second = pd.concat([second, pd.DataFrame({"d": np.asarray(dst)[nowhere], "b": _NOWHERE, "w": 1.0})],
                           ignore_index=True)
    s_map = _fold_nodes(first.groupby("s")["w"].sum(), _FLOW_NODES, "sources")
    d_map = _fold_nodes(first.groupby("d")["w"].sum(), _FLOW_NODES, "destinations")
    b_map = _fold_nodes(second.groupby("b")["w"].sum(), _FLOW_NODES, "backends")
    first = first.assign(s=first["s"].map(s_map), d=first["d"].map(d_map)).groupby(["s", "d"], sort=False)["w"].sum()
    second = second.assign(d=second["d"].map(d_map), b=second["b"].map(b_map)).groupby(["d", "b"], sort=False)["w"].sum()

    def order(values: Iterable[str], totals: pd.Series) -> list[str]:
        names = list(dict.fromkeys(values))
        return sorted(names, key=lambda k: (k.startswith("… ") or k == _NOWHERE, -float(totals.get(k, 0.0)), k))

    s_tot = first.groupby(level=0).sum()
    d_tot = first.groupby(level=1).sum()
    b_tot = second.groupby(level=1).sum()
    columns = [order(s_tot.index, s_tot), order(d_tot.index, d_tot), order(b_tot.index, b_tot)]
    gap = 0.02
    stacks = [_stack(s_tot.to_dict(), columns[0], gap), _stack(d_tot.to_dict(), columns[1], gap),
              _stack(b_tot.to_dict(), columns[2], gap)]
    xs = (0.0, 1.0, 2.0)
    node_w = 0.04
    out_cursor = {k: v[1] for k, v in stacks[0].items()}
    in_cursor = {k: v[1] for k, v in stacks[1].items()}
    scale0 = (stacks[0][columns[0][0]][1] - stacks[0][columns[0][0]][0]) / float(s_tot[columns[0][0]])
    for (s_name, d_name), w in sorted(first.items(), key=lambda kv: (columns[0].index(kv[0][0]), columns[1].index(kv[0][1]))):
        h = float(w) * scale0
        left = (out_cursor[s_name] - h, out_cursor[s_name])
        right = (in_cursor[d_name] - h, in_cursor[d_name])
        out_cursor[s_name] -= h
        in_cursor[d_name] -= h
        _band(ax, xs[0] + node_w, xs[1] - node_w, left, right, color="#9e9e9e", alpha=0.45)
    # The destination column's scale in the second step: its nodes' heights split by what leaves them.
    d_out = {k: v[1] for k, v in stacks[1].items()}
    b_in = {k: v[1] for k, v in stacks[2].items()}
    for (d_name, b_name), w in sorted(second.items(), key=lambda kv: (columns[1].index(kv[0][0]), columns[2].index(kv[0][1]))):
        lo, hi = stacks[1][d_name]
        h_left = (hi - lo) * float(w) / max(float(second.loc[d_name].sum()), 1e-12)
        b_lo, b_hi = stacks[2][b_name]
        h_right = (b_hi - b_lo) * float(w) / max(float(b_tot[b_name]), 1e-12)
        left = (d_out[d_name] - h_left, d_out[d_name])
        right = (b_in[b_name] - h_right, b_in[b_name])
        d_out[d_name] -= h_left
        b_in[b_name] -= h_right
        style = styles.get(b_name, {})
        colour = style.get("facecolor", "#333333") if b_name != _NOWHERE else "#000000"
        _band(ax, xs[1] + node_w, xs[2] - node_w, left, right, color=colour, alpha=0.55)
    fontsize = _fontsize_for(ax, max(len(c) for c in columns), largest=8.5)
    width = _label_chars(ax, fontsize, 0.22)
    for column, (x, stack) in enumerate(zip(xs, stacks)):
        for name, (lo, hi) in stack.items():
            style = styles.get(name, {}) if column == 2 else {}
            face = style.get("facecolor", "#000000" if name == _NOWHERE else "#555555")
            ax.add_patch(_rectangle((x - node_w, lo), 2 * node_w, max(hi - lo, 1e-4), facecolor=face,
                                    hatch=style.get("hatch", ""), edgecolor="#333333", linewidth=0.5))
            label = short_backend(name, width) if column == 2 else _shorten(name, width)
            if column == 0:
                ax.text(x - node_w - 0.03, (lo + hi) / 2, label, ha="right", va="center", fontsize=fontsize)
            elif column == 1:
                ax.text(x, hi + 0.004, label, ha="center", va="bottom", fontsize=fontsize * 0.9,
                        bbox=_LABEL_BOX)
            else:
                ax.text(x + node_w + 0.03, (lo + hi) / 2, label, ha="left", va="center", fontsize=fontsize)
    ax.set_xlim(-0.1, 2.1)
    ax.set_ylim(-0.07, 1.04)
    for x, name in zip(xs, ("source", "destination", "backend")):
        ax.text(x, -0.015, name, ha="center", va="top", fontsize=9, fontweight="bold")
    title = f"Traffic flow, {where}: {len(shown):,} pair{'s' if len(shown) != 1 else ''} (band width: share)"
    if not left_out.empty:
        title = (f"Traffic flow, {where}: the {len(shown):,} most interesting of {total:,} pairs (band width: share)\n"
                 f"left out: {_kind_counts(left_out['_kind'])}")
    ax.set_title(title, fontsize=10)
    return ax


def _rectangle(xy: tuple[float, float], width: float, height: float, **kwargs: Any) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle(xy, width, height, **kwargs)


# ----------------------------------------------------------------------------------------------- diff

_BEFORE_HATCH = "////"
_DELTA_COLORS = {"up": "#0072B2", "down": "#D55E00"}  # Okabe-Ito blue and vermillion: apart in greyscale too
_DELTA_BARS = 60


def _diff_frames(d: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    pairs = _frame_of(d, "pairs", "the Diff from mra.diff()")
    backends = _frame_of(d, "backends", "the Diff from mra.diff()")
    for frame, columns in ((pairs, ("mesh", "source", "destination", "route_type_before", "route_type_after")),
                           (backends, ("mesh", "source", "destination", "backend", "share_before", "share_after", "delta"))):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise TypeError(f"the diff's frames lack the columns {missing}: pass the Diff from mra.diff()")
    return pairs, backends


def _changed_pair(pairs: pd.DataFrame, mesh: str | None, source: str, destination: str) -> pd.Series:
    rows = pairs if mesh is None else pairs[pairs["mesh"] == mesh]
    if rows.empty:
        raise _unknown_pair("mesh", str(mesh), pairs["mesh"].unique(), " among the changed pairs")
    of_source = rows[rows["source"] == source]
    if of_source.empty:
        raise _unknown_pair("source", source, rows["source"], " among the changed pairs")
    pair = of_source[of_source["destination"] == destination]
    if pair.empty:
        raise _unknown_pair("destination", destination, of_source["destination"], f" of changed source {source!r}")
    if len(pair) > 1:
        raise ValueError(f"{source} → {destination} changed in several meshes ({', '.join(pair['mesh'])}): pass mesh=")
    return pair.iloc[0]


def _side_text(route_type: Any, policies: Any) -> str:
    if route_type is None or (isinstance(route_type, float) and np.isnan(route_type)):
        return "no such pair"
    names = ", ".join(policies) if isinstance(policies, (tuple, list)) and policies else "no policy"
    return f"{route_type} ({names})"


def _route_type_color(route_type: Any) -> str:
    style = ROUTE_TYPE_STYLES.get(str(route_type))
    return style.color if style is not None else ROUTE_TYPE_STYLES["none"].color


def _draw_pair_diff(ax: Axes, pair: pd.Series, rows: pd.DataFrame) -> Axes:
    """Two bars per backend (per HTTP route): before (hatched) above after (solid), each coloured by the
    route type that carries it on its side; widths are the shares."""
    title = (f"{pair['source']}{_ARROW}{pair['destination']} (mesh {pair['mesh']})\n"
             f"before: {_side_text(pair['route_type_before'], pair.get('policies_before'))}\n"
             f"after: {_side_text(pair['route_type_after'], pair.get('policies_after'))}")
    ax.set_title(title, fontsize=9)
    ax.set_xlim(0, 1.0)
    ax.xaxis.set_major_formatter(_percent_formatter())
    http = "route" in rows.columns and _route_of(rows).ne("").any()
    ax.set_xlabel("share of the pair's traffic" + (" (of the HTTP route's, for MeshHTTPRoute)" if http else ""))
    if rows.empty:
        ax.text(0.5, 0.5, "no backend on either side", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return ax
    rows = rows.reset_index(drop=True)
    labels = [f"[{r}] {b}" if isinstance(r, str) and r else str(b) for r, b in zip(_route_of(rows), rows["backend"])]
    centers = np.arange(len(rows))[::-1] * 1.0
    sides = (("before", centers + 0.2, pair["route_type_before"], _BEFORE_HATCH),
             ("after", centers - 0.2, pair["route_type_after"], ""))
    for side, ys, route_type, hatch in sides:
        shares = rows[f"share_{side}"].astype(float).to_numpy()
        ax.barh(ys, shares, height=0.38, facecolor=_route_type_color(route_type), hatch=hatch, edgecolor="#333333",
                linewidth=0.6, label=f"{side}: {route_type if isinstance(route_type, str) else 'no such pair'}")
        for y, share in zip(ys, shares, strict=True):
            inside = share > 0.55  # long bars carry their label inside, as plot_split does
            ax.text(share - 0.01 if inside else share + 0.01, y, f"{side} {_percent(float(share))}", va="center",
                    ha="right" if inside else "left", fontsize=7, bbox=_LABEL_BOX if inside else None)
    ax.set_yticks(centers, labels, fontsize=8)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, title="side: route type",
              title_fontsize=8)
    return ax


def _draw_deltas(ax: Axes, backends: pd.DataFrame, mesh: str | None, top: int | None) -> Axes:
    """One bar per backend whose share moved: its change in percentage points, largest moves first."""
    moved = backends if mesh is None else backends[backends["mesh"] == mesh]
    if "change" in moved.columns:
        moved = moved[moved["change"] != "same"]
    where = f"mesh {mesh}" if mesh is not None else "all meshes"
    if moved.empty:
        ax.set_title(f"Share changes, {where}: no backend moves")
        ax.set_yticks([])
        return ax
    total = len(moved)
    order = moved.assign(_size=moved["delta"].abs()).sort_values(["_size", "mesh", "source", "destination"],
                                                                   ascending=[False, True, True, True], kind="stable")
    shown = order.head(top) if top else order
    several_meshes = shown["mesh"].nunique() > 1
    labels = [(f"{m}: " if several_meshes else "") + f"{s}{_ARROW}{d}: " + (f"[{r}] " if isinstance(r, str) and r else "") + str(b)
              for m, s, d, r, b in zip(shown["mesh"], shown["source"], shown["destination"], _route_of(shown), shown["backend"])]
    deltas = shown["delta"].astype(float).to_numpy()
    positions = np.arange(len(shown))[::-1]
    colors = [_DELTA_COLORS["up"] if x >= 0 else _DELTA_COLORS["down"] for x in deltas]
    ax.barh(positions, deltas, height=0.7, color=colors, edgecolor="#333333", linewidth=0.4)
    fontsize = _fontsize_for(ax, len(shown))
    for y, x in zip(positions, deltas, strict=True):
        ax.text(x + (1 if x >= 0 else -1), y, f"{x:+.0f} pp" if float(x).is_integer() else f"{x:+.1f} pp",
                va="center", ha="left" if x >= 0 else "right", fontsize=fontsize * 0.85)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlim(-130, 130)  # room for the labels of full moves beside their bars
    ax.set_yticks(positions, labels, fontsize=fontsize)
    ax.set_ylim(-0.6, len(shown) - 0.4)
    ax.set_xlabel("change in share (percentage points)")
    cut = f" (the {len(shown)} largest of {total})" if len(shown) < total else ""
    ax.set_title(f"Share changes, {where}: {total} backend{'s' if total != 1 else ''} move{cut}")
    return ax


def plot_diff(
    diff: Any,
    source: str | None = None,
    destination: str | None = None,
    *,
    mesh: str | None = None,
    top: int | None = _DELTA_BARS,
    ax: Axes | None = None,
) -> Axes:
    """What a change does to shares, from a :class:`~meshroute_analysis.diff.Diff`.

    With ``source`` and ``destination`` (a changed pair of ``diff.pairs``): its backends before and after
    as paired bars, before hatched above after, each bar's width its share and its colour the route type
    that carries it on that side (the route matrix's colours), with both sides' route type and policies in
    the title.  Without them: every backend whose share moved, as one bar of its change in percentage
    points (blue up, vermillion down), the ``top`` largest moves (None: all) of ``mesh`` (None: every mesh).
    Unknown names raise ``ValueError`` naming close matches.
    """
    ax = _get_ax(ax)
    pairs, backends = _diff_frames(diff)
    if (source is None) != (destination is None):
        raise ValueError("plot_diff: give both source and destination (one changed pair), or neither (all share changes)")
    if source is None:
        return _draw_deltas(ax, backends, mesh, top)
    pair = _changed_pair(pairs, mesh, source, str(destination))
    key = (backends["mesh"] == pair["mesh"]) & (backends["source"] == source) & (backends["destination"] == destination)
    return _draw_pair_diff(ax, pair, backends[key])

