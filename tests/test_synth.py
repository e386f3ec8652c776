"""The synthetic repository generator (benchmarks/synth.py): deterministic, honest counts, valid YAML.

Tiny sizes only; nothing here measures time (speed belongs to benchmarks/, which prints figures).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

SYNTH_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "synth.py"
SMALL = dict(services=12, versions=2, replicas=2, policies=40)
POLICY_KINDS = {"MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute"}
UNIVERSAL_KINDS = {"Mesh", "Dataplane", "ExternalService"} | POLICY_KINDS
KUBERNETES_KINDS = {"Mesh", "Namespace", "Deployment", "Service", "ExternalService"} | POLICY_KINDS


def _load_synth() -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package: load the file itself.
    spec = importlib.util.spec_from_file_location("synth", SYNTH_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["synth"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


def _generate(root: Path, *, seed: int = 7, fmt: str = "mixed", **sizes: int) -> dict[str, Any]:
    return synth.generate(root, seed=seed, fmt=fmt, **{**SMALL, **sizes})


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _parse(root: Path) -> dict[str, list[Any]]:
    """Every file's documents, as yaml.safe_load_all yields them."""
    return {name: list(yaml.safe_load_all(data.decode("utf-8"))) for name, data in _tree(root).items()}


def _is_envelope(doc: Any) -> bool:
    return isinstance(doc, dict) and "items" in doc and "total" in doc and "kind" not in doc


def _is_list(doc: Any) -> bool:
    return isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") and "items" in doc


