"""Frames, grouping, destinations, defaults and explain() through resolve()."""

from __future__ import annotations

import pytest

from meshroute_analysis.content import RepoContent
from meshroute_analysis.model import Format, Inbound, Origin, Proxy, Service
from meshroute_analysis.resolve import STATUSES, Explanation, Resolution, UnknownNameError, resolve
from meshroute_analysis.resolve.tables import BACKEND_COLUMNS, PROXY_COLUMNS, ROUTE_COLUMNS

from .builders import dataplane, http_route, ref, row, tcp_route, world


def test_empty_repository_frames_keep_their_columns():
    res = resolve(RepoContent())
    assert isinstance(res, Resolution)
    assert list(res.proxies.columns) == PROXY_COLUMNS and res.proxies.empty
    assert list(res.routes.columns) == ROUTE_COLUMNS and res.routes.empty
    assert list(res.backends.columns) == BACKEND_COLUMNS and res.backends.empty
    for contract in (["mesh", "proxy", "source", "origin"],):
        assert set(contract) <= set(res.proxies.columns)
    assert {"mesh", "source", "destination", "proxies", "protocol", "route_type", "policies", "forwards", "status",
            "reason", "policy_keys"} <= set(ROUTE_COLUMNS)
    assert {"mesh", "source", "destination", "backend", "route_type", "backend_kind", "backend_name", "backend_tags",
            "weight", "share", "backend_tags_str", "route"} <= set(BACKEND_COLUMNS)


def _replicas(n, version="v1", ns="shop"):
    return [dict(dataplane(f"web-{version}-{i}", "web", extra={"version": version}), _group=f"web-{version}.{ns}",
                 _origin="kubernetes", _transparent=True) for i in range(n)]


def test_replicas_resolve_once_and_map_to_their_group():
    res = resolve(world(_replicas(3) + _replicas(2, "v2") + [dataplane("db-1", "db", outbounds=[])]))
    groups = res.proxies.groupby("source")["proxy"].count().to_dict()
    assert groups == {"db-1": 1, "web-v1.shop": 3, "web-v2.shop": 2}
    routes = res.routes.set_index(["source", "destination"])
    assert routes.loc[("web-v1.shop", "db"), "proxies"] == 3
    assert routes.loc[("web-v1.shop", "db"), "route_type"] == "TrafficRoute"  # implicit route-all
    # transparent proxies reach every (non-inferred) service of the mesh, their own included
    assert sorted(res.routes.loc[res.routes["source"] == "web-v1.shop", "destination"]) == ["db", "web"]
    assert res.routes.loc[res.routes["source"] == "db-1"].empty  # an explicit empty outbound list


def test_differing_replicas_get_distinct_names():
    members = _replicas(2)
    members[1]["networking"]["inbound"][0]["state"] = "Ignored"
    res = resolve(world(members))
    assert sorted(res.proxies["source"].unique()) == ["web-v1.shop", "web-v1.shop (web-v1-1)"]


def test_not_ready_does_not_split_a_group():
    members = _replicas(2)
    members[1]["networking"]["inbound"][0]["state"] = "NotReady"
    assert res_sources(resolve(world(members))) == ["web-v1.shop"]


def res_sources(res):
    return sorted(res.proxies["source"].unique())


def test_inferred_services_are_destinations_only_in_policy_only_meshes():
    policy_only = world([dict(dataplane("client", "client"), _origin="inferred", _transparent=True),
                         tcp_route("t", "backend", [ref("backend-v2")], top={"kind": "MeshService", "name": "client"})])
    res = resolve(policy_only)
    assert sorted(res.routes["destination"]) == ["backend", "backend-v2", "client"]
    assert row(res, "client", "backend")["route_type"] == "MeshTCPRoute"
    mixed = world([dict(dataplane("client", "client"), _transparent=True),
                   tcp_route("t", "backend", [ref("backend-v2")])])
    assert sorted(resolve(mixed).routes["destination"]) == ["client"]


def test_defaults_are_implicit_and_respect_opt_out():
    res = resolve(world([{"type": "Mesh", "name": "default"}, {"type": "Mesh", "name": "bare", "skipCreatingInitialPolicies": ["*"]},
                         {"type": "Mesh", "name": "half", "skipCreatingInitialPolicies": ["TrafficRoute"]}]))
    got = sorted((p.mesh, p.type, p.name) for p in res.default_policies)
    assert got == [("default", "TrafficPermission", "allow-all-default"), ("default", "TrafficRoute", "route-all-default"),
                   ("half", "TrafficPermission", "allow-all-half")]
    assert all(p.resource.format is Format.IMPLICIT and p.resource.file == "" and p.resource.line == 0 for p in res.default_policies)
    assert resolve(world([{"type": "Mesh", "name": "default"}]), default_policies=False).default_policies == ()


