"""The conformance README's "Scenarios Kuma's tests do not cover", one test (or more) each, plus the
Kubernetes-vs-Universal name tie-break.  Expectations follow the 2.5.11 source (reference §6–§8)."""

from __future__ import annotations

from meshroute_analysis.resolve import resolve

from .builders import allow_all, backends, dataplane, http_route, ref, route_all, row, tcp_route, world


def _resolve(resources, **kw):
    kw.setdefault("default_policies", False)
    return resolve(world(resources), **kw)


# 1. MeshTCPRoute together with a selecting TrafficRoute ---------------------------------------------
def test_1_tcproute_replaces_selecting_trafficroute():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["backend"]),
        dataplane("backend-1", "backend", protocol="tcp"),
        dataplane("other-1", "other", protocol="tcp"),
        route_all(),
        tcp_route("tcp", "backend", [ref("other")]),
    ])
    r = row(res, "web-1", "backend")
    assert (r["route_type"], r["policies"], r["trafficroute"]) == ("MeshTCPRoute", ("tcp",), "route-all-default")
    assert [b["backend_name"] for b in backends(res, "web-1", "backend")] == ["other"]


def test_1_with_implicit_defaults_too():
    res = resolve(world([
        dataplane("web-1", "web", outbounds=["backend"]),
        dataplane("backend-1", "backend", protocol="tcp"),
        tcp_route("tcp", "backend", None),
    ]))
    assert row(res, "web-1", "backend")["route_type"] == "MeshTCPRoute"
    assert row(res, "web-1", "backend")["policy_keys"] == ("MeshTCPRoute/tcp",)


# 2. TrafficRoute present plus any MeshHTTPRoute ------------------------------------------------------
def test_2_http_outbounds_lose_trafficroute_to_catch_all_tcp_keeps_it():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["api", "db", "blob"]),
        dataplane("api-1", "api", protocol="http"),
        dataplane("db-1", "db", protocol="tcp"),
        dataplane("blob-1", "blob", protocol=None),  # no tag: unknown
        route_all(),
        http_route("h", "somewhere-else", None),
    ])
    api = row(res, "web-1", "api")
    assert (api["route_type"], api["policies"], api["forwards"]) == ("MeshHTTPRoute", (), True)
    assert [(b["backend_name"], b["weight"], b["route"]) for b in backends(res, "web-1", "api")] == [("api", 100, "/")]
    assert row(res, "web-1", "db")["route_type"] == "TrafficRoute"
    blob = row(res, "web-1", "blob")
    assert (blob["protocol"], blob["route_type"]) == ("unknown", "TrafficRoute")


def test_2_http2_outbound_too():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["api"]),
        dataplane("api-1", "api", protocol="http2"),
        route_all(),
        http_route("h", "x", None),
    ])
    assert row(res, "web-1", "api")["route_type"] == "MeshHTTPRoute"


# 3. MeshHTTPRoute on a tcp/unknown destination, no MeshTCPRoute ---------------------------------------
def test_3_httproute_with_http_backends_takes_tcp_destination():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["db"]),
        dataplane("db-1", "db", protocol="tcp"),
        dataplane("api-1", "api", protocol="http"),
        route_all(),
        http_route("h", "db", [ref("api")]),
    ])
    r = row(res, "web-1", "db")
    assert (r["protocol"], r["route_type"], r["policies"]) == ("tcp", "MeshHTTPRoute", ("h",))
    routes = {(b["route"], b["backend_name"], b["in_split"]) for b in backends(res, "web-1", "db")}
    assert routes == {("/", "api", True)}  # the implicit catch-all to db (tcp) is dropped


