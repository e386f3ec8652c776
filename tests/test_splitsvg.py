"""The explorer's live split (SVG markup built in Python): well-formed whatever the names, one bar per
backend row with its share, the palette's colour and hatch, what-if outlines, and the no-backend cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from meshroute_analysis import splitsvg

SVG = "{http://www.w3.org/2000/svg}"
STYLES = {"b{version=v1}": {"facecolor": "#E69F00", "hatch": "//", "edgecolor": "#333333"},
          "b{version=v2}": {"facecolor": "#56B4E9", "hatch": "", "edgecolor": "#333333"}}


def route(**extra) -> pd.Series:
    return pd.Series({"mesh": "default", "source": "web.ns", "destination": "b", "route_type": "MeshTCPRoute",
                      "forwards": True, "status": "ok", **extra})


def rows(backends, shares, weights=None, **columns) -> pd.DataFrame:
    weights = weights or [int(100 * s) for s in shares]
    return pd.DataFrame({"backend": backends, "share": shares, "weight": weights, "in_split": True, **columns})


def bars(svg: str, kind: str = "mra-bar") -> list[ET.Element]:
    return [e for e in ET.fromstring(svg).iter(f"{SVG}rect") if e.get("class") == kind]


def test_one_bar_per_backend_with_its_share_colour_and_hatch():
    svg = splitsvg.split_svg(route(), rows(list(STYLES), [0.75, 0.25]), STYLES)
    found = bars(svg)
    assert [e.get("data-backend") for e in found] == list(STYLES)
    assert [round(float(e.get("width")) / splitsvg.PLOT_WIDTH, 6) for e in found] == [0.75, 0.25]
    assert [e.get("fill") for e in found] == ["#E69F00", "#56B4E9"]
    hatched = bars(svg, "mra-hatch")
    assert len(hatched) == 1 and hatched[0].get("fill").startswith("url(#mra-h")  # only the "//" backend
    pattern_ids = [e.get("id") for e in ET.fromstring(svg).iter(f"{SVG}pattern")]
    assert hatched[0].get("fill") == f"url(#{pattern_ids[0]})"
    assert "75% · weight 75" in svg and "web.ns → b" in svg and "MeshTCPRoute, mesh default" in svg


def test_what_if_outlines_the_configured_shares():
    configured = rows(list(STYLES), [0.75, 0.25])
    svg = splitsvg.split_svg(route(), rows(list(STYLES), [0.5, 0.5], [50, 50]), STYLES, what_if=True,
                             configured=configured)
    assert [float(e.get("data-share")) for e in bars(svg, "mra-configured")] == [0.75, 0.25]
    assert [float(e.get("data-share")) for e in bars(svg)] == [0.5, 0.5]
    assert "(configured 75%)" in svg and "outlined: configured" in svg


def test_http_routes_label_their_route_and_the_axis_says_so():
    svg = splitsvg.split_svg(route(route_type="MeshHTTPRoute"),
                             rows(["b{version=v1}", "b{version=v2}"], [1.0, 1.0], route=["canary", "default"]), STYLES)
    assert [e.get("data-backend") for e in bars(svg)] == ["[canary] b{version=v1}", "[default] b{version=v2}"]
    assert "share of the HTTP route&#x27;s traffic" in svg


def test_a_pair_that_forwards_nowhere_says_so():
    svg = splitsvg.split_svg(route(forwards=False, status="blackhole"), rows([], []), STYLES)
    assert not bars(svg) and "no backend: blackhole" in svg and "forwards nowhere: blackhole" in svg
    assert "not in split" in splitsvg.split_svg(route(), rows(["b{version=v1}"], [0.0], [0], in_split=[False]), STYLES)


@settings(max_examples=60, deadline=None)
@given(names=st.lists(st.text(min_size=1, max_size=80).filter(lambda t: "\x00" not in t), min_size=1, max_size=6,
                      unique=True))
def test_any_names_give_well_formed_svg_that_keeps_them_as_text(names):
    names = ["".join(c for c in n if c.isprintable()) or "x" for n in names]
    names = list(dict.fromkeys(names))
    shares = [1 / len(names)] * len(names)
    svg = splitsvg.split_svg(route(source="<script>alert(1)</script>", destination="a'b\"c&d"), rows(names, shares), {})
    root = ET.fromstring(svg)  # raises on markup the names could break
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    assert [e.get("data-backend") for e in bars(svg)] == names
    assert "<script>" not in svg


def test_a_message_chart():
    svg = splitsvg.message_svg("no pair selected <none>")
    assert ET.fromstring(svg).tag == f"{SVG}svg" and "&lt;none&gt;" in svg
