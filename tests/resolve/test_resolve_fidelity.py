"""Kuma 2.5.11 behaviours that a review and the control plane's labels found missing (issue 8), through the
public API: zones, TrafficRoute ``conf.http`` on TCP, MeshHTTPRoute filters, proxies Kuma cannot build,
ties that only creation time decides, and MeshGateway listeners in targetRef selection."""

from __future__ import annotations

import meshroute_analysis as mra


def _dataplane(name: str, service: str, protocol: str | None = None, *, outbounds: tuple[str, ...] = (),
               transparent: bool = False, version: str = "v1", mesh: str = "default") -> str:
    tags = {"kuma.io/service": service, "version": version}
    if protocol:
        tags["kuma.io/protocol"] = protocol
    tag_text = ", ".join(f"{k}: {v}" for k, v in tags.items())
    out = ", ".join(f"{{port: {20000 + i}, tags: {{kuma.io/service: {s}}}}}" for i, s in enumerate(outbounds))
    proxying = "\n  transparentProxying: {redirectPortInbound: 15006, redirectPortOutbound: 15001}" if transparent else ""
    return f"""
type: Dataplane
name: {name}
mesh: {mesh}
networking:
  address: 10.0.0.1
  inbound:
    - {{port: 8000, tags: {{{tag_text}}}}}
  outbound: [{out}]{proxying}
"""


def _resolve(write, tmp_path, *docs: str, default_policies: bool = True) -> mra.Resolution:
    write("world.yaml", "\n---\n".join(d.strip("\n") for d in docs) + "\n")
    return mra.resolve(mra.load_repo(tmp_path), default_policies=default_policies)


def _row(res: mra.Resolution, source: str, destination: str):
    r = res.routes
    hit = r[(r["source"] == source) & (r["destination"] == destination)]
    assert len(hit) == 1, f"{source} → {destination}: {len(hit)} rows"
    return hit.iloc[0]


def _shares(res: mra.Resolution, source: str, destination: str, route: str = "") -> dict[str, float]:
    b = res.backends
    used = b[(b["source"] == source) & (b["destination"] == destination) & b["in_split"] & (b["route"] == route)]
    out: dict[str, float] = {}
    for name, tags, share in zip(used["backend_name"], used["backend_tags_str"], used["share"]):
        key = f"{name}{{{tags}}}" if tags else name
        out[key] = out.get(key, 0.0) + share
    return out


MESH_MTLS = """
type: Mesh
name: default
mtls: {enabledBackend: ca-1, backends: [{name: ca-1, type: builtin}]}
"""
INGRESS = """
type: ZoneIngress
name: zi-east
zone: east
networking: {address: 10.8.0.1, advertisedAddress: 192.0.2.10, advertisedPort: 10001, port: 10001}
availableServices:
  - {instances: 2, mesh: default, tags: {kuma.io/service: remote-api, kuma.io/protocol: grpc, kuma.io/zone: east}}
"""
TO_REMOTE = """
type: MeshTCPRoute
name: to-remote
mesh: default
spec:
  targetRef: {kind: Mesh}
  to:
    - targetRef: {kind: MeshService, name: db}
      rules: [{default: {backendRefs: [{kind: MeshServiceSubset, name: remote-api, tags: {kuma.io/zone: east}}]}}]
"""


def test_zone_ingress_services_get_an_outbound_and_with_mtls_count_as_endpoints(write, tmp_path):
    res = _resolve(write, tmp_path, MESH_MTLS, INGRESS, TO_REMOTE,
                   _dataplane("web", "web", "http", transparent=True), _dataplane("db", "db", "tcp"))
    # The remote service has a VIP, so the transparent proxy has an outbound to it, and its protocol comes
    # from the ingress: grpc, which 2.5's TCP split refuses (the whole split is emptied).
    assert _row(res, "web", "remote-api").protocol == "grpc"
    row = _row(res, "web", "db")
    assert (row.route_type, bool(row.forwards)) == ("MeshTCPRoute", False)


def test_zone_ingress_without_mtls_gives_a_vip_but_no_endpoint(write, tmp_path):
    res = _resolve(write, tmp_path, INGRESS, TO_REMOTE, _dataplane("web", "web", "http", transparent=True), _dataplane("db", "db", "tcp"))
    assert _row(res, "web", "remote-api").protocol == "unknown"
    row = _row(res, "web", "db")  # unknown is a protocol the TCP split accepts
    assert (row.route_type, bool(row.forwards), _shares(res, "web", "db")) == ("MeshTCPRoute", True, {"remote-api{kuma.io/zone=east}": 1.0})


HTTP_TR = """
type: TrafficRoute
name: db-by-path
mesh: default
sources: [{match: {kuma.io/service: web}}]
destinations: [{match: {kuma.io/service: db}}]
conf:
  destination: {kuma.io/service: db, version: v1}
  http:
    - match: {path: {prefix: /v2}}
      destination: {kuma.io/service: db, version: v2}
"""


