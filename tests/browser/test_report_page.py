"""The report's index.html in headless Chromium: no page wider than the screen, at a phone's 390 px and a
laptop's 1,280 px, with every collapsed section open; screenshots under build/test-artifacts/."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

import meshroute_analysis as mra  # noqa: E402
from meshroute_analysis.report import write_report  # noqa: E402

from ..test_charts_at_scale import long_world  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    out = {}
    base = tmp_path_factory.mktemp("reports")
    for name, path in (("defects", ROOT / "sample_policies" / "one-defect-per-rule"),
                       ("long-names", long_world(base / "long-world"))):
        repo = mra.load_repo(path)
        res = mra.resolve(repo)
        write_report(repo, res, mra.audit(repo, res), base / name, progress=False)
        out[name] = base / name / "index.html"
    return out


WIDTH = "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", ["defects", "long-names"])
def test_no_horizontal_scroll(browser, artifacts, reports, name, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(reports[name].as_uri())
        closed = page.evaluate(WIDTH)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        opened = page.evaluate(WIDTH)
        page.screenshot(path=str(artifacts / f"report-{name}-{width}.png"), full_page=False)
        assert closed["scroll"] <= closed["inner"], closed
        assert opened["scroll"] <= opened["inner"], opened  # wide tables scroll inside their own box
        wraps = page.evaluate("[...document.querySelectorAll('.table-wrap')].map(e => getComputedStyle(e).overflowX)")
        assert wraps and set(wraps) == {"auto"}
    finally:
        page.close()


def test_the_first_screen_has_contents_badges_and_code_links(browser, reports):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(reports["defects"].as_uri())
        assert page.evaluate("document.querySelector('meta[name=viewport]').content").startswith("width=device-width")
        toc = page.evaluate("[...document.querySelectorAll('nav.toc a')].map(a => a.textContent)")
        assert "Findings" in toc and "Routes" in toc
        badges = page.evaluate("[...document.querySelectorAll('.sev')].map(e => e.textContent)")
        assert {"error", "warning", "info"} <= set(badges)
        # A code link leads to its description in the glossary, which is visible once followed.
        href = page.evaluate("document.querySelector('a.code').getAttribute('href')")
        assert href.startswith("#mra")
        page.click("a.code")
        assert page.evaluate(f"document.getElementById('{href[1:]}').getBoundingClientRect().top") < 844
        # A TOC link into a collapsed section opens it.
        target = page.evaluate("document.querySelector('nav.toc ul ul a').getAttribute('href')")
        assert target.startswith("#mesh-")
        assert not page.evaluate(f"document.getElementById('{target[1:]}').closest('details').open")
        page.click(f"nav.toc a[href='{target}']")
        assert page.evaluate(f"document.getElementById('{target[1:]}').closest('details').open")
    finally:
        page.close()
