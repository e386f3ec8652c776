"""Charts stay quick and legible on big estates (#12): caps with a note of what was left out, one style per
backend in every chart, labels that leave the plot its width and stay inside the Axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import io  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import meshroute_analysis as mra  # noqa: E402
from meshroute_analysis import plotting  # noqa: E402
from meshroute_analysis.resolve import resolve  # noqa: E402

from .test_plotting import PAIR, SAMPLE, V0, V1, bars, ticks, write_world  # noqa: E402


@dataclass
class Frames:
    """A resolution-shaped pair of frames, as the helpers read them."""

    routes: pd.DataFrame
    backends: pd.DataFrame


def big_frames(n_sources: int = 400, n_destinations: int = 400) -> Frames:
    """``n_sources`` x ``n_destinations`` pairs in one mesh: mostly the implicit route-all, every 7th
    destination split 90/10 by a MeshTCPRoute, every 101st pair a blackhole."""
    s = np.repeat(np.arange(n_sources), n_destinations)
    d = np.tile(np.arange(n_destinations), n_sources)
    sources = np.array([f"client-{i:03d}.team-{i % 9}" for i in range(n_sources)], dtype=object)[s]
    destinations = np.array([f"svc-{j:03d}_team-{j % 9}_svc_80" for j in range(n_destinations)], dtype=object)[d]
    split = d % 7 == 0
    blackhole = (s * n_destinations + d) % 101 == 0
    route_type = np.where(split | blackhole, "MeshTCPRoute", "TrafficRoute")
    policies = [("split-policy",) if t == "MeshTCPRoute" else ("route-all-big",) for t in route_type]
    routes = pd.DataFrame({
        "mesh": "big", "source": sources, "destination": destinations, "route_type": route_type,
        "policies": policies, "forwards": ~blackhole, "status": np.where(blackhole, "blackhole", "ok"),
        "reason": "", "backend_count": np.where(split & ~blackhole, 2, 1),
    })
    keep = routes[~blackhole]
    one = keep[~split[~blackhole]]
    two = keep[split[~blackhole]]
    rows = [
        one.assign(backend=one["destination"], weight=1.0, share=1.0),
        two.assign(backend=two["destination"] + "{version=v1}", weight=90.0, share=0.9),
        two.assign(backend=two["destination"] + "{version=v2}", weight=10.0, share=0.1),
    ]
    backends = pd.concat(rows, ignore_index=True)[["mesh", "source", "destination", "backend", "weight", "share"]]
    backends = backends.assign(in_split=True, note="", route="")
    return Frames(routes, backends)


@pytest.fixture(scope="module")
def big() -> Frames:
    return big_frames()


@pytest.fixture(scope="module")
def demo():
    repo = mra.load_repo(SAMPLE)
    return repo, resolve(repo)


def drawn(ax) -> float:
    """Render the Axes' figure to PNG bytes (as the report and the explorer do); returns the seconds it took."""
    start = time.perf_counter()
    ax.figure.savefig(io.BytesIO(), format="png", dpi=80)
    return time.perf_counter() - start


def new_ax(width: float = 10, height: float = 7):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)  # so that tests can lay it out and measure texts
    return fig.subplots()


def test_the_big_frames_have_160000_pairs(big):
    assert len(big.routes) == 160_000


@pytest.mark.parametrize("helper", ["plot_splits", "plot_splits_nontrivial", "plot_route_matrix", "plot_split",
                                    "plot_flow"])
def test_every_helper_returns_in_seconds_on_160000_pairs(big, helper):
    ax = new_ax()
    start = time.perf_counter()
    if helper == "plot_splits":
        plotting.plot_splits(big, ax=ax)
    elif helper == "plot_splits_nontrivial":
        plotting.plot_splits(big, nontrivial=True, ax=ax)
    elif helper == "plot_route_matrix":
        plotting.plot_route_matrix(big, mesh="big", ax=ax)
    elif helper == "plot_split":
        plotting.plot_split(big, "client-007.team-7", "svc-014_team-5_svc_80", mesh="big", ax=ax)
    else:
        plotting.plot_flow(big, mesh="big", ax=ax)
    seconds = time.perf_counter() - start + drawn(ax)
    assert seconds < 8.0, f"{helper} took {seconds:.1f} s"  # a few seconds on a shared 2-core machine


def test_plot_splits_keeps_the_most_interesting_and_says_what_it_left_out(big):
    ax = plotting.plot_splits(big, max_pairs=50, ax=new_ax())
    labels = ticks(ax)
    assert len(labels) == 50
    title = ax.get_title()
    assert "the 50 most interesting of 160,000 pairs" in title
    blackholes = int((~big.routes["forwards"]).sum())
    assert f"left out: {blackholes - 50:,} forwards nowhere" in title and "to the destination itself" in title
    assert sum("forwards nowhere" in t.get_text() for t in ax.texts) == 50  # the blackholes come first
    # One pair per destination before a second one: the 50 bars name 50 different destinations.
    assert len({label.split(" → ")[-1] for label in labels}) == 50


