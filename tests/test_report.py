"""The review report: files, same bytes for the same input, Markdown and HTML with the same content."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import argparse  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import meshroute_analysis as mra  # noqa: E402
from meshroute_analysis.errors import UsageError  # noqa: E402
from meshroute_analysis.report import REPORT_FILES, add_report_subcommand, run_report, write_report  # noqa: E402
from meshroute_analysis.resolve import resolve  # noqa: E402

from .test_plotting import SAMPLE, write_world  # noqa: E402

FINDINGS = pd.DataFrame([
    ("MRA304", "warning", "pair api-v1-1 -> db is blackholed", "MeshTCPRoute/db-zero", "world.yaml", 60,
     "spec.to[0].rules[0].default.backendRefs[0].weight", "api-v1-1 -> db"),
    ("MRA101", "error", "bad | pipe", "MeshTCPRoute/db-zero", "world.yaml", 58, "spec", None),
], columns=["code", "severity", "message", "policy", "file", "line", "path", "pair"])


@pytest.fixture(scope="module")
def demo():
    repo = mra.load_repo(SAMPLE)
    return repo, resolve(repo)


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_report_files_and_same_bytes_twice(demo, tmp_path):
    repo, res = demo
    first = write_report(repo, res, None, tmp_path / "a", progress=False, formats="svg,png")
    write_report(repo, res, None, tmp_path / "b", progress=False, formats=("svg", "png"))
    assert first == tmp_path / "a" / "report.md"
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert a == b  # byte for byte, PNG and SVG included
    for name in REPORT_FILES:
        assert name in a
    for mesh in ("default", "redirect", "universal", "universal-redirect"):
        for kind in ("route-matrix", "splits"):
            assert a[f"charts/{kind}-{mesh}.png"].startswith(b"\x89PNG")
            assert b"<svg" in a[f"charts/{kind}-{mesh}.svg"]
    assert "charts/weights.svg" in a
    assert b"Software" not in a["charts/weights.png"]
    assert b"<dc:date>" not in a["charts/weights.svg"]


def test_charts_are_svg_alone_by_default(demo, tmp_path):
    repo, res = demo
    md = write_report(repo, res, None, tmp_path / "svg", progress=False).read_text()
    charts = sorted(p.name for p in (tmp_path / "svg" / "charts").iterdir())
    assert charts and all(name.endswith(".svg") for name in charts)
    assert "![Traffic splits, mesh default](charts/splits-default.svg)" in md
    assert "[SVG](charts/splits-default.svg)" in md and "PNG" not in md
    write_report(repo, res, None, tmp_path / "png", progress=False, formats="png")
    assert sorted(p.name for p in (tmp_path / "png" / "charts").iterdir()) == [n[:-4] + ".png" for n in charts]
    page = (tmp_path / "png" / "index.html").read_text()
    assert '<img src="charts/splits-default.png"' in page and ".svg" not in page
    both = write_report(repo, res, None, tmp_path / "both", progress=False, formats=["png", "svg"]).read_text()
    # Markdown shows the first format asked for; the page shows the SVG, which scales; both link both.
    assert "![Traffic splits, mesh default](charts/splits-default.png)" in both
    assert "[PNG](charts/splits-default.png) · [SVG](charts/splits-default.svg)" in both
    assert '<img src="charts/splits-default.svg"' in (tmp_path / "both" / "index.html").read_text()
    # SVG text stays text, so find-in-page reaches the names in a chart.
    svg = (tmp_path / "svg" / "charts" / "splits-default.svg").read_text()
    assert re.search(r"<text[^>]*>[^<]*frontend\.kuma-demo", svg)


@pytest.mark.parametrize("value", ["gif", "svg,jpeg", "", " , "])
def test_unknown_chart_format_is_refused(demo, tmp_path, value):
    repo, res = demo
    with pytest.raises(UsageError, match="unknown chart format .*known: svg, png"):
        write_report(repo, res, None, tmp_path, progress=False, formats=value)


def test_markdown_for_a_pull_request(demo, tmp_path):
    repo, res = demo
    md_path = write_report(repo, res, None, tmp_path, progress=False)
    md = md_path.read_text()
    assert md.startswith("# Route review")
    assert "The audit was not run" in md
    assert "### Mesh default" in md and "### Mesh universal-redirect" in md
    row = ("| frontend.kuma-demo | backend_kuma-demo_svc_3001 | MeshTCPRoute | tcp-route-1 | "
           "backend_kuma-demo_svc_3001{version=v0} 90%; backend_kuma-demo_svc_3001{version=v1} 10% | ok |")
    assert row in md
    links = re.findall(r"\]\(([^)]+)\)", md)
    assert links and all(not link.startswith(("http:", "https:", "/")) for link in links)
    assert all((tmp_path / link).is_file() for link in links)


def test_html_has_the_same_content_offline(demo, tmp_path):
    repo, res = demo
    write_report(repo, res, FINDINGS, tmp_path, progress=False)
    md = (tmp_path / "report.md").read_text()
    page = (tmp_path / "index.html").read_text()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)
    assert "http://" not in page and "https://" not in page
    for heading in re.findall(r"^#+ (.+)$", md, flags=re.M):
        assert f">{heading.replace(chr(92), '')}</h" in page.replace("&quot;", '"')
    for src in re.findall(r'src="([^"]+)"', page):
        assert (tmp_path / src).is_file()
    assert page.count("<tr>") == md.count("\n| ")  # header and body rows; separators are "|---"


def test_findings_section(demo, tmp_path):
    repo, res = demo
    write_report(repo, res, FINDINGS, tmp_path, progress=False)
    md = (tmp_path / "report.md").read_text()
    assert "2 findings: 1 error, 1 warning, 0 info; 2 codes." in md
    assert md.index("| error | MRA101 |") < md.index("| warning | MRA304 |")  # one summary row per code, errors first
    assert "| error | MRA101 | bad \\| pipe | world.yaml:58 |" in md  # and the code's own table
    csv = pd.read_csv(tmp_path / "findings.csv")
    assert list(csv["code"]) == ["MRA101", "MRA304"]
    write_report(repo, res, FINDINGS.iloc[0:0], tmp_path / "clean", progress=False)
    assert "No findings." in (tmp_path / "clean" / "report.md").read_text()


def test_route_tables_hold_every_row(demo, tmp_path):
    repo, res = demo
    write_report(repo, res, None, tmp_path, progress=False)
    routes = pd.read_csv(tmp_path / "routes.csv")
    assert len(routes) == len(res.routes)
    assert list(routes.columns[:3]) == ["mesh", "source", "destination"]
    backends = pd.read_csv(tmp_path / "backends.csv")
    assert len(backends) == len(res.backends)
    assert backends["share"].between(0, 1).all()


def test_one_mesh_and_unknown_mesh(demo, tmp_path):
    repo, res = demo
    write_report(repo, res, None, tmp_path, mesh="universal", progress=False)
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == [
        "route-matrix-universal.svg", "splits-universal.svg", "weights.svg"]
    with pytest.raises(UsageError, match="unknown mesh"):
        write_report(repo, res, None, tmp_path / "x", mesh="nope", progress=False)


def test_progress_and_quiet_stderr(demo, tmp_path, capsys):
    repo, res = demo
    lines: list[str] = []
    write_report(repo, res, None, tmp_path / "a", progress=lines.append)
    assert any(line.startswith("chart: route matrix of mesh default") for line in lines)
    assert lines[-1].startswith("done: ")
    write_report(repo, res, None, tmp_path / "b")  # stderr is not a terminal under pytest: silent
    assert capsys.readouterr().err == ""


def test_report_leaves_rcparams_alone(demo, tmp_path):
    repo, res = demo
    before = dict(matplotlib.rcParams)
    write_report(repo, res, None, tmp_path, progress=False)
    assert dict(matplotlib.rcParams) == before


def test_world_with_http_routes_and_blackholes(tmp_path):
    repo = mra.load_repo(write_world(tmp_path / "world"))
    write_report(repo, resolve(repo), None, tmp_path / "out", progress=False)
    md = (tmp_path / "out" / "report.md").read_text()
    assert "| MeshTCPRoute | 3 | 2 |" in md  # pairs, forwarding nowhere
    assert "[header x-canary=true] api{version=v2} 100%; [/] api{version=v1} 75%; [/] api{version=v2} 25%" in md
    assert "| api-v1-1 | db | MeshTCPRoute | db-zero |" in md


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="meshroute")
    sub = parser.add_subparsers(dest="command", required=True)
    add_report_subcommand(sub)
    return parser.parse_args(["report", *argv])


def test_run_report_subcommand(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    code = run_report(_args(str(SAMPLE), "-o", str(tmp_path / "r")), out, err)
    assert code == 0
    assert out.getvalue() == f"{tmp_path / 'r' / 'report.md'}\n"  # stdout: only the path
    assert "written" in err.getvalue() and "chart:" not in err.getvalue()
    terminal = _Terminal()
    assert run_report(_args(str(SAMPLE), "-o", str(tmp_path / "t")), io.StringIO(), terminal) == 0
    assert "meshroute report: chart: route matrix of mesh default" in terminal.getvalue()


def test_run_report_fail_on(tmp_path):
    # http-tcp-clash raises warnings only (its README says MRA401, MRA903).
    warnings_only = SAMPLE.parent / "http-tcp-clash"
    out_dir = str(tmp_path / "r")
    assert run_report(_args(str(warnings_only), "-o", out_dir), io.StringIO(), io.StringIO()) == 0  # default: error
    assert run_report(_args(str(warnings_only), "-o", out_dir, "--fail-on", "warning"), io.StringIO(), io.StringIO()) == 79
    defects = SAMPLE.parent / "one-defect-per-rule"
    assert run_report(_args(str(defects), "-o", out_dir), io.StringIO(), io.StringIO()) == 79


def test_html_badges_code_links_contents_and_viewport(demo, tmp_path):
    repo, res = demo
    write_report(repo, res, FINDINGS, tmp_path, progress=False)
    page = (tmp_path / "index.html").read_text()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<nav class="toc"' in page and 'href="#findings"' in page and 'id="findings"' in page
    assert '<span class="sev sev-error">error</span>' in page
    assert '<a class="code" href="#mra101">MRA101</a>' in page and '<dt id="mra101">' in page  # the glossary
    assert '<div class="table-wrap"><table>' in page
    assert "https://" not in page  # no option given: offline


def test_findings_are_grouped_by_code(demo, tmp_path):
    repo, res = demo
    many = pd.concat([FINDINGS.iloc[[0]]] * 54 + [FINDINGS.iloc[[1]]], ignore_index=True)
    many["line"] = range(len(many))
    write_report(repo, res, many, tmp_path, progress=False)
    md = (tmp_path / "report.md").read_text()
    summary = md[md.index("## Findings"):md.index("<details>", md.index("## Findings"))]
    assert summary.count("| MRA") == 2  # one row per code before any finding's own row
    assert "| warning | MRA304 | Traffic of a pair goes nowhere | 54 |" in summary
    assert "<summary>MRA304 Traffic of a pair goes nowhere: 54 findings (warning)</summary>" in md


def test_links_to_sources_and_docs_when_asked(demo, tmp_path):
    repo, res = demo
    write_report(repo, res, FINDINGS, tmp_path, progress=False, source_url="https://example.test/org/repo/blob/abc/",
                 help_base_url="https://example.test/org/meshroute/blob/main")
    page = (tmp_path / "index.html").read_text()
    assert '<a href="https://example.test/org/repo/blob/abc/world.yaml#L58">world.yaml:58</a>' in page
    assert ('<a class="code" href="https://example.test/org/meshroute/blob/main/docs/findings.md#mra101">MRA101</a>'
            in page)
    args = _args(str(SAMPLE), "-o", str(tmp_path / "cli"), "--source-url", "https://example.test/x",
                 "--help-base-url", "https://example.test/y")
    assert args.source_url == "https://example.test/x" and args.help_base_url == "https://example.test/y"
    assert run_report(args, io.StringIO(), io.StringIO()) == 0
