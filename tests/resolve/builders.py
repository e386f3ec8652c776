"""Small worlds for resolver tests, built as :class:`RepoContent` without the loader.

``world(resources)`` turns a list of Universal-format resources (plain dicts, as in the conformance cases)
into a RepoContent; it is deliberately tiny: just what the resolver reads.  A Kubernetes-format policy is
written as a Universal one with ``_namespace: <ns>`` (its core name becomes ``<name>.<ns>``), and
``_valid: false`` marks a policy that failed validation.
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

from meshroute_analysis.content import RepoContent
from meshroute_analysis.model import (
    SERVICE_TAG,
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
    make_tags,
)

TOP_LEVEL = {"Mesh", "MeshSubset", "MeshService", "MeshServiceSubset"}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def target_ref(raw: Any) -> TargetRef | None:
    if not isinstance(raw, dict):
        return None
    return TargetRef(kind=str(raw.get("kind", "")), name=raw.get("name"), tags=make_tags(raw.get("tags")), mesh=raw.get("mesh"))


def backend_refs(raw: Any) -> tuple[BackendRef, ...] | None:
    if raw is None:
        return None
    return tuple(
        BackendRef(kind=str(r.get("kind")), name=r.get("name"), tags=make_tags(r.get("tags")), weight=r.get("weight"))
        for r in raw
    )


def to_entry(index: int, raw: dict, http: bool) -> ToEntry:
    rules = raw.get("rules")
    has_rules = rules is not None
    rules = rules or []
    first = None
    if rules and not http:
        first = backend_refs(((rules[0] or {}).get("default") or {}).get("backendRefs"))
    http_rules = ()
    if http:
        http_rules = tuple(
            HTTPRule(matches=canonical(r.get("matches")), backend_refs=backend_refs((r.get("default") or {}).get("backendRefs")))
            for r in rules
        )
    return ToEntry(index=index, target_ref=target_ref(raw.get("targetRef")), has_rules=has_rules,
                   backend_refs=first, http_rules=http_rules, rule_count=len(rules))


def resource(doc: dict, spec: Any) -> Resource:
    ns = doc.get("_namespace")
    return Resource(
        kind=doc["type"], name=doc["name"], mesh=doc.get("mesh", "default"), namespace=ns,
        format=Format.KUBERNETES if ns else Format.UNIVERSAL, spec=spec, labels=(), annotations=(),
        file=doc.get("_file", "world.yaml"), line=doc.get("_line", 1),
    )


def policy(doc: dict) -> Policy:
    kind = doc["type"]
    if kind in ("MeshTCPRoute", "MeshHTTPRoute"):
        spec = doc.get("spec") or {}
        ref = target_ref(spec.get("targetRef"))
        to = tuple(to_entry(i, t, kind == "MeshHTTPRoute") for i, t in enumerate(spec.get("to") or []))
        valid = ref is not None and ref.kind in TOP_LEVEL and all(
            e.target_ref is not None and e.target_ref.kind == "MeshService" for e in to
        )
        valid = doc.get("_valid", valid)
        return Policy(resource(doc, spec), valid, target_ref=ref, to=to)
    sources = tuple(Selector(make_tags(s.get("match"))) for s in doc.get("sources") or [])
    destinations = tuple(Selector(make_tags(s.get("match"))) for s in doc.get("destinations") or [])
    splits: tuple[Split, ...] = ()
    conf = doc.get("conf") or {}
    if conf.get("destination"):
        splits = (Split(1, make_tags(conf["destination"])),)
    elif conf.get("split"):
        splits = tuple(Split(int(s.get("weight", 0) or 0), make_tags(s.get("destination"))) for s in conf["split"])
    spec = {k: doc.get(k) for k in ("sources", "destinations", "conf")}
    return Policy(resource(doc, spec), doc.get("_valid", True), sources=sources, destinations=destinations, splits=splits)


def proxy(doc: dict) -> Proxy:
    net = doc.get("networking") or {}
    inbounds = tuple(
        Inbound(port=i.get("port"), tags=make_tags(i.get("tags")), state=i.get("state", "Ready"),
                health_ready=(i.get("health") or {}).get("ready"))
        for i in net.get("inbound") or []
    )
    outbounds: tuple[Outbound, ...] | None
    if "outbound" in net:
        outbounds = tuple(
            Outbound(service=o["tags"][SERVICE_TAG], tags=make_tags(o["tags"]), port=o.get("port"))
            for o in net.get("outbound") or []
        )
    elif net.get("transparentProxying") is not None or doc.get("_transparent"):
        outbounds = None
    else:
        outbounds = ()
    gw = net.get("gateway")
    gateway = Gateway(gw.get("type", "DELEGATED"), make_tags(gw.get("tags"))) if gw else None
    origin = Origin(doc.get("_origin", "dataplane"))
    return Proxy(name=doc["name"], mesh=doc.get("mesh", "default"), origin=origin, inbounds=inbounds,
                 outbounds=outbounds, gateway=gateway, group_name=doc.get("_group", doc["name"]))


ROUTE_KINDS = ("MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission")


def world(resources: list[dict]) -> RepoContent:
    meshes: dict[str, Mesh] = {}
    policies: list[Policy] = []
    proxies: list[Proxy] = []
    endpoints: dict[tuple[str, str], list[Endpoint]] = {}
    named: set[tuple[str, str]] = set()
    for doc in resources:
        kind = doc["type"]
        mesh = doc.get("mesh", "default")
        if kind == "Mesh":
            meshes[doc["name"]] = Mesh(doc["name"], tuple(doc.get("skipCreatingInitialPolicies") or ()),
                                       bool(doc.get("mtls")))
            continue
        meshes.setdefault(mesh, Mesh(mesh))
        if kind in ROUTE_KINDS:
            p = policy(doc)
            policies.append(p)
            for e in p.to:
                if e.target_ref and e.target_ref.name:
                    named.add((mesh, e.target_ref.name))
                refs = list(e.backend_refs or ())
                for r in e.http_rules:
                    refs.extend(r.backend_refs or ())
                named.update((mesh, r.name) for r in refs if r.name)
        elif kind == "Dataplane":
            p = proxy(doc)
            proxies.append(p)
            for ib in p.inbounds:
                if ib.is_endpoint and ib.service:
                    endpoints.setdefault((mesh, ib.service), []).append(Endpoint(ib.tags, f"Dataplane {p.name}"))
                elif ib.service:
                    endpoints.setdefault((mesh, ib.service), [])
        elif kind == "ExternalService":
            tags = make_tags(doc.get("tags"))
            svc = dict(tags)[SERVICE_TAG]
            endpoints.setdefault((mesh, svc), []).append(
                Endpoint(tags, f"ExternalService {doc['name']}", external=True, external_name=doc["name"]))
        else:
            raise ValueError(f"builders.world does not know {kind}")
    services = {key: Service(key[0], key[1], tuple(eps)) for key, eps in endpoints.items()}
    for key in named:
        services.setdefault(key, Service(key[0], key[1], (), inferred=True))
    return RepoContent(policies=tuple(policies), meshes=MappingProxyType(meshes), proxies=tuple(proxies),
                       services=MappingProxyType(dict(sorted(services.items()))))


def dataplane(name: str, service: str, *, mesh: str = "default", protocol: str | None = "tcp",
              outbounds: list[str] | None = None, extra: dict | None = None, state: str | None = None,
              **kw: Any) -> dict:
    tags = {SERVICE_TAG: service}
    if protocol is not None:
        tags["kuma.io/protocol"] = protocol
    tags.update(extra or {})
    inbound: dict[str, Any] = {"port": 80, "tags": tags}
    if state:
        inbound["state"] = state
    net: dict[str, Any] = {"address": "10.0.0.1", "inbound": [inbound]}
    if outbounds is not None:
        net["outbound"] = [{"port": 10001 + i, "tags": {SERVICE_TAG: s}} for i, s in enumerate(outbounds)]
    doc = {"type": "Dataplane", "name": name, "mesh": mesh, "networking": net}
    doc.update(kw)
    return doc


def tcp_route(name: str, to: str, refs: list[dict] | None, *, top: dict | None = None, mesh: str = "default",
              **kw: Any) -> dict:
    entry: dict[str, Any] = {"targetRef": {"kind": "MeshService", "name": to}}
    if refs is not None:
        entry["rules"] = [{"default": {"backendRefs": refs}}]
    doc = {"type": "MeshTCPRoute", "name": name, "mesh": mesh,
           "spec": {"targetRef": top or {"kind": "Mesh"}, "to": [entry]}}
    doc.update(kw)
    return doc


def http_route(name: str, to: str, refs: list[dict] | None, *, matches: list | None = None, top: dict | None = None,
               mesh: str = "default", **kw: Any) -> dict:
    rule: dict[str, Any] = {"matches": matches or [{"path": {"type": "PathPrefix", "value": "/"}}], "default": {}}
    if refs is not None:
        rule["default"]["backendRefs"] = refs
    doc = {"type": "MeshHTTPRoute", "name": name, "mesh": mesh,
           "spec": {"targetRef": top or {"kind": "Mesh"}, "to": [{"targetRef": {"kind": "MeshService", "name": to}, "rules": [rule]}]}}
    doc.update(kw)
    return doc


def route_all(mesh: str = "default", name: str | None = None) -> dict:
    return {"type": "TrafficRoute", "name": name or f"route-all-{mesh}", "mesh": mesh,
            "sources": [{"match": {SERVICE_TAG: "*"}}], "destinations": [{"match": {SERVICE_TAG: "*"}}],
            "conf": {"destination": {SERVICE_TAG: "*"}}}


def allow_all(mesh: str = "default") -> dict:
    return {"type": "TrafficPermission", "name": f"allow-all-{mesh}", "mesh": mesh,
            "sources": [{"match": {SERVICE_TAG: "*"}}], "destinations": [{"match": {SERVICE_TAG: "*"}}]}


def ref(name: str, weight: int | None = None, **tags: str) -> dict:
    r: dict[str, Any] = {"kind": "MeshServiceSubset" if tags else "MeshService", "name": name}
    if tags:
        r["tags"] = tags
    if weight is not None:
        r["weight"] = weight
    return r


def row(res, source: str, destination: str, mesh: str = "default") -> dict:
    routes = res.routes
    hit = routes[(routes["mesh"] == mesh) & (routes["source"] == source) & (routes["destination"] == destination)]
    assert len(hit) == 1, f"{len(hit)} rows for {source} -> {destination}"
    return hit.iloc[0].to_dict()


def backends(res, source: str, destination: str, mesh: str = "default") -> list[dict]:
    b = res.backends
    hit = b[(b["mesh"] == mesh) & (b["source"] == source) & (b["destination"] == destination)]
    return hit.to_dict("records")