def test_3_httproute_to_itself_on_tcp_destination_is_dropped():
    world_ = [
        dataplane("web-1", "web", outbounds=["db"]),
        dataplane("db-1", "db", protocol="tcp"),
        http_route("h", "db", [ref("db")]),
    ]
    assert row(_resolve(world_ + [route_all()]), "web-1", "db")["route_type"] == "TrafficRoute"
    r = row(_resolve(world_), "web-1", "db")
    assert (r["route_type"], r["status"], r["forwards"]) == ("none", "no-route", False)


def test_3_unknown_destination_with_http_backends():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["ghost"]),
        dataplane("api-1", "api", protocol="http"),
        http_route("h", "ghost", [ref("api", 1)]),
    ])
    r = row(res, "web-1", "ghost")
    assert (r["protocol"], r["route_type"]) == ("unknown", "MeshHTTPRoute")


# 4. grpc destination with a MeshTCPRoute and no MeshHTTPRoute ------------------------------------------
def test_4_grpc_destination_tcproute_applies_but_grpc_backend_empties_split():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["rpc"]),
        dataplane("rpc-1", "rpc", protocol="grpc"),
        route_all(),
        tcp_route("t", "rpc", None),  # no rules: the destination itself, which is grpc
    ])
    r = row(res, "web-1", "rpc")
    assert (r["protocol"], r["route_type"], r["forwards"], r["status"]) == ("grpc", "MeshTCPRoute", False, "blackhole")
    assert "grpc" in r["reason"]
    b = backends(res, "web-1", "rpc")
    assert [(x["backend_name"], x["in_split"], x["share"]) for x in b] == [("rpc", False, 0.0)]


def test_4_grpc_destination_tcproute_to_tcp_backend_forwards():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["rpc"]),
        dataplane("rpc-1", "rpc", protocol="grpc"),
        dataplane("db-1", "db", protocol="tcp"),
        tcp_route("t", "rpc", [ref("db")]),
    ])
    r = row(res, "web-1", "rpc")
    assert (r["route_type"], r["forwards"], r["status"]) == ("MeshTCPRoute", True, "ok")


def test_4_kafka_backend_anywhere_empties_whole_split():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["db"]),
        dataplane("db-1", "db", protocol="tcp"),
        dataplane("k-1", "queue", protocol="kafka"),
        tcp_route("t", "db", [ref("db", 90), ref("queue", 10)]),
    ])
    r = row(res, "web-1", "db")
    assert (r["forwards"], r["status"]) == (False, "blackhole")
    assert all(not b["in_split"] for b in backends(res, "web-1", "db"))


# 5. MeshHTTPRoute backendRefs to tcp / unknown / grpc services ------------------------------------------
def test_5_route_to_non_http_backend_dropped_catch_all_survives():
    for target, proto in (("db", "tcp"), ("nowhere", None), ("rpc", "grpc")):
        resources = [
            dataplane("web-1", "web", outbounds=["api"]),
            dataplane("api-1", "api", protocol="http"),
            http_route("h", "api", [ref(target)], matches=[{"path": {"type": "PathPrefix", "value": "/v1"}}]),
        ]
        if proto is not None:
            resources.append(dataplane(f"{target}-1", target, protocol=proto))
        res = _resolve(resources)
        r = row(res, "web-1", "api")
        assert r["route_type"] == "MeshHTTPRoute", target
        assert [(b["route"], b["backend_name"]) for b in backends(res, "web-1", "api")] == [("/", "api")]
        assert "dropped" in r["reason"]


def test_5_dropped_catch_all_leaves_http_destination_without_listener():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["api"]),
        dataplane("api-1", "api", protocol="http"),
        dataplane("db-1", "db", protocol="tcp"),
        route_all(),
        http_route("h", "api", [ref("db")]),  # the catch-all itself points at a tcp service
    ])
    r = row(res, "web-1", "api")
    assert (r["route_type"], r["status"], r["forwards"]) == ("none", "no-route", False)
    assert "no listener at all" in r["reason"]


