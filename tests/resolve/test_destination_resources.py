"""The 2.9+ resource engine through the public API: MeshService outbounds, meshServices modes, generated
MeshServices, legacy-name mapping, real backendRefs and their version gates.

Each expectation cites the Kuma source it was read from (see ``meshroute_analysis/resolve/destinations.py``);
``tests/cases/301-303`` pin the v2.14.3 ``_routes`` inspect goldens.
"""

from __future__ import annotations

import json
from pathlib import Path

import meshroute_analysis as mra


def _k8s(mode: str | None) -> list[dict]:
    mesh: dict = {"apiVersion": "kuma.io/v1alpha1", "kind": "Mesh", "metadata": {"name": "default"}, "spec": {}}
    if mode:
        mesh["spec"]["meshServices"] = {"mode": mode}
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"kuma.io/sidecar-injection": "enabled"}}}

    def app(name: str, protocol: str | None = None) -> list[dict]:
        port: dict = {"name": "api", "port": 80, "targetPort": 8080}
        if protocol:
            port["appProtocol"] = protocol
        return [
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "shop"},
             "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}},
                      "spec": {"containers": [{"name": name, "image": "x", "ports": [{"containerPort": 8080}]}]}}}},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "shop"},
             "spec": {"selector": {"app": name}, "ports": [port]}},
        ]

    return [mesh, ns, *app("web"), *app("backend", "http"), *app("canary", "http")]


def _resolve(tmp_path: Path, docs: list[dict], version: str = "2.14") -> mra.Resolution:
    (tmp_path / "all.yaml").write_text("\n---\n".join(json.dumps(d) for d in docs))
    return mra.resolve(mra.load_repo(tmp_path), kuma_version=version, default_policies=False)


BACKEND = "kri_msvc_default_default_shop_backend_api"


def _row(res: mra.Resolution, source: str, destination: str):
    rows = res.routes[(res.routes["source"] == source) & (res.routes["destination"] == destination)]
    assert len(rows) == 1, sorted(res.routes.loc[res.routes["source"] == source, "destination"])
    return rows.iloc[0]


def _shares(res: mra.Resolution, source: str, destination: str) -> dict[str, float]:
    b = res.backends
    used = b[(b["source"] == source) & (b["destination"] == destination) & b["in_split"]]
    return {n: round(s, 6) for n, s in zip(used["backend_name"], used["share"])}


def test_generated_meshservices_give_kri_outbounds_beside_the_legacy_ones(tmp_path):
    res = _resolve(tmp_path, _k8s("Everywhere"))
    web = res.routes[res.routes["source"] == "web.shop"]
    # Everywhere: the legacy VIP outbound and the MeshService one, each routed by its own engine.
    assert {"backend_shop_svc_80", BACKEND} <= set(web["destination"])
    row = _row(res, "web.shop", BACKEND)
    assert row.protocol == "http" and row.service == "default_backend_shop_default_msvc_80"
    assert row.status == "ok"  # the backend pod is its endpoint (dataplaneTags: app + namespace)
    generated = {d.name: d.generated_from for d in res.content.destinations}
    assert generated == {"web": "Service web.shop", "backend": "Service backend.shop", "canary": "Service canary.shop"}


def test_disabled_mode_generates_nothing_and_exclusive_drops_the_legacy_outbounds(tmp_path):
    assert not _resolve(tmp_path, _k8s(None)).content.destinations
    exclusive = _resolve(tmp_path, _k8s("Exclusive"))
    web = set(exclusive.routes.loc[exclusive.routes["source"] == "web.shop", "destination"])
    assert BACKEND in web and not any(d.endswith("_svc_80") for d in web)