def test_plot_splits_default_cap_follows_the_axes_height(big):
    short = plotting.plot_splits(big, nontrivial=True, ax=new_ax(10, 4))
    tall = plotting.plot_splits(big, nontrivial=True, ax=new_ax(10, 16))
    assert 10 <= len(short.get_yticklabels()) < len(tall.get_yticklabels()) <= 400
    assert min(t.get_fontsize() for t in tall.get_yticklabels()) >= 5.5


def test_plot_splits_max_pairs_on_the_world(tmp_path):
    res = resolve(mra.load_repo(write_world(tmp_path)))
    ax = plotting.plot_splits(res, mesh="demo", max_pairs=2, ax=new_ax())
    assert ticks(ax) == ["api-v1-1 → db", "api-v2-1 → db"]  # the blackholes first
    assert ax.get_title().endswith("left out: 1 split, 1 redirected")
    assert list(plotting.PAIR_KINDS) == ["forwards nowhere", "split", "redirected", "to the destination itself"]


def test_plot_weights_is_capped_too(demo):
    repo, _ = demo
    ax = plotting.plot_weights(repo, max_bars=3, ax=new_ax())
    assert len(bars(ax)) <= 3
    assert f"of {len(repo.backends)} backendRefs" in ax.get_title()


def facecolors(ax, labels) -> dict[str, tuple]:
    """The facecolor of the first bar drawn for each backend label (plot_split labels its bar containers)."""
    out = {}
    for container in ax.containers:
        label = container.get_label()
        if label in labels and label not in out:
            out[label] = tuple(np.round(container.patches[0].get_facecolor(), 6))
    return out


def test_one_style_per_backend_in_every_chart_and_the_explorer(demo):
    repo, res = demo
    palette = plotting.backend_palette(res)
    want = {b: tuple(np.round(matplotlib.colors.to_rgba(palette[b]["facecolor"]), 6)) for b in (V0, V1)}
    split = plotting.plot_split(res, *PAIR, ax=new_ax())
    assert facecolors(split, want) == want
    # plot_splits draws one call per backend: match colours through the legend.
    splits = plotting.plot_splits(res, mesh="default", ax=new_ax())
    legend = {t.get_text(): tuple(np.round(h.get_facecolor(), 6))
              for t, h in zip(splits.get_legend().get_texts(), splits.get_legend().legend_handles)}
    assert {b: legend[b] for b in want} == want
    weights = plotting.plot_weights(repo, palette=palette, ax=new_ax(14, 8))
    colours = {tuple(np.round(b.get_facecolor(), 6)) for b in bars(weights)}
    assert set(want.values()) <= colours
    # Without a palette, the repository's own palette gives these two the same styles too.
    assert {b: plotting.backend_palette(repo)[b] for b in want} == {b: palette[b] for b in want}
    from meshroute_analysis.widgets import explore

    ex = explore(res)
    assert facecolors(ex.split_ax, want) == want


def test_backends_of_one_pair_always_differ_even_when_their_hashes_collide():
    combos = len(plotting.BACKEND_COLORS) * len(plotting.BACKEND_HATCHES)
    by_slot: dict[int, list[str]] = {}
    i = 0
    while not any(len(v) > 1 for v in by_slot.values()):
        label = f"svc{{version=v{i}}}"
        by_slot.setdefault(plotting._home_slot(label), []).append(label)
        i += 1
    a, b = next(v for v in by_slot.values() if len(v) > 1)
    apart = plotting.backend_styles([a, b, "other"], together=[(a, b)])
    assert apart[a] != apart[b]
    # Not drawn together: both keep the style of their hash, whatever else is in the chart.
    alone = plotting.backend_styles([a, b], together=[])
    assert alone[a] == alone[b] == plotting._slot_style(plotting._home_slot(a))
    assert combos == 56


def inside(ax) -> list[str]:
    """Texts drawn on the Axes whose extent leaves the Axes' box (after layout)."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    out = []
    for text in ax.texts:
        if not text.get_text() or not text.get_visible():
            continue
        extent = text.get_window_extent(renderer)
        if extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1 or extent.y0 < box.y0 - 1 or extent.y1 > box.y1 + 1:
            out.append(text.get_text())
    return out


LONG = "a-service-with-a-really-long-name-that-goes-on_team-platform-observability_svc_8080"


def long_world(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "long.yaml").write_text(f"""\
type: Mesh
name: long
---
type: Dataplane
name: client-with-an-equally-long-name-for-the-source-side-of-the-pair
mesh: long
networking:
  address: 10.0.0.1
  inbound:
  - port: 80
    tags: {{kuma.io/service: client, kuma.io/protocol: tcp}}
  outbound:
  - {{port: 10001, tags: {{kuma.io/service: {LONG}}}}}
