"""The explorer in a real JupyterLab, in headless Chromium: the widgets render as live controls, picking a
destination redraws the split (SVG), and the route-matrix tab shows its image.  The server listens on 127.0.0.1 only, with a random token, and is
stopped by the test; a screenshot goes to build/test-artifacts/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .lab import LabDidNotStart, jupyterlab

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_policies" / "kuma-demo"

NOTEBOOK = {
    "cells": [{
        "cell_type": "code", "execution_count": None, "id": "explore", "metadata": {}, "outputs": [],
        "source": ["import meshroute_analysis as mra\n", f"ex = mra.explore(mra.load_repo({str(SAMPLE)!r}))\n", "ex"],
    }],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="the JupyterLab test needs jupyterlab (pip install -e '.[dev]')")
    pytest.importorskip("ipykernel")
    root = tmp_path_factory.mktemp("lab")
    (root / "explore.ipynb").write_text(json.dumps(NOTEBOOK))
    try:
        with jupyterlab(root) as served:
            yield served
    except LabDidNotStart as e:
        pytest.fail(str(e))


def test_explorer_renders_live_and_a_pick_changes_the_image(browser, artifacts, lab):
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{base}/lab/tree/explore.ipynb?token={token}")
        page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=90_000)
        page.wait_for_function("document.querySelector('.jp-Notebook .jp-Cell')", timeout=30_000)
        # Run the cell through JupyterLab's own command; again if the kernel was not ready for the first one.
        destination = page.locator(".widget-dropdown", has=page.locator("label", has_text="destination")).locator("select")
        for attempt in range(4):
            if page.locator(".jp-Dialog .jp-mod-accept").count():  # e.g. "select a kernel": take the default
                page.locator(".jp-Dialog .jp-mod-accept").first.click()
            # Not awaited: the command's promise settles only when the cells have run.
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            try:
                destination.wait_for(timeout=30_000)
                break
            except Exception:
                if attempt == 3:
                    raise
        chart = page.locator(".jp-OutputArea .mra-split svg").first
        chart.wait_for(timeout=60_000)  # the live split: SVG drawn by the browser
        assert chart.locator("rect.mra-bar").count() == 2
        live = page.evaluate("[...document.querySelectorAll('.jp-OutputArea .jupyter-widgets')].length")
        assert live >= 10  # dropdowns, filters, checkboxes, the tab: live controls, not a static picture
        assert page.locator(".jp-OutputArea input[placeholder='type part of a source name']").count() == 1
        options = destination.locator("option").all_inner_texts()
        assert "frontend_kuma-demo_svc_8080" in options
        destination.select_option(label="frontend_kuma-demo_svc_8080")
        page.wait_for_function("(() => { const b = document.querySelectorAll('.jp-OutputArea .mra-split rect.mra-bar');"
                               " return b.length === 1 && b[0].dataset.backend.endsWith(' frontend_kuma-demo_svc_8080'); })()",
                               timeout=30_000)
        status = page.locator(".jp-OutputArea .widget-html", has_text="destination: drawn in").first
        status.wait_for(timeout=30_000)
        # The route matrix is a PNG, drawn when its tab is first shown.
        page.locator(".jp-OutputArea .lm-TabBar-tab", has_text="route matrix").first.click()
        page.wait_for_function("(() => { const i = document.querySelector('.jp-OutputArea .widget-image');"
                               " return i && i.complete && i.naturalWidth === 700; })()", timeout=60_000)
        page.locator(".jp-OutputArea .lm-TabBar-tab", has_text="split and explanation").first.click()
        page.screenshot(path=str(artifacts / "jupyterlab-explorer.png"))
    finally:
        page.close(run_before_unload=False)