# 6. Zero weights ------------------------------------------------------------------------------------------
def test_6_zero_weight_removes_backend_all_zero_empties_split():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["db", "db2"]),
        dataplane("db-1", "db", protocol="tcp", extra={"version": "v1"}),
        dataplane("db-2", "db2", protocol="tcp"),
        tcp_route("a", "db", [ref("db", 0, version="v1"), ref("db", 3)]),
        tcp_route("b", "db2", [ref("db2", 0)]),
    ])
    b = backends(res, "web-1", "db")
    assert [(x["weight"], x["in_split"], x["share"]) for x in b] == [(0, False, 0.0), (3, True, 1.0)]
    r = row(res, "web-1", "db2")
    assert (r["route_type"], r["forwards"], r["status"]) == ("MeshTCPRoute", False, "blackhole")


def test_6_trafficroute_zero_weight_split_skipped():
    tr = {"type": "TrafficRoute", "name": "tr", "mesh": "default",
          "sources": [{"match": {"kuma.io/service": "*"}}], "destinations": [{"match": {"kuma.io/service": "*"}}],
          "conf": {"split": [{"weight": 0, "destination": {"kuma.io/service": "db"}},
                             {"weight": 5, "destination": {"kuma.io/service": "db2"}}]}}
    res = _resolve([dataplane("web-1", "web", outbounds=["db"]), dataplane("db-2", "db2"), tr])
    assert [(b["backend_name"], b["share"]) for b in backends(res, "web-1", "db")] == [("db", 0.0), ("db2", 1.0)]


# 7. to item shapes ---------------------------------------------------------------------------------------
def test_7_last_item_without_rules_routes_to_destination_weight_1():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["db"]),
        dataplane("db-1", "db"),
        tcp_route("a", "db", [ref("other", 7)]),
        tcp_route("b", "db", None),
    ])
    assert [(b["backend_name"], b["weight"]) for b in backends(res, "web-1", "db")] == [("db", 1)]
    assert row(res, "web-1", "db")["policies"] == ("a", "b")


def test_7_only_first_rule_counts_and_items_merge_in_list_order():
    doc = {"type": "MeshTCPRoute", "name": "multi", "mesh": "default", "spec": {
        "targetRef": {"kind": "Mesh"},
        "to": [
            {"targetRef": {"kind": "MeshService", "name": "db"},
             "rules": [{"default": {"backendRefs": [ref("x", 1)]}}, {"default": {"backendRefs": [ref("y", 1)]}}]},
            {"targetRef": {"kind": "MeshService", "name": "db"},
             "rules": [{"default": {"backendRefs": [ref("z", 2)]}}, {"default": {"backendRefs": [ref("w", 1)]}}]},
        ]}}
    res = _resolve([dataplane("web-1", "web", outbounds=["db"]), dataplane("db-1", "db"), doc])
    assert [(b["backend_name"], b["weight"]) for b in backends(res, "web-1", "db")] == [("z", 2)]
    assert row(res, "web-1", "db")["policies"] == ("multi",)
    text = str(res.explain("web-1", "db"))
    assert "only rules[0] counts" in text and "to[1]" in text


# 8. Protocol folding corner cases -------------------------------------------------------------------------
def _protocol(*protocols):
    resources = [dataplane("web-1", "web", outbounds=["svc"])]
    resources += [dataplane(f"svc-{i}", "svc", protocol=p) for i, p in enumerate(protocols)]
    return row(_resolve(resources), "web-1", "svc")["protocol"]


def test_8_protocol_folding():
    assert _protocol("http", "http2") == "tcp"
    assert _protocol("grpc", "http2") == "http2"
    assert _protocol("grpc", "http") == "tcp"
    assert _protocol("http", None) == "unknown"
    assert _protocol("http", "mongo") == "unknown"
    assert _protocol("HTTP", "http") == "http"
    assert _protocol() == "unknown"


