"""Parsed documents into :class:`Resource` objects of one shape, whatever form they came in.

Kubernetes form: ``apiVersion``/``kind``/``metadata`` (mesh from the ``kuma.io/mesh`` label for the new
policies, from a top-level ``mesh:`` field for legacy kinds and Dataplanes).  Universal form: ``type``/
``name``/``mesh`` with the resource's fields beside them.  Lists (``kind: List``, ``<Kind>List``, kumactl's
``{items, total, next}``) are opened and each item stands for itself.  Every document or item gives
exactly one :class:`Document` row, loaded or not, with the reason when not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..model import DEFAULT_MESH, MESH_LABEL, Document, Format, Resource, Status, make_tags
from .templates import line_of, markup_in_data, markup_in_text
from .yamldocs import RawDocument, item_lines

#: Kuma kinds this toolkit reads.  The route policies, what decides ExternalService reachability, and the
#: inventory that protocols and sources come from.
KUMA_KINDS = frozenset(
    {
        "MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission", "Mesh", "Dataplane", "ExternalService",
        "MeshGateway", "ZoneIngress", "MeshService", "MeshExternalService", "MeshMultiZoneService",
    }
)
#: Kinds that belong to no mesh (a zone ingress serves every mesh).
_MESHLESS = frozenset({"ZoneIngress"})
#: Kubernetes kinds read for the inventory (which workloads run a sidecar, which Services select them).
K8S_KINDS = frozenset({"Namespace", "Service", "Deployment", "StatefulSet", "DaemonSet", "Pod"})
#: Kinds whose Kubernetes objects carry the mesh in a top-level ``mesh:`` field, not in a label
#: (``pkg/plugins/resources/k8s/native/api/v1alpha1/zz_generated.mesh.go``).
_TOP_LEVEL_MESH = frozenset({"TrafficRoute", "TrafficPermission", "Dataplane", "ExternalService", "MeshGateway"})
#: Universal fields that Kuma keeps at the top level and the Kubernetes form keeps under ``spec``.
_UNIVERSAL_SPEC_FIELDS = {
    "TrafficRoute": ("sources", "destinations", "conf"),
    "TrafficPermission": ("sources", "destinations"),
    "Dataplane": ("networking", "metrics", "probes"),
    "ExternalService": ("networking", "tags"),
    "MeshGateway": ("selectors", "tags", "conf"),
    "ZoneIngress": ("zone", "networking", "availableServices"),
}
_POLICY_KINDS = frozenset({"MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission"})
FieldLines = dict[tuple[str | int, ...], int]
_UNIVERSAL_META = ("type", "name", "mesh", "labels", "creationTime", "modificationTime")


@dataclass(frozen=True, slots=True)
class Recognised:
    """A document or list item this toolkit reads, and its accounting row (status filled in later)."""

    resource: Resource
    document: Document


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _doc(file: str, line: int, index: int, obj: Any, status: Status, reason: str) -> Document:
    kind = name = mesh = None
    if isinstance(obj, dict):
        kind = _str(obj.get("kind")) or _str(obj.get("type"))
        meta = obj.get("metadata")
        name = _str(meta.get("name")) if isinstance(meta, dict) else _str(obj.get("name"))
        mesh = _str(obj.get("mesh"))
    return Document(file, line, index, kind, name, mesh, status, reason)


def _list_items(obj: Mapping[str, Any]) -> list[Any] | None:
    """The items of a List, a ``<Kind>List`` or a kumactl envelope; None when ``obj`` is none of them."""
    items = obj.get("items")
    if not isinstance(items, list):
        return None
    kind = obj.get("kind")
    if isinstance(kind, str) and kind.endswith("List"):
        return items
    if "kind" not in obj and "type" not in obj and set(obj) <= {"items", "total", "next", "apiVersion", "metadata"}:
        return items
    return None


def normalise(file: str, raw: RawDocument) -> Iterator[Recognised | Document]:
    """One parsed document into resources and/or accounting rows."""
    if raw.error is not None:
        yield _error_row(file, raw)
        return
    obj = raw.data
    items = _list_items(obj) if isinstance(obj, dict) else None
    if items is None:
        yield _templated(file, raw.line, raw, obj) or _with_field_lines(_classify(file, raw.line, raw.index, obj), raw.field_lines)
        return
    if not items:
        yield _doc(file, raw.line, raw.index, obj, Status.SKIPPED, "empty list: no items")
        return
    lines = item_lines(raw)
    item_fields = _split_item_fields(raw.field_lines)
    for position, item in enumerate(items):
        line = lines[position] if position < len(lines) else raw.line
        found = _templated(file, line, raw, item) or _with_field_lines(_classify(file, line, raw.index, item), item_fields.get(position))
        if isinstance(found, Recognised):
            yield Recognised(found.resource, replace(found.document, item=position))
        else:
            yield replace(found, item=position)


def _error_row(file: str, raw: RawDocument) -> Document:
    """A document that could not be parsed; when template markup is what broke it, the row says so."""
    assert raw.error is not None
    found = markup_in_text(raw.text, raw.text_line) if raw.may_hold_markup else None
    if found is None:
        return Document(file, raw.line, raw.index, None, None, None, Status.ERROR, raw.error)
    line, markup = found
    error = raw.error if raw.line == line else f"{raw.error} at line {raw.line}"
    return Document(file, line, raw.index, None, None, None, Status.ERROR, markup.reason(error))


def _is_read(obj: Mapping[str, Any]) -> bool:
    """Whether ``obj`` is of a kind this toolkit reads (as :func:`_classify` decides, by kind alone)."""
    kind = obj.get("kind") if "apiVersion" in obj or "metadata" in obj or "type" not in obj else obj.get("type")
    return isinstance(kind, str) and (kind in KUMA_KINDS or kind in K8S_KINDS)


def _templated(file: str, line: int, raw: RawDocument, obj: Any) -> Document | None:
    """The error row of a parsed document (or List item) that holds template markup, else None."""
    if not raw.may_hold_markup or not isinstance(obj, dict):
        return None
    markup = markup_in_data(obj, read=_is_read(obj))
    if markup is None:
        return None
    at = line_of(raw.text, raw.text_line, line, markup.token) or line
    return _doc(file, at, raw.index, obj, Status.ERROR, markup.reason())


def _split_item_fields(lines: FieldLines | None) -> dict[int, FieldLines]:
    """The field lines of a List, cut into one map per item (paths relative to the item)."""
    out: dict[int, FieldLines] = {}
    for path, line in (lines or {}).items():
        if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
            out.setdefault(path[1], {})[path[2:]] = line
    return out


def _with_field_lines(found: Recognised | Document, lines: FieldLines | None) -> Recognised | Document:
    if lines is None or not isinstance(found, Recognised) or found.resource.kind not in _POLICY_KINDS:
        return found
    return Recognised(replace(found.resource, field_lines=lines), found.document)


def _classify(file: str, line: int, index: int, obj: Any) -> Recognised | Document:
    if not isinstance(obj, dict):
        what = "empty document" if obj is None else f"a YAML {type(obj).__name__}, not a mapping"
        return _doc(file, line, index, obj, Status.SKIPPED, f"not a resource: {what}")
    if "apiVersion" in obj or "metadata" in obj:
        return _kubernetes(file, line, index, obj)
    if "type" in obj:
        return _universal(file, line, index, obj)
    if "kind" in obj:
        return _kubernetes(file, line, index, obj)
    return _doc(file, line, index, obj, Status.SKIPPED, "not a resource: neither Kubernetes (apiVersion/kind) nor Universal (type/name) form")


def _kubernetes(file: str, line: int, index: int, obj: Mapping[str, Any]) -> Recognised | Document:
    api = obj.get("apiVersion")
    kind = obj.get("kind")
    if not isinstance(kind, str) or not kind:
        return _doc(file, line, index, obj, Status.INVALID, "kind: must be set")
    is_kuma = isinstance(api, str) and api.split("/", 1)[0] == "kuma.io"
    if is_kuma and kind not in KUMA_KINDS:
        return _doc(file, line, index, obj, Status.SKIPPED, f"kuma.io kind {kind} is not read by meshroute_analysis")
    if not is_kuma and kind not in K8S_KINDS:
        return _doc(file, line, index, obj, Status.SKIPPED, f"not a Kuma resource ({api or 'no apiVersion'} {kind})")
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return _doc(file, line, index, obj, Status.INVALID, "metadata: must be a mapping with a name")
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return _doc(file, line, index, obj, Status.INVALID, "metadata.name: must be set")
    labels = meta.get("labels")
    namespace = _str(meta.get("namespace"))
    if is_kuma and kind in _TOP_LEVEL_MESH:
        mesh = _str(obj.get("mesh")) or DEFAULT_MESH
    elif is_kuma:
        labelled = _str(labels.get(MESH_LABEL)) if isinstance(labels, dict) else None
        mesh = labelled or DEFAULT_MESH
    else:
        mesh = ""  # Kubernetes objects get their mesh from annotations later, in the inventory
    if kind == "Mesh":
        mesh = name
    elif kind in _MESHLESS:
        mesh = ""
    spec = obj.get("spec") if kind != "Namespace" else {}
    if kind in ("Namespace", "Service", "Deployment", "StatefulSet", "DaemonSet", "Pod"):
        spec = {"spec": obj.get("spec"), "metadata": meta}
    resource = Resource(
        kind=kind,
        name=name,
        mesh=mesh,
        namespace=namespace,
        format=Format.KUBERNETES,
        spec=spec,
        labels=make_tags(labels),
        annotations=make_tags(meta.get("annotations")),
        file=file,
        line=line,
    )
    return Recognised(resource, Document(file, line, index, kind, name, mesh or None, Status.LOADED))


def _universal(file: str, line: int, index: int, obj: Mapping[str, Any]) -> Recognised | Document:
    kind = obj.get("type")
    if not isinstance(kind, str) or not kind:
        return _doc(file, line, index, obj, Status.INVALID, "type: must be a non-empty string")
    if kind not in KUMA_KINDS:
        return _doc(file, line, index, obj, Status.SKIPPED, f"Universal type {kind} is not read by meshroute_analysis")
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        return _doc(file, line, index, obj, Status.INVALID, "name: must be set")
    mesh = name if kind == "Mesh" else "" if kind in _MESHLESS else (_str(obj.get("mesh")) or DEFAULT_MESH)
    if kind == "Mesh":
        spec: Any = {k: v for k, v in obj.items() if k not in _UNIVERSAL_META}
    elif kind in _UNIVERSAL_SPEC_FIELDS:
        spec = {k: obj[k] for k in _UNIVERSAL_SPEC_FIELDS[kind] if k in obj}
    else:
        spec = obj.get("spec")
    resource = Resource(
        kind=kind,
        name=name,
        mesh=mesh,
        namespace=None,
        format=Format.UNIVERSAL,
        spec=spec,
        labels=make_tags(obj.get("labels")),
        annotations=(),
        file=file,
        line=line,
    )
    return Recognised(resource, Document(file, line, index, kind, name, mesh, Status.LOADED))
