"""Across versions: a repository that uses none of what changed between 2.5 and 2.7 routes the same.

What changed (``meshroute_analysis/resolve/semantics.py``) and is therefore left out of these worlds:
MeshHTTPRoute (2.6 drops the TrafficRoute skip for http outbounds), ExternalServices (protocols become
mesh-wide), grpc/kafka backends (2.6 accepts them in TCP splits), proxies that a MeshTCPRoute selects while
it does not name all their outbounds (2.6 routes the others to themselves), two route policies naming one
destination (2.6 reverses the name order), Ignored inbounds, proxyTypes, gateways, no TrafficRoute in the mesh
(2.6 lets the plugins build everything) and services without an endpoint (2.6 folds per service).
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshroute_analysis.resolve import resolve

from .builders import world

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SERVICES = ["a", "b", "c", "d"]
VERSIONS = ("2.5", "2.6", "2.7")


@st.composite
def legacy_worlds(draw):
    protocols = {s: draw(st.sampled_from(["tcp", "http", "http2"])) for s in SERVICES}
    docs: list[dict] = []
    for i, service in enumerate(SERVICES):
        for replica in range(draw(st.integers(1, 2))):
            version = draw(st.sampled_from(["v1", "v2"]))
            outbounds = draw(st.lists(st.sampled_from(SERVICES), unique=True, max_size=3))
            docs.append({
                "type": "Dataplane", "name": f"{service}-{replica}", "mesh": "default",
                "networking": {
                    "address": f"10.0.{i}.{replica + 1}",
                    "inbound": [{"port": 80, "tags": {"kuma.io/service": service, "kuma.io/protocol": protocols[service],
                                                      "version": version}}],
                    "outbound": [{"port": 10000 + k, "tags": {"kuma.io/service": s}} for k, s in enumerate(outbounds)],
                },
            })
    docs.append({"type": "TrafficRoute", "name": "route-all", "mesh": "default",
                 "sources": [{"match": {"kuma.io/service": "*"}}], "destinations": [{"match": {"kuma.io/service": "*"}}],
                 "conf": {"destination": {"kuma.io/service": "*"}}})
    for n, (source, dest) in enumerate(draw(st.lists(st.tuples(st.sampled_from(SERVICES), st.sampled_from(SERVICES)),
                                                      unique=True, max_size=3))):
        targets = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=2, unique=True))
        docs.append({"type": "TrafficRoute", "name": f"tr-{n}", "mesh": "default",
                     "sources": [{"match": {"kuma.io/service": source}}], "destinations": [{"match": {"kuma.io/service": dest}}],
                     "conf": {"split": [{"weight": draw(st.integers(1, 9)), "destination": {"kuma.io/service": t}} for t in targets]}})
    if draw(st.booleans()):
        # One Mesh-wide MeshTCPRoute that names every service, each with its own tcp/http backends: no outbound
        # of a proxy it selects is left to a default route, and no other policy competes for a destination.
        entries = [{"targetRef": {"kind": "MeshService", "name": s},
                    "rules": [{"default": {"backendRefs": [{"kind": "MeshService", "name": draw(st.sampled_from(SERVICES)),
                                                             "weight": draw(st.integers(1, 5))}]}}]} for s in SERVICES]
        docs.append({"type": "MeshTCPRoute", "name": "everything", "mesh": "default",
                     "spec": {"targetRef": {"kind": "Mesh"}, "to": entries}})
    return docs


def _routes(docs: list[dict], version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    res = resolve(world(docs), kuma_version=version, default_policies=False)
    routes = res.routes[["mesh", "source", "destination", "route_type", "policies", "forwards"]].reset_index(drop=True)
    backends = res.backends[res.backends["in_split"]][["source", "destination", "backend", "share"]].reset_index(drop=True)
    return routes, backends


@FAST
@given(legacy_worlds())
def test_what_did_not_change_routes_the_same_on_2_5_2_6_and_2_7(docs):
    expected = _routes(docs, "2.5")
    for version in VERSIONS[1:]:
        got = _routes(docs, version)
        pd.testing.assert_frame_equal(expected[0], got[0])
        pd.testing.assert_frame_equal(expected[1], got[1])


def test_new_meshes_get_other_defaults_from_2_6():
    docs = [{"type": "Mesh", "name": "m", "skipCreatingInitialPolicies": ["MeshRetry"]},
            {"type": "Dataplane", "name": "web", "mesh": "m",
             "networking": {"address": "10.0.0.1", "inbound": [{"port": 80, "tags": {"kuma.io/service": "web"}}]}}]
    on_25 = {(p.type, p.name) for p in resolve(world(docs), kuma_version="2.5").default_policies}
    on_27 = {(p.type, p.name) for p in resolve(world(docs), kuma_version="2.7").default_policies}
    assert on_25 == {("TrafficRoute", "route-all-m"), ("TrafficPermission", "allow-all-m")}
    # pkg/defaults/mesh/mesh.go at 2.6.15: no routing resources; a skipped type is not created.
    assert on_27 == {("MeshTimeout", "mesh-timeout-all-m"), ("MeshTimeout", "mesh-gateways-timeout-all-m"),
                     ("MeshCircuitBreaker", "mesh-circuit-breaker-all-m")}
