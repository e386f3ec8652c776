"""The review report's "What this change does" section and the pull-request comment's size limit."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

import meshroute_analysis as mra  # noqa: E402
from meshroute_analysis.diff.review import diff_markdown  # noqa: E402
from meshroute_analysis.report import COMMENT_LIMIT, write_report  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "sample_policies" / "canary-review"


@pytest.fixture(scope="module")
def d():
    return mra.diff(mra.load_repo(SAMPLE / "before"), mra.load_repo(SAMPLE / "after"))


def test_the_comment_fits_and_says_what_was_cut(d) -> None:
    full = diff_markdown(d)
    assert len(full) < COMMENT_LIMIT and "Cut" not in full
    verdict = d.verdict.replace("_", "\\_")
    for limit in (len(full) - 1, 4000, 2500):
        text = diff_markdown(d, limit=limit)
        assert len(text) <= limit
        assert text.startswith("# Route review: what this change does") and verdict in text  # the summary stays
        assert re.search(r"_Cut (to fit|at) .*GitHub's", text)
    shortened = diff_markdown(d, limit=4000)
    assert "show at most" in shortened or "are left out" in shortened
    tiny = diff_markdown(d, limit=300)
    assert len(tiny) <= 300 and tiny.endswith("hold everything._\n")


def test_report_with_a_diff(d, tmp_path: Path) -> None:
    after = d.after
    md_path = write_report(after, d.resolution("after"), d.audit("after"), tmp_path, diff=d, progress=False)
    md = md_path.read_text()
    page = (tmp_path / "index.html").read_text()
    head = md.split("## What this change does", 1)[1]
    assert head.lstrip().startswith(d.verdict.replace("_", "\\_"))
    assert "| shop | frontend-01 | catalog | changed | MeshTCPRoute | MeshHTTPRoute |" in md
    # One chart of every share delta, one per changed pair; every link of the comment is a file here.
    links = re.findall(r"\]\(([^)]+)\)", md)
    assert "charts/diff-deltas.svg" in links and len({x for x in links if re.match(r"charts/diff-pair-\d+\.svg", x)}) == 7
    assert all((tmp_path / link).is_file() for link in links)
    assert page.count("<details>") == md.count("<details>") and "<summary>Findings: 4 introduced, 0 fixed</summary>" in page
    for name in ("diff-pairs.csv", "diff-backends.csv", "diff-findings.csv", "diff-policies.csv"):
        assert (tmp_path / name).read_text().count("\n") > 1


def test_same_bytes_twice_with_a_diff(d, tmp_path: Path) -> None:
    for name in ("a", "b"):
        write_report(d.after, d.resolution("after"), d.audit("after"), tmp_path / name, diff=d, progress=False)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