def test_8_not_ready_endpoint_does_not_count():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["svc"]),
        dataplane("svc-1", "svc", protocol="http"),
        dataplane("svc-2", "svc", protocol="tcp", state="NotReady"),
    ])
    assert row(res, "web-1", "svc")["protocol"] == "http"


# 9. Other meshes, invalid kinds ---------------------------------------------------------------------------
def test_9_policies_of_another_mesh_are_ignored():
    res = _resolve([
        dataplane("web-1", "web", outbounds=["db"]),
        dataplane("db-1", "db"),
        tcp_route("elsewhere", "db", [ref("x")], mesh="other"),
        http_route("elsewhere-h", "db", None, mesh="other"),
    ])
    r = row(res, "web-1", "db")
    assert (r["route_type"], r["policies"]) == ("none", ())


def test_9_invalid_kinds_never_apply():
    top_gateway = tcp_route("gw", "db", [ref("x")], top={"kind": "MeshGateway", "name": "edge"})
    top_route = tcp_route("on-route", "db", [ref("x")], top={"kind": "MeshHTTPRoute", "name": "h"})
    to_mesh = {"type": "MeshTCPRoute", "name": "to-mesh", "mesh": "default",
               "spec": {"targetRef": {"kind": "Mesh"}, "to": [{"targetRef": {"kind": "Mesh"}}]}}
    res = _resolve([dataplane("web-1", "web", outbounds=["db"]), dataplane("db-1", "db"), top_gateway, top_route, to_mesh])
    assert row(res, "web-1", "db")["route_type"] == "none"
    text = str(res.explain("web-1", "db"))
    assert "gw" in text and "invalid" in text


def test_9_policy_marked_invalid_by_loader_never_applies():
    res = _resolve([dataplane("web-1", "web", outbounds=["db"]), dataplane("db-1", "db"),
                    tcp_route("bad", "db", [ref("x")], _valid=False)])
    assert row(res, "web-1", "db")["route_type"] == "none"


# 10. Kubernetes name tie-breaks -----------------------------------------------------------------------------
def _tie(namespace):
    extra = {"_namespace": namespace} if namespace else {}
    return _resolve([
        dataplane("web-1", "web", outbounds=["db"]),
        dataplane("db-1", "db"),
        tcp_route("route", "db", [ref("from-route")], **extra),
        tcp_route("route-2", "db", [ref("from-route-2")], **extra),
    ])


def test_10_universal_picks_route_2_kubernetes_picks_route():
    uni = _tie(None)
    assert row(uni, "web-1", "db")["policies"] == ("route", "route-2")
    assert [b["backend_name"] for b in backends(uni, "web-1", "db")] == ["from-route-2"]
    k8s = _tie("kuma-system")
    assert row(k8s, "web-1", "db")["policies"] == ("route-2", "route")
    assert row(k8s, "web-1", "db")["policy_keys"] == ("MeshTCPRoute/route-2.kuma-system", "MeshTCPRoute/route.kuma-system")
    assert [b["backend_name"] for b in backends(k8s, "web-1", "db")] == ["from-route"]


def test_external_service_needs_permission_for_protocol_and_endpoints():
    es = {"type": "ExternalService", "name": "ext", "mesh": "default",
          "tags": {"kuma.io/service": "ext", "kuma.io/protocol": "http"}, "networking": {"address": "a.b:80"}}
    base = [dataplane("web-1", "web", outbounds=["api"]), dataplane("api-1", "api", protocol="http"), es,
            http_route("h", "api", [ref("api", 50), ref("ext", 50)])]
    without = _resolve(base)  # ext is not seen: unknown protocol, the only route ("/") is dropped
    assert row(without, "web-1", "api")["route_type"] == "none"
    assert "ext is unknown" in row(without, "web-1", "api")["reason"]
    allowed = _resolve(base + [allow_all()])
    assert [(b["backend_name"], b["share"], b["external"]) for b in backends(allowed, "web-1", "api")] == [
        ("api", 0.5, False), ("ext", 0.5, True)]
