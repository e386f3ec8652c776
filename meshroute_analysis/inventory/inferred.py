"""Services only policies name, and proxies inferred from what policies select when a mesh has no inventory."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import (
    SERVICE_TAG,
    Inbound,
    Origin,
    Policy,
    Proxy,
    Tags,
    tag_value,
    tags_str,
)


def named_services(policy: Policy) -> Iterable[str]:
    """Every service a policy names as a destination or a backend."""
    for entry in policy.to:
        ref = entry.target_ref
        if ref is not None and ref.kind in ("MeshService", "MeshServiceSubset") and ref.name:
            yield ref.name
        for backend in entry.backend_refs or ():
            if backend.name and backend.kind in ("MeshService", "MeshServiceSubset"):
                yield backend.name
        for rule in entry.http_rules:
            for backend in rule.backend_refs or ():
                if backend.name and backend.kind in ("MeshService", "MeshServiceSubset"):
                    yield backend.name
    for split in policy.splits:
        service = tag_value(split.destination, SERVICE_TAG)
        if service and service != "*":
            yield service


def _selected_tags(policy: Policy) -> Iterable[Tags]:
    """Inbound tags a proxy would need for the policy to select it, for inferring proxies."""
    ref = policy.target_ref
    if ref is not None:
        if ref.kind == "MeshSubset" and ref.tags:
            yield ref.tags
        elif ref.kind in ("MeshService", "MeshServiceSubset") and ref.name:
            yield tuple(sorted({**dict(ref.tags), SERVICE_TAG: ref.name}.items()))
    if policy.type == "TrafficRoute":
        for selector in policy.sources:
            concrete = tuple((k, v) for k, v in selector.match if v != "*")
            if concrete:
                yield concrete


def inferred_proxies(mesh: str, policies: Iterable[Policy]) -> list[Proxy]:
    seen: dict[Tags, Proxy] = {}
    for policy in policies:
        if policy.mesh != mesh or not policy.valid:
            continue
        for tags in _selected_tags(policy):
            if tags not in seen:
                name = f"inferred/{tags_str(tags)}"
                seen[tags] = Proxy(name, mesh, Origin.INFERRED, (Inbound(None, tags),), None, None, name, policy.resource.file, policy.resource.line)
    return [seen[t] for t in sorted(seen)]


