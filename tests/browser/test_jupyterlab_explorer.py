"""The explorer in a real JupyterLab, in headless Chromium: the widgets render as live controls, and picking a
destination changes the chart image.  The server listens on 127.0.0.1 only, with a random token, and is
stopped by the test; a screenshot goes to build/test-artifacts/."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="the JupyterLab test needs jupyterlab (pip install -e '.[dev]')")
    pytest.importorskip("ipykernel")
    root = tmp_path_factory.mktemp("lab")
    (root / "explore.ipynb").write_text(json.dumps(NOTEBOOK))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, MPLBACKEND="Agg", JUPYTER_PLATFORM_DIRS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               JUPYTER_CONFIG_DIR=str(root / ".jupyter"), JUPYTER_RUNTIME_DIR=str(root / ".runtime"))
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False", "--ServerApp.terminals_enabled=False",
         # Offline: no news, no update check, no extension manager querying PyPI.
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start: {(root / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield base, token
    finally:
        try:  # the server's own shutdown stops its kernels too
            urllib.request.urlopen(urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST"), timeout=5)
        except OSError:
            pass
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


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
        image = page.locator(".jp-OutputArea .widget-image").first
        image.wait_for(timeout=60_000)
        page.wait_for_function("(() => { const i = document.querySelector('.jp-OutputArea .widget-image');"
                               " return i && i.complete && i.naturalWidth > 0; })()", timeout=60_000)
        live = page.evaluate("[...document.querySelectorAll('.jp-OutputArea .jupyter-widgets')].length")
        assert live >= 10  # dropdowns, filters, checkboxes, the tab: live controls, not a static picture
        assert page.locator(".jp-OutputArea input[placeholder='type part of a source name']").count() == 1
        before = image.get_attribute("src")
        options = destination.locator("option").all_inner_texts()
        assert "frontend_kuma-demo_svc_8080" in options
        destination.select_option(label="frontend_kuma-demo_svc_8080")
        page.wait_for_function(f"document.querySelector('.jp-OutputArea .widget-image').src !== {json.dumps(before)}",
                               timeout=30_000)
        page.wait_for_function("(() => { const i = document.querySelector('.jp-OutputArea .widget-image');"
                               " return i.complete && i.naturalWidth > 0; })()", timeout=30_000)
        status = page.locator(".jp-OutputArea .widget-html", has_text="destination: drawn in").first
        status.wait_for(timeout=30_000)
        page.screenshot(path=str(artifacts / "jupyterlab-explorer.png"))
    finally:
        page.close(run_before_unload=False)
