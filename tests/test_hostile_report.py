"""`meshroute report` on hostile input (issue #14): names matplotlib would read as TeX, absurd weights, file
names that are not UTF-8, meshes whose names slug alike, thousands of backendRefs, an output directory
inside the analysed one, and the same findings as `meshroute audit` with the same flags."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from meshroute_analysis.cli import main
from meshroute_analysis.report import _slug


def _route(name: str, mesh: str = "default", weights: tuple[int, ...] = (90, 10), service: str = "b") -> str:
    refs = "".join(f"        - {{kind: MeshService, name: '{service}', weight: {w}}}\n" for w in weights)
    return (f"type: MeshTCPRoute\nname: '{name}'\nmesh: '{mesh}'\nspec:\n  targetRef: {{kind: Mesh}}\n  to:\n"
            f"  - targetRef: {{kind: MeshService, name: '{service}'}}\n    rules:\n    - default:\n        backendRefs:\n" + refs)


def _dataplane(name: str, mesh: str, service: str, to: str = "b") -> str:
    return (f"type: Dataplane\nname: '{name}'\nmesh: '{mesh}'\nnetworking:\n  address: 10.0.0.1\n  inbound:\n"
            f"  - port: 8080\n    tags: {{kuma.io/service: '{service}', kuma.io/protocol: tcp}}\n"
            f"  outbound:\n  - port: 9000\n    tags: {{kuma.io/service: '{to}'}}\n")


def _report(paths, out: Path, *extra: str) -> tuple[int, str]:
    err = io.StringIO()
    code = main(["report", *map(str, paths), "-o", str(out), *extra], stdout=io.StringIO(), stderr=err)
    return code, err.getvalue()


def test_names_with_dollar_signs_are_text_not_mathtext(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.yaml").write_text("---\n".join([_route("x$\\frac{a}{b}$y", service="$x^$"), _dataplane("$dp$", "default", "$y_$", to="$x^$"),
                                               _dataplane("$dp2$", "default", "$x^$")]))
    code, err = _report([repo], tmp_path / "out")
    assert code in (0, 79), err
    assert "internal error" not in err
    assert (tmp_path / "out" / "charts" / "route-matrix-default.svg").exists()  # labels "$dp$", "$x^$"
    assert "could not be drawn" not in (tmp_path / "out" / "report.md").read_text()


def test_a_weight_of_minus_two_to_the_56_does_not_take_the_report_down(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.yaml").write_text(_route("r", weights=(-(2**56), 10)))
    code, err = _report([repo], tmp_path / "out")
    assert code == 79 and "internal error" not in err  # the weight is invalid (MRA101), the report is written
    assert (tmp_path / "out" / "report.md").exists()


def test_file_name_that_is_not_utf8(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    with open(os.path.join(os.fsencode(repo), b"caf\xe9.yaml"), "wb") as fh:
        fh.write(_route("r", weights=(1, -1)).encode())  # a finding that names the file
    code, err = _report([repo], tmp_path / "out")
    assert code == 79 and "internal error" not in err
    assert "caf\\udce9.yaml" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_meshes_whose_names_slug_alike_get_their_own_charts(tmp_path):
    assert _slug("a b") != _slug("a-b") and _slug("default") == "default"
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.yaml").write_text("---\n".join([_dataplane(f"d{i}{m}", m, f"s{i}") for m in ("a b", "a-b") for i in (1, 2)]))
    code, err = _report([repo], tmp_path / "out")
    assert code == 0, err
    matrices = sorted(p.name for p in (tmp_path / "out" / "charts").glob("route-matrix-*.svg"))
    assert len(matrices) == 2


def test_weights_chart_is_capped_with_a_note(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.yaml").write_text("---\n".join(_route(f"r{i}", weights=(1, 2, 3)) for i in range(80)))
    code, err = _report([repo], tmp_path / "out")
    assert code in (0, 79), err
    assert "The first 200 of 240 backendRefs; backends.csv holds every row." in (tmp_path / "out" / "index.html").read_text()


def test_output_inside_the_analysed_directory_is_warned_about(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.yaml").write_text(_route("r"))
    _, err = _report([repo], repo / "report")
    assert "warning: -o" in err and "inside the analysed directory" in err
    _, err = _report([repo], tmp_path / "elsewhere")
    assert "warning: -o" not in err


@pytest.mark.parametrize("flags", [["--mesh", "m2"], ["--system-namespace", "mesh-system"]])
def test_report_exits_as_audit_does_with_the_same_flags(tmp_path, flags):
    repo = tmp_path / "repo"
    repo.mkdir()
    k8s = ("apiVersion: kuma.io/v1alpha1\nkind: MeshTCPRoute\nmetadata:\n  name: k\n  namespace: mesh-system\n"
           "  labels: {kuma.io/mesh: m2}\nspec:\n  targetRef: {kind: Mesh}\n")
    (repo / "a.yaml").write_text("---\n".join([_route("bad", mesh="m1", weights=(-1,)), _route("ok", mesh="m2"), k8s,
                                               _dataplane("d", "m2", "b")]))
    audit = main(["audit", str(repo), *flags], stdout=io.StringIO(), stderr=io.StringIO())
    code, _ = _report([repo], tmp_path / "out", *flags)
    assert code == audit
