"""Deprecation warnings: what kumactl and the Kubernetes webhook print for a policy they *accept*
(``core_model.Deprecations``, from 2.9: ``TopLevelTargetRefDeprecations`` of
``pkg/plugins/policies/core/jsonpatch/validators/validator.go``).  They never refuse a document."""

from __future__ import annotations

from .profiles import ValidationProfile, profile_for
from .values import fields, text

_ROUTE_KINDS = ("MeshTCPRoute", "MeshHTTPRoute")


def deprecations(kind: str, spec: object, *, version: str | ValidationProfile = "2.5") -> list[str]:
    """The warnings Kuma ``version`` gives when ``spec`` (a route's spec) is applied: one for a
    deprecated top-level targetRef kind, none otherwise."""
    profile = profile_for(version)
    if kind not in _ROUTE_KINDS:
        return []
    raw = (fields(spec) or {}).get("targetRef")
    top = fields(raw) if raw is not None else None
    top_kind = text(top.get("kind")) if top else None
    return [warning for deprecated, warning in profile.deprecated_top_kinds if deprecated == top_kind]
