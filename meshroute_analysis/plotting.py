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
    "ROUTE_TYPE_STYLES",
    "backend_styles",
    "plot_diff",
    "plot_route_matrix",
    "plot_split",
    "plot_splits",
    "plot_weights",
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


def backend_styles(labels: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``{label: {"facecolor", "hatch", "edgecolor"}}`` for backend labels.

    A backend's style comes from a hash of its label, so the same backend looks the same in every chart,
    report and session.  When two labels of the same call hash to the same style, the later one (in
    sorted order) moves to the next free style, so the backends of one chart always differ.
    """
    combos = len(BACKEND_COLORS) * len(BACKEND_HATCHES)
    taken: set[int] = set()
    out: dict[str, dict[str, str]] = {}
    for label in sorted(set(labels)):
        slot = zlib.crc32(label.encode("utf-8")) % combos
        while slot in taken and len(taken) < combos:
            slot = (slot + 1) % combos
        taken.add(slot)
        out[label] = {
            "facecolor": BACKEND_COLORS[slot % len(BACKEND_COLORS)],
            "hatch": BACKEND_HATCHES[slot % len(BACKEND_HATCHES)],
            "edgecolor": "#333333",
        }
    return out


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
    ax: Axes, route: Mapping[str, Any], rows: pd.DataFrame, styles: Mapping[str, Mapping[str, Any]], *, what_if: bool
) -> Axes:
    """One horizontal bar per backend (per HTTP route), width = share, labelled with backend and percent."""
    route_type = str(route["route_type"])
    title = f"{route['source']}{_ARROW}{route['destination']}\n{route_type}, mesh {route['mesh']}"
    if what_if:
        title += " (what-if weights)"
    ax.set_title(title)
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("share of the pair's traffic" if not _route_of(rows).ne("").any() else "share of the HTTP route's traffic")
    ax.xaxis.set_major_formatter(_percent_formatter())
    if rows.empty:
        status = route.get("status", "")
        ax.text(0.5, 0.5, f"no backend: {status}\n{route.get('reason', '')}", ha="center", va="center",
                transform=ax.transAxes, wrap=True)
        ax.set_yticks([])
        return ax
    rows = rows.assign(_route=_route_of(rows)).reset_index(drop=True)
    several_routes = rows["_route"].nunique() > 1 or rows["_route"].ne("").any()
    labels = [f"[{r}] {b}" if several_routes else str(b) for r, b in zip(rows["_route"], rows["backend"])]
    positions = np.arange(len(rows))[::-1]  # first backend on top, in configuration order
    in_split = _in_split(rows)
    for y, (_, row), carried in zip(positions, rows.iterrows(), in_split, strict=True):
        style = styles.get(str(row["backend"]), {})
        share = float(row["share"])
        ax.barh(y, share, height=0.7, label=str(row["backend"]), linewidth=0.6, **style)
        note = "" if carried else f" ({row['note']})" if str(row.get("note", "") or "") else " (not in split)"
        text = f"{_percent(share)} · weight {_weight_text(row['weight'])}{note}"
        # Long bars carry their label inside (on a white box), short ones just after their end.
        inside = share > 0.55
        ax.text(share - 0.01 if inside else share + 0.01, y, text, va="center", ha="right" if inside else "left",
                fontsize=8, bbox=_LABEL_BOX if inside else None)
    ax.set_yticks(positions, labels)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    if not bool(route["forwards"]):
        ax.text(0.98, 0.02, f"{_NO_FORWARD_MARKER} forwards nowhere: {route.get('status', '')}", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=8)
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
    ax: Axes | None = None,
) -> Axes:
    """The shares of one pair's backends: one bar per backend, its width the share, labelled with the
    backend, its percentage and weight; titled with the pair, route type and mesh.

    For a MeshHTTPRoute pair each bar is one backend of one HTTP route (``[route] backend``) and shares are
    within that route.  ``weights`` (backend label → weight, as in ``res.backends["backend"]``) draws a
    what-if: the shares those weights would give, without touching the repository or the resolution.
    Unknown mesh, source or destination raise ``ValueError`` naming close matches.
    """
    ax = _get_ax(ax)
    route, rows = _pair_rows(res, mesh, source, destination)
    styles = backend_styles(res.backends["backend"].astype(str))
    if weights:
        rows = res.reweigh(rows, weights)  # the resolver re-splits; the chart only draws
    return _draw_split(ax, route, rows, styles, what_if=bool(weights))


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


def plot_splits(
    res: Any,
    *,
    mesh: str | None = None,
    sources: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    nontrivial: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Many pairs at once: one horizontal bar per pair (per HTTP route), stacked by backend share.

    Filter with ``mesh``, ``sources`` and ``destinations``; ``nontrivial=True`` keeps only pairs whose
    traffic is split, redirected or goes nowhere (drops the "100% to the destination itself" rows).
    Pairs that forward nowhere get an empty bar marked ``X`` and their status.  Tick labels shrink to
    the Axes' height, segment labels are written where they fit, and the legend lists at most 16
    backends (the most traffic first), so the chart stays readable at 200 pairs on a tall figure.
    """
    ax = _get_ax(ax)
    routes = _pairs_frame(res, mesh, sources, destinations)
    backends = res.backends
    styles = backend_styles(backends["backend"].astype(str))
    key = ["mesh", "source", "destination"]
    if nontrivial and not routes.empty:
        trivial = _trivial_pairs(backends)
        routes = routes[~pd.MultiIndex.from_frame(routes[key]).isin(trivial)]
    if routes.empty:
        ax.set_title("Traffic splits: no pair selected")
        ax.set_yticks([])
        return ax
    routes = routes.sort_values(key, kind="stable")
    rows = backends.merge(routes[key], on=key, how="inner")
    rows = rows.assign(_route=_route_of(rows))
    several_meshes = routes["mesh"].nunique() > 1
    bars = _split_bars(routes, rows, several_meshes)
    positions = np.arange(len(bars))[::-1]
    n = len(bars)
    fontsize = _fontsize_for(ax, n)
    show_text = fontsize >= 5.5
    axes_width_pt = ax.get_position().width * ax.figure.get_size_inches()[0] * 72.0  # type: ignore[union-attr]
    totals: dict[str, float] = {}
    for y, (_label, segments, forwards, status) in zip(positions, bars, strict=True):
        left = 0.0
        for backend, share in segments:
            ax.barh(y, share, left=left, height=0.8, linewidth=0.4, **styles.get(backend, {}))
            text = _segment_text(backend, share, share * axes_width_pt, fontsize * 0.85) if show_text else ""
            if text:
                ax.text(left + share / 2, y, text, ha="center", va="center", fontsize=fontsize * 0.85, bbox=_LABEL_BOX)
            left += share
            totals[backend] = totals.get(backend, 0.0) + share
        if not forwards:
            ax.text(0.01, y, f"{_NO_FORWARD_MARKER} forwards nowhere ({status})", va="center", ha="left",
                    fontsize=fontsize * 0.85)
    ax.set_yticks(positions, [b[0] for b in bars], fontsize=fontsize)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, 1.0)
    ax.xaxis.set_major_formatter(_percent_formatter())
    http = rows["_route"].ne("").any()
    ax.set_xlabel("share of the pair's traffic" + (" (of the HTTP route's, for MeshHTTPRoute)" if http else ""))
    where = f"mesh {mesh}" if mesh is not None else "all meshes"
    ax.set_title(f"Traffic splits, {where}: {len(routes)} pair{'s' if len(routes) != 1 else ''}")
    _backend_legend(ax, totals, styles)
    return ax


