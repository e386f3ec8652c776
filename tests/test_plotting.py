"""The plotting helpers, tested by their artists (bar sizes, labels, titles, legends), never by pixels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import meshroute_analysis as mra  # noqa: E402
from meshroute_analysis import plotting  # noqa: E402
from meshroute_analysis.resolve import resolve  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_policies" / "kuma-demo"
PAIR = ("frontend.kuma-demo", "backend_kuma-demo_svc_3001")
V0, V1 = "backend_kuma-demo_svc_3001{version=v0}", "backend_kuma-demo_svc_3001{version=v1}"

# A small Universal world: an HTTP canary with two routes, a TCP split with a weight-0 backendRef and a
# TCP route whose only backendRef has weight 0 (a blackhole).
WORLD = """
type: Mesh
name: demo
---
type: Dataplane
name: web-1
mesh: demo
networking:
  address: 10.0.0.1
  inbound:
  - port: 80
    tags: {kuma.io/service: web, kuma.io/protocol: http, app: web}
  outbound:
  - {port: 10001, tags: {kuma.io/service: api}}
  - {port: 10002, tags: {kuma.io/service: db}}
---
type: Dataplane
name: api-v1-1
mesh: demo
networking:
  address: 10.0.0.2
  inbound:
  - port: 80
    tags: {kuma.io/service: api, kuma.io/protocol: http, version: v1}
  outbound:
  - {port: 10002, tags: {kuma.io/service: db}}
---
type: Dataplane
name: api-v2-1
mesh: demo
networking:
  address: 10.0.0.3
  inbound:
  - port: 80
    tags: {kuma.io/service: api, kuma.io/protocol: http, version: v2}
  outbound:
  - {port: 10002, tags: {kuma.io/service: db}}
---
type: Dataplane
name: db-1
mesh: demo
networking:
  address: 10.0.0.4
  inbound:
  - port: 5432
    tags: {kuma.io/service: db, kuma.io/protocol: tcp, version: v1}
---
type: MeshHTTPRoute
name: api-canary
mesh: demo
spec:
  targetRef: {kind: MeshService, name: web}
  to:
  - targetRef: {kind: MeshService, name: api}
    rules:
    - matches: [{headers: [{type: Exact, name: x-canary, value: "true"}]}]
      default:
        backendRefs:
        - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 1}
    - matches: [{path: {type: PathPrefix, value: /}}]
      default:
        backendRefs:
        - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 3}
        - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 1}
---
type: MeshTCPRoute
name: db-zero
mesh: demo
spec:
  targetRef: {kind: MeshService, name: api}
  to:
  - targetRef: {kind: MeshService, name: db}
    rules:
    - default:
        backendRefs:
        - {kind: MeshServiceSubset, name: db, tags: {version: v1}, weight: 0}
---
type: MeshTCPRoute
name: db-split
mesh: demo
spec:
  targetRef: {kind: MeshService, name: web}
  to:
  - targetRef: {kind: MeshService, name: db}
    rules:
    - default:
        backendRefs:
        - {kind: MeshServiceSubset, name: db, tags: {version: v1}, weight: 0}
        - {kind: MeshService, name: db, weight: 2}