def _resources(parsed: dict[str, list[Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for docs in parsed.values():
        for doc in docs:
            if doc is None:
                continue
            out.extend(doc["items"] if _is_envelope(doc) or _is_list(doc) else [doc])
    return out


def _kind(resource: dict[str, Any]) -> str:
    return str(resource.get("kind") or resource.get("type"))


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a")
    second = _generate(tmp_path / "b")
    assert first == second
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_different_seeds_differ(tmp_path: Path) -> None:
    _generate(tmp_path / "a", seed=1)
    _generate(tmp_path / "b", seed=2)
    assert _tree(tmp_path / "a") != _tree(tmp_path / "b")


@pytest.mark.parametrize("fmt", ["universal", "kubernetes", "mixed"])
def test_counts_match_what_was_written(tmp_path: Path, fmt: str) -> None:
    counts = _generate(tmp_path, fmt=fmt, docs_per_file=3)
    parsed = _parse(tmp_path)
    documents = [doc for docs in parsed.values() for doc in docs]
    resources = _resources(parsed)

    assert counts["files"] == len(parsed)
    assert all(name.endswith((".yaml", ".yml")) for name in parsed)
    assert counts["documents"] == len(documents)
    assert counts["empty_documents"] == sum(doc is None for doc in documents) >= 1
    assert counts["lists"] == sum(_is_list(doc) for doc in documents)
    assert counts["envelopes"] == sum(_is_envelope(doc) for doc in documents)
    assert counts["resources"] == len(resources)
    assert counts["by_kind"] == dict(sorted(Counter(_kind(r) for r in resources).items()))
    assert counts["bytes"] == sum(len(data) for data in _tree(tmp_path).values())


@pytest.mark.parametrize(("fmt", "kinds"), [("universal", UNIVERSAL_KINDS), ("kubernetes", KUBERNETES_KINDS),
                                            ("mixed", UNIVERSAL_KINDS | KUBERNETES_KINDS)])
def test_kinds_present(tmp_path: Path, fmt: str, kinds: set[str]) -> None:
    counts = _generate(tmp_path, fmt=fmt)
    assert set(counts["by_kind"]) == kinds
    # MeshTCPRoute is the majority of route policies.
    assert counts["by_kind"]["MeshTCPRoute"] > sum(counts["by_kind"][k] for k in POLICY_KINDS) / 2


def test_containers_present_per_format(tmp_path: Path) -> None:
    universal = _generate(tmp_path / "u", fmt="universal")
    kubernetes = _generate(tmp_path / "k", fmt="kubernetes")
    assert universal["envelopes"] >= 1 and universal["lists"] == 0
    assert kubernetes["lists"] >= 1 and kubernetes["envelopes"] == 0


def test_inventory_sizes(tmp_path: Path) -> None:
    universal = _generate(tmp_path / "u", fmt="universal", services=5, versions=3, replicas=4)
    assert universal["by_kind"]["Dataplane"] == 5 * 3 * 4
    _generate(tmp_path / "k", fmt="kubernetes", services=5, versions=3, replicas=4)
    resources = _resources(_parse(tmp_path / "k"))
    deployments = [r for r in resources if _kind(r) == "Deployment"]
    assert len(deployments) == 5 * 3 and {d["spec"]["replicas"] for d in deployments} == {4}
    assert len([r for r in resources if _kind(r) == "Service"]) == 5
    namespaces = [r for r in resources if _kind(r) == "Namespace"]
    assert all(n["metadata"]["labels"]["kuma.io/sidecar-injection"] == "enabled" for n in namespaces)


def _known_services(resources: list[dict[str, Any]]) -> set[str]:
    """kuma.io/service names the inventory defines (Kubernetes: Kuma's name_ns_svc_port)."""
    names: set[str] = set()
    for r in resources:
        kind = _kind(r)
        if kind == "Dataplane":
            names.update(i["tags"]["kuma.io/service"] for i in r["networking"]["inbound"])
        elif kind == "Service":
            meta = r["metadata"]
            names.update(f"{meta['name']}_{meta['namespace']}_svc_{p['port']}" for p in r["spec"]["ports"])
        elif kind == "ExternalService":
            names.add((r.get("spec") or r)["tags"]["kuma.io/service"])
    return names


def test_policies_reference_existing_services(tmp_path: Path) -> None:
    _generate(tmp_path, fmt="mixed", policies=60)
    resources = _resources(_parse(tmp_path))
    known = _known_services(resources)
    top_kinds: set[str] = set()
    for r in resources:
        kind = _kind(r)
        if kind in ("MeshTCPRoute", "MeshHTTPRoute"):
            if "apiVersion" in r:
                assert r["metadata"]["namespace"] == "kuma-system"
            spec = r["spec"]
            top_kinds.add(spec["targetRef"]["kind"])
            for entry in spec["to"]:
                assert entry["targetRef"]["name"] in known
                for rule in entry.get("rules", []):
                    for ref in rule["default"]["backendRefs"]:
                        assert ref["name"] in known
                        assert ref.get("weight", 1) >= 0
        elif kind == "TrafficRoute":
            body = r.get("spec") or r
            assert body["destinations"][0]["match"]["kuma.io/service"] in known
    assert top_kinds == {"Mesh", "MeshSubset", "MeshService", "MeshServiceSubset"}


def test_emitter_round_trips_awkward_strings() -> None:
    awkward = ["yes", "No", "on", "null", "~", "", "*", "1.5", "1:20", "0x1F", "10.0.0.1", "host:443", "x:",
               "8080.service.kuma.io/protocol", "it's", "a b", "-x", "#x", "a\nb", "é", "true"]
    for style in (synth.Style(), synth.Style(flow_tags=True, indent_sequences=True)):
        for value in awkward:
            doc = {"k": value, "tags": {"a": value}, "l": [value, {"x": value, "y": [value]}], "e": {}, "n": None}
            assert yaml.safe_load(synth.dump_document(doc, style)) == doc, value


def test_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        _generate(tmp_path)
    assert synth.main([str(tmp_path), "--services", "2"]) == 64


def test_cli_writes_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = synth.main([str(tmp_path / "r"), "--services", "3", "--versions", "1", "--replicas", "1",
                       "--policies", "5", "--format", "universal"])
    assert code == 0
    assert '"files"' in capsys.readouterr().out
    assert any((tmp_path / "r").rglob("*.y*ml"))


def test_document_preset_lands_near_its_target(tmp_path: Path) -> None:
    params = synth.params_for_documents(2000)
    counts = synth.generate(tmp_path, **{k: v for k, v in params.__dict__.items() if k != "fmt"}, fmt=params.fmt)
    assert 1700 <= counts["resources"] <= 2300