---
type: Dataplane
name: server-1
mesh: long
networking:
  address: 10.0.0.2
  inbound:
  - port: 80
    tags: {{kuma.io/service: {LONG}, kuma.io/protocol: tcp, version: v1}}
---
type: MeshTCPRoute
name: long-split
mesh: long
spec:
  targetRef: {{kind: Mesh}}
  to:
  - targetRef: {{kind: MeshService, name: {LONG}}}
    rules:
    - default:
        backendRefs:
        - {{kind: MeshServiceSubset, name: {LONG}, tags: {{version: v1}}, weight: 45}}
        - {{kind: MeshServiceSubset, name: {LONG}, tags: {{version: v2}}, weight: 55}}
        - {{kind: MeshServiceSubset, name: {LONG}, tags: {{version: v3}}, weight: 0}}
""")
    return directory


@pytest.fixture(scope="module")
def long(tmp_path_factory):
    repo = mra.load_repo(long_world(tmp_path_factory.mktemp("long")))
    return repo, resolve(repo)


def test_bar_labels_stay_inside_the_axes(long, demo, tmp_path):
    repo, res = long
    source = res.routes["source"].iloc[0]
    checks = {
        "split": plotting.plot_split(res, source, LONG, mesh="long", ax=new_ax(6, 3)),
        "what-if": plotting.plot_split(res, source, LONG, mesh="long", weights={f"{LONG}{{version=v3}}": 200},
                                       ax=new_ax(6, 3)),
        "splits": plotting.plot_splits(res, ax=new_ax(6, 3)),
        "weights": plotting.plot_weights(repo, ax=new_ax(6, 3)),
        "demo weights": plotting.plot_weights(demo[0], ax=new_ax(7, 4)),
    }
    for name, ax in checks.items():
        assert inside(ax) == [], name


def test_long_names_are_shortened_so_the_plot_keeps_its_width(long):
    repo, res = long
    source = res.routes["source"].iloc[0]
    for ax in (plotting.plot_split(res, source, LONG, mesh="long", ax=new_ax(8, 3)),
               plotting.plot_splits(res, ax=new_ax(8, 3)), plotting.plot_weights(repo, ax=new_ax(8, 3))):
        ax.figure.canvas.draw()
        assert ax.get_position().width >= 0.5, ax.get_title()  # the plot has at least half the figure
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert any("…" in t for t in labels)
        # Subset tags, what tells the backends apart, survive the shortening.
        if ax.get_ylabel() == "" and "{version=" in "".join(labels):
            assert {"{version=v1}", "{version=v2}"} <= {t[t.index("{"):] for t in labels if "{" in t}
    assert plotting.short_backend(f"{LONG}{{version=v1}}", 28).endswith("{version=v1}")
    assert len(plotting.short_backend(f"{LONG}{{version=v1}}", 28)) == 28


def test_the_legend_sits_below_the_chart_and_is_readable(long):
    _, res = long
    ax = plotting.plot_splits(res, ax=new_ax(8, 3))
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    legend = ax.get_legend()
    assert min(t.get_fontsize() for t in legend.get_texts()) >= 8
    assert legend.get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0
    assert all(len(t.get_text()) <= 48 for t in legend.get_texts())


def test_route_matrix_works_at_700_by_250_px(big):
    ax = plotting.plot_route_matrix(big, mesh="big", ax=new_ax(700 / 80, 250 / 80))
    ax.figure.canvas.draw()
    image = ax.get_images()[0].get_array()
    rows, cols = image.shape
    assert 8 <= rows <= 20 and 20 <= cols <= 70, image.shape
    labels = [t.get_text() for t in [*ax.get_yticklabels(), *ax.get_xticklabels()]]
    assert all(len(t) <= 16 for t in labels)
    assert labels[rows - 1] == f"… +{400 - rows + 1} more"  # the folded sources
    assert min(t.get_fontsize() for t in [*ax.get_yticklabels(), *ax.get_xticklabels()]) >= 5
    assert ax.get_position().width >= 0.4 and ax.get_position().height >= 0.25
    assert len(ax.get_images()) == 2  # the implicit route-all cells, faded by an overlay
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "implicit route-all" in legend and any(t.startswith("o split") for t in legend)
    assert "most configured shown" in ax.get_title()
