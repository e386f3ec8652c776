"""``mra.plot_diff``: tested by its artists (bar widths are shares and deltas), seaborn-style."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import meshroute_analysis as mra  # noqa: E402
from meshroute_analysis.plotting import ROUTE_TYPE_STYLES  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "sample_policies" / "canary-review"


@pytest.fixture(scope="module")
def d():
    return mra.diff(mra.load_repo(SAMPLE / "before"), mra.load_repo(SAMPLE / "after"))


def _bars(ax):
    return [p for p in ax.patches if p.get_width() != 0 or p.get_height() != 0]


def test_one_pair_before_and_after_bars_are_the_shares(d) -> None:
    ax = Figure().subplots()
    assert mra.plot_diff(d, "frontend-01", "backend", mesh="shop", ax=ax) is ax
    widths = [round(p.get_width(), 9) for p in ax.patches]
    # before bars first (hatched), then after bars; one of each per backend, in configuration order.
    assert widths == [0.9, 0.1, 0.5, 0.5]
    assert [p.get_hatch() or "" for p in ax.patches] == ["////", "////", "", ""]
    tcp = matplotlib.colors.to_rgba(ROUTE_TYPE_STYLES["MeshTCPRoute"].color)
    assert all(p.get_facecolor() == tcp for p in ax.patches)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["before 90%", "before 10%", "after 50%", "after 50%"]
    assert "before: MeshTCPRoute (backend-canary)" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["backend{version=v1}", "backend{version=v2}"]


def test_a_route_type_change_is_marked_by_colour_and_title(d) -> None:
    ax = Figure().subplots()
    mra.plot_diff(d, "frontend-01", "catalog", mesh="shop", ax=ax)
    before, after = ax.patches[:3], ax.patches[3:]
    assert [p.get_width() for p in before] == [0.0, 0.0, 1.0] and [p.get_width() for p in after] == [1.0, 1.0, 0.0]
    assert before[0].get_facecolor() == matplotlib.colors.to_rgba(ROUTE_TYPE_STYLES["MeshTCPRoute"].color)
    assert after[0].get_facecolor() == matplotlib.colors.to_rgba(ROUTE_TYPE_STYLES["MeshHTTPRoute"].color)
    assert "after: MeshHTTPRoute (catalog-api-v2)" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["before: MeshTCPRoute", "after: MeshHTTPRoute"]
    assert "[PathPrefix /api/v2] catalog{version=v2}" in [t.get_text() for t in ax.get_yticklabels()]


def test_without_a_pair_every_share_delta(d) -> None:
    ax = Figure(figsize=(10, 8)).subplots()
    mra.plot_diff(d, ax=ax)
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    moved = d.backends[d.backends["change"] != "same"]  # reviews keeps 100% on its "/" route: it does not move
    assert widths == sorted(round(x, 6) for x in moved["delta"])
    assert ax.get_title() == "Share changes, all meshes: 10 backends move"
    one_mesh = Figure().subplots()
    mra.plot_diff(d, mesh="shop", top=3, ax=one_mesh)
    assert len(one_mesh.patches) == 3 and "(the 3 largest of 5)" in one_mesh.get_title()
    assert all(abs(p.get_width()) == 100 for p in one_mesh.patches)  # largest moves first


def test_current_axes_no_show_no_rcparams(d, monkeypatch) -> None:
    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(1))
    before = dict(matplotlib.rcParams)
    plt.figure()
    try:
        ax = mra.plot_diff(d, "frontend.shop", "backend_shop_svc_3001")  # the mesh found from the pair
        assert ax is plt.gca() and not shown
        assert dict(matplotlib.rcParams) == before
    finally:
        plt.close("all")


def test_unknown_names_and_wrong_input(d) -> None:
    ax = Figure().subplots()
    with pytest.raises(ValueError, match="close names: frontend-01"):
        mra.plot_diff(d, "frontend-1", "backend", ax=ax)
    with pytest.raises(ValueError, match="both source and destination"):
        mra.plot_diff(d, "frontend-01", ax=ax)
    with pytest.raises(TypeError, match="Diff from mra.diff"):
        mra.plot_diff(mra.load_repo(SAMPLE / "after"), ax=ax)
    empty = mra.diff(mra.load_repo(SAMPLE / "after"), mra.load_repo(SAMPLE / "after"))
    mra.plot_diff(empty, ax=ax)
    assert ax.get_title() == "Share changes, all meshes: no backend moves" and not ax.patches
