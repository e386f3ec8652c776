"""Version-aware validation: the control plane's own refusals at 2.5, 2.7, 2.13 and 2.14, and one small
case per difference between releases, each citing the Kuma source it comes from (``TAG:path:line``;
MTR = ``pkg/plugins/policies/meshtcproute/api/v1alpha1/``, MHR = ``.../meshhttproute/api/v1alpha1/``,
VAL = ``pkg/core/resources/apis/mesh/validators.go``)."""

from __future__ import annotations

import gzip
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import meshroute_analysis as mra
from meshroute_analysis.validate import (
    ValidationProfile,
    Violation,
    deprecations,
    profile_for,
    validate_policy,
    validation_version,
    violations_at,
)
from meshroute_analysis.validation import PROFILES
from meshroute_analysis.validation.admission import policy_role
from meshroute_analysis.validation.targetref import RefOptions, check_target_ref

ORACLE = Path(__file__).resolve().parent / "oracle"
VERSIONS = ("2.5", "2.7", "2.13", "2.14")
REFUSABLE = ("MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission")
Pairs = list[tuple[str, str]]
NAME_2_5 = "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols."
NAME_2_6 = "invalid characters: must consist of lower case alphanumeric characters, '-', '.' and '_'."
TAG_VALUE = "tag value must consist of alphanumeric characters, dots, dashes and underscores"
KINDS_2_8 = "Mesh MeshSubset MeshGateway MeshService MeshExternalService MeshServiceSubset MeshHTTPRoute"


def check(kind: str, spec: Any, version: str, **kwargs: Any) -> Pairs:
    """validate_policy on a YAML text, as (path, message) pairs."""
    value = yaml.safe_load(spec) if isinstance(spec, str) else spec
    return [(v.path, v.message) for v in validate_policy(kind, value, version=version, **kwargs)]


# ----------------------------------------------------------------------------------------------
# The control plane's answers (tests/oracle, see its README): every world, every version, strictly
# ----------------------------------------------------------------------------------------------


def _worlds(name: str) -> list[dict[str, Any]]:
    with gzip.open(ORACLE / f"{name}.jsonl.gz", "rt") as fh:
        return [json.loads(line) for line in fh]


def _kuma_report(found: list[Violation]) -> str:
    """What Kuma prints: the schema messages alone when there are any (it stops there), else everything."""
    schema = [v for v in found if v.message.startswith(("in body", "Checked value")) or v.message.endswith("(anyOf)")]
    return "; ".join(f"{v.path}: {v.message}" for v in (schema or found))


def _loaded_policies(world: dict[str, Any], folder: Path) -> list[Any]:
    """The world's documents as one multi-document file, loaded as a user's repository would be."""
    folder.mkdir()
    (folder / "world.yaml").write_text("\n---\n".join(json.dumps(doc) for doc in world["resources"]))
    return list(mra.load_repo(folder).content.policies)


def _disagreements(policies: list[Any], world: dict[str, Any], version: str) -> list[str]:
    got = {}
    for p in policies:
        found = violations_at(p.resource, version)
        if found and p.type in REFUSABLE:
            got[(p.type, p.core_name)] = _kuma_report(found)
    want = {(r["type"], r["name"]): r["error"] for r in world["rejected"]}
    problems = [f"{k}: refused by Kuma ({want[k]}), accepted here" for k in sorted(want.keys() - got.keys())]
    problems += [f"{k}: refused here ({got[k]}), accepted by Kuma" for k in sorted(got.keys() - want.keys())]
    problems += [
        f"{k}: Kuma says {want[k]!r}, here {got[k]!r}" for k in sorted(want.keys() & got.keys()) if got[k] != want[k]
    ]
    return [f"{version} seed {world['seed']}: {p}" for p in problems]


@pytest.mark.parametrize("family", ["kuma", "modern"])
def test_refused_documents_are_the_control_planes(family: str, tmp_path: Path) -> None:
    # The four files of a family hold the same worlds (same seeds, same documents), labelled at four
    # versions: each world is loaded once and judged at every version.
    labelled = {version: _worlds(f"{family}-{version}") for version in VERSIONS}
    first = labelled[VERSIONS[0]]
    assert len(first) == 300
    problems: list[str] = []
    refusals = dict.fromkeys(VERSIONS, 0)
    for i, world in enumerate(first):
        policies = _loaded_policies(world, tmp_path / str(i))
        for version, worlds in labelled.items():
            assert worlds[i]["seed"] == world["seed"], f"{family}-{version} world {i} is another world"
            problems += _disagreements(policies, worlds[i], version)
            refusals[version] += len(worlds[i]["rejected"])
    assert all(refusals.values()), refusals  # every file refuses something: the comparison has teeth
    shown = "\n  ".join(problems[:20])
    assert not problems, f"{len(problems)} disagreements:\n  {shown}"


def test_kubernetes_repositories_at_2_5(tmp_path: Path) -> None:
    # Kuma refuses none of these (every route lives in kuma-system): nothing may be refused here either.
    worlds = _worlds("k8s-2.5")
    problems: list[str] = []
    for i, world in enumerate(worlds):
        problems += _disagreements(_loaded_policies(world, tmp_path / str(i)), world, "2.5")
    assert not problems, "\n".join(problems[:20])


