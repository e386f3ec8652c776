"""``validate_policy``: one policy document through the layers Kuma runs on apply, at one version."""

from __future__ import annotations

from typing import Final

from .httproute import validate_http_route
from .jsonpb import TRAFFIC_PERMISSION_SHAPE, TRAFFIC_ROUTE_SHAPE, check_shape
from .legacy import validate_traffic_permission, validate_traffic_route
from .meta import check_resource_name
from .openapi import check_schema
from .paths import Violation
from .profiles import ValidationProfile, profile_for
from .route_schemas import http_route_schema, tcp_route_schema
from .tcproute import validate_tcp_route
from .values import fields

KINDS: Final = ("MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission")
#: mesh_proto.SystemPolicyRole: what a policy without a ``kuma.io/policy-role`` label is.
SYSTEM_ROLE: Final = "system"
_INTERNAL_ERROR: Final = "could not be validated (internal error in meshroute_analysis.validation)"


def validate_policy(
    kind: str,
    spec: object,
    *,
    name: str | None = None,
    version: str | ValidationProfile = "2.5",
    role: str | None = None,
) -> list[Violation]:
    """Validate one policy the way Kuma ``version`` does and return every violation found.

    ``kind`` is one of "MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission".  ``spec`` is
    the parsed YAML: for the legacy kinds the mapping holding ``sources``/``destinations``/``conf``, for
    the targetRef kinds the mapping holding ``targetRef``/``to``.  It may be any object at all; nothing
    raises on it.  ``name``, when given, is validated as a new resource's name (path ``name``).
    ``version`` is a Kuma version ("2.5", "2.7", "2.6.0", "v2.13.10", ...; an unknown one is a
    :class:`~meshroute_analysis.errors.UsageError`).  ``role`` is the policy's ``kuma.io/policy-role``
    (from 2.8 only the system role may target a MeshGateway); None means the system role, as in Kuma.
    The order is shape violations, then validator violations, then the name.
    """
    profile = profile_for(version)
    system_role = role in (None, "", SYSTEM_ROLE)
    out: list[Violation] = []
    try:
        _validate_spec(out, kind, spec, profile, system_role)
        if name is not None:
            check_resource_name(out, name)
    except Exception as exc:  # pragma: no cover - a safety net; the tests assert it never fires
        out.append(Violation("spec", f"{_INTERNAL_ERROR}: {type(exc).__name__}"))
    return out


def _validate_spec(
    out: list[Violation], kind: object, spec: object, profile: ValidationProfile, system_role: bool
) -> None:
    if kind not in KINDS:
        out.append(Violation("kind", "must be one of " + ", ".join(KINDS)))
        return
    entries = fields(spec)
    if entries is None or spec is None:
        # Every kind's spec is an object; there is nothing else to look at.
        out.append(Violation("spec", "must be an object"))
        return
    if kind == "MeshTCPRoute":
        check_schema(out, tcp_route_schema(profile), entries, "spec", defaults=profile.schema_defaults)
        validate_tcp_route(out, entries, profile, system_role)
    elif kind == "MeshHTTPRoute":
        check_schema(out, http_route_schema(profile), entries, "spec", defaults=profile.schema_defaults)
        validate_http_route(out, entries, profile, system_role)
    elif kind == "TrafficRoute":
        check_shape(out, TRAFFIC_ROUTE_SHAPE, entries, "")
        validate_traffic_route(out, entries)
    else:
        check_shape(out, TRAFFIC_PERMISSION_SHAPE, entries, "")
        validate_traffic_permission(out, entries)
