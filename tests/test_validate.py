"""Tests of meshroute_analysis.validate against Kuma 2.5.11's validation behaviour.

The cases named ``kuma_*`` re-express, with our own YAML, every case of the 2.5.11 files
``meshtcproute/api/v1alpha1/validator_test.go``, ``meshhttproute/api/v1alpha1/validation_test.go``,
``core/resources/apis/mesh/traffic_route_validator_test.go`` and ``traffic_permission_validator_test.go``.
Kuma's tests call ``validate()`` directly and skip the OpenAPI schema; ``validate_policy`` runs both, so
where a Kuma input also breaks the schema (an unknown kind, a rule without ``matches``...) the expected
list holds the schema violation ("in body ...") first, then Kuma's validator violations.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import meshroute_analysis.validate as validate_module
from meshroute_analysis.validate import Violation, validate_policy

Pairs = list[tuple[str, str]]

KIND_ENUM = "in body should be one of [Mesh MeshSubset MeshGateway MeshService MeshServiceSubset MeshHTTPRoute]"
INTERNAL = "internal error"


def check(kind: str, spec: Any, *, name: str | None = None) -> Pairs:
    """validate_policy on a YAML text (or an already parsed value), as (path, message) pairs."""
    value = yaml.safe_load(spec) if isinstance(spec, str) else spec
    found = validate_policy(kind, value, name=name)
    assert isinstance(found, list)
    assert all(isinstance(v, Violation) for v in found)
    return [(v.path, v.message) for v in found]


# ----------------------------------------------------------------------------------------------
# API
# ----------------------------------------------------------------------------------------------


def test_public_api() -> None:
    assert validate_module.__all__ == [
        "SYSTEM_NAMESPACES",
        "ValidationProfile",
        "Violation",
        "deprecations",
        "profile_for",
        "validate_policy",
        "validation_version",
        "violations_at",
    ]
    v = Violation("spec.targetRef.kind", "must be defined")
    assert (v.path, v.message) == ("spec.targetRef.kind", "must be defined")
    with pytest.raises(AttributeError):
        v.path = "x"  # type: ignore[misc]
    assert not hasattr(v, "__dict__")  # slots


def test_unknown_kind_is_reported_not_raised() -> None:
    assert check("MeshRetry", {}) == [
        ("kind", "must be one of MeshTCPRoute, MeshHTTPRoute, TrafficRoute, TrafficPermission")
    ]


# ----------------------------------------------------------------------------------------------
# MeshTCPRoute: validator_test.go (2.5.11)
# ----------------------------------------------------------------------------------------------


def test_kuma_tcp_unsupported_top_level_kind() -> None:
    spec = """
    targetRef: {kind: NoSuchKind, name: web}
    to:
    - targetRef: {kind: MeshService, name: payments}
    """
    assert check("MeshTCPRoute", spec) == [
        ("spec.targetRef.kind", KIND_ENUM),
        ("spec.targetRef.kind", "value is not supported"),
    ]


def test_kuma_tcp_unsupported_to_kind() -> None:
    spec = """
    targetRef: {kind: MeshService, name: web}
    to:
    - targetRef: {kind: NoSuchKind, name: payments}
    """
    assert check("MeshTCPRoute", spec) == [
        ("spec.to[0].targetRef.kind", KIND_ENUM),
        ("spec.to[0].targetRef.kind", "value is not supported"),
    ]


def test_kuma_tcp_subset_backend_without_name() -> None:
    spec = """
    targetRef: {kind: MeshService, name: web}
    to:
    - targetRef: {kind: MeshService, name: payments}
      rules:
      - default:
          backendRefs:
          - kind: MeshServiceSubset
            tags: {version: v2}
    """
    assert check("MeshTCPRoute", spec) == [
        ("spec.to[0].rules[0].default.backendRefs[0].name", "must be set with kind MeshServiceSubset")
    ]


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(
            """
            targetRef: {kind: MeshService, name: web}
            to:
            - targetRef: {kind: MeshService, name: payments}
              rules:
              - default:
                  backendRefs:
                  - {kind: MeshService, name: payments-v2}
            """,
            id="with-rules",
        ),
        pytest.param(
            """
            targetRef: {kind: MeshService, name: web}
            to:
            - targetRef: {kind: MeshService, name: payments}
            """,
            id="without-rules",
        ),
    ],
)
def test_kuma_tcp_valid(spec: str) -> None:
    assert check("MeshTCPRoute", spec, name="route-1") == []


# ----------------------------------------------------------------------------------------------
# MeshTCPRoute: ValidateTargetRef rules (reference section 10.1)
# ----------------------------------------------------------------------------------------------


def tcp_with_top(target: str) -> str:
    return f"targetRef: {target}\nto:\n- targetRef: {{kind: MeshService, name: payments}}\n"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("{kind: Mesh}", []),
        ("{kind: MeshSubset, tags: {zone: east}}", []),
        ("{kind: MeshSubset}", []),  # empty tags are fine
        ("{kind: MeshService, name: web_v1-a}", []),
        ("{kind: MeshServiceSubset, name: web, tags: {version: v1}}", []),
        ("{kind: MeshServiceSubset, name: web}", []),
        ("{}", [("spec.targetRef.kind", "must be defined")]),
        ("{kind: ''}", [("spec.targetRef.kind", KIND_ENUM), ("spec.targetRef.kind", "must be defined")]),
        ("{kind: MeshGateway, name: edge}", [("spec.targetRef.kind", "value is not supported")]),
        ("{kind: MeshHTTPRoute, name: r}", [("spec.targetRef.kind", "value is not supported")]),
        (
            "{kind: Mesh, name: default, mesh: other, tags: {a: b}}",
            [
                ("spec.targetRef.name", "using name with kind Mesh is not yet supported"),
                ("spec.targetRef.mesh", "must not be set with kind Mesh"),
                ("spec.targetRef.tags", "must not be set with kind Mesh"),
            ],
        ),
        ("{kind: Mesh, tags: {}}", []),  # empty tags are "not set"
        (
            "{kind: MeshSubset, name: web, mesh: other}",
            [
                ("spec.targetRef.name", "must not be set with kind MeshSubset"),
                ("spec.targetRef.mesh", "must not be set with kind MeshSubset"),
            ],
        ),
        ("{kind: MeshService}", [("spec.targetRef.name", "must be set with kind MeshService")]),
        (
            "{kind: MeshService, name: Web.Shop, mesh: other, tags: {a: b}}",
            [
                (
                    "spec.targetRef.name",
                    "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols.",
                ),
                ("spec.targetRef.mesh", "must not be set with kind MeshService"),
                ("spec.targetRef.tags", "must not be set with kind MeshService"),
            ],
        ),
        (
            "{kind: MeshServiceSubset, mesh: other, tags: {version: v1}}",
            [
                ("spec.targetRef.name", "must be set with kind MeshServiceSubset"),
                ("spec.targetRef.mesh", "must not be set with kind MeshServiceSubset"),
            ],
        ),
    ],
)
def test_tcp_top_level_target_ref(target: str, expected: Pairs) -> None:
    assert check("MeshTCPRoute", tcp_with_top(target)) == expected


def test_tcp_tag_rules_in_sorted_key_order() -> None:
    spec = {
        "targetRef": {
            "kind": "MeshSubset",
            "tags": {
                "zone": "*",  # no "*" in targetRef tag values
                "team": "a/b",  # no "/" in values
                "": "x",
                "bad key!": "v",
                "empty": "",
                "k8s.io/ns:x_y-z": "ok.value:1_2-3",
            },
        },
        "to": [{"targetRef": {"kind": "MeshService", "name": "payments"}}],
    }
    value_msg = "tag value must consist of alphanumeric characters, dots, dashes and underscores"
    assert check("MeshTCPRoute", spec) == [
        ("spec.targetRef.tags", "tag name must be non-empty"),
        (
            'spec.targetRef.tags["bad key!"]',
            "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores",
        ),
        ('spec.targetRef.tags["empty"]', "tag value must be non-empty"),
        ('spec.targetRef.tags["team"]', value_msg),
        ('spec.targetRef.tags["zone"]', value_msg),
    ]


def test_tcp_to_accepts_only_mesh_service() -> None:
    # 2.5.11 rejects to[].targetRef.kind Mesh (reference section 0, item 8).
    spec = """
    targetRef: {kind: Mesh}
    to:
    - targetRef: {kind: Mesh}
    - targetRef: {kind: MeshServiceSubset, name: payments, tags: {v: "1"}}
    - targetRef: {kind: MeshService, name: Payments}
    """
    assert check("MeshTCPRoute", spec) == [
        ("spec.to[0].targetRef.kind", "value is not supported"),
        ("spec.to[1].targetRef.kind", "value is not supported"),
        (
            "spec.to[2].targetRef.name",
            "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols.",
        ),
    ]


def test_tcp_backend_refs_collect_everything_in_order() -> None:
    spec = """
    targetRef: {kind: Mesh}
    to:
    - targetRef: {kind: MeshService, name: payments}
      rules:
      - default:
          backendRefs:
          - {kind: Mesh}
          - {kind: MeshService, name: payments, tags: {v: "1"}, weight: 50}
          - {kind: MeshServiceSubset, name: payments, tags: {v: ""}, weight: 0}
          - {name: payments}
    - targetRef: {kind: MeshService}
      rules:
      - default:
          backendRefs:
          - {kind: MeshService, name: db, mesh: other}
    """
    assert check("MeshTCPRoute", spec) == [
        ("spec.to[0].rules[0].default.backendRefs[0].kind", "value is not supported"),
        ("spec.to[0].rules[0].default.backendRefs[1].tags", "must not be set with kind MeshService"),
        ('spec.to[0].rules[0].default.backendRefs[2].tags["v"]', "tag value must be non-empty"),
        ("spec.to[0].rules[0].default.backendRefs[3].kind", "must be defined"),
        ("spec.to[1].targetRef.name", "must be set with kind MeshService"),
        ("spec.to[1].rules[0].default.backendRefs[0].mesh", "must not be set with kind MeshService"),
    ]


def test_tcp_validator_does_not_check_weights_or_duplicates() -> None:
    # Reference section 10.2: all weights 0, duplicates and unknown services pass validate().
    spec = """
    targetRef: {kind: Mesh}
    to:
    - targetRef: {kind: MeshService, name: payments}
      rules:
      - default:
          backendRefs:
          - {kind: MeshService, name: nowhere, weight: 0}
          - {kind: MeshService, name: nowhere, weight: 0}
    - targetRef: {kind: MeshService, name: payments}
    """
    assert check("MeshTCPRoute", spec) == []


# ----------------------------------------------------------------------------------------------
# MeshTCPRoute: schema constraints (reference section 10.3)
# ----------------------------------------------------------------------------------------------


def test_tcp_schema_target_ref_required() -> None:
    assert check("MeshTCPRoute", {"to": [{"targetRef": {"kind": "MeshService", "name": "a"}}]}) == [
        ("spec.targetRef", "in body is required"),
        ("spec.targetRef.kind", "must be defined"),
    ]


def test_tcp_schema_empty_spec_object() -> None:
    assert check("MeshTCPRoute", {}) == [
        ("spec.targetRef", "in body is required"),
        ("spec.targetRef.kind", "must be defined"),
    ]


def test_tcp_schema_list_and_rule_constraints() -> None:
    spec = """
    targetRef: {kind: Mesh}
    to:
    - rules:
      - default: {backendRefs: []}
      - {}
    - targetRef: {kind: MeshService, name: b}
      rules:
      - default: {}
    """
    assert check("MeshTCPRoute", spec) == [
        ("spec.to[0].rules[0].default.backendRefs", "in body should have at least 1 items"),
        ("spec.to[0].rules[1].default", "in body is required"),
        ("spec.to[0].rules", "in body should have at most 1 items"),
        ("spec.to[0].targetRef", "in body is required"),
        ("spec.to[1].rules[0].default.backendRefs", "in body is required"),
        ("spec.to[0].targetRef.kind", "must be defined"),
    ]


def test_tcp_schema_empty_to() -> None:
    assert check("MeshTCPRoute", "targetRef: {kind: Mesh}\nto: []") == [
        ("spec.to", "in body should have at least 1 items")
    ]


def test_tcp_missing_to_is_valid() -> None:
    assert check("MeshTCPRoute", "targetRef: {kind: Mesh}") == []


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        (0, []),
        (7, []),
        (3.0, []),  # a whole float64 is an integer for kube-openapi
        (-1, ["in body should be greater than or equal to 0"]),
        ("abc", ['in body must be of type integer: "string"']),
        ("5", ['in body must be of type integer: "string"']),
        (True, ['in body must be of type integer: "boolean"']),
        (2.5, ['in body must be of type integer: "number"']),
        (-0.5, ['in body must be of type integer: "number"', "in body should be greater than or equal to 0"]),
        (None, ['in body must be of type integer: "null"']),
        ([1], ['in body must be of type integer: "array"']),
        ({"a": 1}, ['in body must be of type integer: "object"']),
        (float("nan"), ['in body must be of type integer: "number"']),
        (2**60, ['in body must be of type integer: "number"']),  # beyond 2**53 a float64 is not a JSON integer
    ],
)
def test_tcp_schema_weight(weight: object, expected: list[str]) -> None:
    spec = {
        "targetRef": {"kind": "Mesh"},
        "to": [
            {
                "targetRef": {"kind": "MeshService", "name": "a"},
                "rules": [{"default": {"backendRefs": [{"kind": "MeshService", "name": "b", "weight": weight}]}}],
            }
        ],
    }
    path = "spec.to[0].rules[0].default.backendRefs[0].weight"
    assert check("MeshTCPRoute", spec) == [(path, message) for message in expected]


def test_tcp_schema_field_types() -> None:
    spec = {
        "targetRef": {"kind": 5, "name": 7, "tags": {"version": 1, "ok": "v"}, "mesh": False},
        "to": {"targetRef": {"kind": "MeshService"}},
    }
    assert check("MeshTCPRoute", spec) == [
        ("spec.targetRef.kind", 'in body must be of type string: "number"'),
        ("spec.targetRef.kind", KIND_ENUM),
        ("spec.targetRef.name", 'in body must be of type string: "number"'),
        ("spec.targetRef.tags.version", 'in body must be of type string: "number"'),
        ("spec.targetRef.mesh", 'in body must be of type string: "boolean"'),
        ("spec.to", 'in body must be of type array: "object"'),
    ]


def test_tcp_null_fields_are_go_zero_values() -> None:
    spec = "targetRef:\n  kind: MeshService\n  name:\nto:\n- targetRef:\n"
    assert check("MeshTCPRoute", spec) == [
        ("spec.targetRef.name", 'in body must be of type string: "null"'),
        ("spec.to[0].targetRef", 'in body must be of type object: "null"'),
        ("spec.targetRef.name", "must be set with kind MeshService"),
        ("spec.to[0].targetRef.kind", "must be defined"),
    ]


# ----------------------------------------------------------------------------------------------
# MeshHTTPRoute: validation_test.go (2.5.11)
# ----------------------------------------------------------------------------------------------

HTTP_HEAD = """
targetRef: {kind: MeshService, name: web}
to:
- targetRef: {kind: MeshService, name: web}
  rules:
"""


def http(rules: str) -> str:
    return HTTP_HEAD + rules


def test_kuma_http_unsupported_top_level_kind() -> None:
    spec = "targetRef: {kind: NoSuchKind, name: web}\nto: []\n"
    assert check("MeshHTTPRoute", spec) == [
        ("spec.targetRef.kind", KIND_ENUM),
        ("spec.targetRef.kind", "value is not supported"),
    ]


def test_kuma_http_unsupported_to_kind() -> None:
    spec = """
    targetRef: {kind: MeshService, name: web}
    to:
    - targetRef: {kind: NoSuchKind, name: web}
    """
    assert check("MeshHTTPRoute", spec) == [
        ("spec.to[0].targetRef.kind", KIND_ENUM),
        ("spec.to[0].targetRef.kind", "value is not supported"),
    ]


def test_kuma_http_path_values() -> None:
    spec = http("""
  - matches:
    - path: {value: "not-absolute", type: Exact}
    - path: {value: "/ends/with/slash/", type: PathPrefix}
    - path: {value: "not-absolute", type: PathPrefix}
""")
    assert check("MeshHTTPRoute", spec) == [
        ("spec.to[0].rules[0].default", "in body is required"),
        ("spec.to[0].rules[0].matches[0].path.value", "must be an absolute path"),
        (
            "spec.to[0].rules[0].matches[1].path.value",
            "does not need a trailing slash because only a `/`-separated prefix or an entire path is matched",
        ),
        ("spec.to[0].rules[0].matches[2].path.value", "must be an absolute path"),
    ]


def test_kuma_http_repeated_query_param() -> None:
    spec = http("""
  - matches:
    - queryParams:
      - {type: Exact, name: page, value: "1"}
      - {type: Exact, name: page, value: "2"}