def test_loader_violations_stay_the_2_5_answer(write: Any, tmp_path: Path) -> None:
    # A top-level MeshGateway is refused by 2.5 only (2.6.15:MTR/validator.go:24-30 accepts it).
    write(
        "route.yaml",
        """
        type: MeshTCPRoute
        name: edge
        mesh: default
        spec:
          targetRef: {kind: MeshGateway, name: edge}
          to:
          - targetRef: {kind: Mesh}
            rules:
            - default: {backendRefs: [{kind: MeshService, name: web}]}
        """,
    )
    repo = mra.load_repo(tmp_path)
    (policy,) = repo.content.policies
    assert not policy.valid
    assert list(repo.violations["message"]) == ["value is not supported", "value is not supported"]
    assert violations_at(policy.resource, "2.6") == []


# ----------------------------------------------------------------------------------------------
# Choosing a profile
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "name"),
    [
        ("2.5", "2.5"),
        ("2.5.11", "2.5"),
        ("2.6.0", "2.6.0"),  # before 2.6.1's #9239
        ("2.6.1", "2.6"),
        ("2.6", "2.6"),
        (" v2.7.29 ", "2.7"),
        ("2.7.3", "2.7"),
        ("2.8.8", "2.8"),
        ("2.9", "2.9"),
        ("v2.10.11", "2.10"),
        ("2.11.0", "2.11"),
        ("2.12", "2.12"),
        ("2.13.10", "2.13"),
        ("2.14", "2.14"),
    ],
)
def test_validation_version(version: str, name: str) -> None:
    assert validation_version(version) == name
    assert profile_for(version) is profile_for(name)
    assert profile_for(profile_for(version)) is profile_for(version)


@pytest.mark.parametrize("version", ["2.4", "2.15", "3.0", "2", "2.7.x", "", "latest", "2.7.29.1"])
def test_unknown_versions_are_a_usage_error(version: str) -> None:
    with pytest.raises(mra.UsageError, match="known versions: 2.5, 2.6, 2.7"):
        validate_policy("MeshTCPRoute", {}, version=version)


