"""``explore(repo_or_resolution)``: an ipywidgets explorer of a resolution, built on :mod:`.plotting`.

Pick a mesh, a source and a destination (each picker has a substring filter above it; "interesting pairs
only" keeps the pairs that are split, redirected, forward nowhere or have a finding): the explorer draws
the pair's split and its explanation (``res.explain``), and, in its own tab,
the mesh's route matrix (:func:`~.plotting.plot_route_matrix`, 700 x 250 px, drawn only while that tab is
shown).  The what-if mode adds one slider per backend of the winning route (none for a single backend),
named by what tells the backends apart (their subset tags) and showing each one's share; the chart then
shows the what-if shares with the configured ones outlined above them.  Turning what-if off puts the
configured weights back.  Neither the repository nor the resolution changes.

The live split is SVG markup (:mod:`.splitsvg`) in an HTML widget: the browser draws it.  On 1,000 services a
pick or a slider move then takes 36-38 ms median, 56-70 ms p95 in a real browser, against 63 / 127 ms with a
matplotlib draw and PNG round trip, and the first draw in a fresh kernel 1.6-1.7 s: pairs are grouped by the
resolution's integer codes (``Resolution.pair_codes()``), not by factorising their names
(``benchmarks/bench_explorer_browser.py``).  Its matplotlib twin (:func:`~.plotting.plot_split`'s
drawing) is ``explorer.split_ax``, drawn when it is read.

Every view is a static chart too (the same plotting functions), and the explorer's rich display carries a
PNG of the current views next to the widget, so exported notebooks and GitHub, which do not render widgets,
still show something (nbconvert PR #1643's fallback).  ipywidgets and matplotlib are imported when an
explorer is built, never when the package is imported.

Headless use (tests, benchmarks): set ``explorer.mesh.value`` / ``.source_filter.value`` / ``.source.value`` /
``.destination.value`` / ``.interesting.value`` / ``.what_if.value`` / ``explorer.sliders[label].value`` /
``.tabs.selected_index`` and read ``explorer.split_chart.value`` (the SVG), ``.split_ax`` (the same split in
matplotlib), ``.matrix_ax``, ``.explanation.value``,
``.slider_shares[label].value``, ``.updates`` and ``.last_update_seconds``.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import plotting
from .splitsvg import message_svg, split_svg

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Explorer", "explore"]

_SLIDER_FLOOR = 100  # sliders reach at least this weight, or 4x the largest configured one
_MAX_OPTIONS = 1000  # a picker lists at most this many names; the filter narrows the rest
_MATRIX_PX = (700, 250)
_DPI = 80
_MATRIX_TAB = 1
_ROUTE_COLUMNS = ("mesh", "source", "destination", "route_type", "policies", "trafficroute", "forwards", "status",
                  "backend_count")
_BACKEND_COLUMNS = ("mesh", "source", "destination", "backend", "route", "weight", "share", "in_split", "note")


def _as_resolution(data: Any, kuma_version: str | None = None) -> Any:
    """A Resolution as is; a PolicyRepo resolved for ``kuma_version`` (default: its config's, else 2.5)."""
    if hasattr(data, "routes") and hasattr(data, "backends") and hasattr(data, "explain"):
        return data
    from .resolve import resolve

    return resolve(data, kuma_version=kuma_version)


class _Codes:
    """Integer codes of every pair's mesh, source and destination (routes and backends alike), worked out
    once per explorer: an index of a mesh is then a few integer sorts.  A :class:`~.resolve.Resolution`
    gives them (``pair_codes()``); for anything else that quacks like one, the frames are factorised."""

    def __init__(self, res: Any, routes: pd.DataFrame, backends: pd.DataFrame) -> None:
        given = getattr(res, "pair_codes", None)
        codes = given() if callable(given) else None
        if codes is not None and len(codes.routes.mesh) == len(routes) and len(codes.backends.mesh) == len(backends):
            names = codes.meshes, codes.sources, codes.destinations
            self.mesh, self.source, self.destination = codes.routes
            self.b_mesh, self.b_source, self.b_destination = codes.backends
        else:  # not a Resolution, or its frames were changed in place
            self.mesh, mesh_names = pd.factorize(routes["mesh"].astype(str))
            self.source, source_names = pd.factorize(routes["source"].astype(str))
            self.destination, destination_names = pd.factorize(routes["destination"].astype(str))
            names = mesh_names, source_names, destination_names
            self.b_mesh = pd.Index(mesh_names).get_indexer(backends["mesh"].astype(str))
            self.b_source = pd.Index(source_names).get_indexer(backends["source"].astype(str))
            self.b_destination = pd.Index(destination_names).get_indexer(backends["destination"].astype(str))
        self.mesh_names, self.source_names, self.destination_names = (np.asarray(n, dtype=object) for n in names)
        #: The meshes that have a pair, by name.
        present = np.bincount(self.mesh, minlength=len(self.mesh_names)) > 0 if len(self.mesh) else []
        self.meshes = sorted(str(m) for m, here in zip(self.mesh_names, present) if here)

    def mesh_code(self, mesh: str) -> int:
        return list(self.mesh_names).index(mesh)


class _MeshIndex:
    """One mesh's pairs sorted by (source, destination) name, as positions into the resolution's frames:
    a pick is a binary search rather than a scan of a million rows, and nothing is copied until the matrix
    or the "interesting" filter needs the mesh's own frames."""

    def __init__(self, routes: pd.DataFrame, backends: pd.DataFrame, codes: _Codes, mesh_code: int,
                 finding_pairs: set[tuple[str, str]]) -> None:
        self._all_routes, self._all_backends = routes, backends
        pos = np.flatnonzero(codes.mesh == mesh_code)
        src_used = np.unique(codes.source[pos])
        dst_used = np.unique(codes.destination[pos])
        src_order = src_used[np.argsort(codes.source_names[src_used].astype(str), kind="stable")]
        dst_order = dst_used[np.argsort(codes.destination_names[dst_used].astype(str), kind="stable")]
        self.sources: list[str] = [str(x) for x in codes.source_names[src_order]]
        self.destination_names: list[str] = [str(x) for x in codes.destination_names[dst_order]]
        src_rank = np.full(len(codes.source_names) + 1, -1, dtype=np.int64)  # the last slot: code -1
        dst_rank = np.full(len(codes.destination_names) + 1, -1, dtype=np.int64)
        src_rank[src_order] = np.arange(len(src_order))
        dst_rank[dst_order] = np.arange(len(dst_order))
        self._src_code = {name: i for i, name in enumerate(self.sources)}
        self._dst_code = {name: i for i, name in enumerate(self.destination_names)}
        self._width = width = max(len(self.destination_names), 1)
        key = src_rank[codes.source[pos]] * width + dst_rank[codes.destination[pos]]
        order = np.argsort(key, kind="stable")
        self._r_pos, self._key = pos[order], key[order]
        self._starts = np.searchsorted(self._key // width, np.arange(len(self.sources) + 1))
        b_pos = np.flatnonzero(codes.b_mesh == mesh_code)
        b_key = src_rank[codes.b_source[b_pos]] * width + dst_rank[codes.b_destination[b_pos]]
        b_order = np.argsort(b_key, kind="stable")
        self._b_pos, self._b_key = b_pos[b_order], b_key[b_order]
        self.n_destinations = len(self.destination_names)
        self.n_pairs = len(pos)
        self._finding_pairs = finding_pairs
        self._frames: tuple[pd.DataFrame, pd.DataFrame] | None = None
        self._kinds: np.ndarray | None = None

    @property
    def routes(self) -> pd.DataFrame:
        return self.frames[0]

    @property
    def backends(self) -> pd.DataFrame:
        return self.frames[1]

    @property
    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The mesh's routes and backends in this index's order (copied on first use)."""
        if self._frames is None:  # only the columns the matrix and the pair kinds read: a narrower copy
            routes = self._all_routes[[c for c in _ROUTE_COLUMNS if c in self._all_routes.columns]]
            backends = self._all_backends[[c for c in _BACKEND_COLUMNS if c in self._all_backends.columns]]
            self._frames = (routes.iloc[self._r_pos].reset_index(drop=True),
                            backends.iloc[self._b_pos].reset_index(drop=True))
        return self._frames

    def _pos(self, source: str, destination: str) -> int | None:
        s, d = self._src_code.get(source), self._dst_code.get(destination)
        if s is None or d is None:
            return None
        k = s * self._width + d
        at = int(np.searchsorted(self._key, k))
        return at if at < len(self._key) and self._key[at] == k else None

    def route(self, source: str, destination: str) -> pd.Series:
        at = self._pos(source, destination)
        if at is None:
            raise KeyError((source, destination))
        return self._all_routes.iloc[int(self._r_pos[at])]

    def rows(self, source: str, destination: str) -> pd.DataFrame:
        s, d = self._src_code.get(source), self._dst_code.get(destination)
        if s is None or d is None:
            return self._all_backends.iloc[0:0]
        k = s * self._width + d
        lo, hi = np.searchsorted(self._b_key, [k, k + 1])
        return self._all_backends.iloc[self._b_pos[int(lo):int(hi)]]

    def destinations(self, source: str, *, interesting: bool = False) -> list[str]:
        s = self._src_code.get(source)
        if s is None:
            return []
        lo, hi = int(self._starts[s]), int(self._starts[s + 1])
        codes = self._key[lo:hi] % self._width
        if interesting:
            codes = codes[self.interesting()[lo:hi]]
        names = self.destination_names
        return [names[c] for c in codes]

    @property
    def kinds(self) -> np.ndarray:
        """:data:`~.plotting.PAIR_KINDS` of every pair, in this index's order (worked out on first use)."""
        if self._kinds is None:
            routes, backends = self.frames
            self._kinds = plotting.pair_kinds(routes, backends).to_numpy()
        return self._kinds

    def interesting(self) -> np.ndarray:
        """Split, redirected, forwarding nowhere, or with a finding."""
        mask = self.kinds < 3
        if self._finding_pairs:
            routes = self.routes
            mask = mask | np.fromiter(((s, d) in self._finding_pairs for s, d in
                                       zip(routes["source"], routes["destination"])), bool, len(routes))
        return mask

    def interesting_sources(self) -> list[str]:
        mask = self.interesting()
        if not len(mask):
            return []
        counts = np.add.reduceat(mask.astype(np.int64), np.minimum(self._starts[:-1], len(mask) - 1))
        empty = self._starts[:-1] == self._starts[1:]
        return [s for s, n, e in zip(self.sources, counts, empty) if n and not e]

    def first_pick(self) -> tuple[str, str]:
        """The first pair (by name) whose traffic is split over several backends, else the first pair."""
        at = 0
        if "backend_count" in self._all_routes.columns:
            split = np.flatnonzero(self._all_routes["backend_count"].to_numpy()[self._r_pos] > 1)
            if len(split):
                at = int(split[0])
        k = int(self._key[at])
        return self.sources[k // self._width], self.destination_names[k % self._width]


def _slider_names(labels: Sequence[str]) -> dict[str, str]:
    """What tells the backends of one pair apart, for the slider descriptions: the subset tags when the
    backends share a service name (``version=v1``), else the label, shortened keeping its ends and tags."""
    names = {label: label.split("{", 1)[0] for label in labels}
    tags = {label: label[len(names[label]):].strip("{}") for label in labels}
    out = {}
    for label in labels:
        same_name = sum(1 for other in labels if names[other] == names[label]) > 1
        if same_name and tags[label]:
            out[label] = plotting._shorten(tags[label], 22)
        elif same_name:
            out[label] = plotting._shorten(names[label], 16) + " (all)"
        else:
            out[label] = _distinct_part(label, [x for x in labels if names[x] != names[label]] or [label])
    return out


def _distinct_part(label: str, others: Sequence[str], width: int = 22) -> str:
    """``label`` with what it shares with ``others`` at its start and end cut down to a few characters,
    so that ``orders-api-legacy_shop_svc_80`` beside ``orders-api-next_shop_svc_80`` reads ``…api-legacy_sh…``."""
    import os

    if len(label) <= width:
        return label
    everyone = [label, *others]
    prefix = len(os.path.commonprefix(everyone))
    suffix = len(os.path.commonprefix([x[::-1] for x in everyone]))
    if prefix + suffix >= len(label):
        return plotting.short_backend(label, width)
    keep = 4
    start = max(prefix - keep, 0)
    end = min(len(label) - suffix + keep, len(label))
    text = ("…" if start else "") + label[start:end] + ("…" if end < len(label) else "")
    return text if len(text) <= width else plotting._shorten(label[prefix:len(label) - suffix], width)


class Explorer:
    """The explorer app; ``explorer.app`` is the widget tree, the other attributes are its parts."""

    def __init__(self, data: Any, *, mesh: str | None = None, figsize: tuple[float, float] = (7.5, 3.2),
                 kuma_version: str | None = None, findings: pd.DataFrame | None = None) -> None:
        import ipywidgets as w
        from matplotlib.figure import Figure

        start = time.perf_counter()
        self.res = _as_resolution(data, kuma_version)
        self._routes = self.res.routes
        self._backends = self.res.backends
        self._indexes: dict[str, _MeshIndex] = {}
        self._finding_pairs = _finding_pairs(findings)
        self._codes = _Codes(self.res, self._routes, self._backends)
        self._styles = plotting.backend_palette(self.res)
        self._busy = False
        self._matrix_dirty = True
        self.last_update_seconds: float = 0.0
        self.updates: list[tuple[str, float]] = []  # (what changed, seconds) for every redraw

        meshes = self._codes.meshes
        if not meshes:
            raise ValueError("the resolution has no (source, destination) pair to explore")
        if mesh is not None and mesh not in meshes:
            raise ValueError(f"unknown mesh {mesh!r}; meshes: {', '.join(meshes)}")
        # The live split is SVG drawn by the browser (splitsvg); these matplotlib twins are drawn on demand.
        self._split_fig: Figure = Figure(figsize=figsize)
        self._split_ax: Axes = self._split_fig.add_axes((0.36, 0.2, 0.6, 0.6))
        self._split_drawn = False
        self.matrix_fig: Figure = Figure(figsize=(_MATRIX_PX[0] / _DPI, _MATRIX_PX[1] / _DPI), layout="constrained")
        self.matrix_ax: Axes = self.matrix_fig.subplots()

        layout = w.Layout(width="32em")
        filter_layout = w.Layout(width="32em")
        self.mesh = w.Dropdown(options=meshes, value=mesh or meshes[0], description="mesh", layout=layout)
        self.source_filter = w.Text(placeholder="type part of a source name", description="find source",
                                    continuous_update=True, layout=filter_layout)
        self.source = w.Dropdown(description="source", layout=layout)
        self.destination_filter = w.Text(placeholder="type part of a destination name", description="find dest.",
                                         continuous_update=True, layout=filter_layout)
        self.destination = w.Dropdown(description="destination", layout=layout)
        self.interesting = w.Checkbox(value=False, description="interesting pairs only", indent=False,
                                      tooltip="split, redirected, forwarding nowhere or with a finding")
        self.what_if = w.Checkbox(value=False, description="what-if weights", indent=False)
        self.reset = w.Button(description="reset weights", tooltip="back to the configured weights")
        self.sliders: dict[str, Any] = {}
        self._slider_pool: list[tuple[Any, Any, Any]] = []  # (slider, share, row), reused from pick to pick
        self.slider_shares: dict[str, Any] = {}
        self.slider_note = w.HTML()
        self.slider_box = w.VBox([])
        self.split_chart = w.HTML()
        self.split_chart.add_class("mra-split")
        self.matrix_image = w.Image(format="png", layout=w.Layout(width=f"{_MATRIX_PX[0]}px"))
        self.explanation = w.HTML()
        self.status = w.HTML()
        self.tabs = w.Tab([w.VBox([self.split_chart, self.explanation]), self.matrix_image],
                          titles=("split and explanation", "route matrix"))
        self.app = w.VBox([
            w.HBox([w.VBox([self.mesh, self.source_filter, self.source, self.destination_filter, self.destination,
                            self.interesting]),
                    w.VBox([self.what_if, self.reset, self.slider_note, self.slider_box])]),
            self.status,
            self.tabs,
        ])
        self._widgets = w
        self._change_mesh(self.mesh.value, initial=True, start=start)
        self.mesh.observe(lambda ch: self._change_mesh(ch["new"]), names="value")
        self.source_filter.observe(lambda ch: self._filter_sources(), names="value")
        self.destination_filter.observe(lambda ch: self._filter_destinations(), names="value")
        self.interesting.observe(lambda ch: self._filter_sources("interesting"), names="value")
        self.source.observe(lambda ch: self._change_source(ch["new"]), names="value")
        self.destination.observe(lambda ch: self._change_pair("destination"), names="value")
        self.what_if.observe(lambda ch: self._toggle_what_if(), names="value")
        self.reset.on_click(lambda _: self._reset_weights())
        self.tabs.observe(lambda ch: self._tab_shown(), names="selected_index")

    # ------------------------------------------------------------------------------------------- lookups

    def _index(self, mesh: str) -> _MeshIndex:
        if mesh not in self._indexes:
            code = self._codes.mesh_code(mesh)
            pairs = {(s, d) for m, s, d in self._finding_pairs if m in (mesh, None)}
            self._indexes[mesh] = _MeshIndex(self._routes, self._backends, self._codes, code, pairs)
        return self._indexes[mesh]

    @property
    def weights(self) -> dict[str, float]:
        """The what-if weights (backend label → weight) when what-if is on, else ``{}``."""
        if not self.what_if.value:
            return {}
        return {label: float(s.value) for label, s in self.sliders.items()}

    @property
    def split_ax(self) -> Axes:
        """The current split drawn with matplotlib, as :func:`~.plotting.plot_split` draws it (the live view
        is SVG; this is drawn when first read after a change)."""
        if not self._split_drawn:
            self._draw_split_axes()
        return self._split_ax

    @property
    def split_fig(self) -> Figure:
        """The figure of :attr:`split_ax`."""
        return self.split_ax.figure  # type: ignore[return-value]

    @property
    def matrix_drawn(self) -> bool:
        """Whether the route matrix shows the current mesh (it is drawn only while its tab is shown)."""
        return not self._matrix_dirty

    # ------------------------------------------------------------------------------------------- updates

    def _timed(self, what: str, start: float) -> None:
        self.last_update_seconds = time.perf_counter() - start
        self.updates.append((what, self.last_update_seconds))
        self.status.value = f"<small>{what}: drawn in {self.last_update_seconds * 1000:.0f} ms</small>"

    def _source_options(self, index: _MeshIndex) -> list[str]:
        names = index.interesting_sources() if self.interesting.value else index.sources
        query = self.source_filter.value.strip().lower()
        if query:
            names = [n for n in names if query in n.lower()]
        return names[:_MAX_OPTIONS]

    def _destination_options(self, index: _MeshIndex, source: str | None) -> list[str]:
        if source is None:
            return []
        names = index.destinations(source, interesting=self.interesting.value)
        query = self.destination_filter.value.strip().lower()
        if query:
            names = [n for n in names if query in n.lower()]
        return names[:_MAX_OPTIONS]

    def _set_pickers(self, index: _MeshIndex, prefer: tuple[str | None, str | None]) -> None:
        """Fill both pickers from the filters, keeping ``prefer`` where the filters allow."""
        sources = self._source_options(index)
        source = prefer[0] if prefer[0] in sources else (sources[0] if sources else None)
        self._busy = True  # one redraw for the whole cascade of option changes
        try:
            self.source.options = sources
            self.source.value = source
            destinations = self._destination_options(index, source)
            destination = prefer[1] if prefer[1] in destinations else (destinations[0] if destinations else None)
            self.destination.options = destinations
            self.destination.value = destination
        finally:
            self._busy = False

    def _change_mesh(self, mesh: str, *, initial: bool = False, start: float | None = None) -> None:
        start = time.perf_counter() if start is None else start
        index = self._index(mesh)
        self._set_pickers(index, index.first_pick())
        self._matrix_dirty = True
        self._show_pair()
        if self.tabs.selected_index == _MATRIX_TAB:
            self._draw_matrix()
        self._timed("mesh" if not initial else "start", start)

    def _filter_sources(self, what: str = "filter") -> None:
        if self._busy:
            return
        start = time.perf_counter()
        before = (self.source.value, self.destination.value)
        self._set_pickers(self._index(self.mesh.value), before)
        if (self.source.value, self.destination.value) != before:
            self._show_pair()
        self._timed(what, start)

    def _filter_destinations(self) -> None:
        if self._busy:
            return
        start = time.perf_counter()
        before = self.destination.value
        index = self._index(self.mesh.value)
        options = self._destination_options(index, self.source.value)
        self._busy = True
        try:
            self.destination.options = options
            self.destination.value = before if before in options else (options[0] if options else None)
        finally:
            self._busy = False
        if self.destination.value != before:
            self._show_pair()
        self._timed("filter", start)

    def _change_source(self, source: str | None) -> None:
        if self._busy or source is None:
            return
        start = time.perf_counter()
        index = self._index(self.mesh.value)
        options = self._destination_options(index, source)
        keep = self.destination.value if self.destination.value in options else (options[0] if options else None)
        self._busy = True
        try:
            self.destination.options = options
            self.destination.value = keep
        finally:
            self._busy = False
        self._show_pair()
        self._timed("source", start)

    def _change_pair(self, what: str) -> None:
        if self._busy:
            return
        start = time.perf_counter()
        self._show_pair()
        self._timed(what, start)

    def _toggle_what_if(self) -> None:
        if not self.what_if.value:  # off: the configured weights again
            self._set_configured()
        self._change_weights("what-if")

    def _change_weights(self, what: str) -> None:
        if self._busy:
            return
        start = time.perf_counter()
        for slider in self.sliders.values():
            slider.disabled = not self.what_if.value
        rows = self._draw_chart(self.weights)
        if rows is not None:
            self._show_shares(rows)
        self._timed(what, start)

    def _set_configured(self) -> None:
        rows = self._rows()
        self._busy = True
        try:
            for label, weight in zip(rows["backend"].astype(str), rows["weight"]):
                if label in self.sliders:
                    self.sliders[label].value = int(weight)
        finally:
            self._busy = False

    def _reset_weights(self) -> None:
        self._set_configured()
        self._change_weights("reset")

    def _tab_shown(self) -> None:
        if self.tabs.selected_index == _MATRIX_TAB and self._matrix_dirty:
            start = time.perf_counter()
            self._draw_matrix()
            self._timed("matrix", start)

    def _rows(self) -> pd.DataFrame:
        if self.source.value is None or self.destination.value is None:
            return self._backends.iloc[0:0]
        return self._index(self.mesh.value).rows(self.source.value, self.destination.value)

    def _configured(self) -> dict[str, int]:
        """The configured weight of each backend of the winning route (a backend named in several HTTP
        routes once, with its first weight)."""
        configured: dict[str, int] = {}
        rows = self._rows()
        for label, weight in zip(rows["backend"].astype(str), rows["weight"]):
            configured.setdefault(label, int(weight))
        return configured

    def _set_sliders(self, configured: dict[str, int]) -> None:
        """One slider per backend of the winning route; none when the route has a single backend, whose
        weight changes nothing.  Slider rows are reused from pick to pick: a new widget costs the browser
        far more than new values for an old one."""
        self.sliders, self.slider_shares = {}, {}
        if len(configured) < 2:
            self.slider_note.value = ("<small>one backend: all of the traffic goes to it, whatever its weight</small>"
                                      if configured else "<small>no backend</small>")
            self.slider_box.children = ()
            return
        self.slider_note.value = "<small>weight per backend (its share on the right)</small>"
        top = max([_SLIDER_FLOOR, *(4 * v for v in configured.values())])
        names = _slider_names(list(configured))
        while len(self._slider_pool) < len(configured):
            self._slider_pool.append(self._new_slider_row())
        self._busy = True  # setting the values must not redraw
        try:
            for (slider, share, _), (label, weight) in zip(self._slider_pool, configured.items()):
                with slider.hold_sync():
                    slider.max = top
                    slider.value = weight
                    slider.description = names[label]
                    slider.tooltip = label
                    slider.disabled = not self.what_if.value
                self.sliders[label] = slider
                self.slider_shares[label] = share
        finally:
            self._busy = False
        self.slider_box.children = tuple(row for _, _, row in self._slider_pool[: len(configured)])

    def _new_slider_row(self) -> tuple[Any, Any, Any]:
        w = self._widgets
        slider = w.IntSlider(value=0, min=0, max=_SLIDER_FLOOR, continuous_update=True,
                             style={"description_width": "11em"}, layout=w.Layout(width="28em"))
        slider.observe(lambda ch: self._change_weights("weight"), names="value")
        share = w.HTML(layout=w.Layout(width="6em"))
        return slider, share, w.HBox([slider, share])

    # ------------------------------------------------------------------------------------------- drawing

    def _view(self, weights: dict[str, float]) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame | None] | None:
        """The current pair's route row, its backend rows (what-if ones under ``weights``) and, under
        ``weights``, the configured rows."""
        source, destination = self.source.value, self.destination.value
        if source is None or destination is None:
            return None
        rows = self._rows()
        configured = None
        if weights:
            configured = rows
            rows = self.res.reweigh(rows, weights)
        return self._index(self.mesh.value).route(source, destination), rows, configured

    def _no_pair(self) -> str:
        filtered = self.source_filter.value or self.destination_filter.value or self.interesting.value
        return "no pair selected" + (" (the filters match none)" if filtered else "")

    def _show_pair(self) -> None:
        """A new pair: its chart first (what the user waits for), then its sliders and explanation."""
        configured = self._configured()
        what_if = self.what_if.value and len(configured) > 1
        rows = self._draw_chart({label: float(v) for label, v in configured.items()} if what_if else {})
        self._set_sliders(configured)
        if rows is not None:
            self._show_shares(rows)
        self.explanation.value = ("" if rows is None else self.res.explain(
            self.source.value, self.destination.value, mesh=self.mesh.value)._repr_html_())

    def _draw_chart(self, weights: dict[str, float]) -> pd.DataFrame | None:
        """Draws the split (SVG) under ``weights`` (none: configured) and returns the rows it shows."""
        self._split_drawn = False
        view = self._view(weights)
        if view is None:
            self.split_chart.value = message_svg(self._no_pair())
            return None
        route, rows, configured = view
        self.split_chart.value = split_svg(route, rows, self._styles, what_if=configured is not None,
                                           configured=configured)
        return rows

    def _draw_split_axes(self) -> None:
        ax = self._split_ax
        ax.clear()
        view = self._view(self.weights)
        if view is None:
            ax.set_title(self._no_pair())
            ax.set_yticks([])
        else:
            route, rows, configured = view
            plotting._draw_split(ax, route, rows, self._styles, what_if=configured is not None, configured=configured)
        self._split_drawn = True

    def _show_shares(self, rows: pd.DataFrame) -> None:
        shares: dict[str, list[str]] = {}
        for label, share in zip(rows["backend"].astype(str), rows["share"]):
            shares.setdefault(label, []).append(plotting._percent(float(share)))
        for label, widget in self.slider_shares.items():
            widget.value = " / ".join(dict.fromkeys(shares.get(label, ["–"])))

    def _draw_matrix(self) -> None:
        index = self._index(self.mesh.value)
        # A million-pair mesh takes about 2 s: say so first (a widget's update reaches the page at once).
        self.status.value = f"<small>drawing the route matrix of {index.n_pairs:,} pairs…</small>"
        self.matrix_ax.clear()
        frames = _Frames(index.routes, index.backends, index.kinds)
        plotting.plot_route_matrix(frames, mesh=self.mesh.value, ax=self.matrix_ax)
        self.matrix_image.value = _png(self.matrix_fig)
        self._matrix_dirty = False

    # ------------------------------------------------------------------------------------------- static views

    def figure(self) -> Figure:
        """A static figure of the current views: the split (with what-if weights, if on) above the matrix."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 8), layout="constrained")
        top, bottom = fig.subplots(2, 1, height_ratios=(1, 1.3))
        if self.source.value is not None and self.destination.value is not None:
            plotting.plot_split(self.res, self.source.value, self.destination.value, mesh=self.mesh.value,
                                weights=self.weights or None, palette=self._styles, ax=top)
        index = self._index(self.mesh.value)
        plotting.plot_route_matrix(_Frames(index.routes, index.backends, index.kinds), mesh=self.mesh.value, ax=bottom)
        return fig

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The widget for live frontends, plus a PNG and text for exports that cannot render widgets.  The
        PNG shows the views drawn so far: the split (:attr:`split_fig`), and the matrix below it once its tab
        has been shown (:meth:`figure`); drawing a large mesh's matrix, or looking the pair up in the whole
        frame as ``plot_split`` does, would hold back the widget's first appearance by seconds."""
        bundle = dict(self.app._repr_mimebundle_(**kwargs) or {})
        png = _png(self.figure() if self.matrix_drawn else self.split_fig)
        bundle["image/png"] = base64.b64encode(png).decode("ascii")  # as Jupyter stores it
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return (f"<Explorer mesh={self.mesh.value!r} source={self.source.value!r} "
                f"destination={self.destination.value!r} what_if={self.what_if.value}>")


class _Frames:
    """A resolution-shaped view of pre-filtered frames, so the matrix is drawn from one mesh's rows;
    ``kinds`` (the pairs' :data:`~.plotting.PAIR_KINDS`, in the routes' order) saves working them out again."""

    def __init__(self, routes: pd.DataFrame, backends: pd.DataFrame, kinds: np.ndarray | None = None) -> None:
        self.routes = routes
        self.backends = backends
        self.pair_kinds = kinds


def _finding_pairs(findings: pd.DataFrame | None) -> set[tuple[Any, str, str]]:
    """(mesh or None, source, destination) of every finding about a pair."""
    if findings is None or findings.empty or not {"source", "destination"} <= set(findings.columns):
        return set()
    meshes = findings["mesh"] if "mesh" in findings.columns else pd.Series(None, index=findings.index)
    out = set()
    for m, s, d in zip(meshes, findings["source"], findings["destination"]):
        if isinstance(s, str) and isinstance(d, str) and s and d:
            out.add((m if isinstance(m, str) and m else None, s, d))
    return out


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def explore(data: Any, *, mesh: str | None = None, kuma_version: str | None = None,
            findings: pd.DataFrame | None = None) -> Explorer:
    """The explorer for a :class:`~meshroute_analysis.PolicyRepo` (resolved for ``kuma_version``: by default
    the config's, else 2.5) or a Resolution.  ``findings`` (``mra.audit(...)``) marks the pairs they are
    about as interesting.  Display it (last expression of a cell) to use it; see the module docstring for
    headless use."""
    return Explorer(data, mesh=mesh, kuma_version=kuma_version, findings=findings)