""")
    assert check("MeshHTTPRoute", spec) == [
        ("spec.to[0].rules[0].default", "in body is required"),
        ("spec.to[0].rules[0].matches[0].queryParams[1].name", "multiple entries for name page"),
    ]


def test_kuma_http_filters_without_body() -> None:
    spec = http("""
  - default:
      filters:
      - type: RequestHeaderModifier
      - type: ResponseHeaderModifier
      - type: RequestRedirect
      - type: RequestMirror
      - type: URLRewrite
""")
    base = "spec.to[0].rules[0].default.filters"
    assert check("MeshHTTPRoute", spec) == [
        ("spec.to[0].rules[0].matches", "in body is required"),
        (f"{base}[0].requestHeaderModifier", "must be defined"),
        (f"{base}[1].responseHeaderModifier", "must be defined"),
        (f"{base}[2].requestRedirect", "must be defined"),
        (f"{base}[3].requestMirror", "must be defined"),
        (f"{base}[4].urlRewrite", "must be defined"),
    ]


def test_kuma_http_header_modifier_rules() -> None:
    spec = http("""
  - matches: [{path: {type: PathPrefix, value: /}}]
    default:
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier:
          set:
          - {name: x-team, value: a}
          - {name: x-team, value: b}
      - type: ResponseHeaderModifier
        responseHeaderModifier: {}
      - type: ResponseHeaderModifier
        responseHeaderModifier:
          set: [{name: x-team, value: a}]
          add: [{name: x-team, value: a}]
          remove: [x-team]
""")
    base = "spec.to[0].rules[0].default.filters"
    assert check("MeshHTTPRoute", spec) == [
        (f"{base}[0].requestHeaderModifier.set[1].name", "duplicate header name"),
        (f"{base}[1].responseHeaderModifier", "must have at least one defined: set, add, remove"),
        (f"{base}[2].responseHeaderModifier.add[0].name", "duplicate header name"),
        (f"{base}[2].responseHeaderModifier.remove[0].name", "duplicate header name"),
    ]


def test_kuma_http_prefix_rewrite_needs_prefix_matches() -> None:
    spec = http("""
  - matches:
    - path: {value: /shop, type: Exact}
    default:
      filters:
      - type: URLRewrite
        urlRewrite:
          path: {type: ReplacePrefixMatch, replacePrefixMatch: /store}
      - type: RequestRedirect
        requestRedirect:
          path: {type: ReplacePrefixMatch, replacePrefixMatch: /store}
""")
    base = "spec.to[0].rules[0].default.filters"
    message = "can only appear if all matches match a path prefix"
    assert check("MeshHTTPRoute", spec) == [
        (f"{base}[0].urlRewrite.path.replacePrefixMatch", message),
        (f"{base}[1].requestRedirect.path.replacePrefixMatch", message),
    ]


def test_kuma_http_present_absent_headers_take_no_value() -> None:
    spec = http("""
  - matches:
    - headers:
      - {type: Present, name: x-debug, value: "on"}
      - {type: Absent, name: x-debug, value: "on"}
      - {type: Present, name: x-trace}
      - {type: Prefix, name: x-trace, value: abc}
      - {name: x-user, value: bob}
""")
    assert check("MeshHTTPRoute", spec) == [
        ("spec.to[0].rules[0].default", "in body is required"),
        ("spec.to[0].rules[0].matches[0].headers[0].value", "must not be defined"),
        ("spec.to[0].rules[0].matches[0].headers[1].value", "must not be defined"),
    ]


def test_kuma_http_subset_backend_without_name() -> None:
    spec = http("""
  - matches: [{path: {type: PathPrefix, value: /}}]
    default:
      backendRefs:
      - kind: MeshServiceSubset
        tags: {version: v2}
""")
    assert check("MeshHTTPRoute", spec) == [
        ("spec.to[0].rules[0].default.backendRefs[0].name", "must be set with kind MeshServiceSubset")
    ]


def test_kuma_http_mirror_backend_without_name() -> None:
    spec = http("""
  - matches: [{path: {type: PathPrefix, value: /}}]
    default:
      filters:
      - type: RequestMirror
        requestMirror:
          backendRef:
            kind: MeshServiceSubset
            tags: {version: v2}
""")
    assert check("MeshHTTPRoute", spec) == [
        (
            "spec.to[0].rules[0].default.filters[0].requestMirror.backendRef.name",
            "must be set with kind MeshServiceSubset",
        )
    ]


def test_kuma_http_valid_empty_to() -> None:
    assert check("MeshHTTPRoute", "targetRef: {kind: MeshService, name: web}\nto: []\n", name="route-1") == []


def test_kuma_http_valid_prefix_rewrite_under_prefix_match() -> None:
    spec = http("""
  - matches:
    - path: {value: /shop, type: PathPrefix}
    default:
      filters:
      - type: URLRewrite
        urlRewrite:
          path: {type: ReplacePrefixMatch, replacePrefixMatch: /store}
      - type: RequestRedirect
        requestRedirect:
          path: {type: ReplacePrefixMatch, replacePrefixMatch: /store}
""")
    assert check("MeshHTTPRoute", spec) == []


# ----------------------------------------------------------------------------------------------
# MeshHTTPRoute: more validator rules and the schema
# ----------------------------------------------------------------------------------------------


def test_http_full_valid_route() -> None:
    spec = http("""
  - matches:
    - path: {type: RegularExpression, value: "^/api/v[0-9]+$"}
      method: GET
      queryParams: [{type: RegularExpression, name: q, value: ".*"}, {type: Exact, name: page, value: "1"}]
      headers: [{name: x-user, value: bob}, {type: Absent, name: x-debug}]
    - path: {type: PathPrefix, value: /}
    - path: {type: Exact, value: /health}
    default:
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier:
          set: [{name: x-a, value: "1"}]
          add: [{name: x-b, value: "2"}]
          remove: [x-c]
      - type: RequestRedirect
        requestRedirect: {scheme: https, hostname: shop.example.com, port: 8443, statusCode: 301}
      - type: URLRewrite
        urlRewrite: {hostname: internal.local, path: {type: ReplaceFullPath, replaceFullPath: /x}}
      - type: RequestMirror
        requestMirror: {percentage: 10, backendRef: {kind: MeshService, name: shadow}}
      - type: RequestMirror
        requestMirror: {percentage: "2.5", backendRef: {kind: MeshServiceSubset, name: shadow, tags: {v: "2"}}}
      backendRefs:
      - {kind: MeshService, name: web, weight: 90}
      - {kind: MeshServiceSubset, name: web, tags: {version: canary}, weight: 10}
