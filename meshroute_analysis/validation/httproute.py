"""The MeshHTTPRoute validator (``pkg/plugins/policies/meshhttproute/api/v1alpha1/validation.go``)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, Final

from . import profiles as k
from .paths import Violation, field, index
from .profiles import ValidationProfile
from .routes import check_multizone_port, check_top_level, each_entry, to_options, top_kind
from .targetref import MUST_BE_DEFINED, MUST_NOT_BE_DEFINED, RefOptions, check_target_ref
from .values import fields, is_list, items, text

# The requestMirror backendRef takes these kinds in every release.
_MIRROR: Final = RefOptions((k.MESH_SERVICE, k.MESH_SERVICE_SUBSET))
# metadata.UnresolvedBackendServiceTag: the name the Gateway API converter gives a missing backend.
_UNRESOLVED_BACKEND: Final = "kuma.io/unresolved-backend"


def validate_http_route(
    out: list[Violation], spec: Mapping[str, Any], profile: ValidationProfile, system_role: bool
) -> None:
    """The top-level targetRef, then every ``to`` entry: targetRef, rules, hostnames."""
    check_top_level(out, spec, profile, system_role, gateway_listener_tags=profile.http_gateway_listener_tags)
    top = top_kind(spec, profile)
    destinations = to_options(top, profile, profile.http_to_kinds)
    for to_path, to in each_entry(spec, "to", "spec"):
        check_target_ref(out, field(to_path, "targetRef"), to.get("targetRef"), destinations, profile)
        for rule_path, rule in each_entry(to, "rules", to_path):
            _check_rule(out, rule_path, rule, top, profile)
        if profile.http_gateway_only_fields and top != k.MESH_GATEWAY and items(to.get("hostnames")):
            out.append(Violation(field(to_path, "hostnames"), MUST_NOT_BE_DEFINED))


def _check_rule(out: list[Violation], path: str, rule: Mapping[str, Any], top: str, profile: ValidationProfile) -> None:
    # validateRules: matches, then default.filters, then default.backendRefs.
    matches = items(rule.get("matches"))
    for i, raw_match in enumerate(matches):
        match = fields(raw_match)
        if match is not None:
            _check_match(out, index(field(path, "matches"), i), match)
    default = fields(rule.get("default"))
    if default is None:
        return
    filters = default.get("filters")
    if filters is not None:  # *[]Filter: nil means no filters at all
        for i, raw_filter in enumerate(items(filters)):
            filter_ = fields(raw_filter)
            if filter_ is not None:
                _check_filter(out, index(path + ".default.filters", i), filter_, matches, top, profile)
    _check_backend_refs(out, path + ".default.backendRefs", default.get("backendRefs"), items(filters), top, profile)


def _check_match(out: list[Violation], path: str, match: Mapping[str, Any]) -> None:
    # validateMatches: path, queryParams, headers.  "method" has no rule beyond its schema enum.
    path_match = match.get("path")
    if path_match is not None:
        _check_path_match(out, field(path, "path"), fields(path_match))
    _check_query_params(out, field(path, "queryParams"), items(match.get("queryParams")))
    for i, raw_header in enumerate(items(match.get("headers"))):
        header = fields(raw_header)
        if header is None:
            continue
        # A missing (nil) type means Exact; Present and Absent take no value.
        match_type = "Exact" if header.get("type") is None else text(header.get("type"))
        if match_type in ("Present", "Absent") and text(header.get("value")):
            out.append(Violation(index(field(path, "headers"), i) + ".value", MUST_NOT_BE_DEFINED))


def _check_path_match(out: list[Violation], path: str, path_match: Mapping[str, Any] | None) -> None:
    # validatePath: RegularExpression is free; PathPrefix "/" is fine.
    if path_match is None:
        return
    match_type = text(path_match.get("type"))
    value = text(path_match.get("value"))
    if value is None:
        return
    value_path = field(path, "value")
    if match_type == "PathPrefix" and value != "/":
        if value.endswith("/"):
            out.append(
                Violation(
                    value_path,
                    "does not need a trailing slash because only a `/`-separated prefix or an entire path is matched",
                )
            )
        if not value.startswith("/"):
            out.append(Violation(value_path, "must be an absolute path"))
    elif match_type == "Exact" and not value.startswith("/"):
        out.append(Violation(value_path, "must be an absolute path"))


def _check_query_params(out: list[Violation], path: str, params: list[Any]) -> None:
    # validateQueryParams: every repeat of a name after its first use is reported.
    seen: set[str] = set()
    for i, raw_param in enumerate(params):
        param = fields(raw_param)
        name = text(param.get("name")) if param is not None else None
        if name is None:
            continue
        if name in seen:
            out.append(Violation(index(path, i) + ".name", f"multiple entries for name {name}"))
        seen.add(name)


def _has_match_without_prefix(matches: list[Any]) -> bool:
    # hasAnyMatchesWithoutPrefix: no matches at all counts as a "/" prefix.
    for raw_match in matches:
        match = fields(raw_match)
        path_match = fields(match.get("path")) if match is not None else None
        if not path_match or text(path_match.get("type")) != "PathPrefix":
            return True
    return False


def _check_filter(
    out: list[Violation],
    path: str,
    filter_: Mapping[str, Any],
    matches: list[Any],
    top: str,
    profile: ValidationProfile,
) -> None:
    # validateFilters: each filter type needs its own body; unknown types are the schema's business.
    filter_type = text(filter_.get("type"))
    if filter_type in ("RequestHeaderModifier", "ResponseHeaderModifier"):
        name = "requestHeaderModifier" if filter_type == "RequestHeaderModifier" else "responseHeaderModifier"
        body = _filter_body(out, path, filter_, name)
        if body is not None:
            _check_header_modifier(out, field(path, name), body)
    elif filter_type == "RequestRedirect":
        body = _filter_body(out, path, filter_, "requestRedirect")
        if body is not None:
            _check_prefix_rewrite(out, field(path, "requestRedirect"), body, matches)
            _check_precise_hostname(out, field(path, "requestRedirect") + ".hostname", body.get("hostname"), profile)
    elif filter_type == "URLRewrite":
        body = _filter_body(out, path, filter_, "urlRewrite")
        if body is not None:
            _check_prefix_rewrite(out, field(path, "urlRewrite"), body, matches)
            _check_precise_hostname(out, field(path, "urlRewrite") + ".hostname", body.get("hostname"), profile)
            _check_host_to_backend_hostname(out, field(path, "urlRewrite"), body, top, profile)
    elif filter_type == "RequestMirror":
        body = _filter_body(out, path, filter_, "requestMirror")
        if body is not None:
            mirror_path = field(path, "requestMirror") + ".backendRef"
            check_target_ref(out, mirror_path, body.get("backendRef"), _MIRROR, profile)


def _filter_body(out: list[Violation], path: str, filter_: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The filter's body; a missing one is "must be defined" and stops the filter's checks."""
    raw = filter_.get(name)
    if raw is None:
        out.append(Violation(field(path, name), MUST_BE_DEFINED))
        return None
    return fields(raw)


