"""``meshroute diff``, ``audit --base`` and ``report --base``: through ``main([...])``, and once as a process."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from meshroute_analysis.cli import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE, main
from meshroute_analysis.report import COMMENT_LIMIT

from .test_diff_git import _git

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_policies" / "canary-review"
BEFORE, AFTER = str(SAMPLE / "before"), str(SAMPLE / "after")
SCHEMA = json.loads((ROOT / "tests" / "audit" / "data" / "sarif-schema-2.1.0.json").read_text())


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A repository whose HEAD~1 is the sample's before side and HEAD its after side."""
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLE / "before", repo / "policies")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "before")
    shutil.rmtree(repo / "policies")
    shutil.copytree(SAMPLE / "after", repo / "policies")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "after")
    return repo


def test_two_folders_as_a_table() -> None:
    code, out, err = run("diff", BEFORE, AFTER)
    assert code == EXIT_OK  # the change introduces warnings only; --fail-on is error
    assert out.startswith("Traffic changes for 7 pairs (7 changed)")
    assert "  changed  shop: frontend-01 → backend: backend{version=v1} 90% → 50% (-40 pp)" in out
    assert "Findings introduced (4):" in out and "Findings fixed" not in out
    assert "after/universal/routes.yaml:21: warning MRA401 [spec.to[0]]" in out
    assert "  modified shop: MeshTCPRoute/backend-canary: spec.to[0].rules[0].default.backendRefs[0].weight" in out
    assert err == ""


def test_fail_on_counts_introduced_findings_only() -> None:
    assert run("diff", BEFORE, AFTER, "--fail-on", "warning")[0] == EXIT_FINDINGS
    code, out, _ = run("diff", AFTER, BEFORE, "--fail-on", "warning")  # the way back fixes them: nothing new
    assert code == EXIT_OK and "fixed: 4 (4 warning)" in out and "Findings fixed (4):" in out
    assert run("diff", BEFORE, AFTER, "--fail-on", "warning", "--skip", "MRA401,MRA902")[0] == EXIT_OK


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "sarif"])
def test_machine_formats_are_pure_and_do_not_change_the_exit_code(fmt: str) -> None:
    code, out, err = run("diff", BEFORE, AFTER, "-o", fmt, "--fail-on", "warning")
    assert code == EXIT_FINDINGS and "Failing: the change introduces 4 finding(s)" in err
    if fmt == "json":
        doc = json.loads(out)
        assert set(doc) == {"summary", "pairs", "backends", "findings", "policies"}
        assert doc["summary"]["pairs"]["changed"] == 7 and len(doc["pairs"]) == 7
        assert doc["pairs"][0]["policies_before"] == ["backend-canary"]
        assert {f["state"] for f in doc["findings"]} == {"introduced"}
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 7 and {"change", "route_type_before", "route_type_after", "what"} <= set(rows[0])
    elif fmt == "markdown":
        assert out.startswith("# Route review: what this change does")
        assert "<details>\n<summary>Findings: 4 introduced, 0 fixed</summary>" in out
        assert len(out) < COMMENT_LIMIT
    else:
        doc = json.loads(out)
        jsonschema.Draft4Validator(SCHEMA).validate(doc)
        results = doc["runs"][0]["results"]
        assert sorted(r["ruleId"] for r in results) == ["MRA401", "MRA401", "MRA902", "MRA902"]


def test_csv_of_another_frame_and_one_mesh() -> None:
    code, out, _ = run("diff", BEFORE, AFTER, "-o", "csv", "--frame", "backends", "--mesh", "shop")
    rows = list(csv.DictReader(io.StringIO(out)))
    # reviews keeps 100% on its "/" route (a TrafficRoute catch-all before, MeshHTTPRoute's after): one row.
    assert code == EXIT_OK and {r["mesh"] for r in rows} == {"shop"} and len(rows) == 6
    assert [(r["backend"], r["share_before"], r["share_after"], r["delta"]) for r in rows[:2]] == [
        ("backend{version=v1}", "0.9", "0.5", "-40.0"), ("backend{version=v2}", "0.1", "0.5", "40.0")]


def test_usage_and_input_errors() -> None:
    assert run("diff", BEFORE)[0] == EXIT_USAGE  # two folders, or --base
    assert run("diff", BEFORE, AFTER, "--head", "HEAD")[0] == EXIT_USAGE
    code, _, err = run("diff", BEFORE, AFTER, "--mesh", "nope")
    assert code == EXIT_USAGE and "shop-k8s" in err
    assert run("diff", BEFORE, "/nonexistent/after")[0] == EXIT_INPUT
    assert run("diff", BEFORE, AFTER, "-o", "yaml")[0] == EXIT_USAGE


