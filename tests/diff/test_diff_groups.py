"""Source groups that split, merge, are renamed, appear or disappear: proxies compared, groups reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

import meshroute_analysis as mra
from meshroute_analysis.diff.sides import mesh_content
from meshroute_analysis.resolve import resolve

ROOT = Path(__file__).resolve().parents[2]


def dataplane(name: str, service: str, *, version: str = "v1", outbounds: tuple[str, ...] = ()) -> str:
    out = "".join(f"\n  - port: {10000 + i}\n    tags: {{kuma.io/service: {o}}}" for i, o in enumerate(outbounds))
    return textwrap.dedent(f"""\
        ---
        type: Dataplane
        name: {name}
        mesh: m
        networking:
          address: 10.0.0.1
          inbound:
          - port: 80
            tags: {{kuma.io/service: {service}, kuma.io/protocol: tcp, version: {version}}}
          outbound:""") + (out or " []") + "\n"


BACKENDS = dataplane("db-1", "db", version="v1") + dataplane("db-2", "db", version="v2")
#: web proxies with version v2 send db traffic to db v2 only.
PIN = """---
type: MeshTCPRoute
name: pin
mesh: m
spec:
  targetRef: {kind: MeshSubset, tags: {version: v2}}
  to:
  - targetRef: {kind: MeshService, name: db}
    rules:
    - default: {backendRefs: [{kind: MeshServiceSubset, name: db, tags: {version: v2}}]}
"""


def load(tmp_path: Path, name: str, text: str) -> mra.PolicyRepo:
    path = tmp_path / name / "world.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return mra.load_repo(path)


def test_a_group_that_splits_is_compared_proxy_by_proxy(tmp_path: Path) -> None:
    one = dataplane("web-1", "web", outbounds=("db",)) + dataplane("web-2", "web", outbounds=("db",))
    split = dataplane("web-1", "web", outbounds=("db",)) + dataplane("web-2", "web", version="v2", outbounds=("db",))
    d = mra.diff(load(tmp_path, "a", BACKENDS + one + PIN), load(tmp_path, "b", BACKENDS + split + PIN))
    cells = d.sources[d.sources["source_before"] == "web-1"]
    assert set(zip(cells["source"], cells["source_after"], cells["regrouped"])) == {
        ("web-1 (was web-1)", "web-1", True), ("web-2 (was web-1)", "web-2", True)}
    # Only web-2 gets the pin; web-1's traffic is untouched, so it has no row.
    assert list(zip(d.pairs["source"], d.pairs["destination"])) == [("web-2 (was web-1)", "db")]
    row = d.pairs.iloc[0]
    assert (row["route_type_before"], row["route_type_after"], row["proxies_before"], row["regrouped"]) == (
        "TrafficRoute", "MeshTCPRoute", 1, True)


def test_groups_that_merge_are_reported_per_old_group(tmp_path: Path) -> None:
    apart = dataplane("web-1", "web", outbounds=("db",)) + dataplane("web-2", "web", version="v2", outbounds=("db",))
    together = dataplane("web-1", "web", outbounds=("db",)) + dataplane("web-2", "web", outbounds=("db",))
    d = mra.diff(load(tmp_path, "a", BACKENDS + apart + PIN), load(tmp_path, "b", BACKENDS + together + PIN))
    assert list(d.pairs["source"]) == ["web-1 (was web-2)"]
    assert (d.pairs.iloc[0]["source_before"], d.pairs.iloc[0]["source_after"]) == ("web-2", "web-1")


def test_a_renamed_group_with_the_same_outcome_is_no_change(tmp_path: Path) -> None:
    two = dataplane("web-1", "web", outbounds=("db",)) + dataplane("web-2", "web", outbounds=("db",))
    three = dataplane("web-0", "web", outbounds=("db",)) + two  # the group is now named after web-0
    d = mra.diff(load(tmp_path, "a", BACKENDS + two), load(tmp_path, "b", BACKENDS + three))
    assert d.pairs.empty
    row = d.sources[d.sources["source_after"] == "web-0"].iloc[0]
    assert (row["source"], row["source_before"], row["proxies_before"], row["proxies_after"], row["regrouped"]) == (
        "web-0", "web-1", 2, 3, False)


def test_new_and_removed_sources_add_and_remove_pairs(tmp_path: Path) -> None:
    web = dataplane("web-1", "web", outbounds=("db",))
    api = dataplane("api-1", "api", outbounds=("db",))
    d = mra.diff(load(tmp_path, "a", BACKENDS + web), load(tmp_path, "b", BACKENDS + api))
    assert sorted(zip(d.pairs["source"], d.pairs["change"])) == [("api-1", "added"), ("web-1", "removed")]
    added = d.pairs[d.pairs["change"] == "added"].iloc[0]
    assert (added["route_type_before"], added["route_type_after"], added["proxies_before"]) == (None, "TrafficRoute", 0)
    gone = d.backends[d.backends["source"] == "web-1"]
    assert list(gone["share_after"]) == [0.0] and list(gone["change"]) == ["removed"]


def test_resolving_mesh_by_mesh_gives_what_resolving_everything_gives() -> None:
    # The diff resolves only the meshes whose inputs changed, one at a time; that is sound only while
    # the resolver decides each mesh from its own inputs.
    for path in (ROOT / "sample_policies" / "kuma-demo", ROOT / "sample_policies" / "canary-review" / "after",
                 ROOT / "sample_policies" / "one-defect-per-rule"):
        repo = mra.load_repo(path)
        whole = resolve(repo)
        meshes = sorted(repo.content.meshes)
        assert len(meshes) > 1 or path.name == "one-defect-per-rule"
        for name in ("routes", "backends", "proxies"):
            alone = pd.concat([getattr(resolve(mesh_content(repo.content, m)), name) for m in meshes], ignore_index=True)
            key = list(getattr(whole, name).columns[:4])
            expected = getattr(whole, name).sort_values(key, kind="stable").reset_index(drop=True)
            got = alone.sort_values(key, kind="stable").reset_index(drop=True)
            pd.testing.assert_frame_equal(got.astype(str), expected.astype(str))