def _check_prefix_rewrite(out: list[Violation], path: str, body: Mapping[str, Any], matches: list[Any]) -> None:
    raw_path = body.get("path")  # PathRewrite is a pointer: null means no path
    rewrite = fields(raw_path) if raw_path is not None else None
    if rewrite is not None and rewrite.get("replacePrefixMatch") is not None and _has_match_without_prefix(matches):
        out.append(Violation(path + ".path.replacePrefixMatch", "can only appear if all matches match a path prefix"))


_DNS1123_SUBDOMAIN: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
# k8s.io/apimachinery validation.IsDNS1123Subdomain's messages.
_DNS1123_MESSAGE: Final = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_IPV4_PART: Final = re.compile(r"[0-9]+")


def _check_precise_hostname(out: list[Violation], path: str, raw: object, profile: ValidationProfile) -> None:
    # validatePreciseHostname: not an IP address, else every complaint of IsDNS1123Subdomain.
    hostname = text(raw) if raw is not None else None
    if not profile.http_precise_hostnames or hostname is None:
        return
    if _is_ip(hostname):
        out.append(Violation(path, "cannot be an IP address"))
        return
    if len(hostname) > 253:
        out.append(Violation(path, "must be no more than 253 characters"))
    if not _DNS1123_SUBDOMAIN.fullmatch(hostname):
        out.append(Violation(path, _DNS1123_MESSAGE))