def _route_to_canary(to_ref: dict, backend: dict) -> dict:
    return {"apiVersion": "kuma.io/v1alpha1", "kind": "MeshHTTPRoute",
            "metadata": {"name": "to-canary", "namespace": "kuma-system", "labels": {"kuma.io/mesh": "default"}},
            "spec": {"targetRef": {"kind": "Mesh"}, "to": [{"targetRef": to_ref, "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                "default": {"backendRefs": [backend]}}]}]}}


def test_a_legacy_name_is_mapped_to_the_real_meshservice_and_wins_there(tmp_path):
    # to: MeshService backend_shop_svc_80 is read by both engines: the legacy one on the old VIP, the
    # resource one (parseService: display name backend, namespace shop, port 80) on the MeshService.
    real = {"kind": "MeshService", "name": "canary", "namespace": "shop", "port": 80, "weight": 1}
    res = _resolve(tmp_path, [*_k8s("Everywhere"), _route_to_canary({"kind": "MeshService", "name": "backend_shop_svc_80"}, real)])
    assert _shares(res, "web.shop", BACKEND) == {"default_canary_shop_default_msvc_80": 1.0}
    assert _row(res, "web.shop", BACKEND).policies == ("to-canary",)


def test_a_section_name_backend_is_real_from_2_12(tmp_path):
    ref = {"kind": "MeshService", "labels": {"kuma.io/display-name": "backend"}}
    by_section = {"kind": "MeshService", "name": "canary", "namespace": "shop", "sectionName": "api", "weight": 1}
    docs = [*_k8s("Everywhere"), _route_to_canary(ref, by_section)]
    assert _shares(_resolve(tmp_path, docs, "2.12"), "web.shop", BACKEND) == {"default_canary_shop_default_msvc_80": 1.0}
    # 2.11: sectionName alone leaves it a legacy ref to kuma.io/service "canary", which does not exist on
    # Kubernetes (its name is canary_shop_svc_80): unknown protocol, so the HTTP split drops it, the route is
    # left with no backend and is skipped, and no route is left to build a listener.
    old = _resolve(tmp_path, docs, "2.11")
    assert _shares(old, "web.shop", BACKEND) == {} and not _row(old, "web.shop", BACKEND).forwards
    assert "canary: unknown is not accepted here" in str(old.explain("web.shop", BACKEND))


def test_an_unresolvable_real_backend_carries_nothing(tmp_path):
    ref = {"kind": "MeshService", "labels": {"kuma.io/display-name": "backend"}}
    missing = {"kind": "MeshService", "name": "nowhere", "namespace": "shop", "port": 80, "weight": 1}
    # The only route loses its only backend and is skipped (2.14 skips empty routes), so the MeshHTTPRoute
    # plugin builds no listener, and MeshTCPRoute has no conf for an http outbound: nothing routes it.
    res = _resolve(tmp_path, [*_k8s("Everywhere"), _route_to_canary(ref, missing)])
    row = _row(res, "web.shop", BACKEND)
    assert (row.route_type, row.forwards) == ("none", False)
    text = str(res.explain("web.shop", BACKEND))
    assert "UnresolvedBackend MeshService nowhere port 80" in text and "generated by Kuma for Service backend.shop" in text


def test_before_2_9_destination_resources_change_nothing(tmp_path):
    docs = _k8s("Everywhere")
    assert BACKEND not in set(_resolve(tmp_path, docs, "2.8").routes["destination"])


def test_the_destinations_frame_lists_every_port_with_its_kri(tmp_path):
    (tmp_path / "all.yaml").write_text("\n---\n".join(json.dumps(d) for d in _k8s("Everywhere")))
    frame = mra.load_repo(tmp_path).destinations
    row = frame[frame["name"] == "backend"].iloc[0]
    assert (row.kind, row.namespace, row.port_name, row.port, row.app_protocol) == ("MeshService", "shop", "api", 80, "http")
    assert (row.kri, row.service, row.generated_from) == (BACKEND, "default_backend_shop_default_msvc_80", "Service backend.shop")
    assert row.selector == {"app": "backend", "k8s.kuma.io/namespace": "shop"}


def test_external_and_multizone_services_get_outbounds_and_endpoints(tmp_path):
    docs = [
        *_k8s("Exclusive"),
        {"apiVersion": "kuma.io/v1alpha1", "kind": "MeshExternalService",
         "metadata": {"name": "payments", "namespace": "kuma-system", "labels": {"kuma.io/mesh": "default"}},
         "spec": {"match": {"type": "HostnameGenerator", "port": 443, "protocol": "tcp"},
                  "endpoints": [{"address": "pay.example.com", "port": 443}]}},
        {"apiVersion": "kuma.io/v1alpha1", "kind": "MeshMultiZoneService",
         "metadata": {"name": "backend-everywhere", "namespace": "kuma-system", "labels": {"kuma.io/mesh": "default"}},
         "spec": {"selector": {"meshService": {"matchLabels": {"k8s.kuma.io/service-name": "backend"}}},
                  "ports": [{"port": 80, "appProtocol": "http"}]}},
    ]
    res = _resolve(tmp_path, docs)
    web = res.routes[res.routes["source"] == "web.shop"].set_index("destination")
    external = "kri_extsvc_default_default_kuma-system_payments_443"  # a zone's own: it carries the zone
    multizone = "kri_mzsvc_default__kuma-system_backend-everywhere_80"  # only a global CP makes one: no zone
    assert web.loc[external, "status"] == "ok" and web.loc[external, "protocol"] == "tcp"
    assert web.loc[multizone, "status"] == "ok" and web.loc[multizone, "protocol"] == "http"


def test_reachable_backends_pick_the_outbounds_and_the_mode_requires_them(tmp_path):
    def world(mode: str, reachable: dict | None) -> list[dict]:
        mesh = {"type": "Mesh", "name": "default", "meshServices": {"mode": mode}}
        proxying: dict = {"redirectPortInbound": 15006, "redirectPortOutbound": 15001}
        if reachable is not None:
            proxying["reachableBackends"] = reachable
        web = {"type": "Dataplane", "name": "web-0", "mesh": "default", "networking": {
            "address": "10.0.0.1", "inbound": [{"port": 80, "tags": {"kuma.io/service": "web"}}], "transparentProxying": proxying}}
        services = [{"type": "MeshService", "name": n, "mesh": "default", "spec": {
            "selector": {"dataplaneTags": {"kuma.io/service": n}}, "ports": [{"name": "a", "port": 80}, {"name": "b", "port": 81}]}}
            for n in ("api", "db")]
        return [mesh, web, *services]

    def real(docs: list[dict]) -> set[str]:
        res = _resolve(tmp_path, docs)
        return {d for d in res.routes["destination"] if d.startswith("kri_")}

    # web-0's own kuma.io/service gives a generated MeshService too (Universal zones generate them).
    every = {f"kri_msvc_default_default__{n}_{p}" for n in ("api", "db") for p in "ab"} | {"kri_msvc_default_default__web_80"}
    assert real(world("Everywhere", None)) == every
    assert real(world("ReachableBackends", None)) == set()
    picked = {"refs": [{"kind": "MeshService", "name": "api", "port": 81}, {"kind": "MeshService", "labels": {"kuma.io/display-name": "db"}}]}
    assert real(world("ReachableBackends", picked)) == {"kri_msvc_default_default__api_b", "kri_msvc_default_default__db_a",
                                                        "kri_msvc_default_default__db_b"}


def test_the_reachable_backends_annotation_of_a_pod(tmp_path):
    docs = _k8s("Everywhere")
    web = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "web")
    web["spec"]["template"]["metadata"]["annotations"] = {
        "kuma.io/reachable-backends": "refs:\n- kind: MeshService\n  name: canary\n  port: 80\n"}
    res = _resolve(tmp_path, docs)
    real = {d for d in res.routes.loc[res.routes["source"] == "web.shop", "destination"] if d.startswith("kri_")}
    assert real == {"kri_msvc_default_default_shop_canary_api"}  # the pod's namespace, as the ref says none
    web["spec"]["template"]["metadata"]["annotations"]["kuma.io/reachable-backends"] = "refs: {not: a list}"
    broken = _resolve(tmp_path, docs)
    row = broken.content.workloads
    assert any(w.name == "web" and not w.sidecar and "invalid format" in w.reason for w in row)


def test_a_listed_backend_ref_outbound_of_a_proxy_without_transparent_proxying(tmp_path):
    # Exclusive: no legacy outbounds; the api MeshService is written, web's and api's own are generated.
    docs = [
        {"type": "Mesh", "name": "default", "meshServices": {"mode": "Exclusive"}},
        {"type": "Dataplane", "name": "web-0", "mesh": "default", "networking": {
            "address": "10.0.0.1", "inbound": [{"port": 80, "tags": {"kuma.io/service": "web"}}],
            "outbound": [{"port": 10001, "backendRef": {"kind": "MeshService", "name": "api", "port": 8080}}]}},
        {"type": "Dataplane", "name": "api-0", "mesh": "default", "networking": {
            "address": "10.0.0.2", "inbound": [{"port": 8080, "tags": {"kuma.io/service": "api"}}]}},
        {"type": "MeshService", "name": "api", "mesh": "default", "spec": {
            "selector": {"dataplaneTags": {"kuma.io/service": "api"}}, "ports": [{"name": "main", "port": 8080}, {"port": 9090}]}},
        {"type": "MeshTCPRoute", "name": "main-only", "mesh": "default", "spec": {"to": [{
            "targetRef": {"kind": "MeshService", "name": "api", "sectionName": "main"},
            "rules": [{"default": {"backendRefs": [{"kind": "MeshService", "name": "api", "port": 9090}]}}]}]}},
    ]
    res = _resolve(tmp_path, docs)
    assert _row(res, "web-0", "kri_msvc_default_default__api_8080").policies == ()
    web = res.routes[res.routes["source"] == "web-0"]
    # The KRI keeps the port number (resolve.BackendRef names the section by it), so a sectionName: main
    # rule would not apply here, only rules about the whole MeshService.
    assert list(web["destination"]) == ["kri_msvc_default_default__api_8080"]
    assert web.iloc[0].status == "ok"


def test_a_universal_zone_generates_meshservices_from_its_dataplanes(tmp_path):
    docs = [
        {"type": "Mesh", "name": "default", "meshServices": {"mode": "Everywhere"}},
        {"type": "Dataplane", "name": "web-0", "mesh": "default", "networking": {
            "address": "10.0.0.1", "inbound": [{"port": 80, "tags": {"kuma.io/service": "web"}}],
            "transparentProxying": {"redirectPortInbound": 15006, "redirectPortOutbound": 15001}}},
        {"type": "Dataplane", "name": "backend-0", "mesh": "default", "networking": {
            "address": "10.0.0.2", "inbound": [{"port": 8080, "name": "api", "tags": {"kuma.io/service": "backend", "kuma.io/protocol": "http"}},
                                               {"port": 9000, "tags": {"kuma.io/service": "Not_A_Label"}}]}},
    ]
    res = _resolve(tmp_path, docs)
    generated = {(d.name, tuple((p.name, p.port, p.app_protocol) for p in d.ports)) for d in res.content.destinations}
    assert generated == {("web", (("80", 80, "tcp"),)), ("backend", (("api", 8080, "http"),))}
    row = _row(res, "web-0", "kri_msvc_default_default__backend_api")
    assert (row.protocol, row.status) == ("http", "ok")


def test_a_labels_ref_counts_as_a_legacy_rule_for_the_trafficroute_guard(tmp_path):
    # The mesh still has a TrafficRoute. A MeshTCPRoute whose only `to` is a MeshService by labels still gives
    # the proxy a legacy rule (subset kuma.io/service: ""), so the plugin runs and routes the real outbound.
    docs = [
        {"type": "Mesh", "name": "default", "meshServices": {"mode": "Exclusive"}},
        {"type": "TrafficRoute", "name": "route-all", "mesh": "default", "sources": [{"match": {"kuma.io/service": "*"}}],
         "destinations": [{"match": {"kuma.io/service": "*"}}], "conf": {"destination": {"kuma.io/service": "*"}}},
        {"type": "Dataplane", "name": "web-0", "mesh": "default", "networking": {
            "address": "10.0.0.1", "inbound": [{"port": 80, "tags": {"kuma.io/service": "web"}}],
            "transparentProxying": {"redirectPortInbound": 15006, "redirectPortOutbound": 15001}}},
        {"type": "Dataplane", "name": "api-0", "mesh": "default", "networking": {
            "address": "10.0.0.2", "inbound": [{"port": 8080, "tags": {"kuma.io/service": "api"}}]}},
        {"type": "MeshTCPRoute", "name": "by-labels", "mesh": "default", "spec": {"to": [{
            "targetRef": {"kind": "MeshService", "labels": {"kuma.io/display-name": "api"}},
            "rules": [{"default": {"backendRefs": [{"kind": "MeshService", "name": "api", "port": 8080}]}}]}]}},
    ]
    res = _resolve(tmp_path, docs)
    row = _row(res, "web-0", "kri_msvc_default_default__api_8080")
    assert (row.route_type, row.policies, row.forwards) == ("MeshTCPRoute", ("by-labels",), True)
    # Without it, the TrafficRoute keeps the plugins from running: no listener (MRA602).
    alone = _resolve(tmp_path, docs[:-1])
    assert _row(alone, "web-0", "kri_msvc_default_default__api_8080").route_type == "none"