def test_existing_route_all_is_not_duplicated():
    from .builders import route_all
    res = resolve(world([route_all()]))
    assert [p.type for p in res.default_policies] == ["TrafficPermission"]


def test_statuses_vocabulary_is_used():
    res = resolve(world([dataplane("web-1", "web", outbounds=["db", "gone"]), dataplane("db-1", "db"),
                         tcp_route("t", "gone", [ref("nowhere")])]))
    assert set(res.routes["status"]) <= set(STATUSES)
    assert row(res, "web-1", "gone")["status"] == "no-endpoints"
    assert row(res, "web-1", "db")["status"] == "ok"


def test_http_backends_have_route_and_shares_within_route():
    res = resolve(world([
        dataplane("web-1", "web", outbounds=["api"]), dataplane("api-1", "api", protocol="http", extra={"v": "1"}),
        dataplane("api-2", "api", protocol="http", extra={"v": "2"}),
        http_route("h", "api", [ref("api", 9, v="1"), ref("api", 1, v="2")], matches=[{"path": {"type": "PathPrefix", "value": "/v1"}}]),
    ]))
    b = res.backends[res.backends["destination"] == "api"]
    assert list(zip(b["route"], b["backend_tags_str"], b["share"].round(2))) == [
        ("PathPrefix /v1", "v=1", 0.9), ("PathPrefix /v1", "v=2", 0.1), ("/", "", 1.0)]
    for _, per_route in b[b["in_split"]].groupby("route"):
        assert per_route["share"].sum() == pytest.approx(1.0)


def test_explain_is_text_and_html_and_names_files():
    res = resolve(world([
        dataplane("web-1", "web", outbounds=["db"]), dataplane("db-1", "db"),
        dict(tcp_route("t", "db", [ref("db")]), _file="routes/t.yaml", _line=7),
        tcp_route("not-me", "db", [ref("x")], top={"kind": "MeshService", "name": "other"}),
    ]))
    e = res.explain("web-1", "db")
    assert isinstance(e, Explanation) and e.route_type == "MeshTCPRoute"
    text = str(e)
    for needle in ("routes/t.yaml:7", "not-me", "does not apply", "Merge order", "kuma.io/protocol='tcp'",
                   "route-all-default", "implicit default", "Final split", "MeshTCPRoute"):
        assert needle in text, needle
    assert "<h5>" in e._repr_html_() and "routes/t.yaml:7" in e._repr_html_()
    with pytest.raises(KeyError, match="there are none"):
        res.explain("db-1", "db")  # db-1 lists no outbound


def test_explain_unknown_names_list_close_ones():
    res = resolve(world([dataplane("web-1", "web", outbounds=["db"]), dataplane("db-1", "db")]))
    with pytest.raises(KeyError, match="close names: web-1"):
        res.explain("web-2", "db")
    with pytest.raises(ValueError, match="close names: db"):
        res.explain("web-1", "dbb")
    with pytest.raises(UnknownNameError, match="unknown mesh"):
        res.explain("web-1", "db", mesh="nope")


def test_explain_finds_a_source_of_the_only_mesh_that_has_it():
    res = resolve(world([dataplane("web-1", "web", mesh="shop", outbounds=["db"]), dataplane("db-1", "db", mesh="shop")]))
    assert res.explain("web-1", "db").mesh == "shop"
    with pytest.raises(KeyError):
        res.explain("web-1", "db", mesh="other")


def test_groups_of_proxies_sharing_one_name_stay_distinct():
    # A broken inventory can hold two proxies of one name in one mesh; each group still gets its own name
    # and every pair can be explained (found by the never-raises property).
    proxies = tuple(
        Proxy("p1", "m", Origin.DATAPLANE, inbounds, None, None, "g")
        for inbounds in ((), (Inbound(None, ()),), (Inbound(None, (("k", "v"),)),))
    )
    content = RepoContent(proxies=proxies, services={("m", "a"): Service("m", "a", ())})
    res = resolve(content, default_policies=False)
    names = list(res.proxies["source"])
    assert len(set(names)) == 3
    for name in names:
        assert "a" in str(res.explain(name, "a", mesh="m"))
