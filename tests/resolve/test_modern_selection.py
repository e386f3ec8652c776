"""2.8 to 2.14 on the legacy ``kuma.io/service`` engine, through the public API (files, ``load_repo``, ``resolve``).

Each test pins one version difference read from Kuma's source (the citation is on the field in
``meshroute_analysis/resolve/semantics.py``) against the version before it, so that a fact that moves breaks
exactly one test.  The labelled worlds (``tests/test_oracle.py``) check the same facts at 2.13.10 and 2.14.3
in combination; these small worlds say which fact a disagreement is about.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import meshroute_analysis as mra


def _dataplane(name: str, service: str, *, protocol: str = "tcp", labels: dict | None = None, state: str | None = None,
               outbounds: tuple[str, ...] = (), transparent: bool = False, address: str = "10.0.0.1") -> dict:
    inbound: dict = {"port": 8000, "tags": {"kuma.io/service": service, "kuma.io/protocol": protocol}}
    if state:
        inbound["state"] = state
    networking: dict = {"address": address, "inbound": [inbound],
                        "outbound": [{"port": 20000 + i, "tags": {"kuma.io/service": s}} for i, s in enumerate(outbounds)]}
    if transparent:
        networking["transparentProxying"] = {"redirectPortInbound": 15006, "redirectPortOutbound": 15001}
    doc = {"type": "Dataplane", "name": name, "mesh": "default", "networking": networking}
    if labels:
        doc["labels"] = labels
    return doc


def _tcp_route(name: str, target: dict | None, to: str, backends: list[dict]) -> dict:
    spec: dict = {"to": [{"targetRef": {"kind": "MeshService", "name": to}, "rules": [{"default": {"backendRefs": backends}}]}]}
    if target is not None:
        spec["targetRef"] = target
    return {"type": "MeshTCPRoute", "name": name, "mesh": "default", "spec": spec}


def _resolve(tmp_path: Path, docs: list[dict], version: str) -> mra.Resolution:
    (tmp_path / "world.yaml").write_text("\n---\n".join(json.dumps(d) for d in [{"type": "Mesh", "name": "default"}, *docs]))
    return mra.resolve(mra.load_repo(tmp_path), kuma_version=version, default_policies=False)


def _route(res: mra.Resolution, source: str, destination: str):
    rows = res.routes[(res.routes["source"] == source) & (res.routes["destination"] == destination)]
    assert len(rows) == 1, f"no single row for {source} -> {destination}: {res.routes[['source', 'destination']].values.tolist()}"
    return rows.iloc[0]


def _shares(res: mra.Resolution, source: str, destination: str) -> dict[str, float]:
    b = res.backends
    used = b[(b["source"] == source) & (b["destination"] == destination) & b["in_split"]]
    return {f"{n}{dict(t) if t else ''}": round(s, 6) for n, t, s in zip(used["backend_name"], used["backend_tags"], used["share"])}


# Three services; "web" reaches "api" through its own listed outbound.  The route under test sends api to db.
BASE = [
    _dataplane("web-0", "web", labels={"app": "web"}, outbounds=("api",)),
    _dataplane("web-1", "web", labels={"app": "web-canary"}, outbounds=("api",), address="10.0.0.2"),
    _dataplane("api-0", "api", address="10.0.0.3"),
    _dataplane("db-0", "db", address="10.0.0.4"),
]
TO_DB = [{"kind": "MeshService", "name": "db", "weight": 1}]


def test_dataplane_ref_by_labels_selects_only_the_proxies_that_carry_them(tmp_path):
    res = _resolve(tmp_path, [*BASE, _tcp_route("canary", {"kind": "Dataplane", "labels": {"app": "web-canary"}}, "api", TO_DB)], "2.14")
    assert _shares(res, "web-1", "api") == {"db": 1.0}
    assert _shares(res, "web-0", "api") == {"api": 1.0}  # the plugin's route to the service itself
    text = str(res.explain("web-0", "api"))
    assert "targetRef Dataplane with labels {app=web-canary}: the Dataplane's labels lack {app=web-canary}" in text


def test_dataplane_ref_by_name_and_computed_labels(tmp_path):
    by_name = _tcp_route("one", {"kind": "Dataplane", "name": "web-0"}, "api", TO_DB)
    # kuma.io/zone is computed on every Dataplane of a zone: the default zone is called "default".
    by_zone = {**_tcp_route("zone", {"kind": "Dataplane", "labels": {"kuma.io/zone": "default"}}, "api",
                            [{"kind": "MeshService", "name": "web", "weight": 1}])}
    res = _resolve(tmp_path, [*BASE, by_name], "2.14")
    assert _shares(res, "web-0", "api") == {"db": 1.0} and _shares(res, "web-1", "api") == {"api": 1.0}
    res = _resolve(tmp_path, [*BASE, by_zone], "2.14")
    assert _shares(res, "web-0", "api") == _shares(res, "web-1", "api") == {"web": 1.0}


def test_dataplane_kind_is_refused_before_2_10(tmp_path):
    docs = [*BASE, _tcp_route("one", {"kind": "Dataplane", "name": "web-0"}, "api", TO_DB)]
    assert "MeshTCPRoute/one" in set(_resolve(tmp_path, docs, "2.9").violations["policy"])
    assert "MeshTCPRoute/one" not in set(_resolve(tmp_path, docs, "2.10").violations["policy"])


def test_a_policy_without_top_level_target_ref_targets_the_mesh_from_2_9(tmp_path):
    docs = [*BASE, _tcp_route("everyone", None, "api", TO_DB)]
    assert _shares(_resolve(tmp_path, docs, "2.9"), "web-0", "api") == {"db": 1.0}
    res = _resolve(tmp_path, docs, "2.8")
    assert "MeshTCPRoute/everyone" in set(res.violations["policy"])
    assert _shares(res, "web-0", "api") == {"api": 1.0}


def _http_world(prefix: str, backends: list[dict]) -> list[dict]:
    """web (http) reaches api (http); one Mesh-wide MeshHTTPRoute sends api's ``prefix`` to ``backends``;
    queue is a kafka service, which an HTTP split refuses."""
    return [
        _dataplane("web-0", "web", protocol="http", outbounds=("api",)),
        _dataplane("api-0", "api", protocol="http", address="10.0.0.3"),
        _dataplane("q-0", "queue", protocol="kafka", address="10.0.0.5"),
        {"type": "MeshHTTPRoute", "name": "split", "mesh": "default", "spec": {
            "targetRef": {"kind": "Mesh"},
            "to": [{"targetRef": {"kind": "MeshService", "name": "api"}, "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": prefix}}], "default": {"backendRefs": backends}}]}]}},
    ]


def test_a_refused_backend_is_dropped_alone_from_2_9(tmp_path):
    # A kafka backend in an HTTP split: 2.8 drops the whole route, 2.9 only that backend.
    docs = _http_world("/", [{"kind": "MeshService", "name": "queue", "weight": 1}, {"kind": "MeshService", "name": "api", "weight": 3}])
    assert _shares(_resolve(tmp_path, docs, "2.9"), "web-0", "api") == {"api": 1.0}
    old = _resolve(tmp_path, docs, "2.8")
    assert _shares(old, "web-0", "api") == {} and not _route(old, "web-0", "api").forwards
    assert "whole split is dropped" in str(old.explain("web-0", "api"))


def test_a_transparent_proxy_keeps_only_vip_outbounds_from_2_9(tmp_path):
    # "ghost" has only an Ignored inbound: no VIP; web-0 lists an outbound for it anyway.
    docs = [_dataplane("web-0", "web", outbounds=("ghost",), transparent=True),
            _dataplane("ghost-0", "ghost", state="Ignored", address="10.0.0.9")]
    assert "ghost" in set(_resolve(tmp_path, docs, "2.8").routes["destination"])
    assert "ghost" not in set(_resolve(tmp_path, docs, "2.9").routes["destination"])


@pytest.mark.parametrize(("version", "forwards_kept_route"), [("2.11", None), ("2.13", False), ("2.14", None)])
def test_an_http_route_whose_split_is_empty(tmp_path, version, forwards_kept_route):
    # Every backend of the /api route is kafka, which an HTTP split refuses: 2.12 and 2.13 keep the route
    # (an empty split is not nil), 2.14 skips it again, as 2.9 to 2.11 did.
    docs = _http_world("/api", [{"kind": "MeshService", "name": "queue", "weight": 1}])
    res = _resolve(tmp_path, docs, version)
    row = _route(res, "web-0", "api")
    assert row.route_type == "MeshHTTPRoute" and row.forwards  # the catch-all still forwards to api
    kept = res.backends[(res.backends["destination"] == "api") & (res.backends["route"] != "/")]
    if forwards_kept_route is None:
        assert kept.empty or not kept["in_split"].any()
        assert "dropped" in str(res.explain("web-0", "api"))
    else:
        assert not kept.empty and not kept["in_split"].any()


def test_consumer_policies_select_only_their_namespace(tmp_path):
    # On Kubernetes from 2.8 a policy outside the system namespace whose `to` items are about another
    # namespace is a consumer policy: it selects the proxies of its own namespace (dppSelectedByNamespace).
    # The legacy engine ignores a `to` ref's namespace (rules.go asSubset), so it still routes api.
    ns = lambda name: {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {"kuma.io/sidecar-injection": "enabled"}}}  # noqa: E731

    def deployment(name: str, namespace: str) -> list[dict]:
        labels = {"app": name}
        return [
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace},
             "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels},
                      "spec": {"containers": [{"name": name, "image": "x", "ports": [{"containerPort": 8080}]}]}}}},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace},
             "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]}},
        ]

    route = {"apiVersion": "kuma.io/v1alpha1", "kind": "MeshTCPRoute",
             "metadata": {"name": "to-db", "namespace": "team-a", "labels": {"kuma.io/mesh": "default"}},
             "spec": {"targetRef": {"kind": "Mesh"}, "to": [{"targetRef": {"kind": "MeshService", "name": "api_team-a_svc_80", "namespace": "elsewhere"},
                      "rules": [{"default": {"backendRefs": [{"kind": "MeshService", "name": "db_team-a_svc_80", "weight": 1}]}}]}]}}
    docs = [ns("team-a"), ns("team-b"), *deployment("api", "team-a"), *deployment("db", "team-a"),
            *deployment("web", "team-a"), *deployment("web", "team-b"), route]
    (tmp_path / "all.yaml").write_text("\n---\n".join(json.dumps(d) for d in docs))
    res = mra.resolve(mra.load_repo(tmp_path), kuma_version="2.14", default_policies=False)
    routes = res.routes[res.routes["destination"] == "api_team-a_svc_80"].set_index("source")
    assert routes.loc["web.team-a", "policies"] == ("to-db",)
    assert routes.loc["web.team-b", "policies"] == ()


def test_the_zone_of_the_control_plane_is_what_it_computes_into_labels(tmp_path):
    docs = [*BASE, _tcp_route("zoned", {"kind": "Dataplane", "labels": {"kuma.io/zone": "zone-1"}}, "api", TO_DB)]
    (tmp_path / "world.yaml").write_text("\n---\n".join(json.dumps(d) for d in [{"type": "Mesh", "name": "default"}, *docs]))
    here = mra.resolve(mra.load_repo(tmp_path, zone="zone-1"), kuma_version="2.14", default_policies=False)
    assert _shares(here, "web-0", "api") == {"db": 1.0}
    default = mra.resolve(mra.load_repo(tmp_path), kuma_version="2.14", default_policies=False)
    assert _shares(default, "web-0", "api") == {"api": 1.0}  # the zone is "default" unless told
    configured = tmp_path / "conf"
    configured.mkdir()
    (configured / ".meshroute.toml").write_text('zone = "zone-1"\n')
    repo = mra.load_repo(tmp_path / "world.yaml", config=mra.load_config(configured))
    assert repo.content.zone == "zone-1"
    with pytest.raises(mra.UsageError, match="zone: must be a zone name"):
        mra.load_repo(tmp_path, zone="Zone_1")


def test_a_dataplane_ref_selects_a_delegated_gateway_from_2_13_3(tmp_path):
    case = Path(__file__).resolve().parents[1] / "cases" / "304-dataplane-ref-selects-delegated-gateway-2.13.10.yaml"
    import yaml

    docs = yaml.safe_load(case.read_text())["resources"]
    (tmp_path / "world.yaml").write_text(yaml.safe_dump_all(docs))
    for version, policies in (("2.13.2", ()), ("2.13.3", ("mhr-1",)), ("2.12.7", ()), ("2.12.8", ("mhr-1",)), ("2.11", ())):
        res = mra.resolve(mra.load_repo(tmp_path), kuma_version=version, default_policies=False)
        assert _route(res, "kong", "backend").policies == policies, version
