"""Proxies and endpoints of Kubernetes workloads, as Kuma 2.5.11's injector and pod converter make them
(``pkg/plugins/runtime/k8s/``)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..io.typed import backend_refs
from ..model import (
    DEFAULT_MESH,
    BackendRef,
    PROTOCOL_TAG,
    SERVICE_TAG,
    Endpoint,
    Gateway,
    Inbound,
    Origin,
    Proxy,
    Resource,
    Tags,
    Workload,
    make_tags,
    tag_value,
)
from ..protocol import parse_protocol
from ._values import as_list, as_map, as_port

_WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Pod")
_INJECTION = "kuma.io/sidecar-injection"
_GATEWAY = "kuma.io/gateway"
_IGNORE = "kuma.io/ignore"
_INSTANCE = "kuma.io/instance"
_REACHABLE = "kuma.io/transparent-proxying-reachable-services"
#: Namespaces the Helm chart's injector webhooks never see (``namespaceSelector`` ``NotIn``,
#: ``deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml`` at 2.5.11).
EXCLUDED_NAMESPACES = ("kube-system",)


def enabled_value(value: str | None) -> bool | None:
    """``metadata.Annotations.GetEnabled`` (``pkg/plugins/runtime/k8s/metadata/annotations.go``): enabled/true
    and disabled/false; None for any other value, which Kuma treats as an error."""
    if value in ("enabled", "true"):
        return True
    if value in ("disabled", "false"):
        return False
    return None


@dataclass(frozen=True, slots=True)
class Injection:
    """The injector's decision for a workload's pods, and why."""

    sidecar: bool
    reason: str
    severity: str = ""  # the finding it deserves: "" (none), info, warning or error


def injection(namespace: str, pod_labels: Tags, pod_annotations: Tags, ns: Resource | None) -> Injection:
    """The injector's choice (``webhooks/injector/injector.go`` ``needInject``): the pod's
    ``kuma.io/sidecar-injection`` *label*, else its namespace's; a value other than enabled/true/disabled/false
    is an error, and the webhook then refuses the pod.  Annotations are not read (2.5)."""
    if namespace in EXCLUDED_NAMESPACES:
        return Injection(False, f"namespace {namespace} is excluded by the Helm chart's injector webhooks", "info")
    ns_labels = ns.labels if ns is not None else ()
    for where, labels in (("pod", pod_labels), (f"namespace {namespace}", ns_labels)):
        raw = tag_value(labels, _INJECTION)
        if raw is None:
            continue
        decided = enabled_value(raw)
        if decided is None:
            return Injection(False, f"the {where} label {_INJECTION}: {raw!r} is not enabled, true, disabled or false: "
                                    "Kuma's injector fails on it and the webhook refuses the pod, so Kubernetes does not create it", "error")
        if not decided:
            return Injection(False, f"the {where} label {_INJECTION}: {raw} turns injection off")
        note, severity = "", ""
        if where != "pod" and raw != "enabled":
            # The chart's namespace webhook selects only the value "enabled"; the injector itself accepts "true".
            note, severity = ("; note: the Helm chart's namespace webhook selects only the value 'enabled', so with a "
                              "chart-installed control plane pods of this namespace may never reach the injector"), "warning"
        return Injection(True, f"injected: the {where} label {_INJECTION}: {raw}{note}", severity)
    annotated = [w for w, ann in (("pod", pod_annotations), ("namespace", ns.annotations if ns else ())) if tag_value(ann, _INJECTION)]
    if annotated:
        return Injection(False, f"the {' and '.join(annotated)} set {_INJECTION} as an annotation, which Kuma 2.5 does not read "
                                "(it reads the label): no sidecar", "warning")
    if ns is None:
        return Injection(False, f"namespace {namespace} is not in the repository and the pod has no {_INJECTION} label: "
                                "whether Kuma injects it is unknown; assumed not", "info")
    return Injection(False, f"neither the pod nor namespace {namespace} has the label {_INJECTION}: no sidecar")


def _pod_template(resource: Resource) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(pod metadata, pod spec) of a workload."""
    spec = as_map(as_map(resource.spec).get("spec"))
    if resource.kind == "Pod":
        return as_map(as_map(resource.spec).get("metadata")), spec
    template = as_map(spec.get("template"))
    return as_map(template.get("metadata")), as_map(template.get("spec"))


def _replicas(resource: Resource) -> int:
    if resource.kind in ("Deployment", "StatefulSet"):
        value = as_map(as_map(resource.spec).get("spec")).get("replicas", 1)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 1
    return 1  # a DaemonSet runs one pod per node; how many nodes is not in the repository