"""


def write_world(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "world.yaml").write_text(textwrap.dedent(WORLD).lstrip())
    return directory


def write_grid(directory: Path, sources: int, destinations: int, *, mesh: str = "grid") -> Path:
    """``sources`` client Dataplanes that each list every one of ``destinations`` services as outbound."""
    docs = [f"type: Mesh\nname: {mesh}\n"]
    outbound = "".join(f"  - {{port: {20000 + d}, tags: {{kuma.io/service: svc-{d:03d}}}}}\n" for d in range(destinations))
    for d in range(destinations):
        docs.append(f"type: Dataplane\nname: svc-{d:03d}-1\nmesh: {mesh}\nnetworking:\n  address: 10.1.{d // 200}.{d % 200 + 1}\n"
                    f"  inbound:\n  - port: 80\n    tags: {{kuma.io/service: svc-{d:03d}, kuma.io/protocol: tcp}}\n")
    for s in range(sources):
        docs.append(f"type: Dataplane\nname: client-{s:03d}\nmesh: {mesh}\nnetworking:\n  address: 10.2.{s // 200}.{s % 200 + 1}\n"
                    f"  inbound:\n  - port: 80\n    tags: {{kuma.io/service: client-{s:03d}, kuma.io/protocol: tcp}}\n"
                    f"  outbound:\n{outbound}")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "grid.yaml").write_text("---\n".join(docs))
    return directory


@pytest.fixture(scope="module")
def demo():
    repo = mra.load_repo(SAMPLE)
    return repo, resolve(repo)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    repo = mra.load_repo(write_world(tmp_path_factory.mktemp("world")))
    return repo, resolve(repo)


def new_ax(width: float = 8, height: float = 4):
    return Figure(figsize=(width, height), layout="constrained").subplots()


def bars(ax) -> list:
    from matplotlib.patches import Rectangle

    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() != plotting.CONFIGURED_GID]


def ticks(ax, axis: str = "y") -> list[str]:
    """Tick labels as one line each (long ones are wrapped onto two)."""
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text().replace("\n", " ") for t in labels]


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


# ----------------------------------------------------------------------------------------------- plot_split


def test_plot_split_bar_widths_are_the_shares(demo):
    _, res = demo
    ax = new_ax()
    assert plotting.plot_split(res, *PAIR, ax=ax) is ax
    assert [round(b.get_width(), 9) for b in bars(ax)] == [0.9, 0.1]
    assert [t.get_text() for t in ax.get_yticklabels()] == [V0, V1]  # in configuration order, the first on top
    assert "frontend.kuma-demo → backend_kuma-demo_svc_3001" in ax.get_title()
    assert "MeshTCPRoute" in ax.get_title() and "mesh default" in ax.get_title()
    assert any(t.startswith("90% · weight 90") for t in texts(ax))
    assert any(t.startswith("10% · weight 10") for t in texts(ax))


def test_plot_split_draws_on_the_current_axes_without_showing(demo, monkeypatch):
    import matplotlib.pyplot as plt

    _, res = demo
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() was called"))
    fig = plt.figure()
    try:
        ax = plotting.plot_split(res, "frontend-01", "backend", mesh="universal")
        assert ax is plt.gca()
        assert [round(b.get_width(), 9) for b in bars(ax)] == [0.9, 0.1]
    finally:
        plt.close(fig)


def test_plot_split_redirect_and_unknown_names(demo):
    _, res = demo
    ax = plotting.plot_split(res, "frontend-01", "backend", mesh="universal-redirect", ax=new_ax())
    assert [b.get_width() for b in bars(ax)] == [1.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["external-backend"]
    with pytest.raises(ValueError, match="unknown destination 'backend_kuma-demo_svc_300'.*close names"):
        plotting.plot_split(res, PAIR[0], "backend_kuma-demo_svc_300", ax=new_ax())
    with pytest.raises(ValueError, match="unknown source"):
        plotting.plot_split(res, "nobody", PAIR[1], ax=new_ax())
    with pytest.raises(ValueError, match="unknown mesh"):
        plotting.plot_split(res, *PAIR, mesh="nomesh", ax=new_ax())


def test_plot_split_what_if_reweights_without_touching_the_data(demo):
    repo, res = demo
    before_res, before_repo = res.backends.copy(), repo.backends.copy()
    ax = plotting.plot_split(res, *PAIR, weights={V1: 90}, ax=new_ax())
    assert [round(b.get_width(), 9) for b in bars(ax)] == [0.5, 0.5]
    assert "what-if" in ax.get_title()
    assert res.backends.equals(before_res) and repo.backends.equals(before_repo)
    with pytest.raises(ValueError, match="not in this pair"):
        plotting.plot_split(res, *PAIR, weights={"other": 1}, ax=new_ax())
    with pytest.raises(ValueError, match="negative"):
        plotting.plot_split(res, *PAIR, weights={V1: -1}, ax=new_ax())


def test_plot_split_http_routes_and_weight_zero(world):
    _, res = world
    ax = plotting.plot_split(res, "web-1", "api", mesh="demo", ax=new_ax())
    labels = ticks(ax)
    assert labels == ["[header x-canary=true] api{version=v2}", "[/] api{version=v1}", "[/] api{version=v2}"]
    assert [b.get_width() for b in bars(ax)] == [1.0, 0.75, 0.25]
    assert "MeshHTTPRoute" in ax.get_title() and "HTTP route" in ax.get_xlabel()

    ax = plotting.plot_split(res, "web-1", "db", mesh="demo", ax=new_ax())
    assert [b.get_width() for b in bars(ax)] == [0.0, 1.0]
    assert any("weight 0" in t for t in texts(ax))
    # The what-if gives the weight-0 backendRef a weight: it joins the split.
    ax = plotting.plot_split(res, "web-1", "db", mesh="demo", weights={"db{version=v1}": 2}, ax=new_ax())
    assert [b.get_width() for b in bars(ax)] == [0.5, 0.5]


def test_plot_split_blackhole_is_marked(world):
    _, res = world
    ax = plotting.plot_split(res, "api-v1-1", "db", mesh="demo", ax=new_ax())
    assert [b.get_width() for b in bars(ax)] == [0.0]
    assert any("forwards nowhere: blackhole" in t for t in texts(ax))


# ----------------------------------------------------------------------------------------------- plot_splits


def test_plot_splits_stacks_every_pair(demo):
    _, res = demo
    ax = plotting.plot_splits(res, mesh="default", ax=new_ax(10, 6))
    labels = ticks(ax)
    routes = res.routes[res.routes["mesh"] == "default"]
    assert len(labels) == len(routes) == 12
    assert "frontend.kuma-demo → backend_kuma-demo_svc_3001" in labels
    rows: dict[float, float] = {}
    for b in bars(ax):
        rows[round(b.get_y(), 6)] = rows.get(round(b.get_y(), 6), 0.0) + b.get_width()
    assert len(rows) == 12 and all(abs(total - 1.0) < 1e-9 for total in rows.values())
    assert ax.get_title() == "Traffic splits, mesh default: 12 pairs"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert V0 in legend and V1 in legend


def test_plot_splits_filters(demo):
    _, res = demo
    ax = plotting.plot_splits(res, nontrivial=True, ax=new_ax(10, 4))
    labels = ticks(ax)
    assert labels == [  # the splits first, then the redirects (PAIR_KINDS), by name within each
        "default: frontend.kuma-demo → backend_kuma-demo_svc_3001",
        "universal: frontend-01 → backend",
        "redirect: frontend.kuma-demo-redirect → backend_kuma-demo-redirect_svc_3001",
        "universal-redirect: frontend-01 → backend",
    ]
    ax = plotting.plot_splits(res, mesh="universal", sources=["frontend-01"], destinations=["backend"], ax=new_ax())
    assert [round(b.get_width(), 9) for b in bars(ax)] == [0.9, 0.1]
    ax = plotting.plot_splits(res, mesh="universal", sources=["nobody"], ax=new_ax())
    assert "no pair" in ax.get_title()


def test_plot_splits_marks_pairs_that_forward_nowhere(world):
    _, res = world
    ax = plotting.plot_splits(res, mesh="demo", ax=new_ax(10, 4))
    labels = ticks(ax)
    assert labels == ["api-v1-1 → db", "api-v2-1 → db", "web-1 → api [header x-canary=true]", "web-1 → api [/]",
                      "web-1 → db"]
    assert sum("forwards nowhere (blackhole)" in t for t in texts(ax)) == 2


def test_plot_splits_is_readable_at_200_pairs(tmp_path):
    repo = mra.load_repo(write_grid(tmp_path, 20, 10))
    res = resolve(repo)
    ax = plotting.plot_splits(res, ax=new_ax(12, 0.24 * 200 + 1.8))
    ticks = ax.get_yticklabels()
    assert len(ticks) == 200
    assert min(t.get_fontsize() for t in ticks) >= 6  # fits the height the report gives it
    assert len(ax.get_legend().get_texts()) <= 17  # 16 backends and "… more"
    ax.figure.canvas.draw()  # lays out without error


# ----------------------------------------------------------------------------------------------- route matrix


def test_plot_route_matrix_codes_and_marks(world):
    _, res = world
    ax = plotting.plot_route_matrix(res, mesh="demo", ax=new_ax(8, 5))
    image = ax.get_images()[0].get_array()
    types = list(plotting.ROUTE_TYPE_STYLES)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["api-v1-1", "api-v2-1", "web-1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["api", "db"]
    assert image.mask[0, 0] and image.mask[1, 0]  # api-v* do not reach api: not a pair
    assert types[int(image[2, 0])] == "MeshHTTPRoute" and types[int(image[2, 1])] == "MeshTCPRoute"
    assert types[int(image[0, 1])] == "MeshTCPRoute"
    marks = ax.collections[0].get_offsets()
    assert sorted(map(tuple, np.asarray(marks).tolist())) == [(1.0, 0.0), (1.0, 1.0)]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["T MeshTCPRoute", "H MeshHTTPRoute", "X forwards nowhere (2)", "o split (1)", "not a pair"]
    split = ax.collections[1].get_offsets()
    assert np.asarray(split).tolist() == [[0.0, 2.0]]  # web-1 -> api, 75/25: marked instead of lettered
    assert texts(ax) == ["T"]  # letters for greyscale on a small grid (web-1 -> db)
    assert "mesh demo: 3 sources x 2 destinations" in ax.get_title()


def test_plot_route_matrix_all_meshes_prefixes_labels(demo):
    _, res = demo
    ax = plotting.plot_route_matrix(res, ax=new_ax(10, 6))
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 10 and "universal: frontend-01" in rows and "default: frontend.kuma-demo" in rows
    assert "all meshes" in ax.get_title()


def test_plot_route_matrix_is_legible_at_100_by_100(tmp_path):
    repo = mra.load_repo(write_grid(tmp_path, 100, 100))
    res = resolve(repo)
    ax = plotting.plot_route_matrix(res, mesh="grid", ax=new_ax(0.16 * 100 + 5, 0.16 * 100 + 2))
    assert ax.get_images()[0].get_array().shape == (100, 100)  # the services list no outbound: not sources
    assert len(ax.get_yticklabels()) == 100 and len(ax.get_xticklabels()) == 100
    assert min(t.get_fontsize() for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]) >= 5
    assert not ax.texts  # no letters on a grid this big


def test_route_type_colours_hold_in_greyscale():
    # Luminance as a greyscale print sees it (ITU-R BT.601 weights).
    grey = sorted(float(np.dot(to_rgb(s.color), (0.299, 0.587, 0.114))) for s in plotting.ROUTE_TYPE_STYLES.values())
    assert all(b - a >= 0.15 for a, b in zip(grey, grey[1:])), grey
    assert len({s.letter for s in plotting.ROUTE_TYPE_STYLES.values()}) == len(plotting.ROUTE_TYPE_STYLES)


def test_backend_styles_are_stable_and_distinct():
    labels = [f"svc-{i}" for i in range(56)]
    styles = plotting.backend_styles(labels)
    assert len({(s["facecolor"], s["hatch"]) for s in styles.values()}) == 56
    # The same backend keeps its style whatever else is in the chart.
    assert plotting.backend_styles(["svc-3"])["svc-3"] == plotting.backend_styles(["svc-3", "x"])["svc-3"]


# ----------------------------------------------------------------------------------------------- weights


def test_plot_weights_bars_are_the_weights(demo):
    repo, _ = demo
    ax = plotting.plot_weights(repo, ax=new_ax(14, 6))  # wide enough for whole labels
    assert sorted(b.get_width() for b in bars(ax)) == sorted(repo.backends["weight"].astype(float))
    labels = ticks(ax)
    assert "default: tcp-route-1.kong-mesh-system to[0].rules[0] → " + V0 in labels
    assert any(t.startswith("1 (default)") for t in texts(ax))
    assert ax.get_title() == "Configured backendRef weights"


def test_plot_weights_labels_name_real_fields_when_trafficroutes_are_beside(tmp_path):
    # TrafficRoute rows have no to[] entry and implicit rows no rule: neither may turn the labels into
    # to[nan] or the indices of the others into to[0.0].
    repo = mra.load_repo(ROOT / "sample_policies" / "trafficroute-migration")
    assert set(repo.backends["policy_type"]) >= {"TrafficRoute", "MeshTCPRoute"}
    ax = plotting.plot_weights(repo, ax=new_ax(14, 8))  # wide enough for whole labels
    labels = ticks(ax)
    assert not [t for t in labels if "nan" in t or ".0]" in t or "<NA>" in t], labels
    assert "migration-k8s: backend-canary.kuma-system to[0].rules[0] → backend_pay_svc_3001{version=v1}" in labels
    assert "migration: route-backend conf → backend{version=v1}" in labels


def test_plot_weights_backend_without_a_name_is_not_nan(write, tmp_path):
    # 2.9+ backendRefs select by labels and have no name (2.5 rejects them, but the chart still draws them).
    write("route.yaml", """\
        type: MeshTCPRoute
        name: by-labels
        mesh: default
        spec:
          targetRef: {kind: Mesh}
          to:
          - targetRef: {kind: MeshService, name: backend}
            rules:
            - default:
                backendRefs:
                - {kind: MeshService, labels: {kuma.io/display-name: backend}, port: 80, weight: 90}
                - {kind: MeshService, name: backend-v2, weight: 10}
        """)
    ax = plotting.plot_weights(mra.load_repo(tmp_path), ax=new_ax())
    labels = ticks(ax)
    assert labels == ["by-labels to[0].rules[0] → MeshService without a name", "by-labels to[0].rules[0] → backend-v2"]


def test_repo_backends_keep_integer_indices(tmp_path):
    backends = mra.load_repo(ROOT / "sample_policies" / "trafficroute-migration").backends
    for column in ("to_index", "rule_index", "weight_configured"):
        assert str(backends[column].dtype) == "Int64", column
    tr = backends[backends["policy_type"] == "TrafficRoute"]
    assert tr["to_index"].isna().all() and not tr.empty


def test_plot_weights_one_policy(demo, world):
    repo, _ = demo
    ax = plotting.plot_weights(repo, policy="tcp-route-redirect", ax=new_ax())
    assert [b.get_width() for b in bars(ax)] == [1.0]
    ax = plotting.plot_weights(repo, policy="MeshTCPRoute/tcp-route-1.kong-mesh-system", ax=new_ax())
    assert [b.get_width() for b in bars(ax)] == [90.0, 10.0]
    with pytest.raises(ValueError, match="unknown policy"):
        plotting.plot_weights(repo, policy="nope", ax=new_ax())
    wrepo, _ = world
    ax = plotting.plot_weights(wrepo, policy="db-split", ax=new_ax())
    assert [b.get_width() for b in bars(ax)] == [0.0, 2.0]
    assert any(t.startswith("0 · 0%") for t in texts(ax))


# ----------------------------------------------------------------------------------------------- hygiene


def test_helpers_leave_rcparams_alone(demo):
    repo, res = demo
    before = dict(matplotlib.rcParams)
    plotting.plot_split(res, *PAIR, ax=new_ax())
    plotting.plot_splits(res, ax=new_ax())
    plotting.plot_route_matrix(res, ax=new_ax())
    plotting.plot_weights(repo, ax=new_ax())
    assert dict(matplotlib.rcParams) == before


def test_importing_the_package_imports_neither_pyplot_nor_ipywidgets():
    code = ("import sys, meshroute_analysis, meshroute_analysis.plotting, meshroute_analysis.widgets, "
            "meshroute_analysis.report\n"
            "bad = [m for m in ('matplotlib.pyplot', 'ipywidgets') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_public_names():
    assert plotting.__all__ == sorted(plotting.__all__)
    for name in ("plot_split", "plot_splits", "plot_route_matrix", "plot_weights"):
        assert name in plotting.__all__
