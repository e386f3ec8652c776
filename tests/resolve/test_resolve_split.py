from __future__ import annotations

from meshroute_analysis.model import BackendRef, Endpoint, Service, make_tags
from meshroute_analysis.resolve.protocols import MeshEndpoints
from meshroute_analysis.resolve.semantics import KUMA_2_5
from meshroute_analysis.resolve.split import cluster_name, is_catch_all, make_split, route_label

SERVICES = {
    name: Service("default", name, (Endpoint(make_tags({"kuma.io/service": name, "kuma.io/protocol": proto}), "dp"),))
    for name, proto in (("t", "tcp"), ("h", "http"), ("g", "grpc"), ("k", "kafka"))
}
EPS = MeshEndpoints("default", {**SERVICES, "empty": Service("default", "empty", ())}, [])


def _split(refs, accepted=KUMA_2_5.tcp_split_protocols):
    return make_split(refs, accepted, KUMA_2_5.backend_kinds, EPS, frozenset())


def test_shares_are_fractions_of_the_pair():
    s = _split([BackendRef("MeshService", "t", (), 3), BackendRef("MeshService", "h", (), None), BackendRef("MeshService", "empty", (), 0)])
    assert s.forwards
    assert [(b.name, b.weight, b.in_split, round(b.share, 3)) for b in s.backends] == [
        ("t", 3, True, 0.75), ("h", 1, True, 0.25), ("empty", 0, False, 0.0)]


def test_backend_without_endpoints_keeps_its_share():
    s = _split([BackendRef("MeshService", "t", (), 1), BackendRef("MeshService", "empty", (), 1)])
    assert [(b.in_split, b.share, b.endpoints, b.protocol) for b in s.backends] == [(True, 0.5, 1, "tcp"), (True, 0.5, 0, "unknown")]


def test_grpc_or_kafka_empties_tcp_split_and_drops_http_route():
    for bad in ("g", "k"):
        s = _split([BackendRef("MeshService", "t", (), 1), BackendRef("MeshService", bad, (), 1)])
        assert not s.forwards and bad in s.refusal and all(not b.in_split for b in s.backends)
    http = _split([BackendRef("MeshService", "h", (), 1), BackendRef("MeshService", "t", (), 1)], KUMA_2_5.http_split_protocols)
    assert not http.forwards


def test_zero_weight_grpc_backend_is_skipped_before_the_protocol_check():
    s = _split([BackendRef("MeshService", "g", (), 0), BackendRef("MeshService", "t", (), 1)])
    assert s.forwards


def test_unsupported_kind_is_skipped():
    s = _split([BackendRef("Mesh", None, (), 1), BackendRef("MeshService", "t", (), 1)])
    assert [b.in_split for b in s.backends] == [False, True] and "skipped" in s.backends[0].note


def test_cluster_names_match_kuma_goldens():
    assert cluster_name("backend", {}) == "backend"
    assert cluster_name("backend", {"region": "eu"}) == "backend-bb38a94289f18fb9"
    assert cluster_name("backend", {"region": "us"}) == "backend-c72efb5be46fae6b"


def test_route_labels():
    assert is_catch_all('[{"path":{"type":"PathPrefix","value":"/"}}]')
    assert route_label('[{"path": {"value": "/", "type": "PathPrefix"}}]') == "/"
    assert route_label('[{"path":{"type":"Exact","value":"/"}}]') == "Exact /"
    assert route_label('[{"path":{"type":"PathPrefix","value":"/v1"}},{"method":"POST"}]') == "PathPrefix /v1 | POST"
