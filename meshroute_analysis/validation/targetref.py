"""``ValidateTargetRef`` (``pkg/core/resources/apis/mesh/validators.go``): the kind first (and nothing else
when it is missing or unsupported), then the fields that kind allows or needs, in Kuma's order for the
profile's release."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from . import profiles as k
from .paths import Violation, field
from .profiles import ValidationProfile
from .tags import check_tags
from .values import fields, is_list, string_map, text

MUST_BE_DEFINED: Final = "must be defined"  # validators.MustBeDefined
MUST_NOT_BE_DEFINED: Final = "must not be defined"  # validators.MustNotBeDefined


@dataclass(frozen=True, slots=True)
class RefOptions:
    """``ValidateTargetRefOpts`` of one call site."""

    supported: tuple[str, ...]
    gateway_listener_tags: bool = False  # GatewayListenerTagsAllowed
    allowed_invalid_names: tuple[str, ...] = ()  # AllowedInvalidNames


@dataclass(frozen=True, slots=True)
class _Ref:
    """The fields of a targetRef as Go decodes them; None is a value of the wrong type (or, for
    proxyTypes, a nil pointer), already reported by the schema layer."""

    name: str | None
    mesh: str | None
    tags: dict[str, str | None] | None
    proxy_types: list[Any] | None
    namespace: str | None
    labels: dict[str, str | None] | None
    section_name: str | None


def _read(ref: Mapping[str, Any]) -> _Ref:
    proxy_types = ref.get("proxyTypes")
    return _Ref(
        name=text(ref.get("name")),
        mesh=text(ref.get("mesh")),
        tags=string_map(ref.get("tags")),
        proxy_types=list(proxy_types) if is_list(proxy_types) else None,
        namespace=text(ref.get("namespace")),
        labels=string_map(ref.get("labels")),
        section_name=text(ref.get("sectionName")),
    )


def check_target_ref(
    out: list[Violation], path: str, value: object, options: RefOptions, profile: ValidationProfile
) -> None:
    """Every violation of one targetRef (or the targetRef half of a backendRef) at ``path``."""
    ref = fields(value)
    if ref is None:
        return  # not an object: the schema layer reported it
    kind = text(ref.get("kind"))
    if kind is None:
        return  # kind of the wrong type: the schema layer reported it, the rules cannot be chosen
    if kind == "":
        out.append(Violation(field(path, "kind"), MUST_BE_DEFINED))
        return
    if kind not in options.supported:
        out.append(Violation(field(path, "kind"), profile.ref_unsupported_kind.format(kind=kind)))
        return
    check = _CHECKS.get(kind)
    if check is not None:
        check(out, path, kind, _read(ref), options, profile)


def _check_mesh(
    out: list[Violation], path: str, kind: str, ref: _Ref, _: RefOptions, profile: ValidationProfile
) -> None:
    if ref.name:
        out.append(Violation(field(path, "name"), f"using name with kind {kind} is not yet supported"))
    _disallow(out, path, "mesh", ref.mesh, kind)
    _disallow(out, path, "tags", ref.tags, kind)
    if profile.ref_labels:
        _disallow_labels(out, path, ref, kind)
    _check_empty_proxy_types(out, path, ref, profile)


def _check_dataplane(
    out: list[Violation], path: str, kind: str, ref: _Ref, _: RefOptions, profile: ValidationProfile
) -> None:
    if not profile.ref_dataplane:
        return
    _disallow(out, path, "tags", ref.tags, kind)
    _disallow(out, path, "mesh", ref.mesh, kind)
    _disallow(out, path, "proxyTypes", ref.proxy_types, kind)
    if ref.labels and (ref.name or ref.namespace):
        out.append(Violation(field(path, "labels"), "either labels or name and namespace must be specified"))
    if ref.section_name:  # a route is never an inbound policy (IsInboundPolicy)
        out.append(Violation(field(path, "sectionName"), "can only be used with inbound policies"))


def _check_mesh_subset(
    out: list[Violation], path: str, kind: str, ref: _Ref, _: RefOptions, profile: ValidationProfile
) -> None:
    _disallow(out, path, "name", ref.name, kind)
    _disallow(out, path, "mesh", ref.mesh, kind)
    check_tags(out, field(path, "tags"), ref.tags)
    if profile.ref_labels:
        _disallow_labels(out, path, ref, kind)
    _check_empty_proxy_types(out, path, ref, profile)


def _check_service(
    out: list[Violation], path: str, kind: str, ref: _Ref, options: RefOptions, profile: ValidationProfile
) -> None:
    """MeshService and MeshHTTPRoute: a name (from 2.8: or labels); no mesh, tags or proxyTypes."""
    if not profile.ref_labels:
        _require_name(out, path, ref, kind, profile)
        _check_name(out, path, ref, options, profile)
        _disallow(out, path, "mesh", ref.mesh, kind)
        _disallow(out, path, "tags", ref.tags, kind)
        _disallow_proxy_types(out, path, ref, kind, profile)
        return
    _check_name(out, path, ref, options, profile)
    _disallow(out, path, "mesh", ref.mesh, kind)
    _disallow(out, path, "tags", ref.tags, kind)
    _disallow_proxy_types(out, path, ref, kind, profile)
    if kind == k.MESH_HTTP_ROUTE and profile.ref_http_route_section_name_forbidden:
        _disallow(out, path, "sectionName", ref.section_name, kind)
    _require_name_or_labels(out, path, ref, kind, profile)
    if ref.labels and (ref.name or ref.namespace):
        out.append(Violation(field(path, "labels"), "either labels or name and namespace must be specified"))
    if profile.ref_section_name_with_labels_refused and ref.labels and ref.section_name:
        out.append(Violation(field(path, "sectionName"), "sectionName should not be combined with labels"))


def _check_subset(
    out: list[Violation], path: str, kind: str, ref: _Ref, options: RefOptions, profile: ValidationProfile
) -> None:
    """MeshServiceSubset and MeshGateway (and MeshExternalService in 2.8): a name, tags, no mesh."""
    if kind == k.MESH_EXTERNAL_SERVICE and profile.ref_external_service_rules:
        _check_external_service(out, path, kind, ref, options, profile)
        return
    _require_name(out, path, ref, kind, profile)
    _check_name(out, path, ref, options, profile)
    _disallow(out, path, "mesh", ref.mesh, kind)
    _disallow_proxy_types(out, path, ref, kind, profile)
    check_tags(out, field(path, "tags"), ref.tags, selector=profile.ref_subset_tags_as_selector)
    if kind == k.MESH_GATEWAY and ref.tags and not options.gateway_listener_tags:
        _disallow(out, path, "tags", ref.tags, kind)
    if profile.ref_labels:
        _disallow_labels(out, path, ref, kind)


def _check_external_service(
    out: list[Violation], path: str, kind: str, ref: _Ref, options: RefOptions, profile: ValidationProfile
) -> None:
    _check_name(out, path, ref, options, profile)
    _disallow(out, path, "mesh", ref.mesh, kind)
    _disallow(out, path, "tags", ref.tags, kind)
    _disallow(out, path, "proxyTypes", ref.proxy_types, kind)
    _require_name_or_labels(out, path, ref, kind, profile)
    if ref.labels and (ref.name or ref.namespace):
        out.append(Violation(field(path, "labels"), "either labels or name must be specified"))
    _disallow(out, path, "sectionName", ref.section_name, kind)


def _require_name(out: list[Violation], path: str, ref: _Ref, kind: str, profile: ValidationProfile) -> None:
    # requiredField: an empty (or null) name is not set.
    if ref.name == "":
        out.append(Violation(field(path, "name"), profile.ref_required_name.format(kind=kind)))


def _require_name_or_labels(out: list[Violation], path: str, ref: _Ref, kind: str, profile: ValidationProfile) -> None:
    if ref.labels or ref.name != "":
        return
    if profile.ref_name_or_labels_at_root:
        out.append(Violation(path, f"name or labels must be set when kind is {kind}"))
    else:
        out.append(Violation(field(path, "name"), profile.ref_required_name.format(kind=kind)))


@cache
def _name_chars(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _check_name(out: list[Violation], path: str, ref: _Ref, options: RefOptions, profile: ValidationProfile) -> None:
    # validateName (an empty name matches the character set); fullmatch keeps Go's anchors.
    name = ref.name
    if name is None or name in options.allowed_invalid_names:
        return
    if not _name_chars(profile.ref_name_pattern).fullmatch(name):
        out.append(Violation(field(path, "name"), profile.ref_name_message))


def _disallow(out: list[Violation], path: str, name: str, value: object, kind: str) -> None:
    # disallowedField: "set" means a non-empty string, map or list.
    if value:
        out.append(Violation(field(path, name), f"must not be set with kind {kind}"))


def _disallow_labels(out: list[Violation], path: str, ref: _Ref, kind: str) -> None:
    _disallow(out, path, "labels", ref.labels, kind)
    _disallow(out, path, "namespace", ref.namespace, kind)
    _disallow(out, path, "sectionName", ref.section_name, kind)


def _disallow_proxy_types(out: list[Violation], path: str, ref: _Ref, kind: str, profile: ValidationProfile) -> None:
    if profile.ref_proxy_types_forbidden:
        _disallow(out, path, "proxyTypes", ref.proxy_types, kind)


def _check_empty_proxy_types(out: list[Violation], path: str, ref: _Ref, profile: ValidationProfile) -> None:
    # validateProxyTypes: a present but empty list selects nothing.
    if profile.ref_empty_proxy_types_refused and ref.proxy_types == []:
        out.append(Violation(field(path, "proxyTypes"), "must be undefined or have at least one element"))


_CHECKS: Final = {
    k.MESH: _check_mesh,
    k.DATAPLANE: _check_dataplane,
    k.MESH_SUBSET: _check_mesh_subset,
    k.MESH_SERVICE: _check_service,
    k.MESH_HTTP_ROUTE: _check_service,
    k.MESH_SERVICE_SUBSET: _check_subset,
    k.MESH_GATEWAY: _check_subset,
    k.MESH_EXTERNAL_SERVICE: _check_subset,
    # MeshMultiZoneService has no case in ValidateTargetRef: any fields pass.
}