def test_unreadable_input_after_the_change_is_65(tmp_path: Path) -> None:
    after = tmp_path / "after"
    shutil.copytree(SAMPLE / "before", after)
    (after / "broken.yaml").write_text("type: MeshTCPRoute\nname: x\nspec: {targetRef: {kind: Mesh\n")
    code, out, err = run("diff", BEFORE, str(after))
    assert code == EXIT_INPUT and "broken.yaml" in err
    assert run("diff", str(after), BEFORE)[0] == EXIT_OK  # fixing a broken file is no failure


def test_git_revisions(history: Path) -> None:
    policies = str(history / "policies")
    code, out, _ = run("diff", policies, "--base", "HEAD~1", "--head", "HEAD", "-o", "json")
    assert code == EXIT_OK and json.loads(out)["summary"]["pairs"]["changed"] == 7
    code, out, _ = run("diff", policies, "--base", "HEAD")  # against the working tree, which is HEAD
    assert code == EXIT_OK and out.startswith("No (source, destination) pair changes")


def test_audit_base_reports_only_what_the_change_introduces(history: Path, monkeypatch) -> None:
    monkeypatch.chdir(history)
    code, out, err = run("audit", "policies", "--base", "HEAD~1", "-o", "sarif", "--fail-on", "warning")
    assert code == EXIT_FINDINGS
    results = json.loads(out)["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["MRA401", "MRA401", "MRA902", "MRA902"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "policies/kubernetes/routes.yaml", "policies/universal/routes.yaml"}
    # Against itself nothing is introduced, although the revision has four findings.
    code, out, err = run("audit", "policies", "--base", "HEAD", "-o", "json", "--fail-on", "warning")
    assert code == EXIT_OK and json.loads(out) == [] and "No findings" in err
    assert run("audit", "policies", "--fail-on", "warning")[0] == EXIT_FINDINGS  # without --base: all of them


def test_report_base_opens_with_what_the_change_does(history: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "report"
    code, out, err = run("report", str(history / "policies"), "--base", "HEAD~1", "-o", str(out_dir),
                         "--chart-format", "png,svg")
    assert code == EXIT_OK and out == f"{out_dir / 'report.md'}\n"
    md = (out_dir / "report.md").read_text()
    assert md.index("## What this change does") < md.index("## Findings") < md.index("## Routes")
    assert "Traffic changes for 7 pairs" in md.split("## What this change does")[1].split("\n\n")[1]
    assert len(md) < COMMENT_LIMIT and "<details>" in md
    for name in ("diff-pairs.csv", "diff-backends.csv", "diff-findings.csv", "diff-policies.csv",
                 "charts/diff-deltas.png", "charts/diff-pair-01.png", "charts/diff-pair-07.svg"):
        assert (out_dir / name).is_file(), name
    assert run("report", str(history / "policies"), "--base", "HEAD~1", "-o", str(out_dir), "--fail-on", "warning")[0] == EXIT_FINDINGS


def test_installed_console_script_diff() -> None:
    script = Path(sys.executable).parent / "meshroute"
    if not script.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    proc = subprocess.run([str(script), "diff", BEFORE, AFTER, "-o", "json"], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == EXIT_OK, proc.stderr
    assert json.loads(proc.stdout)["summary"]["route_type_changes"] == 5
    assert proc.stderr.startswith("Traffic changes for 7 pairs")


def test_an_upgrade_of_the_control_plane_from_the_cli() -> None:
    sample = str(Path(__file__).resolve().parents[2] / "sample_policies" / "upgrade-2.5-to-2.7")
    code, out, err = run("diff", sample, "--kuma-version", "2.5", "--to-kuma-version", "2.7", "-o", "json", "--no-config")
    doc = json.loads(out)
    changed = {(p["source"], p["destination"]) for p in doc["pairs"]}
    assert {("web-01", "backend"), ("web-01", "events"), ("edge-01", "edge:TCP:9000")} <= changed
    assert code == EXIT_OK and "2.5 → 2.7" in err  # the upgrade fixes findings and introduces none at error
    code, _, err = run("diff", sample, "--to-kuma-version", "9.1", "--no-config")
    assert code == 64 and "supported versions" in err
    code, _, err = run("diff", sample, "--base", "HEAD", "--to-kuma-version", "2.7", "--no-config")
    assert code == 64 and "not both" in err