def test_trafficroute_http_entries_join_one_weighted_tcp_split_on_a_tcp_destination(write, tmp_path):
    res = _resolve(write, tmp_path, HTTP_TR, _dataplane("web", "web", "http", outbounds=("db",)),
                   _dataplane("db-1", "db", "tcp", version="v1"), _dataplane("db-2", "db", "tcp", version="v2"))
    row = _row(res, "web", "db")
    assert (row.route_type, bool(row.forwards)) == ("TrafficRoute", True)
    assert _shares(res, "web", "db") == {"db{version=v2}": 0.5, "db{version=v1}": 0.5}


def test_trafficroute_http_entries_are_routes_on_an_http_destination(write, tmp_path):
    res = _resolve(write, tmp_path, HTTP_TR, _dataplane("web", "web", "http", outbounds=("db",)),
                   _dataplane("db-1", "db", "http", version="v1"), _dataplane("db-2", "db", "http", version="v2"))
    assert _shares(res, "web", "db", route="/") == {"db{version=v1}": 1.0}
    assert _shares(res, "web", "db", route="path prefix /v2") == {"db{version=v2}": 1.0}


def _http_route(name: str, filters: str, target: str = "api", backend: str = "") -> str:
    refs = f", backendRefs: [{backend}]" if backend else ""
    return f"""
type: MeshHTTPRoute
name: {name}
mesh: default
spec:
  targetRef: {{kind: Mesh}}
  to:
    - targetRef: {{kind: MeshService, name: {target}}}
      rules:
        - matches: [{{path: {{type: PathPrefix, value: /}}}}]
          default: {{filters: [{filters}]{refs}}}
"""


REDIRECT = "{type: RequestRedirect, requestRedirect: {statusCode: 301}}"


def _mirror(service: str) -> str:
    return f"{{type: RequestMirror, requestMirror: {{backendRef: {{kind: MeshService, name: {service}}}}}}}"


def test_a_redirect_on_the_catch_all_forwards_nothing(write, tmp_path):
    res = _resolve(write, tmp_path, _http_route("redirect", REDIRECT), _dataplane("web", "web", "http", outbounds=("api",)),
                   _dataplane("api", "api", "http"))
    row = _row(res, "web", "api")
    assert (row.route_type, bool(row.forwards), row.status) == ("MeshHTTPRoute", False, "blackhole")
    assert res.proxies.set_index("proxy").loc["web", "config_error"] == ""


def test_a_mirror_is_shown_with_no_share(write, tmp_path):
    res = _resolve(write, tmp_path, _http_route("mirror", _mirror("api")), _dataplane("web", "web", "http", outbounds=("api",)),
                   _dataplane("api", "api", "http"))
    b = res.backends
    mirrors = b[b["mirror"]]
    assert list(zip(mirrors["backend_name"], mirrors["share"], mirrors["in_split"])) == [("api", 0.0, False)]
    assert _shares(res, "web", "api", route="/") == {"api": 1.0}


def test_a_mirror_after_a_redirect_fails_the_whole_proxy(write, tmp_path):
    res = _resolve(write, tmp_path, _http_route("broken", f"{REDIRECT}, {_mirror('api')}"),
                   _dataplane("web", "web", "http", outbounds=("api", "db")), _dataplane("api", "api", "http"), _dataplane("db", "db", "tcp"))
    error = res.proxies.set_index("proxy").loc["web", "config_error"]
    assert "MeshHTTPRoute broken" in error and "expected envoy_route.Route_Route action" in error
    # Nothing new reaches the proxy: every pair of it routes nothing, not only the one the filter is on.
    rows = res.routes[res.routes["source"] == "web"]
    assert set(rows["status"]) == {"config-error"} and not rows["forwards"].any()
    assert res.backends[res.backends["source"] == "web"].empty


def test_a_mirror_to_a_service_without_an_http_cluster_fails_the_proxy(write, tmp_path):
    res = _resolve(write, tmp_path, _http_route("mirror-db", _mirror("db")),
                   _dataplane("web", "web", "http", outbounds=("api",)), _dataplane("api", "api", "http"), _dataplane("db", "db", "tcp"))
    assert "could not find cluster for backendRef MeshService/db/" in res.proxies.set_index("proxy").loc["web", "config_error"]


def test_a_mirror_finds_a_cluster_an_earlier_outbound_made(write, tmp_path):
    # The cluster cache is shared by every outbound of the proxy: db's route already made a cluster for api.
    to_api = _http_route("via-db", "", target="db", backend="{kind: MeshService, name: api}").replace("filters: [], ", "")
    res = _resolve(write, tmp_path, to_api, _http_route("mirror-api", _mirror("api"), target="web"),
                   _dataplane("web", "web", "http", outbounds=("db", "web")), _dataplane("api", "api", "http"),
                   _dataplane("db", "db", "http"))
    assert res.proxies.set_index("proxy").loc["web", "config_error"] == ""


