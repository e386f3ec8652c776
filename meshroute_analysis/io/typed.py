"""Typed views of recognised resources: policies and meshes.

Parsing here is lenient on purpose: a policy that breaks 2.5 validation is still read as far as it can
be (so the audit can point into it), and a field of the wrong type reads as absent rather than raising.
Whether a policy may apply is decided by validation (:mod:`meshroute_analysis.validate`), not here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..model import (
    MESH_LABEL,
    BackendRef,
    Destination,
    Format,
    HTTPFilter,
    HTTPRule,
    Listener,
    Mesh,
    MeshGateway,
    Policy,
    Resource,
    Selector,
    ServicePort,
    Split,
    TargetRef,
    ToEntry,
    TrafficRouteHTTP,
    make_tags,
)

ROUTE_POLICY_KINDS = ("MeshTCPRoute", "MeshHTTPRoute")
LEGACY_POLICY_KINDS = ("TrafficRoute", "TrafficPermission")
POLICY_KINDS = ROUTE_POLICY_KINDS + LEGACY_POLICY_KINDS


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _opt_str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def target_ref(value: Any) -> TargetRef | None:
    ref = _mapping(value)
    kind = ref.get("kind")
    if not isinstance(kind, str) or not kind:
        return None
    proxy_types = tuple(str(t) for t in _list(ref.get("proxyTypes")))
    labels = ref.get("labels")
    return TargetRef(kind=kind, name=_opt_str(ref.get("name")), tags=make_tags(ref.get("tags")), mesh=_opt_str(ref.get("mesh")),
                     proxy_types=proxy_types, labels=make_tags(labels) if isinstance(labels, dict) else None,
                     namespace=_opt_str(ref.get("namespace")), section_name=_opt_str(ref.get("sectionName")))


def _weight(value: Any) -> int | None:
    # bool is an int in Python but not in JSON: a YAML `true` weight is garbage, read as absent.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def backend_refs(value: Any) -> tuple[BackendRef, ...] | None:
    if not isinstance(value, list):
        return None
    refs = []
    for item in value:
        ref = _mapping(item)
        kind = ref.get("kind")
        labels = ref.get("labels")
        refs.append(
            BackendRef(
                kind=kind if isinstance(kind, str) else "",
                name=_opt_str(ref.get("name")),
                tags=make_tags(ref.get("tags")),
                weight=_weight(ref.get("weight")),
                port=_weight(ref.get("port")),
                section_name=_opt_str(ref.get("sectionName")),
                labels=make_tags(labels) if isinstance(labels, dict) else None,
                namespace=_opt_str(ref.get("namespace")),
            )
        )
    return tuple(refs)


def _crd_defaulted(matches: Any) -> Any:
    """``matches`` as the Kubernetes API server stores them: the CRD defaults ``headers[].type`` to Exact
    (``pkg/plugins/policies/meshhttproute/k8s/crd/kuma.io_meshhttproutes.yaml``); Universal has no defaulting."""
    if not isinstance(matches, list):
        return matches
    out = []
    for match in matches:
        if isinstance(match, dict) and isinstance(match.get("headers"), list):
            headers = [{"type": "Exact", **h} if isinstance(h, dict) and "type" not in h else h for h in match["headers"]]
            match = {**match, "headers": headers}
        out.append(match)
    return out


def _http_rule(value: Any, kubernetes: bool) -> HTTPRule:
    rule = _mapping(value)
    # The merge key of MeshHTTPRoute rules is their ``matches`` (``policyMerge:"mergeValuesByKey"``, compared
    # after storage defaulting); canonical JSON makes equal matches compare equal whatever their key order.
    raw = _crd_defaulted(rule.get("matches")) if kubernetes else rule.get("matches")
    matches = json.dumps(raw, sort_keys=True, default=str)
    default = _mapping(rule.get("default"))
    return HTTPRule(matches=matches, backend_refs=backend_refs(default.get("backendRefs")), filters=_filters(default.get("filters")))


def _filters(value: Any) -> tuple[HTTPFilter, ...] | None:
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        entry = _mapping(item)
        kind = entry.get("type")
        mirror = _mapping(_mapping(entry.get("requestMirror")).get("backendRef"))
        refs = backend_refs([mirror]) if kind == "RequestMirror" and mirror else None
        out.append(HTTPFilter(kind if isinstance(kind, str) else "", refs[0] if refs else None))
    return tuple(out)


def _to_entry(index: int, value: Any, kind: str, kubernetes: bool) -> ToEntry:
    entry = _mapping(value)
    rules = entry.get("rules")
    rule_list = _list(rules)
    first = _mapping(rule_list[0]) if rule_list else {}
    return ToEntry(
        index=index,
        target_ref=target_ref(entry.get("targetRef")),
        has_rules=bool(rule_list),
        backend_refs=backend_refs(_mapping(first.get("default")).get("backendRefs")) if kind == "MeshTCPRoute" else None,
        http_rules=tuple(_http_rule(r, kubernetes) for r in rule_list) if kind == "MeshHTTPRoute" else (),
        rule_count=len(rule_list),
    )


def _selectors(value: Any) -> tuple[Selector, ...]:
    return tuple(Selector(make_tags(_mapping(s).get("match"))) for s in _list(value))


def _http_routes(conf: Mapping[str, Any]) -> tuple[TrafficRouteHTTP, ...]:
    """Every ``conf.http[]`` entry: its match and its destinations (a destination or a split, like ``conf``)."""
    return tuple(
        TrafficRouteHTTP(json.dumps(_mapping(entry).get("match"), sort_keys=True, default=str), _splits(_mapping(entry)))
        for entry in _list(conf.get("http"))
    )


def _splits(conf: Mapping[str, Any]) -> tuple[Split, ...]:
    # ``conf.destination`` is shorthand for a single split of weight 1 (``TrafficRoute`` docs and
    # ``pkg/xds/topology/router.go``).
    if isinstance(conf.get("destination"), dict):
        return (Split(1, make_tags(conf["destination"])),)
    splits = []
    for item in _list(conf.get("split")):
        split = _mapping(item)
        weight = _weight(split.get("weight"))
        splits.append(Split(weight if weight is not None else 0, make_tags(split.get("destination"))))
    return tuple(splits)


def policy(resource: Resource, valid: bool, apply_order: int = 0) -> Policy:
    spec = _mapping(resource.spec)
    if resource.kind in LEGACY_POLICY_KINDS:
        return Policy(
            resource=resource,
            valid=valid,
            apply_order=apply_order,
            sources=_selectors(spec.get("sources")),
            destinations=_selectors(spec.get("destinations")),
            splits=_splits(_mapping(spec.get("conf"))) if resource.kind == "TrafficRoute" else (),
            http_routes=_http_routes(_mapping(spec.get("conf"))) if resource.kind == "TrafficRoute" else (),
        )
    return Policy(
        resource=resource,
        valid=valid,
        apply_order=apply_order,
        target_ref=target_ref(spec.get("targetRef")),
        to=tuple(
            _to_entry(i, e, resource.kind, resource.format is Format.KUBERNETES) for i, e in enumerate(_list(spec.get("to")))
        ),
    )


def mesh(resource: Resource) -> Mesh:
    spec = _mapping(resource.spec)
    skip = spec.get("skipCreatingInitialPolicies")
    mtls = _mapping(spec.get("mtls"))
    mode = _mapping(spec.get("meshServices")).get("mode")
    return Mesh(
        name=resource.name,
        skip_initial_policies=tuple(str(s) for s in _list(skip)),
        mtls=bool(mtls.get("enabledBackend")),
        resource=resource,
        mesh_services_mode=mode if isinstance(mode, str) and mode else None,
    )


#: The zone a control plane calls itself unless told (``multizone.zone.name``,
#: ``v2.14.3:pkg/config/app/kuma-cp/kuma-cp.defaults.yaml``).
DEFAULT_ZONE = "default"


def _port(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ports(kind: str, spec: Mapping[str, Any]) -> tuple[ServicePort, ...]:
    """A destination's ports; a MeshExternalService has the one of its ``match`` (named by its number)."""
    if kind == "MeshExternalService":
        match = _mapping(spec.get("match"))
        number = _port(match.get("port"))
        protocol = match.get("protocol")
        return () if number is None else (ServicePort(str(number), number, protocol if isinstance(protocol, str) and protocol else "tcp"),)
    out = []
    for item in _list(spec.get("ports")):
        entry = _mapping(item)
        number = _port(entry.get("port"))
        if number is None:
            continue
        name = entry.get("name")
        protocol = entry.get("appProtocol")
        # A missing appProtocol is tcp: the schema default, applied on apply (CRD, and REST from 2.10).
        out.append(ServicePort(str(name) if isinstance(name, str) and name else str(number), number,
                               protocol if isinstance(protocol, str) and protocol else "tcp"))
    return tuple(out)


