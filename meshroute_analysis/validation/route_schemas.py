"""The OpenAPI schemas of MeshTCPRoute and MeshHTTPRoute (``schema.yaml``, from 2.13 ``rest.yaml``), built
for one :class:`~.profiles.ValidationProfile`.  Properties follow the Go struct field order, so the output
order is deterministic (Kuma walks them in Go map order)."""

from __future__ import annotations

from functools import cache
from typing import Final

from .openapi import BOOLEAN, STRING_MAP, Schema, array, integer, obj, string
from .profiles import ValidationProfile

# Header names follow the Gateway API HTTPHeaderName pattern; hostnames are RFC 1123 (PreciseHostname);
# \x60 is a backtick, kept as the schema spells it.  Neither changed from 2.5.11 to 2.14.3.
_HEADER_NAME: Final = string(min_length=1, max_length=256, pattern=r"^[a-z0-9!#$%&'*+\-.^_\x60|~]+$")
_HOSTNAME: Final = string(
    min_length=1, max_length=253, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_HEADER_KEY_VALUE: Final = obj(("name", _HEADER_NAME), ("value", string()), required=("name", "value"))
_HEADER_MODIFIER: Final = obj(
    ("set", array(_HEADER_KEY_VALUE, max_items=16)),
    ("add", array(_HEADER_KEY_VALUE, max_items=16)),
    ("remove", array(string(), max_items=16)),
)
_PATH_REWRITE: Final = obj(
    ("type", string("ReplaceFullPath", "ReplacePrefixMatch")),
    ("replaceFullPath", string()),
    ("replacePrefixMatch", string()),
    required=("type",),
)
_REQUEST_REDIRECT: Final = obj(
    ("scheme", string("http", "https")),
    ("hostname", _HOSTNAME),
    ("path", _PATH_REWRITE),
    ("port", integer(minimum=1, maximum=65535, int32=True)),
    ("statusCode", integer(301, 302, 303, 307, 308, has_default=True)),  # default 302
)
_HTTP_MATCH: Final = obj(
    (
        "path",
        obj(
            ("value", string(min_length=1)),
            ("type", string("Exact", "PathPrefix", "RegularExpression")),
            required=("type", "value"),
        ),
    ),
    ("method", string("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")),
    (
        "queryParams",
        array(
            obj(
                ("type", string("Exact", "RegularExpression")),
                ("name", string(min_length=1)),
                ("value", string()),
                required=("name", "type", "value"),
            )
        ),
    ),
    (
        "headers",
        array(
            obj(
                ("type", string("Exact", "Present", "RegularExpression", "Absent", "Prefix", has_default=True)),
                ("name", _HEADER_NAME),
                ("value", string()),
                required=("name",),
            )
        ),
    ),
)


def _target_ref_properties(profile: ValidationProfile) -> tuple[tuple[str, Schema], ...]:
    """common_api.TargetRef: kind, name, tags, mesh, then the fields later releases add."""
    properties: list[tuple[str, Schema]] = [
        ("kind", string(*profile.schema_kinds)),
        ("name", string()),
        ("tags", STRING_MAP),
        ("mesh", string()),
    ]
    if profile.schema_proxy_types:
        proxy_types = array(string("Sidecar", "Gateway"), min_items=profile.schema_proxy_types_min_items)
        properties.append(("proxyTypes", proxy_types))
    if profile.schema_ref_labels:
        properties += [("namespace", string()), ("labels", STRING_MAP), ("sectionName", string())]
    return tuple(properties)


def _kind_required(profile: ValidationProfile) -> tuple[str, ...]:
    return ("kind",) if profile.schema_kind_required else ()


def _target_ref(profile: ValidationProfile) -> Schema:
    return obj(*_target_ref_properties(profile), required=_kind_required(profile))


def _backend_ref(profile: ValidationProfile) -> Schema:
    """common_api.BackendRef: an inlined TargetRef, weight (uint, default 1, minimum 0), then port."""
    properties = _target_ref_properties(profile) + (("weight", integer(minimum=0, has_default=True)),)
    if profile.schema_backend_port:
        properties += (("port", integer(int32=True)),)
    return obj(*properties, required=_kind_required(profile))


@cache
def tcp_route_schema(profile: ValidationProfile) -> Schema:
    """MeshTCPRoute ``spec``: ``to`` has at least one entry, each with at most one rule."""
    target_ref = _target_ref(profile)
    backend_refs_required = profile.schema_tcp_backend_refs_required
    default = obj(
        ("backendRefs", array(_backend_ref(profile), min_items=1 if backend_refs_required else None)),
        required=("backendRefs",) if backend_refs_required else (),
    )
    to_entry = obj(
        ("targetRef", target_ref),
        ("rules", array(obj(("default", default), required=("default",)), max_items=1)),
        required=("rules", "targetRef") if profile.schema_to_rules_required else ("targetRef",),
    )
    return obj(
        ("targetRef", target_ref),
        ("to", array(to_entry, min_items=1)),
        required=("targetRef",) if profile.schema_tcp_target_ref_required else (),
    )


def _http_filter(profile: ValidationProfile) -> Schema:
    url_rewrite: tuple[tuple[str, Schema], ...] = (("hostname", _HOSTNAME), ("path", _PATH_REWRITE))
    if profile.schema_http_gateway_fields:
        url_rewrite += (("hostToBackendHostname", BOOLEAN),)
    mirror_ref = _backend_ref(profile) if profile.schema_mirror_backend_ref else _target_ref(profile)
    return obj(
        (
            "type",
            string("RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "RequestMirror"),
        ),
        ("requestHeaderModifier", _HEADER_MODIFIER),
        ("responseHeaderModifier", _HEADER_MODIFIER),
        ("requestRedirect", _REQUEST_REDIRECT),
        ("urlRewrite", obj(*url_rewrite)),
        (
            "requestMirror",
            obj(
                # intstr.IntOrString: anyOf integer / string.
                ("percentage", Schema(any_of=(integer(), string()))),
                ("backendRef", mirror_ref),
                required=("backendRef",),
            ),
        ),
        required=("type",),
    )


@cache
def http_route_schema(profile: ValidationProfile) -> Schema:
    """MeshHTTPRoute ``spec``: neither ``targetRef`` nor ``to`` is required; every rule needs matches."""
    rule = obj(
        ("matches", array(_HTTP_MATCH, min_items=1)),
        ("default", obj(("filters", array(_http_filter(profile))), ("backendRefs", array(_backend_ref(profile))))),
        required=("default", "matches"),
    )
    to_fields: tuple[tuple[str, Schema], ...] = (("targetRef", _target_ref(profile)), ("rules", array(rule)))
    if profile.schema_http_gateway_fields:
        to_fields = (("hostnames", array(string())),) + to_fields
    to_entry = obj(*to_fields, required=("rules", "targetRef") if profile.schema_to_rules_required else ())
    return obj(("targetRef", _target_ref(profile)), ("to", array(to_entry)))
