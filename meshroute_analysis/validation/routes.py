"""What MeshTCPRoute and MeshHTTPRoute validate alike: the top-level targetRef, the kinds a ``to`` entry
may name, and a MeshMultiZoneService backend's port."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import profiles as k
from .paths import Violation, field, index
from .profiles import ValidationProfile
from .targetref import RefOptions, check_target_ref
from .values import fields, items, text


def check_top_level(
    out: list[Violation],
    spec: Mapping[str, Any],
    profile: ValidationProfile,
    system_role: bool,
    *,
    gateway_listener_tags: bool,
) -> None:
    """validateTop: the kinds depend on the policy's role (from 2.8); an absent targetRef is Mesh from 2.9."""
    raw = spec.get("targetRef")
    if raw is None and profile.top_level_optional:
        return
    kinds = profile.top_kinds if system_role else profile.top_kinds_non_system
    # Only the system role's options allow MeshGateway listener tags.
    options = RefOptions(kinds, gateway_listener_tags=gateway_listener_tags and system_role)
    check_target_ref(out, "spec.targetRef", raw, options, profile)


def top_kind(spec: Mapping[str, Any], profile: ValidationProfile) -> str:
    """The top-level kind the ``to`` rules are chosen by ("" for the zero TargetRef of 2.5–2.8)."""
    raw = spec.get("targetRef")
    if raw is None and profile.top_level_optional:
        return k.MESH  # pointer.DerefOr(targetRef, TargetRef{Kind: Mesh})
    ref = fields(raw)
    return (text(ref.get("kind")) or "") if ref is not None else ""


def to_options(top: str, profile: ValidationProfile, usual_kinds: tuple[str, ...]) -> RefOptions:
    """validateToRef: under a top-level MeshGateway only its own kinds (from 2.6), else ``usual_kinds``."""
    if profile.gateway_to_kinds is not None and top == k.MESH_GATEWAY:
        return RefOptions(profile.gateway_to_kinds)
    return RefOptions(usual_kinds)


def each_entry(holder: Mapping[str, Any], name: str, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The entries of the list ``holder[name]`` that are objects, with their paths; the others are the
    schema's business (Go decodes a null entry as the zero struct, which is an empty object here)."""
    for i, raw in enumerate(items(holder.get(name))):
        entry = fields(raw)
        if entry is not None:
            yield index(field(path, name), i), entry


def check_multizone_port(out: list[Violation], path: str, ref: object, profile: ValidationProfile) -> None:
    """validators.ValidateBackendRef: a MeshMultiZoneService backend names its port."""
    backend = fields(ref)
    if not profile.multizone_port_required or backend is None:
        return
    if text(backend.get("kind")) == k.MESH_MULTI_ZONE_SERVICE and backend.get("port") is None:
        out.append(Violation(field(path, "port"), "must be defined with kind MeshMultiZoneService"))