def _is_ip(value: str) -> bool:
    """k8s.io/utils/net ParseIPSloppy: IPv4 parts may have leading zeros; IPv6 has no zone."""
    parts = value.split(".")
    if len(parts) == 4 and all(_IPV4_PART.fullmatch(p) and int(p) <= 255 for p in parts):
        return True
    if ":" not in value or "%" in value:
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def _check_host_to_backend_hostname(
    out: list[Violation], path: str, body: Mapping[str, Any], top: str, profile: ValidationProfile
) -> None:
    if not profile.http_gateway_only_fields or body.get("hostToBackendHostname") is not True:
        return
    if top != k.MESH_GATEWAY:
        out.append(Violation(path + ".hostToBackendHostname", "can only be set with MeshGateway"))
    if body.get("hostname") is not None:
        out.append(Violation(path + ".hostToBackendHostname", "cannot be set together with hostname"))


def _check_header_modifier(out: list[Violation], path: str, modifier: Mapping[str, Any]) -> None:
    # validateHeaderModifier: at least one list present (an empty list counts), then one action per
    # header name across set, add and remove, in that order.
    if all(modifier.get(name) is None for name in ("set", "add", "remove")):
        out.append(Violation(path, "must have at least one defined: set, add, remove"))
        return
    seen: set[str] = set()

    def note(name: str | None, name_path: str) -> None:
        if name is None:
            return
        if name in seen:
            out.append(Violation(name_path, "duplicate header name"))
        seen.add(name)

    for name in ("set", "add"):
        for i, raw_entry in enumerate(items(modifier.get(name))):
            entry = fields(raw_entry)
            if entry is not None:
                note(text(entry.get("name")), index(field(path, name), i) + ".name")
    for i, raw_name in enumerate(items(modifier.get("remove"))):
        note(text(raw_name), index(field(path, "remove"), i) + ".name")


def _check_backend_refs(
    out: list[Violation], path: str, raw_refs: object, filters: list[Any], top: str, profile: ValidationProfile
) -> None:
    # validateBackendRefs: under a top-level MeshGateway a rule needs backends (from 2.6; from 2.7 not
    # when it redirects); then every backendRef.
    no_backends = raw_refs is None or (is_list(raw_refs) and not raw_refs)
    if top == k.MESH_GATEWAY and no_backends and _gateway_rule_needs_backends(filters, profile):
        out.append(Violation(path, "must not be empty"))
    allowed = (_UNRESOLVED_BACKEND,) if profile.http_unresolved_backend_allowed else ()
    options = RefOptions(profile.http_backend_kinds, allowed_invalid_names=allowed)
    for i, ref in enumerate(items(raw_refs)):
        ref_path = index(path, i)
        check_target_ref(out, ref_path, ref, options, profile)
        check_multizone_port(out, ref_path, ref, profile)


def _gateway_rule_needs_backends(filters: list[Any], profile: ValidationProfile) -> bool:
    if profile.http_gateway_backend_refs == "not checked":
        return False
    if profile.http_gateway_backend_refs == "required":
        return True
    return not any(text((fields(f) or {}).get("type")) == "RequestRedirect" for f in filters)