def _split_bars(
    routes: pd.DataFrame, rows: pd.DataFrame, several_meshes: bool
) -> list[tuple[str, list[tuple[str, float]], bool, str]]:
    """(label, [(backend, share)], forwards, status) per bar, in the routes' order."""
    grouped = {k: g for k, g in rows.groupby(["mesh", "source", "destination"], sort=False)}
    bars: list[tuple[str, list[tuple[str, float]], bool, str]] = []
    for route in routes.itertuples(index=False):
        k = (route.mesh, route.source, route.destination)
        label = f"{route.mesh}: " if several_meshes else ""
        label += f"{route.source}{_ARROW}{route.destination}"
        g = grouped.get(k)
        if g is None or g.empty:
            bars.append((label, [], bool(route.forwards), str(route.status)))
            continue
        by_route = list(g.groupby("_route", sort=False))
        for name, part in by_route:
            segs = [(str(b), float(s)) for b, s in zip(part["backend"], part["share"]) if s > 0]
            suffix = f" [{name}]" if len(by_route) > 1 else ""
            bars.append((label + suffix, segs, bool(route.forwards), str(route.status)))
    return bars


def _segment_text(backend: str, share: float, width_pt: float, fontsize: float) -> str:
    """The longest of "backend 90%" / "90%" that fits the segment (about 0.6 em per character), or ""."""
    for text in (f"{backend} {_percent(share)}", _percent(share)):
        if len(text) * 0.6 * fontsize + 4 <= width_pt:
            return text
    return ""