""")
    assert check("MeshHTTPRoute", spec) == []


def test_http_missing_target_ref_is_a_validator_error_only() -> None:
    # MeshHTTPRoute's schema does not require targetRef; the validator still wants a kind.
    assert check("MeshHTTPRoute", {}) == [("spec.targetRef.kind", "must be defined")]


def test_http_header_modifier_empty_lists_count_as_defined() -> None:
    spec = http("""
  - matches: [{path: {type: PathPrefix, value: /}}]
    default:
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier: {set: []}
      - type: RequestHeaderModifier
        requestHeaderModifier: {set: null, add: null}
""")
    assert check("MeshHTTPRoute", spec) == [
        ("spec.to[0].rules[0].default.filters[1].requestHeaderModifier.set", 'in body must be of type array: "null"'),
        ("spec.to[0].rules[0].default.filters[1].requestHeaderModifier.add", 'in body must be of type array: "null"'),
        (
            "spec.to[0].rules[0].default.filters[1].requestHeaderModifier",
            "must have at least one defined: set, add, remove",
        ),
    ]


def test_http_path_prefix_slash_and_relative_with_slash() -> None:
    spec = http("""
  - matches:
    - path: {type: PathPrefix, value: /}
    - path: {type: PathPrefix, value: "rel/"}
    - path: {type: RegularExpression, value: "rel"}
    default: {}
""")
    assert check("MeshHTTPRoute", spec) == [
        (
            "spec.to[0].rules[0].matches[1].path.value",
            "does not need a trailing slash because only a `/`-separated prefix or an entire path is matched",
        ),
        ("spec.to[0].rules[0].matches[1].path.value", "must be an absolute path"),
    ]


def test_http_replace_prefix_with_no_matches_list_is_fine_but_path_less_match_is_not() -> None:
    spec = http("""
  - matches:
    - method: GET
    default:
      filters:
      - type: URLRewrite
        urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: ""}}
""")
    assert check("MeshHTTPRoute", spec) == [
        (
            "spec.to[0].rules[0].default.filters[0].urlRewrite.path.replacePrefixMatch",
            "can only appear if all matches match a path prefix",
        )
    ]


def test_http_query_param_repeats_are_each_reported() -> None:
    spec = http("""
  - matches:
    - queryParams:
      - {type: Exact, name: a, value: "1"}
      - {type: Exact, name: b, value: "1"}
      - {type: Exact, name: a, value: "2"}
      - {type: Exact, name: a, value: "3"}
    default: {}
""")
    base = "spec.to[0].rules[0].matches[0].queryParams"
    assert check("MeshHTTPRoute", spec) == [
        (f"{base}[2].name", "multiple entries for name a"),
        (f"{base}[3].name", "multiple entries for name a"),
    ]


def test_http_duplicate_header_names_across_modifier_lists() -> None:
    spec = http("""
  - matches: [{path: {type: PathPrefix, value: /}}]
    default:
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier:
          add: [{name: x-a, value: "1"}, {name: x-b, value: "1"}]
          remove: [x-b, x-a, x-c, x-c]
""")
    base = "spec.to[0].rules[0].default.filters[0].requestHeaderModifier"
    assert check("MeshHTTPRoute", spec) == [
        (f"{base}.remove[0].name", "duplicate header name"),
        (f"{base}.remove[1].name", "duplicate header name"),
        (f"{base}.remove[3].name", "duplicate header name"),
    ]


def test_http_mirror_and_backend_kind_rules() -> None:
    spec = http("""
  - matches: [{path: {type: PathPrefix, value: /}}]
    default:
      filters:
      - type: RequestMirror
        requestMirror: {backendRef: {kind: Mesh}}
      - type: RequestMirror
        requestMirror: {}
      backendRefs:
      - {kind: MeshSubset, tags: {a: b}}
      - {kind: MeshService, name: "web.default"}
""")
    base = "spec.to[0].rules[0].default"
    assert check("MeshHTTPRoute", spec) == [
        (f"{base}.filters[1].requestMirror.backendRef", "in body is required"),
        (f"{base}.filters[0].requestMirror.backendRef.kind", "value is not supported"),
        (f"{base}.filters[1].requestMirror.backendRef.kind", "must be defined"),
        (f"{base}.backendRefs[0].kind", "value is not supported"),
        (
            f"{base}.backendRefs[1].name",
            "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols.",
        ),
    ]


def test_http_schema_enums_and_required_fields() -> None:
    spec = http("""
  - matches:
    - path: {type: Regex, value: ""}
      method: FETCH
      queryParams: [{type: Prefix, name: "", value: x}, {}]
      headers: [{type: Contains, name: X-Upper, value: v}, {}]
    default:
      filters:
      - type: Rewrite
      - {}
  - matches: []
    default: {}
""")
    base = "spec.to[0].rules"
    assert check("MeshHTTPRoute", spec) == [
        (f"{base}[0].matches[0].path.value", "in body should be at least 1 chars long"),
        (f"{base}[0].matches[0].path.type", "in body should be one of [Exact PathPrefix RegularExpression]"),
        (
            f"{base}[0].matches[0].method",
            "in body should be one of [CONNECT DELETE GET HEAD OPTIONS PATCH POST PUT TRACE]",
        ),
        (f"{base}[0].matches[0].queryParams[0].type", "in body should be one of [Exact RegularExpression]"),
        (f"{base}[0].matches[0].queryParams[0].name", "in body should be at least 1 chars long"),
        (f"{base}[0].matches[0].queryParams[1].name", "in body is required"),
        (f"{base}[0].matches[0].queryParams[1].type", "in body is required"),
        (f"{base}[0].matches[0].queryParams[1].value", "in body is required"),
        (
            f"{base}[0].matches[0].headers[0].type",
            "in body should be one of [Exact Present RegularExpression Absent Prefix]",
        ),
        (f"{base}[0].matches[0].headers[0].name", "in body should match '^[a-z0-9!#$%&'*+\\-.^_\\x60|~]+$'"),
        (f"{base}[0].matches[0].headers[1].name", "in body is required"),
        (
            f"{base}[0].default.filters[0].type",
            "in body should be one of [RequestHeaderModifier ResponseHeaderModifier RequestRedirect URLRewrite "
            "RequestMirror]",
        ),
        (f"{base}[0].default.filters[1].type", "in body is required"),
        (f"{base}[1].matches", "in body should have at least 1 items"),
        # validator layer: a missing name is Go's "", so the second entry repeats the first one's ""
        (f"{base}[0].matches[0].queryParams[1].name", "multiple entries for name "),
    ]


def test_http_schema_redirect_and_rewrite_fields() -> None:
    spec = http("""
  - matches: [{path: {type: PathPrefix, value: /}}]
    default:
      filters:
      - type: RequestRedirect
        requestRedirect:
          scheme: ftp
          hostname: "Not_A_Host"
          path: {replaceFullPath: /x}
          port: 0
          statusCode: 304
      - type: RequestRedirect
        requestRedirect: {hostname: "", port: 70000, statusCode: "301"}
      - type: URLRewrite
        urlRewrite: {path: {type: Replace}}
""")
    base = "spec.to[0].rules[0].default.filters"
    hostname_pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
    assert check("MeshHTTPRoute", spec) == [
        (f"{base}[0].requestRedirect.scheme", "in body should be one of [http https]"),
        (f"{base}[0].requestRedirect.hostname", f"in body should match '{hostname_pattern}'"),
        (f"{base}[0].requestRedirect.path.type", "in body is required"),
        (f"{base}[0].requestRedirect.port", "in body should be greater than or equal to 1"),
        (f"{base}[0].requestRedirect.statusCode", "in body should be one of [301 302 303 307 308]"),
        (f"{base}[1].requestRedirect.hostname", "in body should be at least 1 chars long"),
        (f"{base}[1].requestRedirect.port", "in body should be less than or equal to 65535"),
        (f"{base}[1].requestRedirect.statusCode", 'in body must be of type integer: "string"'),
        (f"{base}[1].requestRedirect.statusCode", "in body should be one of [301 302 303 307 308]"),
        (f"{base}[2].urlRewrite.path.type", "in body should be one of [ReplaceFullPath ReplacePrefixMatch]"),
    ]


def test_http_schema_header_modifier_limits_and_percentage() -> None:
    many = [{"name": f"x-{i}", "value": "v"} for i in range(17)]
    spec = yaml.safe_load(
        http("""
  - matches: [{path: {type: PathPrefix, value: /}}]
    default:
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier: {}
      - type: RequestMirror
        requestMirror: {percentage: true, backendRef: {kind: MeshService, name: shadow}}
      - type: RequestMirror
        requestMirror: {percentage: 1.5, backendRef: {kind: MeshService, name: shadow}}