TIE = """
type: TrafficRoute
name: {name}
mesh: default
sources: [{{match: {{kuma.io/service: web}}}}]
destinations: [{{match: {{kuma.io/service: db}}}}]
conf: {{destination: {{kuma.io/service: db, version: {version}}}}}
"""


def test_equal_rank_trafficroutes_go_to_the_one_applied_later(write, tmp_path):
    # a-first sorts first by name but is applied second (later file): Kuma keeps the later-created one.
    write("1.yaml", TIE.format(name="z-earlier", version="v1"))
    write("2.yaml", TIE.format(name="a-later", version="v2"))
    write("inventory.yaml", "\n---\n".join(d.strip("\n") for d in (
        _dataplane("web", "web", "tcp", outbounds=("db",)), _dataplane("db-1", "db", "tcp", version="v1"),
        _dataplane("db-2", "db", "tcp", version="v2"))))
    res = mra.resolve(mra.load_repo(tmp_path))
    row = _row(res, "web", "db")
    assert row.policies == ("a-later",) and _shares(res, "web", "db") == {"db{version=v2}": 1.0}
    text = str(res.explain("web", "db"))
    assert "applied later" in text and "z-earlier" in text


def test_a_file_that_redefines_route_all_keeps_the_mesh_creation_time(write, tmp_path):
    route_all = """
type: TrafficRoute
name: route-all-default
mesh: default
sources: [{match: {kuma.io/service: '*'}}]
destinations: [{match: {kuma.io/service: '*'}}]
conf: {destination: {kuma.io/service: '*'}}
"""
    wildcard = route_all.replace("route-all-default", "catch-all").replace("destination: {kuma.io/service: '*'}", "destination: {kuma.io/service: db, version: v2}")
    res = _resolve(write, tmp_path, wildcard, route_all, _dataplane("web", "web", "tcp", outbounds=("db",)),
                   _dataplane("db-2", "db", "tcp", version="v2"))
    # route-all-default was created with the mesh, before catch-all, although its file comes later.
    assert _row(res, "web", "db").policies == ("catch-all",)


GATEWAY = """
type: MeshGateway
name: edge
mesh: default
selectors: [{match: {kuma.io/service: web}}]
conf:
  listeners:
    - {port: 8080, protocol: HTTP, tags: {port: http}}
"""
SUBSET_ROUTE = """
type: MeshTCPRoute
name: by-listener
mesh: default
spec:
  targetRef: {kind: MeshSubset, tags: {port: http}}
  to:
    - targetRef: {kind: MeshService, name: db}
      rules: [{default: {backendRefs: [{kind: MeshService, name: api}]}}]
"""


def test_a_meshgateway_lends_its_listener_tags_to_a_sidecar_it_selects(write, tmp_path):
    res = _resolve(write, tmp_path, GATEWAY, SUBSET_ROUTE, _dataplane("web", "web", "tcp", outbounds=("db",)),
                   _dataplane("other", "other", "tcp", outbounds=("db",)), _dataplane("db", "db", "tcp"), _dataplane("api", "api", "tcp"))
    # matchers/dataplane.go looks a gateway up for every Dataplane: web matches edge's selector, so the
    # MeshSubset {port: http} selects web through the listener's tags; other is not selected.
    assert _row(res, "web", "db").policies == ("by-listener",)
    assert _row(res, "other", "db").route_type == "TrafficRoute"
    assert "listener" in str(res.explain("web", "db"))


def test_explain_says_when_the_proxy_cannot_be_built(write, tmp_path):
    res = _resolve(write, tmp_path, _http_route("broken", f"{REDIRECT}, {_mirror('api')}"),
                   _dataplane("web", "web", "http", outbounds=("api",)), _dataplane("api", "api", "http"))
    text = str(res.explain("web", "api"))
    assert "fails to build it" in text and "config-error" in text


def test_a_redefinition_keeps_the_creation_time_of_the_first_definition(write, tmp_path):
    # z-first is applied, then a-second, then z-first again (an update): z-first keeps its first creation
    # time, so a-second is the later-created one and wins the tie.
    write("1.yaml", TIE.format(name="z-first", version="v1"))
    write("2.yaml", TIE.format(name="a-second", version="v2"))
    write("3.yaml", TIE.format(name="z-first", version="v1"))
    write("inventory.yaml", "\n---\n".join(d.strip("\n") for d in (
        _dataplane("web", "web", "tcp", outbounds=("db",)), _dataplane("db-1", "db", "tcp", version="v1"),
        _dataplane("db-2", "db", "tcp", version="v2"))))
    res = mra.resolve(mra.load_repo(tmp_path))
    assert _row(res, "web", "db").policies == ("a-second",)