def _backend_legend(ax: Axes, totals: Mapping[str, float], styles: Mapping[str, Mapping[str, Any]]) -> None:
    ranked = sorted(totals, key=lambda b: (-totals[b], b))
    handles = [_patch(label=b, linewidth=0.4, **styles.get(b, {})) for b in ranked[:_MAX_LEGEND_BACKENDS]]
    if len(ranked) > _MAX_LEGEND_BACKENDS:
        handles.append(_patch(label=f"… {len(ranked) - _MAX_LEGEND_BACKENDS} more backends", facecolor="white",
                              edgecolor="white"))
    if handles:
        ax.legend(handles=handles, title="backend", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
                  title_fontsize=8, frameon=False)


# ----------------------------------------------------------------------------------------------- route matrix


def _matrix_data(routes: pd.DataFrame, several_meshes: bool) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Row labels, column labels, route-type codes (NaN: not a pair) and a no-forward mask."""
    prefix = routes["mesh"].astype(str) + ": " if several_meshes else ""
    row_keys = prefix + routes["source"].astype(str)
    col_keys = prefix + routes["destination"].astype(str)
    rows_cat = pd.Categorical(row_keys)
    cols_cat = pd.Categorical(col_keys)
    types = list(ROUTE_TYPE_STYLES)
    type_codes = pd.Categorical(routes["route_type"].astype(str), categories=types).codes.astype(float)
    type_codes[type_codes < 0] = types.index("none")
    codes = np.full((len(rows_cat.categories), len(cols_cat.categories)), np.nan)
    codes[rows_cat.codes, cols_cat.codes] = type_codes
    blocked = np.zeros(codes.shape, dtype=bool)
    blocked[rows_cat.codes, cols_cat.codes] = ~routes["forwards"].astype(bool).to_numpy()
    return list(rows_cat.categories), list(cols_cat.categories), codes, blocked


def _tick_every(count: int, fontsize: float) -> int:
    """Label every k-th row when even 3 pt labels would overlap (beyond about 150 per axis)."""
    return 1 if fontsize > 3.0 or count <= 150 else int(np.ceil(count / 150))


def plot_route_matrix(res: Any, *, mesh: str | None = None, ax: Axes | None = None) -> Axes:
    """Sources (rows) x destinations (columns), each cell coloured by the winning route type.

    Pairs that forward nowhere carry an ``X``; white cells are not pairs (the source does not reach that
    destination).  The colours differ in lightness and small matrices (up to 30 x 30) also print the
    type's letter (R TrafficRoute, T MeshTCPRoute, H MeshHTTPRoute, – none), so the chart holds in
    greyscale.  With ``mesh=None`` and several meshes, labels are prefixed with the mesh.
    """
    from matplotlib.colors import ListedColormap

    ax = _get_ax(ax)
    _require(_frame_of(res, "routes", "the Resolution from mra.resolve()"), ("mesh", "source", "destination", "route_type", "forwards"), "res.routes")
    routes = res.routes if mesh is None else res.routes[res.routes["mesh"] == mesh]
    where = f"mesh {mesh}" if mesh is not None else "all meshes"
    if routes.empty:
        ax.set_title(f"Winning route type, {where}: no pair")
        return ax
    row_labels, col_labels, codes, blocked = _matrix_data(routes, routes["mesh"].nunique() > 1)
    types = list(ROUTE_TYPE_STYLES)
    cmap = ListedColormap([ROUTE_TYPE_STYLES[t].color for t in types]).with_extremes(bad="white")
    ax.imshow(np.ma.masked_invalid(codes), cmap=cmap, vmin=-0.5, vmax=len(types) - 0.5, aspect="auto",
              interpolation="nearest")
    n_rows, n_cols = codes.shape
    if n_rows * n_cols <= _LETTERS_UP_TO_CELLS:
        for (r, c), code in np.ndenumerate(codes):
            if not np.isnan(code) and not blocked[r, c]:
                dark = types[int(code)] == "MeshHTTPRoute"
                ax.text(c, r, ROUTE_TYPE_STYLES[types[int(code)]].letter, ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")
    ys, xs = np.nonzero(blocked)
    if len(xs):
        size = max(4.0, min(60.0, 2500.0 / max(n_rows, n_cols)))
        ax.scatter(xs, ys, marker=_NO_FORWARD_MARKER, s=size, c="black", edgecolors="white", linewidths=0.5,
                   label="forwards nowhere", zorder=3)
    _matrix_ticks(ax, row_labels, col_labels)
    ax.set_xlabel("destination")
    ax.set_ylabel("source")
    ax.set_title(f"Winning route type, {where}: {n_rows} sources x {n_cols} destinations")
    present = [t for t in types if (codes == types.index(t)).any()]
    handles = [_patch(facecolor=ROUTE_TYPE_STYLES[t].color, edgecolor="#333333", linewidth=0.5,
                      label=f"{ROUTE_TYPE_STYLES[t].letter} {t}") for t in present]
    if len(xs):
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], marker=_NO_FORWARD_MARKER, color="black", linestyle="none",
                              label=f"{_NO_FORWARD_MARKER} forwards nowhere ({len(xs)})"))
    handles.append(_patch(facecolor="white", edgecolor="#333333", linewidth=0.5, label="not a pair"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title="winning route")
    return ax


def _matrix_ticks(ax: Axes, row_labels: list[str], col_labels: list[str]) -> None:
    row_size = _fontsize_for(ax, len(row_labels), vertical=True, largest=8.0)
    col_size = _fontsize_for(ax, len(col_labels), vertical=False, largest=8.0)
    r_every = _tick_every(len(row_labels), row_size)
    c_every = _tick_every(len(col_labels), col_size)
    r_at = np.arange(0, len(row_labels), r_every)
    c_at = np.arange(0, len(col_labels), c_every)
    ax.set_yticks(r_at, [row_labels[i] for i in r_at], fontsize=row_size)
    ax.set_xticks(c_at, [col_labels[i] for i in c_at], fontsize=col_size, rotation=90)


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


def plot_weights(repo: Any, *, policy: str | None = None, ax: Axes | None = None) -> Axes:
    """The configured weights of each policy's rules: one bar per backendRef, its length the weight.

    Each bar is labelled ``policy to[i].rules[j] → backend`` and annotated with the weight (``default``
    when the file leaves it unset and 1 applies) and its share within the rule.  ``policy`` keeps one
    policy (by key, name or ``name.namespace``).
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
    kinds = rows["backend_kind"] if "backend_kind" in rows.columns else [None] * len(rows)
    labels_b = [_backend_label(n, t, k) for n, t, k in zip(rows["backend_name"], _tags_str(rows), kinds)]
    styles = backend_styles(labels_b)
    several_meshes = "mesh" in rows.columns and rows["mesh"].nunique() > 1
    positions = np.arange(len(rows))[::-1]
    ticks = []
    top = float(rows["weight"].max()) or 1.0
    for y, label, (_, row) in zip(positions, labels_b, rows.iterrows()):
        weight = float(row["weight"])
        ax.barh(y, weight, height=0.7, linewidth=0.6, **styles[label])
        defaulted = "weight_configured" in row.index and pd.isna(row["weight_configured"])
        text = f"{_weight_text(weight)}{' (default)' if defaulted else ''} · {_percent(float(row['share']))}"
        ax.text(weight + top * 0.01, y, text, va="center", ha="left", fontsize=8, clip_on=True)
        mesh = f"{row['mesh']}: " if several_meshes else ""
        ticks.append(f"{mesh}{_short_policy(str(row['policy']))}{_rule_label(row)}{_ARROW}{label}")
    ax.set_yticks(positions, ticks, fontsize=_fontsize_for(ax, len(rows)))
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, top * 1.3)
    ax.set_xlabel("configured weight (label: weight · share within the rule)")
    ax.set_title(title)
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

