"""What a control plane adds to the validators when a loaded policy is applied: the Kubernetes
admission rules (the system-namespace webhook up to 2.7, the policy role from 2.8) and
:func:`violations_at`, the one answer to "the violations of this resource at version V"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ..model import Format
from . import profiles as k
from .paths import Violation
from .policy import SYSTEM_ROLE, validate_policy
from .profiles import ValidationProfile, profile_for
from .values import fields, items, text

#: Where a control plane runs: ``kuma-system`` for Kuma, ``kong-mesh-system`` for Kong Mesh.
SYSTEM_NAMESPACES: Final = ("kuma-system", "kong-mesh-system")
#: The plugin policies among the kinds the toolkit reads (the legacy kinds are cluster-scoped).
_PLUGIN_POLICY_KINDS: Final = ("MeshTCPRoute", "MeshHTTPRoute")
#: mesh_proto.PolicyRoleLabel.
ROLE_LABEL: Final = "kuma.io/policy-role"
_MIXED_ITEMS: Final = "it's not allowed to mix producer and consumer items in the same policy"


def violations_at(
    resource: Any, version: str | ValidationProfile, system_namespaces: Sequence[str] = SYSTEM_NAMESPACES
) -> list[Violation]:
    """Every violation of ``resource`` (a loaded route or legacy policy: ``kind``, ``spec``, ``name``,
    ``namespace``, ``format``, ``labels``) when it is applied to Kuma ``version``: the admission rules
    first (the webhooks run before the validators), then :func:`validate_policy` with the role the
    control plane gives the policy.  ``system_namespaces`` are where the control plane runs; the first
    one is the one Kuma names in its message."""
    profile = profile_for(version)
    found = namespace_violations(resource, profile, system_namespaces)
    role, problem = policy_role(resource, profile, system_namespaces)
    if problem is not None:
        found.append(problem)
    return found + validate_policy(resource.kind, resource.spec, name=resource.name, version=profile, role=role)


def _in_namespace(resource: Any) -> bool:
    return resource.format is Format.KUBERNETES and resource.namespace is not None


def namespace_violations(
    resource: Any, profile: ValidationProfile, system_namespaces: Sequence[str] = SYSTEM_NAMESPACES
) -> list[Violation]:
    """Up to 2.7 the admission webhook admits plugin policies only in the control plane's namespace
    (``pkg/plugins/runtime/k8s/webhooks/policy_namespace_validator.go``); from 2.8 any namespace."""
    if not profile.system_namespace_only or resource.kind not in _PLUGIN_POLICY_KINDS or not _in_namespace(resource):
        return []
    if resource.namespace in system_namespaces:
        return []
    message = f"policy can only be created in the system namespace:{system_namespaces[0]}"
    return [Violation("metadata.namespace", message)]


def policy_role(
    resource: Any, profile: ValidationProfile, system_namespaces: Sequence[str] = SYSTEM_NAMESPACES
) -> tuple[str | None, Violation | None]:
    """The ``kuma.io/policy-role`` the control plane validates ``resource`` with (None: none, which is
    the system role), and the violation when it cannot compute one.

    Universal policies keep whatever role label they carry.  From 2.8 a Kubernetes policy gets its role
    from its namespace and ``to`` items: ``system`` in the system namespace, otherwise ``consumer`` /
    ``producer`` / ``workload-owner`` (``labels.Compute`` / ``ComputePolicyRole``)."""
    label = dict(resource.labels).get(ROLE_LABEL) or None
    if resource.kind not in _PLUGIN_POLICY_KINDS or not _in_namespace(resource) or profile.role_rule == "none":
        return label, None
    if profile.role_label_kept and label is not None:
        return label, None
    if resource.namespace in system_namespaces:
        return SYSTEM_ROLE, None
    return _computed_role(resource.spec, resource.namespace, profile)


def _computed_role(spec: object, namespace: str, profile: ValidationProfile) -> tuple[str | None, Violation | None]:
    destinations = [fields(item) or {} for item in items((fields(spec) or {}).get("to"))]
    if not destinations:
        return "workload-owner", None  # neither "to" nor "from"
    if profile.role_rule == "consumer when it has to":
        return "consumer", None
    producers = sum(_is_producer_item(fields(item.get("targetRef")) or {}, namespace, profile) for item in destinations)
    if producers == len(destinations):
        return "producer", None
    if producers == 0:
        return "consumer", None
    return None, Violation("spec.to", _MIXED_ITEMS)


def _is_producer_item(ref: Mapping[str, Any], namespace: str, profile: ValidationProfile) -> bool:
    """A ``to`` item about the policy's own namespace: a named MeshService (from 2.11 also MeshHTTPRoute)
    with the same or no namespace."""
    with_routes = profile.role_rule == "producer of MeshServices and routes"
    kinds = (k.MESH_SERVICE, k.MESH_HTTP_ROUTE) if with_routes else (k.MESH_SERVICE,)
    ref_namespace = text(ref.get("namespace")) or ""
    return text(ref.get("kind")) in kinds and bool(text(ref.get("name"))) and ref_namespace in ("", namespace)
