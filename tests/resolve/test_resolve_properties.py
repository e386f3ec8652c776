"""Properties of resolution on small random worlds (hypothesis; kept fast: 50 examples each)."""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshroute_analysis.content import RepoContent
from meshroute_analysis.model import (
    BackendRef,
    Endpoint,
    Format,
    Gateway,
    HTTPRule,
    Inbound,
    Mesh,
    Origin,
    Outbound,
    Policy,
    Proxy,
    Resource,
    Selector,
    Service,
    Split,
    TargetRef,
    ToEntry,
)
from meshroute_analysis.resolve import resolve

from .builders import world

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SERVICES = ["a", "b", "c"]
PROTOCOLS = ["tcp", "http", "http2", "grpc", "kafka", None, "bogus"]
svc = st.sampled_from(SERVICES)
weight = st.one_of(st.none(), st.integers(0, 3))
tags = st.dictionaries(st.sampled_from(["version", "team"]), st.sampled_from(["v1", "v2"]), max_size=1)


@st.composite
def backend_ref(draw):
    t = draw(tags)
    r = {"kind": "MeshServiceSubset" if t else "MeshService", "name": draw(svc)}
    if t:
        r["tags"] = t
    w = draw(weight)
    if w is not None:
        r["weight"] = w
    return r


top = st.one_of(
    st.just({"kind": "Mesh"}),
    st.builds(lambda n: {"kind": "MeshService", "name": n}, svc),
    st.builds(lambda t: {"kind": "MeshSubset", "tags": t}, tags),
    st.builds(lambda n, t: {"kind": "MeshServiceSubset", "name": n, "tags": t}, svc, tags),
)
matches = st.sampled_from([
    [{"path": {"type": "PathPrefix", "value": "/"}}],
    [{"path": {"type": "PathPrefix", "value": "/v1"}}],
    [{"path": {"type": "Exact", "value": "/"}}],
])


@st.composite
def route_policy(draw, index):
    kind = draw(st.sampled_from(["MeshTCPRoute", "MeshHTTPRoute"]))
    entries = []
    for _ in range(draw(st.integers(0, 2))):
        entry = {"targetRef": {"kind": "MeshService", "name": draw(svc)}}
        if draw(st.booleans()):
            refs = draw(st.lists(backend_ref(), min_size=1, max_size=3))
            if kind == "MeshTCPRoute":
                entry["rules"] = [{"default": {"backendRefs": refs}}]
            else:
                default = {"backendRefs": refs} if draw(st.booleans()) else {}
                entry["rules"] = [{"matches": draw(matches), "default": default}]
        entries.append(entry)
    return {"type": kind, "name": f"r{index}", "mesh": "default", "spec": {"targetRef": draw(top), "to": entries}}


@st.composite
def trafficroute(draw, index):
    src = draw(st.sampled_from([{"kuma.io/service": "*"}, {"kuma.io/service": "a"}, {"kuma.io/service": "b", "version": "v1"}]))
    dst = draw(st.sampled_from([{"kuma.io/service": "*"}, {"kuma.io/service": "c"}, {"kuma.io/service": "a"}]))
    split = [{"weight": draw(st.integers(0, 2)), "destination": {"kuma.io/service": draw(st.sampled_from(SERVICES + ["*"]))}}
             for _ in range(draw(st.integers(1, 2)))]
    return {"type": "TrafficRoute", "name": f"t{index}", "mesh": "default", "sources": [{"match": src}],
            "destinations": [{"match": dst}], "conf": {"split": split}}


@st.composite
def dataplane(draw, index):
    t = {"kuma.io/service": draw(svc), **draw(tags)}
    p = draw(st.sampled_from(PROTOCOLS))
    if p is not None:
        t["kuma.io/protocol"] = p
    inbound = {"port": 80, "tags": t}
    if draw(st.booleans()) and draw(st.booleans()):
        inbound["state"] = draw(st.sampled_from(["Ignored", "NotReady"]))
    net = {"address": "1.1.1.1", "inbound": [inbound]}
    if draw(st.booleans()):
        net["outbound"] = [{"port": 10001 + i, "tags": {"kuma.io/service": s}} for i, s in enumerate(draw(st.lists(svc, max_size=3, unique=True)))]
    else:
        net["transparentProxying"] = {}
    return {"type": "Dataplane", "name": f"dp-{index}", "mesh": "default", "networking": net}