""")
    )
    spec["to"][0]["rules"][0]["default"]["filters"][0]["requestHeaderModifier"] = {"set": many, "remove": ["a"] * 17}
    base = "spec.to[0].rules[0].default.filters"
    assert check("MeshHTTPRoute", spec) == [
        (f"{base}[0].requestHeaderModifier.set", "in body should have at most 16 items"),
        (f"{base}[0].requestHeaderModifier.remove", "in body should have at most 16 items"),
        (f"{base}[1].requestMirror.percentage", "must validate at least one schema (anyOf)"),
        (f"{base}[1].requestMirror.percentage", 'in body must be of type integer: "boolean"'),
        (f"{base}[2].requestMirror.percentage", "must validate at least one schema (anyOf)"),
        (f"{base}[2].requestMirror.percentage", 'in body must be of type integer: "number"'),
        *[(f"{base}[0].requestHeaderModifier.remove[{i}].name", "duplicate header name") for i in range(1, 17)],
    ]


# ----------------------------------------------------------------------------------------------
# TrafficRoute: traffic_route_validator_test.go (2.5.11)
# ----------------------------------------------------------------------------------------------

ROUTE_HEAD = """
sources:
- match: {kuma.io/service: web}
destinations:
- match: {kuma.io/service: payments}
"""


def route(conf: str) -> str:
    return ROUTE_HEAD + conf


@pytest.mark.parametrize(
    "conf",
    [
        pytest.param(
            """
conf:
  loadBalancer: {roundRobin: {}}
  split:
  - weight: 100
    destination: {kuma.io/service: payments-v2}
  - weight: 0
    destination: {kuma.io/service: payments}
""",
            id="split",
        ),
        pytest.param(
            """
conf:
  loadBalancer: {leastRequest: {}}
  destination: {kuma.io/service: payments-v2}
""",
            id="destination",
        ),
        pytest.param(
            r"""
conf:
  loadBalancer:
    ringHash: {hashFunction: MURMUR_HASH_2}
  http:
  - match:
      path: {prefix: /cart}
      method: {exact: POST}
      headers:
        x-region: {regex: "^eu-.*$"}
    modify:
      path:
        regex: {pattern: "^/cart/(.*)$", substitution: "/basket/\\1"}
      host:
        fromPath: {pattern: "^/(.+)$", substitution: "\\1"}
    destination: {kuma.io/service: cart}
  destination: {kuma.io/service: payments}
""",
            id="http",
        ),
        pytest.param(
            """
conf:
  http:
  - match:
      path: {prefix: /cart}
    modify:
      path: {rewritePrefix: /basket}
      host: {value: cart.internal}
      requestHeaders:
        add: [{name: x-from, value: mesh, append: true}]
        remove: [{name: x-drop}]
      responseHeaders:
        add: [{name: x-served-by, value: cart, append: false}]
        remove: [{name: server}]
    split:
    - weight: 30
      destination: {kuma.io/service: cart}
  split:
  - weight: 100
    destination: {kuma.io/service: payments}
""",
            id="http-split",
        ),
    ],
)
def test_kuma_traffic_route_valid(conf: str) -> None:
    assert check("TrafficRoute", route(conf), name="route-all-default") == []


def test_kuma_traffic_route_empty_spec() -> None:
    assert check("TrafficRoute", {}) == [
        ("sources", "must have at least one element"),
        ("destinations", "must have at least one element"),
        ("conf", "cannot be empty"),
    ]


def test_kuma_traffic_route_selectors_without_tags() -> None:
    spec = """
    sources: [{match: {}}]
    destinations: [{match: {}}]
    conf:
      split:
      - destination: {}
    """
    assert check("TrafficRoute", spec) == [
        ("sources[0].match", "must have at least one tag"),
        ("sources[0].match", 'mandatory tag "kuma.io/service" is missing'),
        ("destinations[0].match", 'must consist of exactly one tag "kuma.io/service"'),
        ("destinations[0].match", 'mandatory tag "kuma.io/service" is missing'),
        ("conf.split[0].weight", "needs to be defined"),
        ("conf.split[0].destination", "must have at least one tag"),
        ("conf.split[0].destination", 'mandatory tag "kuma.io/service" is missing'),
        ("conf.split", "there must be at least one split entry with weight above 0"),
    ]


EMPTY_VALUES = "\n    kuma.io/service:\n    zone:\n"


def test_kuma_traffic_route_empty_tag_values() -> None:
    spec = (
        f"sources:\n- match:{EMPTY_VALUES}destinations:\n- match:{EMPTY_VALUES}"
        f"conf:\n  split:\n  - weight: 1\n    destination:{EMPTY_VALUES.replace('    ', '      ')}"
    )
    assert check("TrafficRoute", spec) == [
        ('sources[0].match["kuma.io/service"]', "tag value must be non-empty"),
        ('sources[0].match["zone"]', "tag value must be non-empty"),
        ("destinations[0].match", 'must consist of exactly one tag "kuma.io/service"'),
        ('destinations[0].match["kuma.io/service"]', "tag value must be non-empty"),
        ('destinations[0].match["zone"]', 'tag "zone" is not allowed'),
        ('destinations[0].match["zone"]', "tag value must be non-empty"),
        ('conf.split[0].destination["kuma.io/service"]', "tag value must be non-empty"),
        ('conf.split[0].destination["zone"]', "tag value must be non-empty"),
    ]


def test_kuma_traffic_route_several_selectors() -> None:
    spec = (
        f"sources:\n- match:{EMPTY_VALUES}- match: {{}}\n"
        f"destinations:\n- match:{EMPTY_VALUES}- match: {{}}\n"
        "conf:\n  destination:\n    zone:\n"
    )
    assert check("TrafficRoute", spec) == [
        ('sources[0].match["kuma.io/service"]', "tag value must be non-empty"),
        ('sources[0].match["zone"]', "tag value must be non-empty"),
        ("sources[1].match", "must have at least one tag"),
        ("sources[1].match", 'mandatory tag "kuma.io/service" is missing'),
        ("destinations[0].match", 'must consist of exactly one tag "kuma.io/service"'),
        ('destinations[0].match["kuma.io/service"]', "tag value must be non-empty"),
        ('destinations[0].match["zone"]', 'tag "zone" is not allowed'),
        ('destinations[0].match["zone"]', "tag value must be non-empty"),
        ("destinations[1].match", 'must consist of exactly one tag "kuma.io/service"'),
        ("destinations[1].match", 'mandatory tag "kuma.io/service" is missing'),
        ('conf.destination["zone"]', "tag value must be non-empty"),
        ("conf.destination", 'mandatory tag "kuma.io/service" is missing'),
    ]


def test_kuma_traffic_route_bad_ring_hash_function() -> None:
    spec = """
    sources: [{match: {kuma.io/service: '*'}}]
    destinations: [{match: {kuma.io/service: '*'}}]
    conf:
      split:
      - weight: 100
        destination: {kuma.io/service: payments}
      loadBalancer:
        ringHash: {hashFunction: SHA_NOPE}
    """
    assert check("TrafficRoute", spec) == [
        ("conf.loadBalancer.ringHash.hashFunction", "must have a valid hash function")
    ]


def test_kuma_traffic_route_split_and_destination_together() -> None:
    spec = route("""
conf:
  split:
  - weight: 100
    destination: {kuma.io/service: cart}
  destination: {kuma.io/service: cart}
