"""The explorer, headless: set ``.value`` on its widgets and check what was drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import base64  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import meshroute_analysis as mra  # noqa: E402
from meshroute_analysis import plotting, splitsvg  # noqa: E402
from meshroute_analysis.resolve import resolve  # noqa: E402
from meshroute_analysis.widgets import Explorer, explore  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"

from .test_plotting import PAIR, SAMPLE, V0, V1, bars, write_world  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    repo = mra.load_repo(SAMPLE)
    return repo, resolve(repo)


def widths(ax) -> list[float]:
    return [round(b.get_width(), 9) for b in bars(ax)]


def svg_bars(ex, kind: str = "mra-bar") -> list[ET.Element]:
    """The bars (or, with kind="mra-configured", the outlined configured bars) of the live SVG split."""
    root = ET.fromstring(ex.split_chart.value)
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == kind]


def svg_widths(ex, kind: str = "mra-bar") -> list[float]:
    return [round(float(e.get("width")) / splitsvg.PLOT_WIDTH, 3) for e in svg_bars(ex, kind)]


def test_explore_starts_on_the_first_split(demo):
    repo, _ = demo
    ex = explore(repo)  # a PolicyRepo is resolved with the defaults
    assert isinstance(ex, Explorer)
    assert (ex.mesh.value, ex.source.value, ex.destination.value) == ("default", *PAIR)
    assert list(ex.mesh.options) == ["default", "redirect", "universal", "universal-redirect"]
    assert widths(ex.split_ax) == [0.9, 0.1]
    assert "MeshTCPRoute" in ex.split_ax.get_title()
    assert "tcp-route-1" in ex.explanation.value and "Final split" in ex.explanation.value
    ex.tabs.selected_index = 1  # the matrix is drawn when its tab is shown
    assert "mesh default" in ex.matrix_ax.get_title()
    assert bytes(ex.matrix_image.value)[:4] == b"\x89PNG"
    # The live split is SVG the browser draws: the same bars, shares and colours as the matplotlib twin.
    assert svg_widths(ex) == [0.9, 0.1]
    assert [e.get("data-backend") for e in svg_bars(ex)] == [V0, V1]
    assert [e.get("fill") for e in svg_bars(ex)] == [ex._styles[V0]["facecolor"], ex._styles[V1]["facecolor"]]
    assert "MeshTCPRoute, mesh default" in ex.split_chart.value
    assert ex.updates and ex.updates[0][0] == "start"


def test_picking_a_pair_redraws(demo):
    _, res = demo
    ex = explore(res)
    ex.destination.value = "frontend_kuma-demo_svc_8080"
    assert widths(ex.split_ax) == [1.0]
    assert "TrafficRoute" in ex.split_ax.get_title()
    assert "route-all-default" in ex.explanation.value
    ex.source.value = "backend-v1.kuma-demo"
    assert ex.destination.value == "frontend_kuma-demo_svc_8080"  # kept: the new source reaches it too
    assert ex.split_ax.get_title().startswith("backend-v1.kuma-demo → frontend_kuma-demo_svc_8080")
    assert [u[0] for u in ex.updates[-2:]] == ["destination", "source"]
    assert ex.last_update_seconds > 0


def test_switching_mesh_redraws_the_matrix(demo):
    _, res = demo
    ex = explore(res)
    ex.mesh.value = "universal"
    assert list(ex.source.options) == ["frontend-01"]
    assert list(ex.destination.options) == ["backend", "external-backend"]
    assert (ex.source.value, ex.destination.value) == ("frontend-01", "backend")
    ex.tabs.selected_index = 1
    assert "mesh universal" in ex.matrix_ax.get_title()
    assert [t.get_text() for t in ex.matrix_ax.get_xticklabels()] == ["backend", "external-backend"]
    assert widths(ex.split_ax) == [0.9, 0.1]


def test_what_if_sliders_redraw_without_touching_the_data(demo):
    repo, res = demo
    before_res, before_repo = res.backends.copy(), repo.backends.copy()
    ex = explore(res)
    assert list(ex.sliders) == [V0, V1]
    assert [s.value for s in ex.sliders.values()] == [90, 10]
    assert all(s.disabled for s in ex.sliders.values())
    ex.sliders[V1].value = 90  # ignored while what-if is off
    assert widths(ex.split_ax) == [0.9, 0.1]
    ex.what_if.value = True
    assert not any(s.disabled for s in ex.sliders.values())
    assert widths(ex.split_ax) == [0.5, 0.5]
    assert "what-if" in ex.split_ax.get_title()
    ex.sliders[V0].value = 30
    assert widths(ex.split_ax) == [0.25, 0.75]
    assert ex.weights == {V0: 30.0, V1: 90.0}
    ex.reset.click()
    assert [s.value for s in ex.sliders.values()] == [90, 10]
    assert widths(ex.split_ax) == [0.9, 0.1]
    ex.what_if.value = False
    assert "what-if" not in ex.split_ax.get_title()
    assert res.backends.equals(before_res) and repo.backends.equals(before_repo)


def test_what_if_on_http_routes(tmp_path):
    res = resolve(mra.load_repo(write_world(tmp_path)))
    ex = explore(res, mesh="demo")
    ex.source.value = "web-1"
    ex.destination.value = "api"
    assert list(ex.sliders) == ["api{version=v2}", "api{version=v1}"]  # one slider per backend
    assert widths(ex.split_ax) == [1.0, 0.75, 0.25]
    ex.what_if.value = True
    ex.sliders["api{version=v1}"].value = 1
    assert widths(ex.split_ax) == [1.0, 0.5, 0.5]  # the canary route keeps its single backend


def test_static_views_for_exports(demo):
    _, res = demo
    ex = explore(res)
    fig = ex.figure()
    split_ax, matrix_ax = fig.axes[:2]
    assert widths(split_ax) == [0.9, 0.1]
    assert "mesh default" in matrix_ax.get_title()
    bundle = ex._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "Explorer" in bundle["text/plain"]


def test_unknown_mesh(demo):
    _, res = demo
    with pytest.raises(ValueError, match="unknown mesh 'nope'"):
        explore(res, mesh="nope")


def test_benchmark_script_exists():
    assert (Path(__file__).resolve().parents[1] / "benchmarks" / "bench_explorer.py").is_file()


def test_explore_models_the_kuma_version_asked_for():
    # The upgrade sample's web -> backend split is 100% v1 on 2.5 and 90/10 on 2.7 (its README says why).
    repo = mra.load_repo(Path(__file__).parents[1] / "sample_policies" / "upgrade-2.5-to-2.7")
    shares = {}
    for version in ("2.5", "2.7"):
        ex = explore(repo, kuma_version=version)
        assert ex.res.kuma_version == version
        ex.source.value, ex.destination.value = "web-01", "backend"
        shares[version] = widths(ex.split_ax)
    assert shares == {"2.5": [1.0], "2.7": [0.9, 0.1]}


def png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_matrix_is_drawn_only_while_its_tab_is_shown_at_700_by_250(demo):
    _, res = demo
    ex = explore(res)
    assert not ex.matrix_drawn and not ex.matrix_ax.get_title()
    said = []
    ex.status.observe(lambda ch: said.append(ch["new"]), names="value")
    ex.tabs.selected_index = 1
    assert ex.matrix_drawn and "mesh default" in ex.matrix_ax.get_title()
    # A busy state while it draws, then how long it took.
    pairs = int((res.routes["mesh"] == "default").sum())
    assert said[0] == f"<small>drawing the route matrix of {pairs:,} pairs…</small>" and "drawn in" in said[-1]
    assert png_size(bytes(ex.matrix_image.value)) == (700, 250)
    ex.mesh.value = "universal"  # shown: redrawn at once
    assert ex.matrix_drawn and "mesh universal" in ex.matrix_ax.get_title()
    ex.tabs.selected_index = 0
    ex.mesh.value = "redirect"  # hidden: not redrawn
    assert not ex.matrix_drawn and "mesh universal" in ex.matrix_ax.get_title()
    assert [u[0] for u in ex.updates].count("matrix") == 1
    ex.tabs.selected_index = 1
    assert "mesh redirect" in ex.matrix_ax.get_title()


def test_pickers_filter_by_substring(demo):
    _, res = demo
    ex = explore(res)
    ex.source_filter.value = "V1"  # case-insensitive, anywhere in the name
    assert list(ex.source.options) == ["backend-v1.kuma-demo"]
    assert ex.source.value == "backend-v1.kuma-demo"
    assert ex.split_ax.get_title().startswith("backend-v1.kuma-demo → ")
    ex.destination_filter.value = "external"
    assert list(ex.destination.options) == ["external-backend_kuma-demo_svc_8080"]
    ex.source_filter.value = "nothing-matches"
    assert list(ex.source.options) == [] and ex.source.value is None
    assert "the filters match none" in ex.split_ax.get_title()
    assert "the filters match none" in ex.split_chart.value and not svg_bars(ex)
    ex.source_filter.value = ""
    ex.destination_filter.value = ""
    assert len(ex.source.options) == res.routes[res.routes["mesh"] == "default"]["source"].nunique()


def test_interesting_pairs_only(demo):
    repo, res = demo
    ex = explore(res)
    ex.interesting.value = True
    assert list(ex.source.options) == ["frontend.kuma-demo"]  # the only source with a split in mesh default
    assert list(ex.destination.options) == ["backend_kuma-demo_svc_3001"]
    # A finding about a pair makes it interesting too.
    findings = pd.DataFrame([{"code": "MRA999", "mesh": "default", "source": "backend-v0.kuma-demo",
                              "destination": "frontend_kuma-demo_svc_8080"}])
    ex = explore(res, findings=findings)
    ex.interesting.value = True
    assert list(ex.source.options) == ["backend-v0.kuma-demo", "frontend.kuma-demo"]
    ex.source.value = "backend-v0.kuma-demo"
    assert list(ex.destination.options) == ["frontend_kuma-demo_svc_8080"]


def test_sliders_name_the_backend_they_move_and_show_its_share(demo):
    _, res = demo
    ex = explore(res)
    assert [s.description for s in ex.sliders.values()] == ["version=v0", "version=v1"]  # the tags, not a prefix
    assert [s.tooltip for s in ex.sliders.values()] == [V0, V1]
    assert [h.value for h in ex.slider_shares.values()] == ["90%", "10%"]
    ex.what_if.value = True
    ex.sliders[V1].value = 90
    assert [h.value for h in ex.slider_shares.values()] == ["50%", "50%"]
    configured = [b for b in ex.split_ax.patches if b.get_gid() == plotting.CONFIGURED_GID]
    assert [round(b.get_width(), 9) for b in configured] == [0.9, 0.1]  # the configured shares, outlined
    assert "configured 90%" in " ".join(t.get_text() for t in ex.split_ax.texts)
    assert svg_widths(ex) == [0.5, 0.5] and svg_widths(ex, "mra-configured") == [0.9, 0.1]
    assert "(configured 90%)" in ex.split_chart.value and "what-if weights" in ex.split_chart.value
    ex.what_if.value = False  # off: back to the configured weights
    assert [s.value for s in ex.sliders.values()] == [90, 10]
    assert [h.value for h in ex.slider_shares.values()] == ["90%", "10%"]
    assert not [b for b in ex.split_ax.patches if b.get_gid() == plotting.CONFIGURED_GID]
    assert svg_widths(ex) == [0.9, 0.1] and not svg_bars(ex, "mra-configured")


def test_no_slider_for_a_single_backend(demo):
    _, res = demo
    ex = explore(res)
    ex.destination.value = "frontend_kuma-demo_svc_8080"
    assert ex.sliders == {} and ex.slider_box.children == ()
    assert "one backend" in ex.slider_note.value


def test_slider_names_tell_backends_apart():
    from meshroute_analysis.widgets import _slider_names

    long = "a-very-long-service-name-shared-by-both_team_svc_8080"
    assert _slider_names([f"{long}{{version=v1}}", f"{long}{{version=v2}}"]) == {
        f"{long}{{version=v1}}": "version=v1", f"{long}{{version=v2}}": "version=v2"}
    names = _slider_names(["orders-api-legacy_shop_svc_80", "orders-api-next_shop_svc_80"])
    assert len(set(names.values())) == 2 and all(len(v) <= 22 for v in names.values())


def test_executed_figure_is_a_static_fallback(demo):
    _, res = demo
    ex = explore(res)
    bundle = ex._repr_mimebundle_()
    image = base64.b64decode(bundle["image/png"])
    assert image[:4] == b"\x89PNG" and png_size(image)[0] >= 600
    split_only = png_size(image)
    ex.tabs.selected_index = 1  # once the matrix is drawn, the fallback shows it below the split
    with_matrix = png_size(base64.b64decode(ex._repr_mimebundle_()["image/png"]))
    assert split_only == (600, 256) and with_matrix[0] >= 600 and with_matrix[1] > 2 * split_only[1]


def test_slider_rows_are_reused_and_reset_for_each_pair(demo):
    _, res = demo
    ex = explore(res)
    first = list(ex.sliders.values())
    ex.what_if.value = True
    ex.sliders[V1].value = 90  # a what-if move ...
    ex.destination.value = "frontend_kuma-demo_svc_8080"  # ... then a single-backend pair: no slider
    assert ex.sliders == {} and ex.slider_box.children == ()
    ex.destination.value = PAIR[1]  # back: the same widgets, at the configured weights again
    assert list(ex.sliders.values()) == first
    assert [s.value for s in ex.sliders.values()] == [90, 10]
    assert [s.tooltip for s in ex.sliders.values()] == [V0, V1]
    assert [h.value for h in ex.slider_shares.values()] == ["90%", "10%"]
    assert svg_widths(ex) == [0.9, 0.1] and svg_widths(ex, "mra-configured") == [0.9, 0.1]  # what-if still on
    redraws = len(ex.updates)
    ex.sliders[V0].value = 10
    assert len(ex.updates) == redraws + 1 and svg_widths(ex) == [0.5, 0.5]


class _PlainResolution:
    """A resolution that keeps no pair codes: the explorer then factorises the frames itself."""

    def __init__(self, res) -> None:
        self.res, self.routes, self.backends = res, res.routes, res.backends

    def explain(self, *args, **kwargs):
        return self.res.explain(*args, **kwargs)

    def reweigh(self, *args, **kwargs):
        return self.res.reweigh(*args, **kwargs)


def _walk(ex) -> list:
    """Every mesh, source and destination the pickers offer, with the split drawn for each pair."""
    seen = []
    for mesh in ex.mesh.options:
        ex.mesh.value = mesh
        for source in ex.source.options:
            ex.source.value = source
            for destination in ex.destination.options:
                ex.destination.value = destination
                seen.append((mesh, source, destination, ex.split_chart.value))
    return seen


def test_the_resolutions_codes_give_the_explorer_the_frames_would(demo):
    _, res = demo
    coded, plain = explore(res), explore(_PlainResolution(res))
    assert coded._codes.meshes == plain._codes.meshes == list(coded.mesh.options)
    assert coded._styles == plain._styles
    walked = _walk(coded)
    assert len(walked) == len(res.routes)  # every pair is reachable from the pickers
    assert walked == _walk(plain)