def destination(resource: Resource, zone: str = DEFAULT_ZONE) -> Destination:
    """A MeshService / MeshExternalService / MeshMultiZoneService with the labels a zone control plane
    stores for it (``v2.14.3:pkg/core/resources/labels/compute.go``: display name, namespace on Kubernetes,
    origin and zone for what the zone owns)."""
    spec = _mapping(resource.spec)
    labels = dict(resource.labels)
    labels.setdefault("kuma.io/display-name", resource.name)
    labels.setdefault(MESH_LABEL, resource.mesh)
    if resource.namespace and resource.format is Format.KUBERNETES:
        labels.setdefault("k8s.kuma.io/namespace", resource.namespace)
    # A zone control plane labels what a zone may create: MeshService and MeshExternalService, not the
    # MeshMultiZoneService, which only the global one makes (the descriptors' KDSFlags: ProvidedByZone).
    if resource.kind in ("MeshService", "MeshExternalService"):
        labels.setdefault("kuma.io/origin", "zone")
        if labels["kuma.io/origin"] != "global":
            labels.setdefault("kuma.io/zone", zone)
    selector = _mapping(spec.get("selector"))
    tags = selector.get("dataplaneTags")
    match_labels = _mapping(selector.get("meshService")).get("matchLabels")
    endpoints = tuple(
        f"{_mapping(e).get('address')}:{_mapping(e).get('port', '')}" for e in _list(spec.get("endpoints")) if _mapping(e).get("address")
    )
    return Destination(
        kind=resource.kind,
        mesh=resource.mesh,
        name=labels["kuma.io/display-name"],
        namespace=labels.get("k8s.kuma.io/namespace", ""),
        zone=labels.get("kuma.io/zone", ""),
        labels=tuple(sorted(labels.items())),
        ports=_ports(resource.kind, spec),
        selector=make_tags(tags) if isinstance(tags, dict) else None,
        file=resource.file,
        line=resource.line,
        resource=resource,
        external_endpoints=endpoints if resource.kind == "MeshExternalService" else (),
        service_selector=make_tags(match_labels) if resource.kind == "MeshMultiZoneService" and isinstance(match_labels, dict) else None,
    )


def mesh_gateway(resource: Resource, apply_order: int = 0) -> MeshGateway:
    spec = _mapping(resource.spec)
    listeners = []
    for item in _list(_mapping(spec.get("conf")).get("listeners")):
        entry = _mapping(item)
        port = entry.get("port")
        listeners.append(Listener(
            port=port if isinstance(port, int) and not isinstance(port, bool) else None,
            protocol=str(entry.get("protocol") or ""),
            hostname=str(entry.get("hostname") or "*"),
            tags=make_tags(entry.get("tags")),
        ))
    return MeshGateway(
        resource=resource,
        selectors=tuple(make_tags(_mapping(s).get("match")) for s in _list(spec.get("selectors"))),
        tags=make_tags(spec.get("tags")),
        listeners=tuple(listeners),
        apply_order=apply_order,
    )