@st.composite
def resources(draw):
    out = [draw(dataplane(i)) for i in range(draw(st.integers(1, 4)))]
    out += [draw(route_policy(i)) for i in range(draw(st.integers(0, 4)))]
    out += [draw(trafficroute(i)) for i in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        out.append({"type": "ExternalService", "name": "ext", "mesh": "default",
                    "tags": {"kuma.io/service": "c", "kuma.io/protocol": draw(st.sampled_from(["http", "tcp"]))},
                    "networking": {"address": "x:80"}})
    return out


def _frames(res, drop=()):
    routes = res.routes[res.routes["mesh"] == "default"].drop(columns=list(drop), errors="ignore").reset_index(drop=True)
    backends = res.backends[res.backends["mesh"] == "default"].reset_index(drop=True)
    return routes, backends


@FAST
@given(resources(), route_policy(99))
def test_a_policy_of_another_mesh_changes_nothing(docs, extra):
    before = _frames(resolve(world(docs)))
    after = _frames(resolve(world(docs + [dict(extra, mesh="other")])))
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


@FAST
@given(resources())
def test_renaming_policies_in_order_changes_nothing(docs):
    names = sorted(d["name"] for d in docs if d["type"] in ("MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute"))
    mapping = {n: f"zz-renamed-{i:03d}" for i, n in enumerate(names)}
    renamed = [dict(d, name=mapping.get(d["name"], d["name"])) if d["type"] != "Dataplane" else d for d in docs]
    drop = ["policies", "policy_keys", "reason", "trafficroute", "trafficroute_ties"]
    before, after = _frames(resolve(world(docs)), drop), _frames(resolve(world(renamed)), drop)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


@FAST
@given(resources())
def test_shares_of_forwarding_pairs_sum_to_one(docs):
    res = resolve(world(docs))
    forwarding = res.routes[res.routes["forwards"]]
    used = res.backends[res.backends["in_split"]]
    for _, r in forwarding.iterrows():
        mine = used[(used["source"] == r["source"]) & (used["destination"] == r["destination"])]
        assert len(mine) > 0
        for _, per_route in mine.groupby("route"):
            assert abs(per_route["share"].sum() - 1.0) < 1e-9
    silent = res.routes[~res.routes["forwards"]]
    for _, r in silent.iterrows():
        mine = used[(used["source"] == r["source"]) & (used["destination"] == r["destination"])]
        assert mine.empty
    assert res.backends["share"].between(0, 1).all()


# -- arbitrary RepoContent straight from the model -------------------------------------------------------
text = st.sampled_from(["a", "b", "", "*", "x.y", "kuma.io/service"])
tag_tuple = st.lists(st.tuples(text, text), max_size=3).map(lambda kv: tuple(sorted(dict(kv).items())))
opt_text = st.one_of(st.none(), text)
any_ref = st.builds(BackendRef, kind=st.sampled_from(["MeshService", "MeshServiceSubset", "Mesh", "Bogus"]),
                    name=opt_text, tags=tag_tuple, weight=st.one_of(st.none(), st.integers(0, 5)))
any_target = st.one_of(st.none(), st.builds(TargetRef, kind=st.sampled_from(["Mesh", "MeshSubset", "MeshService", "MeshServiceSubset", "MeshGateway", ""]),
                                             name=opt_text, tags=tag_tuple))
any_entry = st.builds(
    ToEntry, index=st.integers(0, 3), target_ref=any_target, has_rules=st.booleans(),
    backend_refs=st.one_of(st.none(), st.lists(any_ref, max_size=3).map(tuple)),
    http_rules=st.lists(st.builds(HTTPRule, matches=st.sampled_from(['[{"path":{"type":"PathPrefix","value":"/"}}]', "[]", "not json"]),
                                  backend_refs=st.one_of(st.none(), st.lists(any_ref, max_size=2).map(tuple))), max_size=2).map(tuple),
    rule_count=st.integers(0, 2),
)
mesh_name = st.sampled_from(["default", "m2"])


@st.composite
def any_policy(draw):
    kind = draw(st.sampled_from(["MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission"]))
    res = Resource(kind, draw(st.sampled_from(["p", "q", "route-all-default"])), draw(mesh_name), draw(st.one_of(st.none(), st.just("ns"))),
                   draw(st.sampled_from(list(Format))), {}, (), (), "f.yaml", 1)
    return Policy(res, draw(st.booleans()), target_ref=draw(any_target), to=tuple(draw(st.lists(any_entry, max_size=2))),
                  sources=tuple(Selector(t) for t in draw(st.lists(tag_tuple, max_size=2))),
                  destinations=tuple(Selector(t) for t in draw(st.lists(tag_tuple, max_size=2))),
                  splits=tuple(Split(w, t) for w, t in draw(st.lists(st.tuples(st.integers(0, 3), tag_tuple), max_size=2))))


any_proxy = st.builds(
    Proxy, name=st.sampled_from(["p1", "p2", "p3"]), mesh=mesh_name, origin=st.sampled_from(list(Origin)),
    inbounds=st.lists(st.builds(Inbound, port=st.none(), tags=tag_tuple, state=st.sampled_from(["Ready", "Ignored", "NotReady"])), max_size=2).map(tuple),
    outbounds=st.one_of(st.none(), st.lists(st.builds(Outbound, service=text, tags=tag_tuple), max_size=2).map(tuple)),
    gateway=st.one_of(st.none(), st.builds(Gateway, type=st.sampled_from(["BUILTIN", "DELEGATED"]), tags=tag_tuple)),
    group_name=st.sampled_from(["", "g"]),
)
any_service = st.builds(
    Service, mesh=mesh_name, name=text,
    endpoints=st.lists(st.builds(Endpoint, tags=tag_tuple, source=text, external=st.booleans(), external_name=opt_text), max_size=2).map(tuple),
    inferred=st.booleans(),
)


@FAST
@given(st.lists(any_policy(), max_size=5), st.lists(any_proxy, max_size=3), st.lists(any_service, max_size=4),
       st.lists(st.builds(Mesh, name=mesh_name, skip_initial_policies=st.lists(st.sampled_from(["*", "TrafficRoute"]), max_size=1).map(tuple)), max_size=2),
       st.booleans())
def test_resolution_never_raises(policies, proxies, services, meshes, defaults):
    content = RepoContent(policies=tuple(policies), proxies=tuple(proxies),
                          services=MappingProxyType({(s.mesh, s.name): s for s in services}),
                          meshes=MappingProxyType({m.name: m for m in meshes}))
    res = resolve(content, default_policies=defaults)
    assert len(res.proxies) == len(proxies)
    routes, _ = res.routes, res.backends
    for _, r in routes.iterrows():
        e = res.explain(r["source"], r["destination"], mesh=r["mesh"])
        assert e.decision.route_type == r["route_type"]
        assert str(e) and e._repr_html_()
