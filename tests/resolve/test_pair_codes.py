"""``Resolution.pair_codes()``: the integer codes the explorer and the palette group by.  They are worked out
from the distinct rows the frames are joined from, so they must decode to exactly the frames' own columns,
on every shape of world: synthetic estates, the samples, and control-plane worlds with gateways, failed
proxies and refused policies."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import meshroute_analysis as mra
from meshroute_analysis import plotting
from meshroute_analysis.resolve import resolve

from ..audit.test_audit_equivalence import ESTATES, _load_synth
from ..test_oracle import as_stored

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p for p in (ROOT / "sample_policies").iterdir() if p.is_dir())
#: From each labelled file, this many worlds with a failed build or a gateway listener, and as many without.
ORACLE_WORLDS = 6


def _decoded(names: np.ndarray, codes: np.ndarray) -> list[str]:
    return list(names[codes]) if len(codes) else []


def assert_codes_decode_to_frames(res: mra.Resolution) -> None:
    codes = res.pair_codes()
    for frame, coded in ((res.routes, codes.routes), (res.backends, codes.backends)):
        for column, names, values in zip(("mesh", "source", "destination"),
                                         (codes.meshes, codes.sources, codes.destinations), coded):
            assert len(values) == len(frame)
            assert _decoded(names, values) == list(frame[column].astype(str)), column
    assert _decoded(codes.backend_labels, codes.backend_label) == list(res.backends["backend"].astype(str))
    # One vocabulary per column, shared by both frames: no name twice.
    for names in (codes.meshes, codes.sources, codes.destinations, codes.backend_labels):
        assert len(set(names)) == len(names)


def assert_palette_is_the_frames(res: mra.Resolution) -> None:
    """The palette from the codes is the palette read from the frame (a plain copy keeps no codes)."""
    plotting._PALETTES.clear()
    coded = plotting.backend_palette(res)
    plotting._PALETTES.clear()
    assert coded == plotting.backend_palette(res.backends.copy())


@pytest.mark.parametrize("estate", sorted(ESTATES))
def test_synthetic_estates(estate: str, tmp_path: Path) -> None:
    _load_synth().generate(tmp_path, **ESTATES[estate])
    for version in ("2.5", "2.7", "2.14"):
        res = resolve(mra.load_repo(tmp_path), kuma_version=version)
        assert len(res.routes) > 100
        assert_codes_decode_to_frames(res)
        assert_palette_is_the_frames(res)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_samples(sample: Path) -> None:
    res = resolve(mra.load_repo(sample))
    assert_codes_decode_to_frames(res)
    assert_palette_is_the_frames(res)


def _worlds(name: str) -> list[dict]:
    with gzip.open(ROOT / "tests" / "oracle" / f"{name}.jsonl.gz", "rt") as fh:
        worlds = [json.loads(line) for line in fh]
    unusual = [w for w in worlds if w["errors"] or w["gateway_rows"]]
    usual = [w for w in worlds if not (w["errors"] or w["gateway_rows"])]
    return unusual[:ORACLE_WORLDS] + usual[:ORACLE_WORLDS]


@pytest.mark.parametrize("name", ["kuma-2.5", "kuma-2.14", "modern-2.13", "k8s-2.5"])
def test_control_plane_worlds(name: str, tmp_path: Path) -> None:
    version = name.split("-", 1)[1]
    worlds = _worlds(name)
    failed = gateways = 0
    for i, world in enumerate(worlds):
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "world.yaml").write_text("\n---\n".join(json.dumps(d) for d in as_stored(world["resources"])))
        res = resolve(mra.load_repo(folder), kuma_version=version, default_policies=world["opts"]["default_policies"])
        assert_codes_decode_to_frames(res)
        assert_palette_is_the_frames(res)
        failed += int((res.routes["status"] == "config-error").sum())
        gateways += int(res.routes["gateway_listener"].sum())
    if name != "k8s-2.5":  # the Kubernetes worlds have neither
        assert failed and (gateways or version == "2.5")  # the slice does reach the unusual rows


def test_a_repository_without_pairs(tmp_path: Path) -> None:
    (tmp_path / "mesh.yaml").write_text("type: Mesh\nname: default\n")
    res = resolve(mra.load_repo(tmp_path))
    codes = res.pair_codes()
    assert res.routes.empty and res.backends.empty
    assert len(codes.routes.mesh) == 0 and len(codes.backend_label) == 0
    assert plotting.backend_palette(res) == {}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_frame_changed_in_place_falls_back_to_reading_it() -> None:
    res = resolve(mra.load_repo(SAMPLES[0]))
    backends = res.backends
    plotting._PALETTES.clear()
    whole = plotting.backend_palette(res)
    first = backends.index[backends["backend"] == backends["backend"].iloc[0]]
    backends.drop(index=first, inplace=True)  # what a user may do to res.backends  # noqa: PD002
    plotting._PALETTES.clear()
    assert plotting.backend_palette(res) == plotting.backend_palette(pd.DataFrame(backends))
    assert set(plotting.backend_palette(res)) < set(whole)
