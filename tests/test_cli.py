"""The ``meshroute`` command: through ``main([...])`` and once as the installed console script."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from meshroute_analysis.cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_policies"
DEFECTS = str(SAMPLES / "one-defect-per-rule")
CLEAN = str(SAMPLES / "clean")
DEMO = str(SAMPLES / "kuma-demo")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", [CLEAN, DEMO])
def test_clean_audit_exits_0_with_pure_stdout(path: str) -> None:
    code, out, err = run("audit", path)
    assert code == EXIT_OK
    assert out == ""
    assert "No findings" in err


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "sarif"])
def test_exit_code_does_not_depend_on_the_format(fmt: str) -> None:
    code, out, _ = run("audit", DEFECTS, "-o", fmt)
    assert code == EXIT_FINDINGS
    if fmt == "json":
        rows = json.loads(out)
        assert {r["code"] for r in rows} >= {"MRA101", "MRA303"}
        assert all(isinstance(r["line"], int) for r in rows)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows and set(rows[0]) >= {"code", "severity", "message", "policy", "file", "line", "path", "pair"}
    elif fmt == "sarif":
        assert json.loads(out)["version"] == "2.1.0"
    else:
        assert "error MRA301 [spec.to[0].rules[0].default.backendRefs]" in out


def test_fail_on_threshold() -> None:
    migration = str(SAMPLES / "trafficroute-migration")
    assert run("audit", migration)[0] == EXIT_OK  # warnings and infos only
    assert run("audit", migration, "--fail-on", "warning")[0] == EXIT_FINDINGS
    assert run("audit", migration, "--fail-on", "info", "--skip", "MRA402,MRA902")[0] == EXIT_FINDINGS
    assert run("audit", migration, "--fail-on", "info", "--skip", "MRA402", "--skip", "MRA901,MRA902")[0] == EXIT_OK


def test_missing_path_is_65_and_usage_errors_are_64() -> None:
    assert run("audit", "/nonexistent/policies")[0] == EXIT_INPUT
    assert run("resolve", "/nonexistent/policies")[0] == EXIT_INPUT
    assert run("audit", CLEAN, "-o", "yaml")[0] == EXIT_USAGE
    assert run("audit", CLEAN, "--fail-on", "fatal")[0] == EXIT_USAGE
    assert run("explain", CLEAN, "--source", "frontend-01")[0] == EXIT_USAGE
    assert run("frobnicate")[0] == EXIT_USAGE


def test_parse_failure_alone_is_65_unless_findings_decide(write, tmp_path) -> None:
    write("good.yaml", (SAMPLES / "clean" / "universal" / "inventory.yaml").read_text())
    write("bad.yaml", "type: MeshTCPRoute\nname: x\nspec: {targetRef: {kind: Mesh\n")
    code, out, err = run("audit", str(tmp_path), "-o", "json")
    assert code == EXIT_INPUT
    assert [r["code"] for r in json.loads(out)] == ["MRA001"]
    assert "could not be parsed" in err
    assert run("audit", str(tmp_path), "--skip", "MRA001")[0] == EXIT_OK
    # (not "name: y": go-yaml v2 reads a plain y as a boolean, as Kuma does, and a boolean name is no name)
    write("worse.yaml", "type: MeshTCPRoute\nname: worse\nmesh: clean\nspec:\n  targetRef: {kind: Nope}\n")
    assert run("audit", str(tmp_path))[0] == EXIT_FINDINGS


def test_unknown_skip_code_warns_on_stderr() -> None:
    code, out, err = run("audit", CLEAN, "--skip", "MRA999")
    assert code == EXIT_OK and out == ""
    assert "unknown finding code" in err and "MRA999" in err


def test_mesh_filter() -> None:
    code, out, _ = run("audit", DEFECTS, "--mesh", "orphan", "-o", "json")
    # only the info MRA002 is about mesh orphan; MRA001 (broken.yaml, no mesh) is kept and decides exit 65
    assert code == EXIT_INPUT
    assert {r["code"] for r in json.loads(out)} <= {"MRA002", "MRA001"}


def test_resolve_outputs() -> None:
    code, out, _ = run("resolve", DEMO, "-o", "json", "--mesh", "universal")
    assert code == EXIT_OK
    rows = json.loads(out)
    assert {r["mesh"] for r in rows} == {"universal"}
    assert any(r["route_type"] == "MeshTCPRoute" and r["destination"] == "backend" for r in rows)
    code, out, _ = run("resolve", DEMO, "-o", "csv", "--backends", "--mesh", "universal")
    assert code == EXIT_OK and "share" in out.splitlines()[0]
    code, out, _ = run("resolve", DEMO)
    assert code == EXIT_OK and "route_type" in out


def test_explain() -> None:
    code, out, _ = run("explain", DEMO, "--source", "frontend-01", "--destination", "backend", "--mesh", "universal")
    assert code == EXIT_OK
    assert "tcp-route-1" in out
    code, out, err = run("explain", DEMO, "--source", "nobody", "--destination", "backend", "--mesh", "universal")
    assert code == EXIT_USAGE and "nobody" in err


def test_rules_lists_every_code() -> None:
    from meshroute_analysis.audit import CODES

    code, out, _ = run("rules", "-o", "json")
    assert code == EXIT_OK
    assert [r["code"] for r in json.loads(out)] == list(CODES)
    assert run("rules", "-o", "markdown")[1].startswith("# Finding codes")


def test_summary_still_works() -> None:
    code, out, _ = run("summary", DEMO, "-o", "json")
    assert code == EXIT_OK and json.loads(out)["policies"] == {"MeshTCPRoute": 4}


def test_installed_console_script() -> None:
    script = Path(sys.executable).parent / "meshroute"
    if not script.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    proc = subprocess.run(
        [str(script), "audit", "sample_policies/one-defect-per-rule", "-o", "sarif"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.returncode == EXIT_FINDINGS, proc.stderr
    doc = json.loads(proc.stdout)  # stdout is pure SARIF
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert all(u.startswith("sample_policies/one-defect-per-rule/") for u in uris)
    assert "finding(s)" in proc.stderr
    clean = subprocess.run([str(script), "audit", "sample_policies/clean"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert clean.returncode == EXIT_OK and clean.stdout == ""


# ------------------------------------------------------------------ found by a user-level review


def test_unknown_mesh_is_a_usage_error_everywhere() -> None:
    for command in ("audit", "resolve", "summary"):
        code, out, err = run(command, DEMO, "--mesh", "nomesh")
        assert code == EXIT_USAGE and out == "", command
        assert "unknown mesh 'nomesh'" in err and "universal" in err


def test_report_and_audit_agree_on_the_exit_status(write, tmp_path) -> None:
    write("broken.yaml", b"\x00binary")
    assert run("audit", str(tmp_path))[0] == EXIT_INPUT
    code, out, _ = run("report", str(tmp_path), "-o", str(tmp_path / "report"))
    assert code == EXIT_INPUT and out.strip().endswith("report.md")
    assert run("summary", str(tmp_path))[0] == EXIT_INPUT


def test_report_into_a_file_is_a_usage_error(tmp_path) -> None:
    target = tmp_path / "afile"
    target.write_text("x")
    code, out, err = run("report", CLEAN, "-o", str(target))
    assert code == EXIT_USAGE and out == "" and "cannot write the report" in err


def test_empty_skip_code_and_version(capsys) -> None:
    code, _, err = run("audit", CLEAN, "--skip", "=foo")
    assert code == EXIT_USAGE and "--skip needs a finding code" in err
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("meshroute ")


def test_empty_input_says_so(tmp_path) -> None:
    code, out, err = run("audit", str(tmp_path), "-o", "json")
    assert code == EXIT_OK and json.loads(out) == []
    assert "no .yaml/.yml/.json documents found" in err


def test_csv_and_table_cells_are_plain_text() -> None:
    code, out, _ = run("resolve", DEMO, "-o", "csv", "--mesh", "default")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == EXIT_OK
    assert {r["policies"] for r in rows} >= {"tcp-route-1", "route-all-default"}  # no "('...',)" reprs
    code, out, _ = run("resolve", DEMO, "-o", "csv", "--backends", "--mesh", "default")
    assert "version=v0" in {r["backend_tags"] for r in csv.DictReader(io.StringIO(out))}


def test_explain_points_at_the_mesh_a_source_lives_in() -> None:
    code, _, err = run("explain", DEMO, "--source", "frontend-01", "--destination", "backend")
    assert code == EXIT_USAGE and "universal, universal-redirect" in err and "--mesh" in err


def test_closed_pipe_keeps_the_exit_status() -> None:
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    code = main(["audit", str(SAMPLES / "one-defect-per-rule"), "-o", "sarif"], stdout=ClosedPipe(), stderr=err)
    assert code == EXIT_FINDINGS
    assert "internal error" not in err.getvalue()


def test_sarif_warns_about_files_outside_its_root(tmp_path) -> None:
    code, out, err = run("audit", DEFECTS, "-o", "sarif", "--sarif-root", str(tmp_path))
    assert code == EXIT_FINDINGS and json.loads(out)["version"] == "2.1.0"
    assert "outside" in err and "--sarif-root" in err
    _, _, err = run("audit", DEFECTS, "-o", "sarif", "--sarif-root", str(ROOT))
    assert "outside" not in err


def test_system_namespace_option() -> None:
    # The demo's Kubernetes policies live in kong-mesh-system (Kong Mesh); a Kuma control plane refuses them.
    assert run("audit", DEMO)[0] == EXIT_OK
    code, out, _ = run("audit", DEMO, "--system-namespace", "kuma-system", "-o", "json")
    assert code == EXIT_FINDINGS
    assert {r["path"] for r in json.loads(out) if r["code"] == "MRA101"} == {"metadata.namespace"}


def test_report_chart_format_is_checked_before_the_work(tmp_path) -> None:
    code, out, err = run("report", CLEAN, "-o", str(tmp_path / "r"), "--chart-format", "gif")
    assert code == EXIT_USAGE and out == "" and "unknown chart format gif; known: svg, png" in err
    assert not (tmp_path / "r").exists()  # refused before loading, nothing written
    code, out, _ = run("report", CLEAN, "-o", str(tmp_path / "r"), "--chart-format", "PNG")
    assert code == EXIT_OK and sorted({p.suffix for p in (tmp_path / "r" / "charts").iterdir()}) == [".png"]


def test_kuma_version_flag_is_checked_and_reported(tmp_path, capsys):
    (tmp_path / "dp.yaml").write_text(
        "type: Dataplane\nname: web\nmesh: default\nnetworking:\n  address: 10.0.0.1\n"
        "  inbound: [{port: 80, tags: {kuma.io/service: web}}]\n  transparentProxying: {redirectPortInbound: 1, redirectPortOutbound: 2}\n"
    )
    assert main(["resolve", str(tmp_path), "--kuma-version", "9.9", "--no-config"]) == 64
    assert "supported versions: 2.5, 2.6, 2.7" in capsys.readouterr().err
    assert main(["resolve", str(tmp_path), "--kuma-version", "2.7.25", "--no-config", "-o", "json"]) == 0
    captured = capsys.readouterr()
    assert "resolved as Kuma 2.7.25" in captured.err
    # 2.7 builds a MeshTCPRoute default route where 2.5 has no TrafficRoute to build anything.
    assert '"route_type": "MeshTCPRoute"' in captured.out