def protocol_tag_for(app_protocol: Any, annotation: str | None) -> str:
    """Kuma's ``ProtocolTagFor`` (``pkg/plugins/runtime/k8s/controllers/inbound_converter.go``): a recognised
    appProtocol wins, else a non-empty port annotation taken verbatim (even when invalid), else tcp; lowercased."""
    if isinstance(app_protocol, str) and parse_protocol(app_protocol) != "unknown":
        return app_protocol.lower()
    if annotation:
        return annotation.lower()
    return "tcp"


def _selecting_services(pod_labels: Tags, services: Iterable[Resource]) -> list[Resource]:
    """Services of the pod's namespace whose selector matches it, less those annotated ``kuma.io/ignore``,
    in name order (``pod_controller.go`` ``findMatchingServices``; ``FindServices`` in
    ``pkg/plugins/runtime/k8s/util/util.go`` sorts them)."""
    labels = dict(pod_labels)
    out = []
    for svc in services:
        selector = as_map(as_map(as_map(svc.spec).get("spec")).get("selector"))
        if not selector or any(labels.get(str(k)) != str(v) for k, v in selector.items()):
            continue
        if enabled_value(tag_value(svc.annotations, _IGNORE)):
            continue  # util.Ignored(): GetEnabled, so "enabled" and "true" both count
        out.append(svc)
    return sorted(out, key=lambda svc: svc.name)


def _container_port_names(pod_spec: Mapping[str, Any]) -> set[tuple[str, str]]:
    names = set()
    for container in as_list(pod_spec.get("containers")):
        for port in as_list(as_map(container).get("ports")):
            port = as_map(port)
            if isinstance(port.get("name"), str):
                names.add((port["name"], str(port.get("protocol") or "TCP").upper()))
    return names


@dataclass(frozen=True, slots=True)
class _InboundShape:
    """The tags of one inbound of a workload's pods, less ``kuma.io/instance`` (added per pod when set)."""

    tags: Tags
    declared: str | None  # what the Service says of the protocol, for display
    per_pod: bool  # Kuma adds kuma.io/instance=<pod> (headless Services, service-less pods)


def _service_inbounds(namespace: str, pod_labels: Tags, pod_spec: Mapping[str, Any], services: Iterable[Resource],
                      delegated_gateway: bool) -> list[_InboundShape]:
    """Inbound tags for each port of each selecting Service that Kuma maps to the pod
    (``inbound_converter.go`` ``inboundForService`` / ``InboundTagsForService``)."""
    base = [(k, v) for k, v in pod_labels if v and "kuma.io/" not in k]
    named_ports = _container_port_names(pod_spec)
    out = []
    for svc in services:
        spec = as_map(as_map(svc.spec).get("spec"))
        if spec.get("type") == "ExternalName":
            continue
        headless = spec.get("clusterIP") == "None"
        for port_value in as_list(spec.get("ports")):
            port = as_map(port_value)
            number = as_port(port.get("port"))
            protocol = str(port.get("protocol") or "TCP").upper()
            if number is None or protocol != "TCP":
                continue  # Kuma builds inbounds for TCP Service ports only
            target = port.get("targetPort")
            if isinstance(target, str) and not target.isdigit() and (target, protocol) not in named_ports:
                continue  # util.FindPort: a named targetPort must name a container port
            annotation = tag_value(svc.annotations, f"{number}.service.kuma.io/protocol")
            tags = dict(base)
            tags.update(
                {
                    "k8s.kuma.io/namespace": namespace,
                    "k8s.kuma.io/service-name": svc.name,
                    "k8s.kuma.io/service-port": str(number),
                    SERVICE_TAG: f"{svc.name}_{namespace}_svc_{number}",
                }
            )
            inferred = protocol_tag_for(port.get("appProtocol"), annotation)
            if not (delegated_gateway and inferred != "tcp"):
                tags[PROTOCOL_TAG] = inferred  # a delegated gateway keeps only a tcp protocol tag
            out.append(_InboundShape(tuple(sorted(tags.items())), port.get("appProtocol") or annotation, headless))
    return out


def _serviceless_inbound(workload: str, namespace: str, pod_labels: Tags) -> _InboundShape:
    """``InboundTagsForPod``: every non-empty pod label (``kuma.io/`` ones included), the namespace, a
    ``<workload>_<namespace>_svc`` service, tcp and ``kuma.io/instance=<pod>``."""
    tags = {k: v for k, v in pod_labels if v}
    tags.update({"k8s.kuma.io/namespace": namespace, SERVICE_TAG: f"{workload}_{namespace}_svc", PROTOCOL_TAG: "tcp"})
    return _InboundShape(tuple(sorted(tags.items())), None, True)


