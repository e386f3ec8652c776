"""The TrafficRoute and TrafficPermission validators (``pkg/core/resources/apis/mesh/traffic_route_validator.go``,
``traffic_permission_validator.go``, ``validators.go`` ValidateSelectors; unchanged from 2.5.11 to 2.14.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .jsonpb import HOST_REWRITES, LB_TYPES, MATCHER_TYPES, PATH_REWRITES, UINT_LIMITS, oneof_choice, pget, proto_uint
from .paths import Violation, field, index, key
from .tags import TagRules, check_selector
from .values import fields, is_list, items, text

# ValidateSelectors options of the legacy validators (traffic_permission_validator.go,
# traffic_route_validator.go): every selector needs a tag; TrafficRoute sources and split / destination
# selectors need kuma.io/service; TrafficRoute destinations have exactly that one tag (OnlyServiceTagAllowed).
_ANY_TAGS = TagRules(require_at_least_one=True)
_SERVICE_TAGS = TagRules(require_at_least_one=True, require_service=True)
_ONLY_SERVICE = TagRules(require_service=True, only_service=True)


def validate_traffic_permission(out: list[Violation], spec: Mapping[str, Any]) -> None:
    # Both sides: at least one selector, each with at least one tag (kuma.io/service not required).
    for side in ("sources", "destinations"):
        _check_selectors(out, side, spec.get(side), _ANY_TAGS)


def validate_traffic_route(out: list[Violation], spec: Mapping[str, Any]) -> None:
    _check_selectors(out, "sources", spec.get("sources"), _SERVICE_TAGS)
    _check_selectors(out, "destinations", spec.get("destinations"), _ONLY_SERVICE)
    _check_route_conf(out, spec.get("conf"))


def _check_selectors(out: list[Violation], path: str, value: object, rules: TagRules) -> None:
    if value is not None and not is_list(value):
        return  # reported by the shape layer
    selectors = items(value)
    if not selectors:
        out.append(Violation(path, "must have at least one element"))
    for i, raw_selector in enumerate(selectors):
        selector = fields(raw_selector)
        if selector is not None:
            check_selector(out, index(path, i) + ".match", selector.get("match"), rules)


def _check_route_conf(out: list[Violation], value: object) -> None:
    # validateConf: conf is required; then destination/split, every http entry, the load balancer.
    if value is None:
        out.append(Violation("conf", "cannot be empty"))
        return
    conf = fields(value)
    if conf is None:
        return
    _check_split_and_destination(out, "conf", conf)
    for i, raw_http in enumerate(items(conf.get("http"))):
        http = fields(raw_http)
        if http is not None:
            _check_route_http(out, index("conf.http", i), http)
    _check_load_balancer(out, fields(pget(conf, "loadBalancer")))


def _check_split_and_destination(out: list[Violation], path: str, holder: Mapping[str, Any]) -> None:
    # validateSplitAndDestination.  An empty repeated field is nil in Go protobuf, so "split: []" is
    # the same as no split; an empty map ("destination: {}") is still set.  A wrongly typed value
    # (reported by the shape layer) counts as set but is not looked into.
    raw_split = holder.get("split")
    raw_destination = holder.get("destination")
    split_set = bool(items(raw_split)) if raw_split is None or is_list(raw_split) else True
    destination_set = raw_destination is not None
    if not split_set and not destination_set:
        out.append(Violation(path, 'requires either "destination" or "split"'))
    if split_set and destination_set:
        out.append(Violation(path, '"split" cannot be defined at the same time as "destination"'))
    if split_set and is_list(raw_split):
        _check_split(out, field(path, "split"), items(raw_split))
    if destination_set:
        check_selector(out, field(path, "destination"), raw_destination, _SERVICE_TAGS)


def _check_split(out: list[Violation], path: str, entries: list[Any]) -> None:
    # validateSplit: every weight defined, every destination a service selector, weights not all 0.
    total = 0
    for i, raw_entry in enumerate(entries):
        entry = fields(raw_entry)
        if entry is None:
            continue
        entry_path = index(path, i)
        raw_weight = entry.get("weight")
        if raw_weight is None:
            out.append(Violation(field(entry_path, "weight"), "needs to be defined"))
        else:
            weight = proto_uint(raw_weight, UINT_LIMITS["uint32"]) or 0
            total = (total + weight) % 2**32  # Kuma sums into a uint32
        check_selector(out, field(entry_path, "destination"), entry.get("destination"), _SERVICE_TAGS)
    if total == 0:
        out.append(Violation(path, "there must be at least one split entry with weight above 0"))


def _check_route_http(out: list[Violation], path: str, http: Mapping[str, Any]) -> None:
    # validateHTTP: match, modify, then destination/split of the entry.
    match = fields(http.get("match"))
    if match is not None:
        _check_route_http_match(out, field(path, "match"), match)
    modify = fields(http.get("modify"))
    if modify is not None:
        _check_route_http_modify(out, field(path, "modify"), modify, match or {})
    _check_split_and_destination(out, path, http)


def _check_route_http_match(out: list[Violation], path: str, match: Mapping[str, Any]) -> None:
    method, match_path, headers = match.get("method"), match.get("path"), match.get("headers")
    if method is None and match_path is None and headers is None:
        out.append(
            Violation(path, 'must be present and contain at least one of the elements: "method", "path" or "headers"')
        )
        return
    if method is not None:
        _check_string_matcher(out, field(path, "method"), method)
    if match_path is not None:
        _check_string_matcher(out, field(path, "path"), match_path)
    header_map = fields(headers) if headers is not None else None
    if header_map is not None:
        if not header_map:
            out.append(Violation(field(path, "headers"), "must contain at least one element"))
        for name in sorted(header_map):  # Go walks this map in random order
            key_path = key(field(path, "headers"), name)
            if name == "":
                out.append(Violation(key_path, "cannot be empty"))
            _check_string_matcher(out, key_path, header_map[name])


def _check_string_matcher(out: list[Violation], path: str, value: object) -> None:
    # validateStringMatcher: exact may be empty, prefix and regex may not; one of them must be set.
    # (Kuma's message says "split" where it means "prefix".)
    matcher = fields(value)
    if matcher is None:
        return
    chosen = oneof_choice(matcher, MATCHER_TYPES)
    if chosen is None:
        out.append(Violation(path, 'cannot be empty. Available options: "exact", "split" or "regex"'))
    elif chosen != "exact" and text(matcher[chosen]) == "":
        out.append(Violation(field(path, chosen), "cannot be empty"))


def _prefix_of(match: Mapping[str, Any]) -> str:
    """match.GetPath().GetPrefix(): the prefix of the path matcher, "" when it is another type."""
    path_matcher = fields(match.get("path"))
    if not path_matcher or oneof_choice(path_matcher, MATCHER_TYPES) != "prefix":
        return ""
    return text(path_matcher["prefix"]) or ""


def _check_route_http_modify(
    out: list[Violation], path: str, modify: Mapping[str, Any], match: Mapping[str, Any]
) -> None:
    # validateHTTPModify: path, host, requestHeaders, responseHeaders (each only when set).
    rewrite = fields(modify.get("path")) if modify.get("path") is not None else None
    if rewrite is not None:
        _check_modify_path(out, field(path, "path"), rewrite, match)
    host = fields(modify.get("host")) if modify.get("host") is not None else None
    if host is not None:
        _check_modify_host(out, field(path, "host"), host)
    for name in ("requestHeaders", "responseHeaders"):
        headers = fields(modify.get(name)) if modify.get(name) is not None else None
        if headers is not None:
            _check_modify_headers(out, field(path, name), headers)


def _check_modify_path(out: list[Violation], path: str, rewrite: Mapping[str, Any], match: Mapping[str, Any]) -> None:
    chosen = oneof_choice(rewrite, PATH_REWRITES)
    if chosen is None:
        out.append(Violation(path, 'either "rewritePrefix" or "regex" has to be set'))
    elif chosen == "rewritePrefix":
        prefix = text(rewrite["rewritePrefix"])
        if prefix == "":
            out.append(Violation(field(path, "rewritePrefix"), "cannot be empty"))
        elif prefix is not None and _prefix_of(match) == "":
            out.append(
                Violation(field(path, "rewritePrefix"), "can only be set when .http.match.path.prefix is not empty")
            )
    else:
        _check_regex_replace(out, field(path, "regex"), rewrite["regex"])


def _check_modify_host(out: list[Violation], path: str, host: Mapping[str, Any]) -> None:
    chosen = oneof_choice(host, HOST_REWRITES)
    if chosen is None:
        out.append(Violation(path, 'either "value" or "fromPath" has to be set'))
    elif chosen == "value":
        if text(host["value"]) == "":
            out.append(Violation(field(path, "value"), "cannot be empty"))
    else:
        _check_regex_replace(out, field(path, "fromPath"), host["fromPath"])


def _check_regex_replace(out: list[Violation], path: str, value: object) -> None:
    regex = fields(value)
    if regex is None:
        return
    for name in ("pattern", "substitution"):
        if text(regex.get(name)) == "":
            out.append(Violation(field(path, name), "cannot be empty"))


def _check_modify_headers(out: list[Violation], path: str, headers: Mapping[str, Any]) -> None:
    # validateModificationHeaders: add[] needs a name and a value, remove[] a name.
    for i, raw_add in enumerate(items(headers.get("add"))):
        add = fields(raw_add)
        if add is None:
            continue
        add_path = index(field(path, "add"), i)
        _check_modified_header_name(out, field(add_path, "name"), text(add.get("name")))
        if text(add.get("value")) == "":
            out.append(Violation(field(add_path, "value"), "cannot be empty"))
    for i, raw_remove in enumerate(items(headers.get("remove"))):
        remove = fields(raw_remove)
        if remove is not None:
            _check_modified_header_name(out, index(field(path, "remove"), i) + ".name", text(remove.get("name")))


def _check_modified_header_name(out: list[Violation], path: str, name: str | None) -> None:
    # validateHeaderName: the host header and HTTP/2 pseudo-headers (":path", ...) stay untouched.
    if name is None:
        return
    if name == "":
        out.append(Violation(path, "cannot be empty"))
    elif name.startswith(":") or name in ("host", "Host"):
        out.append(Violation(path, "host header and HTTP/2 pseudo-headers are not allowed to be modified"))


def _check_load_balancer(out: list[Violation], balancer: Mapping[str, Any] | None) -> None:
    # validateLb: its paths are fixed strings in Kuma, whichever spelling the file used.
    if not balancer:
        return
    chosen = oneof_choice(balancer, LB_TYPES)
    if chosen == "leastRequest":
        least_request = fields(pget(balancer, "leastRequest"))
        if least_request is not None and proto_uint(pget(least_request, "choiceCount"), UINT_LIMITS["uint32"]) == 1:
            out.append(
                Violation("conf.loadBalancer.leastRequest.choiceCount", "value must be greater than or equal to 2")
            )
    elif chosen == "ringHash":
        ring_hash = fields(pget(balancer, "ringHash"))
        if ring_hash is not None:
            function = text(pget(ring_hash, "hashFunction"))
            if function is not None and function not in ("XX_HASH", "MURMUR_HASH_2"):
                out.append(Violation("conf.loadBalancer.ringHash.hashFunction", "must have a valid hash function"))
