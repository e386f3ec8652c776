"""What-if weights go through the resolver's own split rule, never the caller's arithmetic."""

from __future__ import annotations

import pytest

import meshroute_analysis as mra

WORLD = """
type: Dataplane
name: web
mesh: default
networking:
  address: 10.0.0.1
  inbound: [{port: 80, tags: {kuma.io/service: web, kuma.io/protocol: http}}]
  outbound: [{port: 10001, tags: {kuma.io/service: backend}}]
---
type: Dataplane
name: backend-v1
mesh: default
networking:
  address: 10.0.0.2
  inbound: [{port: 80, tags: {kuma.io/service: backend, kuma.io/protocol: tcp, version: v1}}]
---
type: Dataplane
name: backend-v2
mesh: default
networking:
  address: 10.0.0.3
  inbound: [{port: 80, tags: {kuma.io/service: backend, kuma.io/protocol: tcp, version: v2}}]
---
type: Dataplane
name: grpc-1
mesh: default
networking:
  address: 10.0.0.4
  inbound: [{port: 80, tags: {kuma.io/service: grpc-svc, kuma.io/protocol: grpc}}]
---
type: MeshTCPRoute
name: split
mesh: default
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: MeshService, name: backend}
    rules:
    - default:
        backendRefs:
        - {kind: MeshServiceSubset, name: backend, tags: {version: v1}, weight: 3}
        - {kind: MeshServiceSubset, name: backend, tags: {version: v2}, weight: 1}
        - {kind: MeshService, name: grpc-svc, weight: 0}
"""
V1, V2, GRPC = "backend{version=v1}", "backend{version=v2}", "grpc-svc"


@pytest.fixture
def res(write, tmp_path):
    write("world.yaml", WORLD)
    return mra.resolve(mra.load_repo(tmp_path), default_policies=False)


def _shares(frame):
    return dict(zip(frame["backend"], frame["share"], strict=True))


def test_configured_split(res):
    rows = res.what_if("web", "backend", {})
    assert _shares(rows) == {V1: 0.75, V2: 0.25, GRPC: 0.0}


def test_new_weights_renormalise_without_touching_the_resolution(res):
    before = res.backends.copy()
    rows = res.what_if("web", "backend", {V1: 1, V2: 1})
    assert _shares(rows) == {V1: 0.5, V2: 0.5, GRPC: 0.0}
    assert list(rows["weight"]) == [1, 1, 0]
    assert res.backends.equals(before)


def test_giving_a_grpc_backend_weight_empties_the_2_5_tcp_split(res):
    # 2.5's makeSplit skips weight-0 refs before the protocol check; with a weight, grpc refuses the split.
    rows = res.what_if("web", "backend", {GRPC: 1})
    assert not rows["in_split"].any()
    assert set(rows["share"]) == {0.0}
    assert (rows["note"] == "split dropped").all()


def test_zero_weights_carry_nothing(res):
    rows = res.what_if("web", "backend", {V1: 0})
    assert _shares(rows) == {V1: 0.0, V2: 1.0, GRPC: 0.0}
    assert rows.set_index("backend").loc[V1, "note"] == "weight 0: no traffic"


def test_bad_what_ifs_are_refused(res):
    with pytest.raises(ValueError, match="not in this pair"):
        res.what_if("web", "backend", {"nope": 1})
    with pytest.raises(ValueError, match="negative"):
        res.what_if("web", "backend", {V1: -1})
    with pytest.raises(KeyError):
        res.what_if("nobody", "backend", {})
