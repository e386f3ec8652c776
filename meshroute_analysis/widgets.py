"""``explore(repo_or_resolution)``: an ipywidgets explorer of a resolution, built on :mod:`.plotting`.

Pick a mesh, a source and a destination: the explorer draws the pair's split (:func:`~.plotting.plot_split`)
and its explanation (``res.explain``), and the mesh's route matrix (:func:`~.plotting.plot_route_matrix`).
The what-if mode adds one slider per backend weight of the winning route and redraws the shares live;
neither the repository nor the resolution changes.

Every view is a static chart too (the same plotting functions), and the explorer's rich display carries a
PNG of the current views next to the widget, so exported notebooks and GitHub, which do not render widgets,
still show something (nbconvert PR #1643's fallback).  ipywidgets and matplotlib are imported when an
explorer is built, never when the package is imported.

Headless use (tests, benchmarks): set ``explorer.mesh.value`` / ``.source.value`` / ``.destination.value`` /
``.what_if.value`` / ``explorer.sliders[label].value`` and read ``explorer.split_ax``, ``.matrix_ax``,
``.explanation.value`` and ``.last_update_seconds``.
"""

from __future__ import annotations

import base64
import io
import time
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import plotting

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Explorer", "explore"]

_SLIDER_FLOOR = 100  # sliders reach at least this weight, or 4x the largest configured one


def _as_resolution(data: Any, kuma_version: str | None = None) -> Any:
    """A Resolution as is; a PolicyRepo resolved for ``kuma_version`` (default: its config's, else 2.5)."""
    if hasattr(data, "routes") and hasattr(data, "backends") and hasattr(data, "explain"):
        return data
    from .resolve import resolve

    return resolve(data, kuma_version=kuma_version)


class _MeshIndex:
    """Per-mesh lookups built once, so a pick costs a dict access rather than a scan of every pair."""

    def __init__(self, routes: pd.DataFrame, backends: pd.DataFrame) -> None:
        self.routes = routes.reset_index(drop=True)
        self.backends = backends.reset_index(drop=True)
        self.sources: list[str] = sorted(self.routes["source"].astype(str).unique())
        by_source = self.routes.groupby("source", sort=False).indices
        self.destinations = {s: sorted(self.routes["destination"].iloc[ix].astype(str)) for s, ix in by_source.items()}
        self.route_at = {
            (s, d): i for i, (s, d) in enumerate(zip(self.routes["source"], self.routes["destination"]))
        }
        self.backend_rows = self.backends.groupby(["source", "destination"], sort=False).indices
        self.n_destinations = int(self.routes["destination"].nunique())

    def route(self, source: str, destination: str) -> pd.Series:
        return self.routes.iloc[self.route_at[(source, destination)]]

    def rows(self, source: str, destination: str) -> pd.DataFrame:
        ix = self.backend_rows.get((source, destination))
        return self.backends.iloc[ix] if ix is not None else self.backends.iloc[0:0]

    def first_pick(self) -> tuple[str, str]:
        """The first pair whose traffic is split over several backends, else the first pair."""
        if "backend_count" in self.routes.columns:
            split = self.routes[self.routes["backend_count"] > 1]
            if not split.empty:
                row = split.sort_values(["source", "destination"]).iloc[0]
                return str(row["source"]), str(row["destination"])
        source = self.sources[0]
        return source, self.destinations[source][0]