def _with_instance(tags: Tags, pod: str) -> Tags:
    return tuple(sorted({**dict(tags), _INSTANCE: pod}.items()))


def reachable_services(annotations: Tags) -> frozenset[str] | None:
    """``kuma.io/transparent-proxying-reachable-services`` as ``GetList`` reads it: split on commas, empty
    entries dropped, nothing trimmed (``"a, b"`` gives ``" b"``, which names no service)."""
    value = tag_value(annotations, _REACHABLE)
    if value is None:
        return None
    names = frozenset(v for v in value.split(",") if v)
    return names or None


_REACHABLE_BACKENDS = "kuma.io/reachable-backends"


def reachable_backends(annotations: Tags) -> tuple[tuple[BackendRef, ...] | None, str]:
    """``kuma.io/reachable-backends`` (2.9+): YAML ``refs: [{kind, name, namespace, port, labels}]``, and the
    error the pod converter gives when it does not parse (``v2.14.3:pkg/plugins/runtime/k8s/controllers/
    pod_converter.go``: no Dataplane then)."""
    value = tag_value(annotations, _REACHABLE_BACKENDS)
    if value is None:
        return None, ""
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        parsed = "invalid"
    if parsed is None:
        return (), ""
    if not isinstance(parsed, dict) or not isinstance(parsed.get("refs", []), list):
        return None, f"cannot parse, {_REACHABLE_BACKENDS} has invalid format: the pod converter creates no Dataplane"
    return backend_refs(parsed.get("refs") or []) or (), ""


@dataclass(frozen=True, slots=True)
class KubernetesInventory:
    proxies: list[Proxy]
    endpoints: list[tuple[str, Endpoint, str | None]]  # (mesh, endpoint, what the Service declares)
    workloads: list[Workload]


#: Replicas of one workload route alike, so past this many they are counted, not built one by one
#: (``replicas: 100000000`` took minutes and gigabytes): the last modelled pod stands for the rest.
MAX_MODELLED_REPLICAS = 1000


def _pod_names(resource: Resource, namespace: str, replicas: int) -> list[str]:
    """Pod names as ``<pod>.<namespace>``: a bare Pod keeps its name; replicas are ``<workload>-<i>``, at most
    MAX_MODELLED_REPLICAS of them."""
    if resource.kind == "Pod":
        return [f"{resource.name}.{namespace}"]
    return [f"{resource.name}-{i}.{namespace}" for i in range(min(replicas, MAX_MODELLED_REPLICAS))]


def _stands_for(pods: list[str], pod: str, replicas: int) -> int:
    return replicas - len(pods) + 1 if pod == pods[-1] and replicas > len(pods) else 1


def _gateway_mode(annotations: Tags) -> tuple[str | None, str]:
    """(``kuma.io/gateway`` value the converter accepts or None, why a value is refused)."""
    value = tag_value(annotations, _GATEWAY)
    if value is None or value in ("enabled", "provided", "builtin"):
        return value, ""
    why = (f"annotation {_GATEWAY}: {value!r} is not enabled, provided or builtin: the pod converter fails "
           "(invalid delegated gateway type) and creates no Dataplane")
    return None, why


def kubernetes_proxies(resources: Iterable[Resource]) -> KubernetesInventory:
    """Proxies and endpoints of the Kubernetes workloads that run a Kuma sidecar, and a record of every
    workload saying whether it gets one and why."""
    resources = list(resources)
    namespaces = {r.name: r for r in resources if r.kind == "Namespace"}
    services_by_ns: dict[str, list[Resource]] = defaultdict(list)
    for r in resources:
        if r.kind == "Service":
            services_by_ns[r.namespace or "default"].append(r)
    out = KubernetesInventory([], [], [])
    for r in resources:
        if r.kind in _WORKLOAD_KINDS:
            _convert_workload(r, namespaces, services_by_ns, out)
    return out