""")
    assert check("TrafficRoute", spec) == [("conf", '"split" cannot be defined at the same time as "destination"')]


def test_kuma_traffic_route_needs_split_or_destination() -> None:
    assert check("TrafficRoute", route("conf: {}")) == [("conf", 'requires either "destination" or "split"')]


def test_kuma_traffic_route_http_split_and_destination_together() -> None:
    spec = route("""
conf:
  http:
  - match:
      path: {prefix: /cart}
    split:
    - weight: 100
      destination: {kuma.io/service: cart}
    destination: {kuma.io/service: cart}
  destination: {kuma.io/service: cart}
""")
    assert check("TrafficRoute", spec) == [
        ("conf.http[0]", '"split" cannot be defined at the same time as "destination"')
    ]


def test_kuma_traffic_route_http_needs_split_or_destination() -> None:
    spec = route("""
conf:
  http:
  - match:
      path: {prefix: /cart}
  destination: {kuma.io/service: cart}
""")
    assert check("TrafficRoute", spec) == [("conf.http[0]", 'requires either "destination" or "split"')]


def test_kuma_traffic_route_http_match_required() -> None:
    spec = route("""
conf:
  http:
  - destination: {kuma.io/service: cart}
  destination: {kuma.io/service: cart}
""")
    assert check("TrafficRoute", spec) == [
        (
            "conf.http[0].match",
            'must be present and contain at least one of the elements: "method", "path" or "headers"',
        )
    ]


def test_kuma_traffic_route_http_bad_matchers() -> None:
    spec = route("""
conf:
  http:
  - match:
      method: {}
      path: {}
      headers: {}
    destination: {kuma.io/service: cart}
  - match:
      method: {regex: ""}
      path: {prefix: ""}
      headers:
        "": {}
    destination: {kuma.io/service: cart}
  destination: {kuma.io/service: cart}
""")
    options = 'cannot be empty. Available options: "exact", "split" or "regex"'
    assert check("TrafficRoute", spec) == [
        ("conf.http[0].match.method", options),
        ("conf.http[0].match.path", options),
        ("conf.http[0].match.headers", "must contain at least one element"),
        ("conf.http[1].match.method.regex", "cannot be empty"),
        ("conf.http[1].match.path.prefix", "cannot be empty"),
        ('conf.http[1].match.headers[""]', "cannot be empty"),
        ('conf.http[1].match.headers[""]', options),
    ]


def test_kuma_traffic_route_split_weights_all_zero() -> None:
    spec = route("""
conf:
  split:
  - weight: 0
    destination: {kuma.io/service: cart}
""")
    assert check("TrafficRoute", spec) == [("conf.split", "there must be at least one split entry with weight above 0")]


def test_kuma_traffic_route_http_modify_empty_values() -> None:
    spec = route("""
conf:
  http:
  - match: {path: {prefix: /cart}}
    modify:
      path: {rewritePrefix: ""}
      host: {value: ""}
      requestHeaders:
        add: [{name: "", value: ""}]
        remove: [{name: ""}]
      responseHeaders:
        add: [{name: "", value: ""}]
        remove: [{name: ""}]
    destination: {kuma.io/service: cart}
  - match: {path: {prefix: /cart2}}
    modify:
      path: {regex: {pattern: "", substitution: ""}}
      host: {fromPath: {pattern: "", substitution: ""}}
    destination: {kuma.io/service: cart}
  - match: {path: {prefix: /cart2}}
    modify:
      path: {}
      host: {}
    destination: {kuma.io/service: cart}
  destination: {kuma.io/service: payments}
""")
    empty = "cannot be empty"
    assert check("TrafficRoute", spec) == [
        ("conf.http[0].modify.path.rewritePrefix", empty),
        ("conf.http[0].modify.host.value", empty),
        ("conf.http[0].modify.requestHeaders.add[0].name", empty),
        ("conf.http[0].modify.requestHeaders.add[0].value", empty),
        ("conf.http[0].modify.requestHeaders.remove[0].name", empty),
        ("conf.http[0].modify.responseHeaders.add[0].name", empty),
        ("conf.http[0].modify.responseHeaders.add[0].value", empty),
        ("conf.http[0].modify.responseHeaders.remove[0].name", empty),
        ("conf.http[1].modify.path.regex.pattern", empty),
        ("conf.http[1].modify.path.regex.substitution", empty),
        ("conf.http[1].modify.host.fromPath.pattern", empty),
        ("conf.http[1].modify.host.fromPath.substitution", empty),
        ("conf.http[2].modify.path", 'either "rewritePrefix" or "regex" has to be set'),
        ("conf.http[2].modify.host", 'either "value" or "fromPath" has to be set'),
    ]


def test_kuma_traffic_route_rewrite_prefix_needs_prefix_match() -> None:
    spec = route("""
conf:
  http:
  - match: {path: {exact: /cart}}
    modify:
      path: {rewritePrefix: /basket}
    destination: {kuma.io/service: cart}
  destination: {kuma.io/service: payments}
""")
    assert check("TrafficRoute", spec) == [
        ("conf.http[0].modify.path.rewritePrefix", "can only be set when .http.match.path.prefix is not empty")
    ]


def test_kuma_traffic_route_protected_headers() -> None:
    spec = route("""
conf:
  http:
  - match: {path: {exact: /cart}}
    modify:
      requestHeaders:
        add: [{name: host, value: a}, {name: Host, value: a}, {name: ":authority", value: a}]
        remove: [{name: host, value: ignored}]
      responseHeaders:
        add: [{name: host, value: a}, {name: Host, value: a}, {name: ":status", value: a}]
        remove: [{name: host}]
    destination: {kuma.io/service: cart}
  destination: {kuma.io/service: payments}
""")
    msg = "host header and HTTP/2 pseudo-headers are not allowed to be modified"
    assert check("TrafficRoute", spec) == [
        ("conf.http[0].modify.requestHeaders.add[0].name", msg),
        ("conf.http[0].modify.requestHeaders.add[1].name", msg),
        ("conf.http[0].modify.requestHeaders.add[2].name", msg),
        ("conf.http[0].modify.requestHeaders.remove[0].name", msg),
        ("conf.http[0].modify.responseHeaders.add[0].name", msg),
        ("conf.http[0].modify.responseHeaders.add[1].name", msg),
        ("conf.http[0].modify.responseHeaders.add[2].name", msg),
        ("conf.http[0].modify.responseHeaders.remove[0].name", msg),
    ]


def test_kuma_traffic_route_least_request_choice_count_one() -> None:
    spec = route("""
conf:
  loadBalancer: {leastRequest: {choiceCount: 1}}
  destination: {kuma.io/service: payments}
""")
    assert check("TrafficRoute", spec) == [
        ("conf.loadBalancer.leastRequest.choiceCount", "value must be greater than or equal to 2")
    ]


# ----------------------------------------------------------------------------------------------
# TrafficRoute: more rules
# ----------------------------------------------------------------------------------------------


def test_traffic_route_selector_values() -> None:
    spec = """
    sources: [{match: {kuma.io/service: '*', team: 'a/b', bad: 'a b', kuma.io/zone: '**'}}]
    destinations: [{match: {kuma.io/service: 'x*'}}]
    conf:
      destination: {kuma.io/service: '*', version: v1}
    """
    msg = 'tag value must consist of alphanumeric characters, dots, dashes, slashes and underscores or be "*"'
    assert check("TrafficRoute", spec) == [
        ('sources[0].match["bad"]', msg),
        ('sources[0].match["kuma.io/zone"]', msg),
        ('destinations[0].match["kuma.io/service"]', msg),
    ]


def test_traffic_route_empty_split_list_is_no_split() -> None:
    # An empty repeated field is nil for Go protobuf.
    assert check("TrafficRoute", route("conf: {split: []}")) == [("conf", 'requires either "destination" or "split"')]


def test_traffic_route_empty_destination_map_is_set() -> None:
    assert check("TrafficRoute", route("conf: {destination: {}}")) == [
        ("conf.destination", "must have at least one tag"),
        ("conf.destination", 'mandatory tag "kuma.io/service" is missing'),
    ]


def test_traffic_route_ring_hash_and_proto_field_names() -> None:
    spec = route("""