class Explorer:
    """The explorer app; ``explorer.app`` is the widget tree, the other attributes are its parts."""

    def __init__(self, data: Any, *, mesh: str | None = None, figsize: tuple[float, float] = (7.5, 3.2),
                 kuma_version: str | None = None) -> None:
        import ipywidgets as w
        from matplotlib.figure import Figure

        self.res = _as_resolution(data, kuma_version)
        self._routes = self.res.routes
        self._backends = self.res.backends
        self._indexes: dict[str, _MeshIndex] = {}
        self._styles = plotting.backend_styles(self._backends["backend"].astype(str))
        self._busy = False
        self.last_update_seconds: float = 0.0
        self.updates: list[tuple[str, float]] = []  # (what changed, seconds) for every redraw

        meshes = sorted(self._routes["mesh"].astype(str).unique())
        if not meshes:
            raise ValueError("the resolution has no (source, destination) pair to explore")
        if mesh is not None and mesh not in meshes:
            raise ValueError(f"unknown mesh {mesh!r}; meshes: {', '.join(meshes)}")
        self.split_fig: Figure = Figure(figsize=figsize, layout="constrained")
        self.split_ax: Axes = self.split_fig.subplots()
        self.matrix_fig: Figure = Figure(figsize=(figsize[0], figsize[0] * 0.75), layout="constrained")
        self.matrix_ax: Axes = self.matrix_fig.subplots()

        layout = w.Layout(width="32em")
        self.mesh = w.Dropdown(options=meshes, value=mesh or meshes[0], description="mesh", layout=layout)
        self.source = w.Dropdown(description="source", layout=layout)
        self.destination = w.Dropdown(description="destination", layout=layout)
        self.what_if = w.Checkbox(value=False, description="what-if weights", indent=False)
        self.reset = w.Button(description="reset weights", tooltip="back to the configured weights")
        self.sliders: dict[str, Any] = {}
        self.slider_box = w.VBox([])
        self.split_image = w.Image(format="png")
        self.matrix_image = w.Image(format="png")
        self.explanation = w.HTML()
        self.status = w.HTML()
        self.app = w.VBox([
            w.HBox([w.VBox([self.mesh, self.source, self.destination]),
                    w.VBox([self.what_if, self.reset, self.slider_box])]),
            self.status,
            w.Tab([w.VBox([self.split_image, self.explanation]), self.matrix_image],
                  titles=("split and explanation", "route matrix")),
        ])
        self._widgets = w
        self._change_mesh(self.mesh.value, initial=True)
        self.mesh.observe(lambda ch: self._change_mesh(ch["new"]), names="value")
        self.source.observe(lambda ch: self._change_source(ch["new"]), names="value")
        self.destination.observe(lambda ch: self._change_pair("destination"), names="value")
        self.what_if.observe(lambda ch: self._change_weights("what-if"), names="value")
        self.reset.on_click(lambda _: self._reset_weights())

    # ------------------------------------------------------------------------------------------- lookups

    def _index(self, mesh: str) -> _MeshIndex:
        if mesh not in self._indexes:
            routes = self._routes[self._routes["mesh"] == mesh]
            self._indexes[mesh] = _MeshIndex(routes, self._backends[self._backends["mesh"] == mesh])
        return self._indexes[mesh]

    @property
    def weights(self) -> dict[str, float]:
        """The what-if weights (backend label → weight) when what-if is on, else ``{}``."""
        if not self.what_if.value:
            return {}
        return {label: float(s.value) for label, s in self.sliders.items()}

    # ------------------------------------------------------------------------------------------- updates

    def _timed(self, what: str, start: float) -> None:
        self.last_update_seconds = time.perf_counter() - start
        self.updates.append((what, self.last_update_seconds))
        self.status.value = f"<small>{what}: drawn in {self.last_update_seconds * 1000:.0f} ms</small>"

    def _change_mesh(self, mesh: str, *, initial: bool = False) -> None:
        start = time.perf_counter()
        index = self._index(mesh)
        source, destination = index.first_pick()
        self._busy = True  # one redraw for the whole cascade of option changes
        try:
            self.source.options = index.sources
            self.source.value = source
            self.destination.options = index.destinations[source]
            self.destination.value = destination
        finally:
            self._busy = False
        self._draw_matrix()
        self._rebuild_sliders()
        self._draw_pair()
        self._timed("mesh" if not initial else "start", start)

    def _change_source(self, source: str | None) -> None:
        if self._busy or source is None:
            return
        start = time.perf_counter()
        index = self._index(self.mesh.value)
        options = index.destinations.get(source, [])
        keep = self.destination.value if self.destination.value in options else (options[0] if options else None)
        self._busy = True
        try:
            self.destination.options = options
            self.destination.value = keep
        finally:
            self._busy = False
        self._rebuild_sliders()
        self._draw_pair()
        self._timed("source", start)

    def _change_pair(self, what: str) -> None:
        if self._busy:
            return
        start = time.perf_counter()
        self._rebuild_sliders()
        self._draw_pair()
        self._timed(what, start)

    def _change_weights(self, what: str) -> None:
        if self._busy:
            return
        start = time.perf_counter()
        for slider in self.sliders.values():
            slider.disabled = not self.what_if.value
        self._draw_pair(explain=False)
        self._timed(what, start)

    def _reset_weights(self) -> None:
        rows = self._rows()
        self._busy = True
        try:
            for label, weight in zip(rows["backend"].astype(str), rows["weight"]):
                if label in self.sliders:
                    self.sliders[label].value = int(weight)
        finally:
            self._busy = False
        self._change_weights("reset")

    def _rows(self) -> pd.DataFrame:
        if self.source.value is None or self.destination.value is None:
            return self._backends.iloc[0:0]
        return self._index(self.mesh.value).rows(self.source.value, self.destination.value)

    def _rebuild_sliders(self) -> None:
        """One slider per backend of the winning route (a backend named in several HTTP routes gets one)."""
        w = self._widgets
        rows = self._rows()
        configured: dict[str, int] = {}
        for label, weight in zip(rows["backend"].astype(str), rows["weight"]):
            configured.setdefault(label, int(weight))
        top = max([_SLIDER_FLOOR, *(4 * v for v in configured.values())])
        self.sliders = {}
        for label, weight in configured.items():
            slider = w.IntSlider(value=weight, min=0, max=top, description=_short(label), tooltip=label,
                                 disabled=not self.what_if.value, continuous_update=True,
                                 style={"description_width": "14em"}, layout=w.Layout(width="34em"))
            slider.observe(lambda ch: self._change_weights("weight"), names="value")
            self.sliders[label] = slider
        self.slider_box.children = tuple(self.sliders.values())

    # ------------------------------------------------------------------------------------------- drawing

    def _draw_pair(self, *, explain: bool = True) -> None:
        mesh, source, destination = self.mesh.value, self.source.value, self.destination.value
        self.split_ax.clear()
        if source is None or destination is None:
            self.split_ax.set_title("no pair selected")
        else:
            index = self._index(mesh)
            rows = self._rows()
            weights = self.weights
            if weights:
                rows = self.res.reweigh(rows, weights)
            plotting._draw_split(self.split_ax, index.route(source, destination), rows, self._styles,
                                 what_if=bool(weights))
            if explain:
                self.explanation.value = self.res.explain(source, destination, mesh=mesh)._repr_html_()
        self.split_image.value = _png(self.split_fig)

    def _draw_matrix(self) -> None:
        self.matrix_ax.clear()
        index = self._index(self.mesh.value)
        rows, cols = len(index.sources), index.n_destinations
        # Grow the figure with the matrix so that labels stay legible (about 0.12 in per row up to 100).
        side = min(max(4.0, 0.12 * max(rows, cols) + 3.0), 16.0)
        self.matrix_fig.set_size_inches(side + 2.5, side)
        plotting.plot_route_matrix(_Frames(index.routes, index.backends), mesh=self.mesh.value, ax=self.matrix_ax)
        self.matrix_image.value = _png(self.matrix_fig)

    # ------------------------------------------------------------------------------------------- static views

    def figure(self) -> Figure:
        """A static figure of the current views: the split (with what-if weights, if on) above the matrix."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 10), layout="constrained")
        top, bottom = fig.subplots(2, 1, height_ratios=(1, 2))
        plotting.plot_split(self.res, self.source.value, self.destination.value, mesh=self.mesh.value,
                            weights=self.weights or None, ax=top)
        plotting.plot_route_matrix(_Frames(self._index(self.mesh.value).routes, self._backends.iloc[0:0]),
                                   mesh=self.mesh.value, ax=bottom)
        return fig

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The widget for live frontends, plus a PNG and text for exports that cannot render widgets."""
        bundle = dict(self.app._repr_mimebundle_(**kwargs) or {})
        bundle["image/png"] = base64.b64encode(_png(self.figure())).decode("ascii")  # as Jupyter stores it
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return (f"<Explorer mesh={self.mesh.value!r} source={self.source.value!r} "
                f"destination={self.destination.value!r} what_if={self.what_if.value}>")


class _Frames:
    """A resolution-shaped view of pre-filtered frames, so the matrix is drawn from one mesh's rows."""

    def __init__(self, routes: pd.DataFrame, backends: pd.DataFrame) -> None:
        self.routes = routes
        self.backends = backends


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else "…" + label[-(width - 1):]


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, metadata={"Software": None})
    return buffer.getvalue()


def explore(data: Any, *, mesh: str | None = None, kuma_version: str | None = None) -> Explorer:
    """The explorer for a :class:`~meshroute_analysis.PolicyRepo` (resolved for ``kuma_version``: by default
    the config's, else 2.5) or a Resolution.  Display it (last expression of a cell) to use it; see the module
    docstring for headless use."""
    return Explorer(data, mesh=mesh, kuma_version=kuma_version)