def _convert_workload(r: Resource, namespaces: Mapping[str, Resource], services_by_ns: Mapping[str, list[Resource]],
                      out: KubernetesInventory) -> None:
    namespace = r.namespace or "default"
    pod_meta, pod_spec = _pod_template(r)
    pod_labels, pod_annotations = make_tags(pod_meta.get("labels")), make_tags(pod_meta.get("annotations"))
    ns = namespaces.get(namespace)
    # The mesh comes from annotations only: the pod's, then the namespace's (MeshOfByAnnotation).
    mesh = tag_value(pod_annotations, "kuma.io/mesh") or (tag_value(ns.annotations, "kuma.io/mesh") if ns else None) or DEFAULT_MESH
    replicas = _replicas(r)
    group = f"{r.name}.{namespace}"

    def record(sidecar: bool, reason: str, severity: str = "") -> None:
        out.workloads.append(Workload(r.kind, r.name, namespace, mesh, replicas, sidecar, reason, severity, r.file, r.line))

    gateway_mode, gateway_problem = _gateway_mode(pod_annotations)
    decided = injection(namespace, pod_labels, pod_annotations, ns)
    if gateway_mode == "builtin":
        # pod_controller.go reconciles builtin-gateway pods before it looks at injection (gateway_converter.go).
        _builtin_gateway(r, namespace, mesh, pod_annotations, replicas, group, out, record)
        return
    if not decided.sidecar:
        record(False, decided.reason, decided.severity)
        return
    if gateway_problem:
        record(False, gateway_problem, "error")
        return
    selecting = _selecting_services(pod_labels, services_by_ns.get(namespace, []))
    shapes = _service_inbounds(namespace, pod_labels, pod_spec, selecting, delegated_gateway=gateway_mode == "enabled")
    if not shapes:
        if selecting:
            names = ", ".join(s.name for s in selecting)
            record(False, f"Services ({names}) select it but none of their ports maps to a container port: the pod converter "
                          "fails and creates no Dataplane", "error")
            return
        shapes = [_serviceless_inbound(r.name, namespace, pod_labels)]
    gateway_tags: Tags | None = None
    if gateway_mode is not None:
        # A delegated gateway gets the tags of its first inbound and no inbounds (pod_converter.go dataplaneFor,
        # GatewayByServiceFor); "provided" on a Deployment gets only a service-name tag (GatewayByDeploymentFor).
        if gateway_mode == "provided" and r.kind == "Deployment":
            gateway_tags = (("kuma.io/service-name", f"{r.name}_{namespace}_svc"),)
        else:
            gateway_tags = shapes[0].tags
    reachable = reachable_services(pod_annotations)
    backends, backends_problem = reachable_backends(pod_annotations)
    if backends_problem:
        record(False, backends_problem, "error")
        return
    pods = _pod_names(r, namespace, replicas)
    shared = tuple(Inbound(None, s.tags) for s in shapes) if not any(s.per_pod for s in shapes) else None
    for pod in pods:
        pod_name = pod.rsplit(".", 1)[0]
        inbounds = shared if shared is not None else tuple(
            Inbound(None, _with_instance(s.tags, pod_name) if s.per_pod else s.tags) for s in shapes
        )
        gateway = None
        if gateway_tags is not None:
            tags = _with_instance(gateway_tags, pod_name) if shapes[0].per_pod and gateway_mode == "enabled" else gateway_tags
            gateway, inbounds = Gateway("DELEGATED", tags), ()
        out.proxies.append(Proxy(pod, mesh, Origin.KUBERNETES, inbounds, None, gateway, group, r.file, r.line, (), reachable,
                                 labels=pod_labels, namespace=namespace, reachable_backends=backends,
                                 stands_for=_stands_for(pods, pod, replicas)))
        if gateway is None:
            for inbound, shape in zip(inbounds, shapes):
                if shared is None or pod == pods[0]:  # one endpoint per workload unless tags differ per pod
                    out.endpoints.append((mesh, Endpoint(inbound.tags, f"{r.kind} {group}"), shape.declared))
    record(True, decided.reason + ("" if replicas else "; replicas: 0, so no pod runs"), decided.severity)


def _builtin_gateway(r: Resource, namespace: str, mesh: str, annotations: Tags, replicas: int, group: str,
                     out: KubernetesInventory, record) -> None:
    """A pod annotated ``kuma.io/gateway: builtin`` serves a builtin gateway with the tags of its ``kuma.io/tags``
    annotation (JSON), whatever its injection labels (``gateway_converter.go``)."""
    raw = tag_value(annotations, "kuma.io/tags")
    try:
        parsed = json.loads(raw) if raw is not None else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        record(False, "kuma.io/gateway: builtin without a valid JSON kuma.io/tags annotation: no Dataplane", "error")
        return
    tags = make_tags(parsed)
    pods = _pod_names(r, namespace, replicas)
    for pod in pods:
        out.proxies.append(Proxy(pod, mesh, Origin.KUBERNETES, (), None, Gateway("BUILTIN", tags), group, r.file, r.line,
                                 stands_for=_stands_for(pods, pod, replicas)))
    record(True, "builtin gateway (kuma.io/gateway: builtin)")
