from __future__ import annotations

from meshroute_analysis.model import Endpoint, Service, make_tags
from meshroute_analysis.resolve.protocols import MeshEndpoints, governing_permission

from .builders import policy


def _tp(name, sources, destinations, **kw):
    doc = {"type": "TrafficPermission", "name": name, "mesh": "default",
           "sources": [{"match": s} for s in sources], "destinations": [{"match": d} for d in destinations]}
    doc.update(kw)
    return policy(doc)


def _es(name, service, protocol="http", **tags):
    t = {"kuma.io/service": service, "kuma.io/protocol": protocol, **tags}
    return Endpoint(make_tags(t), f"ExternalService {name}", external=True, external_name=name)


def _dp(service, protocol):
    t = {"kuma.io/service": service}
    if protocol:
        t["kuma.io/protocol"] = protocol
    return Endpoint(make_tags(t), f"Dataplane {service}")


WEB = [{"kuma.io/service": "web"}]


def test_most_specific_permission_governs_an_external_service():
    wide = _tp("wide", [{"kuma.io/service": "*"}], [{"kuma.io/service": "*"}])
    narrow = _tp("narrow", [{"kuma.io/service": "api"}], [{"kuma.io/service": "ext"}])
    gov, rank, tied = governing_permission({"kuma.io/service": "ext"}, [wide, narrow])
    assert gov is narrow and rank == (1, 0) and tied == ()
    services = {"ext": Service("default", "ext", (_es("ext", "ext"),))}
    endpoints = MeshEndpoints("default", services, [wide, narrow])
    # web matches only the wide permission's sources, but the narrow one governs ext: not admitted
    assert endpoints.admitted(WEB) == frozenset()
    assert endpoints.protocol("ext", endpoints.admitted(WEB)) == "unknown"
    api = [{"kuma.io/service": "api"}]
    assert endpoints.admitted(api) == {"ext"}
    assert endpoints.protocol("ext", endpoints.admitted(api)) == "http"


def test_gateway_tags_count_as_a_source():
    tp = _tp("gw-only", [{"kuma.io/service": "edge"}], [{"kuma.io/service": "*"}])
    endpoints = MeshEndpoints("default", {"ext": Service("default", "ext", (_es("ext", "ext"),))}, [tp])
    assert endpoints.admitted([{"kuma.io/service": "web"}, {"kuma.io/service": "edge"}]) == {"ext"}


def test_implicit_allow_all_loses_ties():
    from meshroute_analysis.resolve.defaults import allow_all

    user = _tp("zzz", [{"kuma.io/service": "api"}], [{"kuma.io/service": "*"}])
    gov, _, tied = governing_permission({"kuma.io/service": "ext"}, MeshEndpoints("default", {}, [allow_all("default"), user]).permissions)
    assert gov is user and [p.name for p in tied] == ["allow-all-default"]


def test_protocol_folds_dataplanes_and_admitted_external_services():
    services = {"svc": Service("default", "svc", (_dp("svc", "http"), _es("e", "svc", "http2")))}
    allow = _tp("allow", [{"kuma.io/service": "*"}], [{"kuma.io/service": "*"}])
    endpoints = MeshEndpoints("default", services, [allow])
    assert endpoints.protocol("svc", frozenset()) == "http"
    assert endpoints.protocol("svc", endpoints.admitted(WEB)) == "tcp"  # http + http2
    views = endpoints.endpoint_views("svc", frozenset())
    assert [v.counted for v in views] == [True, False]


def test_trafficroute_protocol_ignores_services_without_endpoints():
    services = {"a": Service("default", "a", (_dp("a", "http"),)), "b": Service("default", "b", ())}
    endpoints = MeshEndpoints("default", services, [])
    assert endpoints.protocol("b", frozenset()) == "unknown"
    assert endpoints.protocol_of_services(["a", "b"], frozenset()) == "http"
    assert endpoints.protocol_of_services(["b"], frozenset()) == "unknown"


def test_subset_endpoint_counting_is_exact():
    services = {"a": Service("default", "a", (Endpoint(make_tags({"kuma.io/service": "a", "v": "1"}), "x"),))}
    endpoints = MeshEndpoints("default", services, [])
    assert endpoints.has_endpoints("a", {"v": "1"}, frozenset()) == 1
    assert endpoints.has_endpoints("a", {"v": "2"}, frozenset()) == 0
    assert endpoints.has_endpoints("a", {"v": "*"}, frozenset()) == 0