conf:
  load_balancer:
    ring_hash: {}
  destination: {kuma.io/service: payments}
""")
    assert check("TrafficRoute", spec) == [
        ("conf.loadBalancer.ringHash.hashFunction", "must have a valid hash function")
    ]
    spec = route("""
conf:
  load_balancer:
    least_request: {choice_count: "1"}
  destination: {kuma.io/service: payments}
""")
    assert check("TrafficRoute", spec) == [
        ("conf.loadBalancer.leastRequest.choiceCount", "value must be greater than or equal to 2")
    ]


def test_traffic_route_weights_quoted_and_whole_floats_decode() -> None:
    spec = route("""
conf:
  split:
  - weight: "60"
    destination: {kuma.io/service: a}
  - weight: 40.0
    destination: {kuma.io/service: b}
""")
    assert check("TrafficRoute", spec) == []


def test_traffic_route_weight_sum_wraps_like_uint32() -> None:
    spec = route(f"""
conf:
  split:
  - weight: {2**31}
    destination: {{kuma.io/service: a}}
  - weight: {2**31}
    destination: {{kuma.io/service: b}}
""")
    assert check("TrafficRoute", spec) == [("conf.split", "there must be at least one split entry with weight above 0")]


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        ("abc", [("conf.split[0].weight", "must be an integer between 0 and 4294967295")]),
        (-1, [("conf.split[0].weight", "must be an integer between 0 and 4294967295")]),
        (True, [("conf.split[0].weight", "must be an integer between 0 and 4294967295")]),
        (1.5, [("conf.split[0].weight", "must be an integer between 0 and 4294967295")]),
        (2**32, [("conf.split[0].weight", "must be an integer between 0 and 4294967295")]),
        (None, [("conf.split[0].weight", "needs to be defined")]),
    ],
)
def test_traffic_route_bad_weights(weight: object, expected: Pairs) -> None:
    spec = yaml.safe_load(route("conf: {split: [{destination: {kuma.io/service: a}}]}"))
    spec["conf"]["split"][0]["weight"] = weight
    total = [("conf.split", "there must be at least one split entry with weight above 0")]
    assert check("TrafficRoute", spec) == expected + total


def test_traffic_route_structural_errors() -> None:
    spec = {
        "sources": "web",
        "destinations": [{"match": ["kuma.io/service"]}, 7],
        "conf": {
            "split": {"weight": 1},
            "destination": {"kuma.io/service": 5},
            "http": [
                {
                    "match": {"path": {"prefix": 3}, "headers": []},
                    "modify": {"requestHeaders": {"add": [{"append": "yes"}]}},
                    "destination": {"kuma.io/service": "a"},
                }
            ],
            "loadBalancer": {"ringHash": {"minRingSize": -3, "hashFunction": "XX_HASH"}},
        },
    }
    assert check("TrafficRoute", spec) == [
        ("sources", "must be a list"),
        ("destinations[0].match", "must be an object"),
        ("destinations[1]", "must be an object"),
        ("conf.split", "must be a list"),
        ("conf.loadBalancer.ringHash.minRingSize", "must be an integer between 0 and 18446744073709551615"),
        ('conf.destination["kuma.io/service"]', "must be a string"),
        ("conf.http[0].match.path.prefix", "must be a string"),
        ("conf.http[0].match.headers", "must be an object"),
        ("conf.http[0].modify.requestHeaders.add[0].append", "must be a boolean"),
        # validator layer: the wrongly typed split counts as set, so it clashes with the destination
        ("conf", '"split" cannot be defined at the same time as "destination"'),
        ("conf.http[0].modify.requestHeaders.add[0].name", "cannot be empty"),
        ("conf.http[0].modify.requestHeaders.add[0].value", "cannot be empty"),
    ]


def test_traffic_route_last_oneof_member_wins_like_jsonpb() -> None:
    # The legacy jsonpb sets oneof members in proto field order without complaint: the last one stays.
    spec = route("""
conf:
  http:
  - match:
      path: {regex: "", prefix: /a}
      method: {prefix: "", exact: GET}
    modify:
      path: {regex: {pattern: a, substitution: b}, rewritePrefix: ""}
      host: {fromPath: {pattern: "", substitution: x}, value: ""}
    destination: {kuma.io/service: a}
  - match:
      path: {exact: /a, prefix: /a}
    modify:
      path: {rewritePrefix: /b}
    destination: {kuma.io/service: a}
  loadBalancer:
    random: {}
    ringHash: {hashFunction: BAD}
  destination: {kuma.io/service: payments}