def test_profiles_are_frozen_and_named_after_their_minor() -> None:
    for minor, profile in PROFILES.items():
        assert isinstance(profile, ValidationProfile)
        assert profile.name == minor and profile.tag.removeprefix("v").startswith(minor + ".")
        with pytest.raises(AttributeError):
            profile.name = "x"  # type: ignore[misc]
    assert list(PROFILES) == ["2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "2.14"]


# ----------------------------------------------------------------------------------------------
# 2.6: MeshGateway at the top, Mesh under it, dotted names, proxyTypes, MeshHTTPRoute gateway fields
# ----------------------------------------------------------------------------------------------

GATEWAY_TCP = """
targetRef: {kind: MeshGateway, name: edge}
to:
- targetRef: {kind: Mesh}
  rules:
  - default: {backendRefs: [{kind: MeshService, name: web}]}
"""


def test_top_level_mesh_gateway_from_2_6() -> None:
    # 2.6.15:MTR/validator.go:24-30 adds MeshGateway, :36-43 then wants to: Mesh.
    assert check("MeshTCPRoute", GATEWAY_TCP, "2.5") == [
        ("spec.targetRef.kind", "value is not supported"),
        ("spec.to[0].targetRef.kind", "value is not supported"),
    ]
    assert check("MeshTCPRoute", GATEWAY_TCP, "2.6") == []
    assert check("MeshTCPRoute", GATEWAY_TCP.replace("{kind: Mesh}", "{kind: MeshService, name: web}"), "2.6") == [
        ("spec.to[0].targetRef.kind", "value is not supported")
    ]


def test_mesh_gateway_listener_tags_on_tcp_routes_from_2_6_1() -> None:
    # 2.6.0:MTR/validator.go:20-33 has no GatewayListenerTagsAllowed; 2.6.15:MTR/validator.go:31 has
    # (#9239, in 2.6.1); MeshHTTPRoute allows them from 2.6.0 (2.6.0:MHR/validation.go:31).
    spec = GATEWAY_TCP.replace("name: edge}", "name: edge, tags: {port: http-8080}}")
    assert check("MeshTCPRoute", spec, "2.6.0") == [("spec.targetRef.tags", "must not be set with kind MeshGateway")]
    assert check("MeshTCPRoute", spec, "2.6.1") == []
    http = """
    targetRef: {kind: MeshGateway, name: edge, tags: {port: http-8080}}
    to:
    - targetRef: {kind: Mesh}
      rules:
      - matches: [{path: {type: PathPrefix, value: /}}]
        default: {backendRefs: [{kind: MeshService, name: web}]}
    """
    assert check("MeshHTTPRoute", http, "2.6.0") == []


def test_dotted_names_from_2_6() -> None:
    # 2.5.11:VAL:23, :375 versus 2.6.15:VAL:23, :385.
    spec = """
    targetRef: {kind: MeshService, name: web.prod}
    to: [{targetRef: {kind: MeshService, name: Web}}]
    """
    assert check("MeshTCPRoute", spec, "2.5") == [
        ("spec.targetRef.name", NAME_2_5),
        ("spec.to[0].targetRef.name", NAME_2_5),
    ]
    assert check("MeshTCPRoute", spec, "2.6") == [("spec.to[0].targetRef.name", NAME_2_6)]


def test_proxy_types() -> None:
    # Unknown at 2.5; 2.6.15:MTR/schema.yaml:42-52 (enum, minItems 1); 2.6.15:VAL:364 (not on
    # MeshService); v2.10.11:VAL:441-447 (an empty list on Mesh, once minItems is gone).
    spec = {
        "targetRef": {"kind": "Mesh", "proxyTypes": []},
        "to": [{"targetRef": {"kind": "MeshService", "name": "a", "proxyTypes": ["Gateway"]}}],
    }
    assert check("MeshTCPRoute", spec, "2.5") == []
    assert check("MeshTCPRoute", spec, "2.6") == [
        ("spec.targetRef.proxyTypes", "in body should have at least 1 items"),
        ("spec.to[0].targetRef.proxyTypes", "must not be set with kind MeshService"),
    ]
    assert check("MeshTCPRoute", spec, "2.10") == [
        ("spec.to[0].rules", "in body is required"),
        ("spec.targetRef.proxyTypes", "must be undefined or have at least one element"),
        ("spec.to[0].targetRef.proxyTypes", "must not be set with kind MeshService"),
    ]
    spec["targetRef"]["proxyTypes"] = ["Sidecar", "Ingress"]
    assert ("spec.targetRef.proxyTypes[1]", "in body should be one of [Sidecar Gateway]") in check(
        "MeshTCPRoute", spec, "2.7"
    )


HTTP_RULE = """
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    default:
      backendRefs: [{kind: MeshService, name: web}]
"""


def test_hostnames_only_under_a_gateway_from_2_6() -> None:
    # 2.6.15:MHR/validation.go:78-90; the field does not exist at 2.5 (ignored).
    spec = (
        "targetRef: {kind: Mesh}\nto:\n- targetRef: {kind: MeshService, name: web}\n  hostnames: [a.example]"
        + HTTP_RULE
    )
    assert check("MeshHTTPRoute", spec, "2.5") == []
    assert check("MeshHTTPRoute", spec, "2.6") == [("spec.to[0].hostnames", "must not be defined")]
    gateway = (
        "targetRef: {kind: MeshGateway, name: edge}\nto:\n- targetRef: {kind: Mesh}\n  hostnames: [a.example]"
        + HTTP_RULE
    )
    assert check("MeshHTTPRoute", gateway, "2.6") == []


def _filter_route(top: str, filter_: dict[str, Any], *, backend_refs: bool = True) -> dict[str, Any]:
    default: dict[str, Any] = {"filters": [filter_]}
    if backend_refs:
        default["backendRefs"] = [{"kind": "MeshService", "name": "web"}]
    to = {"kind": "Mesh"} if top == "MeshGateway" else {"kind": "MeshService", "name": "web"}
    return {
        "targetRef": {"kind": top, "name": "edge"} if top == "MeshGateway" else {"kind": top},
        "to": [
            {
                "targetRef": to,
                "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "default": default}],
            }
        ],
    }


def test_precise_hostnames_from_2_6() -> None:
    # 2.6.15:MHR/validation.go:222, :233, :270-287: an IP address passes the schema pattern but not Go.
    redirect = _filter_route("Mesh", {"type": "RequestRedirect", "requestRedirect": {"hostname": "10.0.0.1"}})
    assert check("MeshHTTPRoute", redirect, "2.5") == []
    path = "spec.to[0].rules[0].default.filters[0].requestRedirect.hostname"
    assert check("MeshHTTPRoute", redirect, "2.6") == [(path, "cannot be an IP address")]
    rewrite = _filter_route("Mesh", {"type": "URLRewrite", "urlRewrite": {"hostname": "Bad_Host"}})
    found = check("MeshHTTPRoute", rewrite, "2.14")
    assert found[0][1] == "in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'"
    assert found[1][1].startswith("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters")


def test_host_to_backend_hostname_from_2_6() -> None:
    # 2.6.15:MHR/validation.go:234-242; 2.6.15:MHR/schema.yaml:356 declares the field.
    path = "spec.to[0].rules[0].default.filters[0].urlRewrite.hostToBackendHostname"
    both = {"type": "URLRewrite", "urlRewrite": {"hostToBackendHostname": True, "hostname": "api.example"}}
    assert check("MeshHTTPRoute", _filter_route("Mesh", both), "2.5") == []
    assert check("MeshHTTPRoute", _filter_route("Mesh", both), "2.6") == [
        (path, "can only be set with MeshGateway"),
        (path, "cannot be set together with hostname"),
    ]
    only = {"type": "URLRewrite", "urlRewrite": {"hostToBackendHostname": True}}
    assert check("MeshHTTPRoute", _filter_route("MeshGateway", only), "2.6") == []
    wrong = _filter_route("Mesh", {"type": "URLRewrite", "urlRewrite": {"hostToBackendHostname": "yes"}})
    assert check("MeshHTTPRoute", wrong, "2.6") == [(path, 'in body must be of type boolean: "string"')]


def test_gateway_rules_need_backends_unless_they_redirect() -> None:
    # 2.6.15:MHR/validation.go:323-334 (always), v2.7.29:MHR/validation.go:336-348 (unless RequestRedirect).
    path = "spec.to[0].rules[0].default.backendRefs"
    redirect = _filter_route(
        "MeshGateway", {"type": "RequestRedirect", "requestRedirect": {"statusCode": 301}}, backend_refs=False
    )
    assert check("MeshHTTPRoute", redirect, "2.6") == [(path, "must not be empty")]
    assert check("MeshHTTPRoute", redirect, "2.7") == []
    header = {"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "x-a", "value": "b"}]}}
    rewrite_only = _filter_route("MeshGateway", header, backend_refs=False)
    assert check("MeshHTTPRoute", rewrite_only, "2.7") == [(path, "must not be empty")]
    assert check("MeshHTTPRoute", _filter_route("Mesh", header, backend_refs=False), "2.14") == []


# ----------------------------------------------------------------------------------------------
# 2.7: ports, a BackendRef mirror, the unresolved-backend name
# ----------------------------------------------------------------------------------------------


def test_backend_port_and_mirror_weight_in_the_schema_from_2_7() -> None:
    # v2.7.29:MTR/schema.yaml:100-103, v2.7.29:MHR/schema.yaml:188-236 (unknown fields before).
    tcp = yaml.safe_load(GATEWAY_TCP.replace("name: web}", "name: web, port: http}"))
    assert check("MeshTCPRoute", tcp, "2.6") == []
    assert check("MeshTCPRoute", tcp, "2.7") == [
        ("spec.to[0].rules[0].default.backendRefs[0].port", 'in body must be of type integer: "string"')
    ]
    mirror = {
        "type": "RequestMirror",
        "requestMirror": {"backendRef": {"kind": "MeshService", "name": "shadow", "weight": -1}},
    }
    route = _filter_route("Mesh", mirror)
    assert check("MeshHTTPRoute", route, "2.6") == []
    weight = "spec.to[0].rules[0].default.filters[0].requestMirror.backendRef.weight"
    assert check("MeshHTTPRoute", route, "2.7") == [(weight, "in body should be greater than or equal to 0")]


def test_backend_ports_are_int32_from_2_7() -> None:
    # v2.7.29:MTR/schema.yaml:100-103 ("format: int32"), checked by kube-openapi's numberValidator.
    spec = yaml.safe_load(GATEWAY_TCP.replace("name: web}", "name: web, port: 2147483648}"))
    path = "spec.to[0].rules[0].default.backendRefs[0].port"
    assert check("MeshTCPRoute", spec, "2.7") == [
        (path, f"Checked value must be of type integer with format int32 in {path}")
    ]
    spec["to"][0]["rules"][0]["default"]["backendRefs"][0]["port"] = 2147483647
    assert check("MeshTCPRoute", spec, "2.7") == []


def test_unresolved_backend_name_from_2_7() -> None:
    # v2.7.29:MHR/validation.go:358 with v2.7.29:VAL:394; MeshTCPRoute has no such exception.
    spec = "targetRef: {kind: Mesh}\nto:\n- targetRef: {kind: MeshService, name: web}" + HTTP_RULE.replace(
        "name: web}", "name: kuma.io/unresolved-backend}"
    )
    message = NAME_2_6
    assert check("MeshHTTPRoute", spec, "2.6") == [("spec.to[0].rules[0].default.backendRefs[0].name", message)]
    assert check("MeshHTTPRoute", spec, "2.7") == []
    tcp = GATEWAY_TCP.replace("name: web}", "name: kuma.io/unresolved-backend}")
    assert check("MeshTCPRoute", tcp, "2.7") == [("spec.to[0].rules[0].default.backendRefs[0].name", message)]


# ----------------------------------------------------------------------------------------------
# 2.8: MeshExternalService, labels / namespace / sectionName, roles
# ----------------------------------------------------------------------------------------------


def test_mesh_external_service_destinations() -> None:
    # 2.8.8:MTR/validator.go:57-60 (MeshTCPRoute only); 2.9.19:MHR/validation.go:66-69 (MeshHTTPRoute).
    tcp = "targetRef: {kind: Mesh}\nto:\n- targetRef: {kind: MeshExternalService, name: httpbin}"
    assert ("spec.to[0].targetRef.kind", "value is not supported") in check("MeshTCPRoute", tcp, "2.7")
    assert check("MeshTCPRoute", tcp, "2.8") == []
    http = "targetRef: {kind: Mesh}\nto:\n- targetRef: {kind: MeshExternalService, name: httpbin}" + HTTP_RULE
    assert check("MeshHTTPRoute", http, "2.8") == [("spec.to[0].targetRef.kind", "value is not supported")]
    assert check("MeshHTTPRoute", http, "2.9") == []


def test_labels_namespace_and_section_name_from_2_8() -> None:
    # 2.8.8:VAL:367-369 (not on Mesh), :380-390 (MeshService: name or labels, not both, no sectionName
    # with labels); 2.9.19:VAL:397-399 still; gone in 2.10 (absent from 2.10.0:VAL).
    spec = {
        "targetRef": {"kind": "Mesh", "labels": {"team": "a"}},
        "to": [
            {"targetRef": {"kind": "MeshService", "labels": {"app": "web"}}},
            {"targetRef": {"kind": "MeshService", "labels": {"app": "web"}, "name": "web"}},
            {"targetRef": {"kind": "MeshService", "labels": {"app": "web"}, "sectionName": "http"}},
        ],
    }
    # Unknown fields before 2.8: a MeshService without a name is just that.
    assert check("MeshTCPRoute", spec, "2.7") == [
        ("spec.to[0].targetRef.name", "must be set with kind MeshService"),
        ("spec.to[2].targetRef.name", "must be set with kind MeshService"),
    ]
    assert check("MeshTCPRoute", spec, "2.8") == [
        ("spec.targetRef.labels", "must not be set with kind Mesh"),
        ("spec.to[1].targetRef.labels", "either labels or name and namespace must be specified"),
        ("spec.to[2].targetRef.sectionName", "sectionName should not be combined with labels"),
    ]
    assert check("MeshTCPRoute", spec, "2.9") == check("MeshTCPRoute", spec, "2.8")
    for entry in spec["to"]:
        entry["rules"] = [{"default": {"backendRefs": [{"kind": "MeshService", "name": "web"}]}}]  # 2.10 wants rules
    assert check("MeshTCPRoute", spec, "2.10") == [
        ("spec.targetRef.labels", "must not be set with kind Mesh"),
        ("spec.to[1].targetRef.labels", "either labels or name and namespace must be specified"),
    ]


def test_external_service_labels_from_2_9() -> None:
    # 2.8.8:VAL:391 checks MeshExternalService like MeshServiceSubset; 2.9.19:VAL:412-424 gives it labels.
    spec = (
        "targetRef: {kind: Mesh}\nto:\n- targetRef: {kind: MeshExternalService, labels: {app: httpbin}, name: httpbin}"
    )
    assert check("MeshTCPRoute", spec, "2.8") == [
        ("spec.to[0].targetRef.labels", "must not be set with kind MeshExternalService")
    ]
    assert check("MeshTCPRoute", spec, "2.9") == [
        ("spec.to[0].targetRef.labels", "either labels or name must be specified")
    ]


def _kubernetes_policy(write: Any, tmp_path: Path, namespace: str, spec: str, kind: str = "MeshTCPRoute") -> Any:
    indented = "\n".join("  " + line for line in textwrap.dedent(spec).strip().splitlines())
    head = f"apiVersion: kuma.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: route\n  namespace: {namespace}\n"
    write("policy.yaml", f"{head}spec:\n{indented}\n")
    (policy,) = mra.load_repo(tmp_path).content.policies
    return policy.resource


def test_system_namespace_rule_until_2_7(write: Any, tmp_path: Path) -> None:
    # v2.7.29:pkg/plugins/runtime/k8s/webhooks/policy_namespace_validator.go:22-27; deleted in 2.8
    # (871dc55592, #10361).
    resource = _kubernetes_policy(
        write, tmp_path, "shop", "targetRef: {kind: Mesh}\nto: [{targetRef: {kind: MeshService, name: web}}]"
    )
    expected = [Violation("metadata.namespace", "policy can only be created in the system namespace:kuma-system")]
    assert violations_at(resource, "2.5") == expected
    assert violations_at(resource, "2.7") == expected
    assert violations_at(resource, "2.8") == []
    assert violations_at(resource, "2.7", ("kong-mesh-system",))[0].message.endswith(":kong-mesh-system")


def test_only_system_policies_select_gateways_from_2_8(write: Any, tmp_path: Path) -> None:
    # 2.8.8:MTR/validator.go:35-44 (other roles: no MeshGateway); the role of a policy outside the
    # system namespace is computed (2.8.8:pkg/core/resources/model/resource.go:464-495).
    resource = _kubernetes_policy(write, tmp_path, "shop", GATEWAY_TCP)
    assert violations_at(resource, "2.8") == [Violation("spec.targetRef.kind", "value is not supported")]
    assert policy_role(resource, profile_for("2.8"), ("kuma-system",)) == ("consumer", None)
    in_system = _kubernetes_policy(write, tmp_path, "kuma-system", GATEWAY_TCP)
    assert violations_at(in_system, "2.8") == []
    # On Universal the role is whatever label the document carries (empty: system).
    nested = "\n".join("  " + line for line in GATEWAY_TCP.strip().splitlines())
    write(
        "policy.yaml",
        f"type: MeshTCPRoute\nname: r\nmesh: default\nlabels: {{kuma.io/policy-role: consumer}}\nspec:\n{nested}\n",
    )
    (universal,) = mra.load_repo(tmp_path).content.policies
    assert violations_at(universal.resource, "2.7") == []
    assert violations_at(universal.resource, "2.9") == [Violation("spec.targetRef.kind", "value is not supported")]


def test_mixing_producer_and_consumer_items_from_2_9(write: Any, tmp_path: Path) -> None:
    # 2.9.19:pkg/core/resources/model/resource.go:590-608; 2.8 has no producer role (:478-495).
    spec = """
    targetRef: {kind: Mesh}
    to:
    - targetRef: {kind: MeshService, name: web}
    - targetRef: {kind: MeshService, name: db, namespace: data}
    """
    resource = _kubernetes_policy(write, tmp_path, "shop", spec)
    assert violations_at(resource, "2.8") == []
    assert violations_at(resource, "2.9") == [
        Violation("spec.to", "it's not allowed to mix producer and consumer items in the same policy")
    ]
    producer = _kubernetes_policy(
        write,
        tmp_path,
        "shop",
        "targetRef: {kind: Mesh}\nto:\n- targetRef: {kind: MeshService, name: web, namespace: shop}",
    )
    assert policy_role(producer, profile_for("2.9"), ("kuma-system",)) == ("producer", None)


def test_routes_count_as_producer_items_from_2_11(write: Any, tmp_path: Path) -> None:
    # v2.11.18:pkg/core/resources/model/resource.go:658-665.
    spec = "to:\n- targetRef: {kind: MeshService, name: web}\n- targetRef: {kind: MeshHTTPRoute, name: other}"
    resource = _kubernetes_policy(write, tmp_path, "shop", spec)
    assert policy_role(resource, profile_for("2.10"), ("kuma-system",))[1] is not None
    assert policy_role(resource, profile_for("2.11"), ("kuma-system",)) == ("producer", None)


# ----------------------------------------------------------------------------------------------
# 2.9: optional top level, MeshMultiZoneService
# ----------------------------------------------------------------------------------------------


def test_top_level_target_ref_optional_from_2_9() -> None:
    # 2.9.19:MTR/validator.go:18, :24-26 (nil means Mesh); 2.8.8:MTR/schema.yaml:244-245 still requires it.
    spec = "to:\n- targetRef: {kind: MeshService, name: web}"
    assert check("MeshTCPRoute", spec, "2.8") == [
        ("spec.targetRef", "in body is required"),
        ("spec.targetRef.kind", "must be defined"),
    ]
    assert check("MeshTCPRoute", spec, "2.9") == []
    assert check("MeshHTTPRoute", "to: []", "2.8") == [("spec.targetRef.kind", "must be defined")]
    assert check("MeshHTTPRoute", "to: []", "2.9") == []
    # ... and the to kinds are chosen as for Mesh.
    assert check("MeshTCPRoute", "to:\n- targetRef: {kind: Mesh}", "2.9") == [
        ("spec.to[0].targetRef.kind", "value is not supported")
    ]


def test_multizone_service_backends_need_a_port_from_2_9() -> None:
    # 2.9.19:MTR/validator.go:119-122, 2.9.19:pkg/core/validators/common_validators.go:266-275.
    spec = yaml.safe_load("""
    targetRef: {kind: Mesh}
    to:
    - targetRef: {kind: MeshMultiZoneService, name: web}
      rules:
      - default: {backendRefs: [{kind: MeshMultiZoneService, name: web}]}
    """)
    assert ("spec.to[0].targetRef.kind", f"in body should be one of [{KINDS_2_8}]") in check(
        "MeshTCPRoute", spec, "2.8"
    )
    assert check("MeshTCPRoute", spec, "2.9") == [
        ("spec.to[0].rules[0].default.backendRefs[0].port", "must be defined with kind MeshMultiZoneService")
    ]
    spec["to"][0]["rules"][0]["default"]["backendRefs"][0]["port"] = 80
    assert check("MeshTCPRoute", spec, "2.9") == []


# ----------------------------------------------------------------------------------------------
# 2.10: rules required, Dataplane, selectors in subset tags, defaulting, backendRefs in Go
# ----------------------------------------------------------------------------------------------


def test_to_entries_need_rules_from_2_10() -> None:
    # v2.10.11:MTR/schema.yaml:245-247, v2.10.11:MHR/schema.yaml:629-630.
    tcp = "targetRef: {kind: Mesh}\nto:\n- targetRef: {kind: MeshService, name: web}"
    assert check("MeshTCPRoute", tcp, "2.9") == []
    assert check("MeshTCPRoute", tcp, "2.10") == [("spec.to[0].rules", "in body is required")]
    http = "to:\n- rules: []"
    assert check("MeshHTTPRoute", http, "2.9") == [("spec.to[0].targetRef.kind", "must be defined")]
    assert check("MeshHTTPRoute", http, "2.10") == [
        ("spec.to[0].targetRef", "in body is required"),
        ("spec.to[0].targetRef.kind", "must be defined"),
    ]


def test_empty_tcp_backend_refs_move_from_schema_to_go_in_2_10() -> None:
    # 2.9.19:MTR/schema.yaml:171-174 (minItems 1, required); v2.10.11:MTR/validator.go:91-97.
    spec = """
    targetRef: {kind: Mesh}
    to:
    - targetRef: {kind: MeshService, name: web}
      rules:
      - default: {backendRefs: []}
    """
    assert check("MeshTCPRoute", spec, "2.9") == [
        ("spec.to[0].rules[0].default.backendRefs", "in body should have at least 1 items")
    ]
    assert check("MeshTCPRoute", spec, "2.10") == [("spec.to[0].rules[0].default.backendRefs", "must be defined")]
    assert check("MeshTCPRoute", spec.replace("{backendRefs: []}", "{}"), "2.10") == [
        ("spec.to[0].rules[0].default.backendRefs", "must be defined")
    ]


def test_kind_required_by_the_schema_from_2_10() -> None:
    # v2.10.11:MTR/schema.yaml:85-86.
    spec = """
    targetRef: {name: web}
    to:
    - targetRef: {kind: MeshService, name: web}
      rules:
      - default: {backendRefs: [{name: web}]}
    """
    assert check("MeshTCPRoute", spec, "2.9") == [
        ("spec.targetRef.kind", "must be defined"),
        ("spec.to[0].rules[0].default.backendRefs[0].kind", "must be defined"),
    ]
    assert check("MeshTCPRoute", spec, "2.10") == [
        ("spec.targetRef.kind", "in body is required"),
        ("spec.to[0].rules[0].default.backendRefs[0].kind", "in body is required"),
        ("spec.targetRef.kind", "must be defined"),
        ("spec.to[0].rules[0].default.backendRefs[0].kind", "must be defined"),
    ]


def test_dataplane_top_level_from_2_10() -> None:
    # v2.10.11:MTR/schema.yaml:41, v2.10.11:MTR/validator.go:36, v2.10.11:VAL:382-391.
    spec = {
        "targetRef": {"kind": "Dataplane", "labels": {"app": "web"}},
        "to": [
            {
                "targetRef": {"kind": "MeshService", "name": "db"},
                "rules": [{"default": {"backendRefs": [{"kind": "MeshService", "name": "db"}]}}],
            }
        ],
    }
    assert check("MeshTCPRoute", spec, "2.9")[-1] == ("spec.targetRef.kind", "value is not supported")
    assert check("MeshTCPRoute", spec, "2.10") == []
    spec["targetRef"] = {
        "kind": "Dataplane",
        "name": "web-1",
        "labels": {"app": "web"},
        "sectionName": "http",
        "tags": {"a": "b"},
    }
    assert check("MeshTCPRoute", spec, "2.10") == [
        ("spec.targetRef.tags", "must not be set with kind Dataplane"),
        ("spec.targetRef.labels", "either labels or name and namespace must be specified"),
        ("spec.targetRef.sectionName", "can only be used with inbound policies"),
    ]


def test_subset_tags_are_selectors_from_2_10() -> None:
    # 2.9.19:VAL:405 (ValidateTags) versus v2.10.11:VAL:416 (ValidateSelector).
    spec = GATEWAY_TCP.replace(
        "{kind: MeshService, name: web}", "{kind: MeshServiceSubset, name: web, tags: {version: '*'}}"
    )
    assert check("MeshTCPRoute", spec, "2.9") == [
        ('spec.to[0].rules[0].default.backendRefs[0].tags["version"]', TAG_VALUE)
    ]
    assert check("MeshTCPRoute", spec, "2.10") == []


def test_null_defaults_from_2_10() -> None:
    # v2.10.11:pkg/core/resources/model/rest/unmarshaller.go:87 fills the schema's defaults first.
    spec = yaml.safe_load(GATEWAY_TCP)
    spec["to"][0]["rules"][0]["default"]["backendRefs"][0]["weight"] = None
    assert check("MeshTCPRoute", spec, "2.9") == [
        ("spec.to[0].rules[0].default.backendRefs[0].weight", 'in body must be of type integer: "null"')
    ]
    assert check("MeshTCPRoute", spec, "2.10") == []


# ----------------------------------------------------------------------------------------------
# 2.11, 2.13, 2.14: messages and the MeshHTTPRoute ref case
# ----------------------------------------------------------------------------------------------


def test_http_route_refs_forbid_section_name_from_2_11() -> None:
    # v2.11.18:VAL:411-422.  No route accepts a MeshHTTPRoute ref, so ValidateTargetRef is called directly.
    options = RefOptions(("MeshHTTPRoute",))
    for version, expected in (
        ("2.10", []),
        ("2.11", [Violation("ref.sectionName", "must not be set with kind MeshHTTPRoute")]),
    ):
        found: list[Violation] = []
        check_target_ref(
            found, "ref", {"kind": "MeshHTTPRoute", "name": "r", "sectionName": "s"}, options, profile_for(version)
        )
        assert found == expected


def test_unsupported_kind_names_the_kind_from_2_13() -> None:
    # v2.12.14:VAL:366 versus v2.13.10:VAL:366.
    spec = "targetRef: {kind: MeshHTTPRoute, name: r}\nto: []"
    assert check("MeshHTTPRoute", spec, "2.12") == [("spec.targetRef.kind", "value is not supported")]
    assert check("MeshHTTPRoute", spec, "2.13") == [("spec.targetRef.kind", "value 'MeshHTTPRoute' is not supported")]


def test_missing_names_from_2_14() -> None:
    # v2.14.3:VAL:409-411 (MeshService: at the ref itself) and :528 (requiredField's wording).
    spec = (
        GATEWAY_TCP.replace("{kind: Mesh}", "{kind: MeshService}")
        .replace("name: edge", "name: web")
        .replace("{kind: MeshService, name: web}]", "{kind: MeshServiceSubset, tags: {v: '1'}}]")
    )
    spec = spec.replace("kind: MeshGateway", "kind: MeshService")
    assert check("MeshTCPRoute", spec, "2.13") == [
        ("spec.to[0].targetRef.name", "must be set with kind MeshService"),
        ("spec.to[0].rules[0].default.backendRefs[0].name", "must be set with kind MeshServiceSubset"),
    ]
    assert check("MeshTCPRoute", spec, "2.14") == [
        ("spec.to[0].targetRef", "name or labels must be set when kind is MeshService"),
        ("spec.to[0].rules[0].default.backendRefs[0].name", "must be set when kind is MeshServiceSubset"),
    ]


def test_legacy_policies_are_the_same_everywhere() -> None:
    # traffic_route_validator.go / traffic_permission_validator.go: refactors only from 2.5.11 to v2.14.3.
    route = {"sources": [{"match": {}}], "destinations": [{"match": {"kuma.io/service": "*", "x": "y"}}], "conf": {}}
    answers = {version: check("TrafficRoute", route, version) for version in PROFILES}
    assert answers["2.5"] and all(found == answers["2.5"] for found in answers.values())


def test_deprecation_warnings() -> None:
    # pkg/plugins/policies/core/jsonpatch/validators/validator.go TopLevelTargetRefDeprecations:
    # 2.9.19:122-132, v2.10.11:131-135, v2.11.18:125-134 (always worded for MeshSubset), v2.13.10:125-139.
    def warned(top: str, version: str) -> list[str]:
        return deprecations("MeshHTTPRoute", {"targetRef": {"kind": top, "name": "x"}}, version=version)

    def text(kind: str, advice: str = "use Dataplane with labels instead") -> str:
        return f"{kind} value for 'targetRef.kind' is deprecated, {advice}"

    assert warned("MeshService", "2.8") == []
    assert warned("MeshService", "2.9") == [text("MeshService", "use MeshSubset with 'kuma.io/service' tag instead")]
    assert warned("MeshSubset", "2.9") == []
    assert warned("MeshSubset", "2.10") == [text("MeshSubset")]
    assert warned("MeshServiceSubset", "2.11") == [text("MeshSubset")]
    assert warned("MeshServiceSubset", "2.13") == [text("MeshServiceSubset")]
    assert warned("MeshHTTPRoute", "2.14") == [text("MeshHTTPRoute", "use MeshHTTPRoute in spec.to[].targetRef")]
    assert warned("Mesh", "2.14") == warned("Dataplane", "2.14") == []
    assert deprecations("MeshTCPRoute", {"to": []}, version="2.14") == []
    assert deprecations("TrafficRoute", {"targetRef": {"kind": "MeshService"}}, version="2.14") == []
    # A warning, not a refusal.
    assert check("MeshHTTPRoute", {"targetRef": {"kind": "MeshService", "name": "web"}, "to": []}, "2.14") == []


# ----------------------------------------------------------------------------------------------
# Robustness at every version
# ----------------------------------------------------------------------------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 70000)
    | st.sampled_from(
        ["", "*", "Mesh", "MeshGateway", "Dataplane", "MeshService", "MeshMultiZoneService", "x.y", "1.2.3.4"]
    )
)
_KEYS = st.sampled_from(
    [
        "kind",
        "name",
        "tags",
        "labels",
        "namespace",
        "sectionName",
        "proxyTypes",
        "port",
        "weight",
        "targetRef",
        "to",
        "rules",
        "default",
        "backendRefs",
        "filters",
        "hostnames",
        "type",
        "urlRewrite",
        "hostname",
        "hostToBackendHostname",
        "requestRedirect",
        "matches",
    ]
)
_VALUES = st.recursive(
    _SCALARS, lambda c: st.lists(c, max_size=3) | st.dictionaries(_KEYS, c, max_size=5), max_leaves=30
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["MeshTCPRoute", "MeshHTTPRoute"]),
    spec=_VALUES,
    version=st.sampled_from(sorted(PROFILES) + ["2.6.0"]),
    role=st.sampled_from([None, "consumer"]),
)
def test_never_raises_at_any_version(kind: str, spec: Any, version: str, role: str | None) -> None:
    found = validate_policy(kind, spec, version=version, role=role)
    assert all(isinstance(v, Violation) and "internal error" not in v.message for v in found)
    assert validate_policy(kind, spec, version=version, role=role) == found