""")
    assert check("TrafficRoute", spec) == [
        ("conf.http[0].match.path.regex", "cannot be empty"),
        ("conf.http[0].modify.host.fromPath.pattern", "cannot be empty"),
        ("conf.http[1].modify.path.rewritePrefix", "can only be set when .http.match.path.prefix is not empty"),
    ]
    spec = route("conf: {loadBalancer: {ringHash: {hashFunction: BAD}, maglev: {}}, destination: {kuma.io/service: a}}")
    assert check("TrafficRoute", spec) == []


def test_traffic_route_conf_of_wrong_type() -> None:
    spec = yaml.safe_load(ROUTE_HEAD)
    spec["conf"] = ["split"]
    assert check("TrafficRoute", spec) == [("conf", "must be an object")]


def test_traffic_route_go_quoting_of_keys() -> None:
    spec = route('conf: {destination: {kuma.io/service: a, "we\\"ird\\tkey\\u00a0": v}}')
    assert check("TrafficRoute", spec) == [
        (
            'conf.destination["we\\"ird\\tkey\\u00a0"]',
            "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores",
        )
    ]


# ----------------------------------------------------------------------------------------------
# TrafficPermission: traffic_permission_validator_test.go (2.5.11)
# ----------------------------------------------------------------------------------------------


def test_kuma_traffic_permission_empty_spec() -> None:
    assert check("TrafficPermission", {}) == [
        ("sources", "must have at least one element"),
        ("destinations", "must have at least one element"),
    ]


def test_kuma_traffic_permission_selectors_without_tags() -> None:
    spec = "sources: [{match: {}}]\ndestinations: [{match: {}}]\n"
    assert check("TrafficPermission", spec) == [
        ("sources[0].match", "must have at least one tag"),
        ("destinations[0].match", "must have at least one tag"),
    ]


def test_kuma_traffic_permission_empty_tag_values() -> None:
    spec = f"sources:\n- match:{EMPTY_VALUES}destinations:\n- match:{EMPTY_VALUES}"
    assert check("TrafficPermission", spec) == [
        ('sources[0].match["kuma.io/service"]', "tag value must be non-empty"),
        ('sources[0].match["zone"]', "tag value must be non-empty"),
        ('destinations[0].match["kuma.io/service"]', "tag value must be non-empty"),
        ('destinations[0].match["zone"]', "tag value must be non-empty"),
    ]


def test_kuma_traffic_permission_several_selectors() -> None:
    spec = f"sources:\n- match:{EMPTY_VALUES}- match: {{}}\ndestinations:\n- match:{EMPTY_VALUES}- match: {{}}\n"
    assert check("TrafficPermission", spec) == [
        ('sources[0].match["kuma.io/service"]', "tag value must be non-empty"),
        ('sources[0].match["zone"]', "tag value must be non-empty"),
        ("sources[1].match", "must have at least one tag"),
        ('destinations[0].match["kuma.io/service"]', "tag value must be non-empty"),
        ('destinations[0].match["zone"]', "tag value must be non-empty"),
        ("destinations[1].match", "must have at least one tag"),
    ]


def test_traffic_permission_valid_without_service_tag() -> None:
    spec = "sources: [{match: {team: checkout}}]\ndestinations: [{match: {kuma.io/service: '*'}}]\n"
    assert check("TrafficPermission", spec, name="allow-all-default") == []


# ----------------------------------------------------------------------------------------------
# Resource name (meta_validator.go)
# ----------------------------------------------------------------------------------------------

RFC1123 = (
    "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("route-1", []),
        ("route-1.kuma-system", []),
        ("a" * 253, []),
        ("", [("name", "cannot be empty")]),
        ("a" * 254, [("name", "value length must less or equal 253")]),
        ("é" * 127, [("name", "value length must less or equal 253")]),  # 254 bytes in UTF-8
        ("Route", [("name", RFC1123)]),
        ("route_1", [("name", RFC1123)]),
        ("-route", [("name", RFC1123)]),
        ("route.", [("name", RFC1123)]),
        ("route\n", [("name", RFC1123)]),
        (42, [("name", "must be a string")]),
    ],
)
def test_resource_name(name: Any, expected: Pairs) -> None:
    assert check("MeshTCPRoute", "targetRef: {kind: Mesh}", name=name) == expected


def test_name_comes_after_spec_violations() -> None:
    assert check("TrafficPermission", {}, name="Bad") == [
        ("sources", "must have at least one element"),
        ("destinations", "must have at least one element"),
        ("name", RFC1123),
    ]


# ----------------------------------------------------------------------------------------------
# Garbage input never raises
# ----------------------------------------------------------------------------------------------

ALL_KINDS = ("MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission")


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("spec", [None, [], ["targetRef"], "targetRef: Mesh", 42, 3.5, True, b"bytes"])
def test_spec_that_is_not_an_object(kind: str, spec: object) -> None:
    # Called directly: check() would parse the string as YAML.
    assert validate_policy(kind, spec) == [Violation("spec", "must be an object")]


def test_garbage_target_refs_exact_order() -> None:
    spec = {
        "targetRef": ["kind", "Mesh"],
        "to": [
            None,
            "MeshService",
            {"targetRef": {"kind": "MeshService", "name": "a", "tags": ["version", "v1"]}},
            {"targetRef": {"kind": "MeshService", "name": "a"}, "rules": [{"default": {"backendRefs": "all"}}]},
        ],
    }
    assert check("MeshTCPRoute", spec) == [
        ("spec.targetRef", 'in body must be of type object: "array"'),
        ("spec.to[0]", 'in body must be of type object: "null"'),
        ("spec.to[1]", 'in body must be of type object: "string"'),
        ("spec.to[2].targetRef.tags", 'in body must be of type object: "array"'),
        ("spec.to[3].rules[0].default.backendRefs", 'in body must be of type array: "string"'),
        ("spec.to[0].targetRef.kind", "must be defined"),  # a null entry decodes to a zero To
    ]


def test_garbage_mixed_keys_and_yaml_types() -> None:
    import datetime

    spec = {
        1: "x",
        None: [],
        "targetRef": {
            "kind": "MeshServiceSubset",
            "name": "web",
            "tags": {True: "yes", "day": datetime.date(2024, 1, 2)},
        },
        "to": [{"targetRef": {"kind": "MeshService", "name": "b"}, "rules": [{"default": {"backendRefs": [{}]}}]}],
    }
    assert check("MeshTCPRoute", spec) == [
        ("spec.to[0].rules[0].default.backendRefs[0].kind", "must be defined"),
    ]


def test_garbage_http_route() -> None:
    spec = {
        "targetRef": {"kind": "Mesh"},
        "to": [
            {
                "targetRef": {"kind": "MeshService", "name": "a"},
                "rules": [
                    "rule",
                    {"matches": [None, 5, {"path": "/x", "headers": "h", "queryParams": [{"name": 3}]}], "default": []},
                    {
                        "matches": [{}],
                        "default": {"filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": []}]},
                    },
                    {"matches": [{}], "default": {"filters": {"type": "URLRewrite"}, "backendRefs": [None]}},
                ],
            }
        ],
    }
    base = "spec.to[0].rules"
    assert check("MeshHTTPRoute", spec) == [
        (f"{base}[0]", 'in body must be of type object: "string"'),
        (f"{base}[1].matches[0]", 'in body must be of type object: "null"'),
        (f"{base}[1].matches[1]", 'in body must be of type object: "number"'),
        (f"{base}[1].matches[2].path", 'in body must be of type object: "string"'),
        (f"{base}[1].matches[2].queryParams[0].name", 'in body must be of type string: "number"'),
        (f"{base}[1].matches[2].queryParams[0].type", "in body is required"),
        (f"{base}[1].matches[2].queryParams[0].value", "in body is required"),
        (f"{base}[1].matches[2].headers", 'in body must be of type array: "string"'),
        (f"{base}[1].default", 'in body must be of type object: "array"'),
        (f"{base}[2].default.filters[0].requestHeaderModifier", 'in body must be of type object: "array"'),
        (f"{base}[3].default.filters", 'in body must be of type array: "object"'),
        (f"{base}[3].default.backendRefs[0]", 'in body must be of type object: "null"'),
        (f"{base}[3].default.backendRefs[0].kind", "must be defined"),
    ]


# ----------------------------------------------------------------------------------------------
# Property: any JSON-like value as spec
# ----------------------------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "Mesh",
            "MeshSubset",
            "MeshService",
            "MeshServiceSubset",
            "MeshGateway",
            "MeshHTTPRoute",
            "",
            "kuma.io/service",
            "*",
            "/",
            "PathPrefix",
            "Exact",
            "RegularExpression",
            "Present",
            "Absent",
            "RequestHeaderModifier",
            "ResponseHeaderModifier",
            "RequestRedirect",
            "URLRewrite",
            "RequestMirror",
            "ReplacePrefixMatch",
            "XX_HASH",
            "host",
            ":path",
        ]
    )
)
KEYS = st.sampled_from(
    [
        "targetRef",
        "to",
        "rules",
        "default",
        "backendRefs",
        "kind",
        "name",
        "tags",
        "mesh",
        "weight",
        "matches",
        "path",
        "value",
        "type",
        "method",
        "queryParams",
        "headers",
        "filters",
        "requestHeaderModifier",
        "responseHeaderModifier",
        "requestRedirect",
        "urlRewrite",
        "requestMirror",
        "backendRef",
        "percentage",
        "set",
        "add",
        "remove",
        "replacePrefixMatch",
        "hostname",
        "port",
        "statusCode",
        "scheme",
        "sources",
        "destinations",
        "match",
        "conf",
        "split",
        "destination",
        "http",
        "modify",
        "loadBalancer",
        "ringHash",
        "leastRequest",
        "choiceCount",
        "hashFunction",
        "prefix",
        "exact",
        "regex",
        "rewritePrefix",
        "host",
        "fromPath",
        "pattern",
        "substitution",
        "requestHeaders",
        "responseHeaders",
        "kuma.io/service",
    ]
) | st.text(max_size=6)
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(ALL_KINDS), spec=JSON_LIKE, name=st.none() | st.text(max_size=10))
def test_never_raises_on_arbitrary_values(kind: str, spec: Any, name: str | None) -> None:
    found = validate_policy(kind, spec, name=name)
    assert isinstance(found, list)
    for violation in found:
        assert isinstance(violation, Violation)
        assert isinstance(violation.path, str) and isinstance(violation.message, str) and violation.message
        assert INTERNAL not in violation.message
    assert validate_policy(kind, spec, name=name) == found  # deterministic


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(ALL_KINDS),
    top=st.fixed_dictionaries(
        {},
        optional={
            "targetRef": st.dictionaries(st.sampled_from(["kind", "name", "tags", "mesh"]), JSON_LIKE, max_size=4),
            "to": st.lists(st.dictionaries(KEYS, JSON_LIKE, max_size=3), max_size=3),
            "sources": st.lists(st.fixed_dictionaries({"match": JSON_LIKE}), max_size=2),
            "destinations": st.lists(st.fixed_dictionaries({"match": JSON_LIKE}), max_size=2),
            "conf": st.dictionaries(KEYS, JSON_LIKE, max_size=4),
        },
    ),
)
def test_never_raises_on_near_valid_shapes(kind: str, top: dict[str, Any]) -> None:
    found = validate_policy(kind, top)
    assert all(isinstance(v, Violation) and INTERNAL not in v.message for v in found)
