from __future__ import annotations

import pytest

from meshroute_analysis.errors import UsageError
from meshroute_analysis.resolve import SEMANTICS, Semantics, resolve, semantics_for, supported_versions
from meshroute_analysis.resolve.semantics import KUMA_2_5

from .builders import world


def test_the_modelled_versions_and_their_patch_releases():
    assert supported_versions() == ("2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "2.14")
    assert semantics_for("2.5") is KUMA_2_5 is SEMANTICS["2.5"]
    assert semantics_for(KUMA_2_5) is KUMA_2_5
    # A full version keeps its minor's facts and says which patch it is.
    patch = semantics_for("2.5.11")
    assert patch.version == "2.5.11" and patch.kind_order == KUMA_2_5.kind_order
    assert semantics_for("v2.7.29").version == "2.7.29"


def test_ignored_inbounds_are_matched_from_2_7_25():
    assert semantics_for("2.7.24").skip_ignored_inbounds is True
    assert semantics_for("2.7.25").skip_ignored_inbounds is False
    assert semantics_for("2.7").skip_ignored_inbounds is False  # 2.7 means the newest modelled patch
    assert semantics_for("2.6.15").skip_ignored_inbounds is True


@pytest.mark.parametrize("version", [
    # the patch gates of 2.9 to 2.14: (version, Ignored inbounds skipped, Dataplane refs select delegated gateways)
    ("2.9.14", True, False), ("2.9.15", False, False), ("2.10.11", True, False), ("2.11.12", True, False),
    ("2.11.13", False, False), ("2.12.7", True, False), ("2.12.8", True, True), ("2.12.10", False, True),
    ("2.13.2", True, False), ("2.13.3", True, True), ("2.13.5", False, True), ("2.14.0", False, True),
])
def test_patch_gates_from_2_9(version):
    name, skips, delegated = version
    semantics = semantics_for(name)
    assert (semantics.skip_ignored_inbounds, semantics.dataplane_ref_selects_delegated) == (skips, delegated)


def test_what_changes_from_2_8_to_2_14():
    s = SEMANTICS
    assert not s["2.7"].role_tiers and s["2.8"].role_tiers
    assert not s["2.8"].target_ref_optional and s["2.9"].target_ref_optional
    assert not s["2.8"].split_drops_backend_alone and s["2.9"].split_drops_backend_alone
    assert not s["2.8"].transparent_listed_outbounds_dropped and s["2.9"].transparent_listed_outbounds_dropped
    assert "Dataplane" not in s["2.9"].top_level_kinds and "Dataplane" in s["2.10"].top_level_kinds
    assert s["2.10"].kind_order["Dataplane"] == 2 and s["2.10"].kind_order["MeshSubset"] == 3
    assert not s["2.9"].universal_schema_defaults and s["2.10"].universal_schema_defaults
    # Empty MeshHTTPRoute routes stay from 2.12.0 until 2.14.0 skips them again (c18daffea0).
    assert [v for v in s if s[v].http_keeps_empty_routes] == ["2.12", "2.13"]


@pytest.mark.parametrize("version", ["2.15", "3", "", "latest", "2.7.x"])
def test_unknown_version_is_a_value_error_naming_the_supported_ones(version):
    with pytest.raises(ValueError, match="supported versions: 2.5, 2.6, 2.7, 2.8, 2.9, 2.10"):
        semantics_for(version)
    with pytest.raises(UsageError):
        resolve(world([]), kuma_version=version)


def test_2_5_facts():
    s = KUMA_2_5
    assert isinstance(s, Semantics)
    assert [k for k, _ in sorted(s.kind_order.items(), key=lambda kv: kv[1])] == [
        "Mesh", "MeshSubset", "MeshGateway", "MeshService", "MeshServiceSubset", "MeshHTTPRoute"]
    assert s.name_descending is False
    assert s.tcp_split_protocols == {"unknown", "tcp", "http", "http2"}
    assert s.http_split_protocols == {"http", "http2"}
    assert s.http_like_protocols == {"http", "http2", "grpc"}
    assert s.trafficroute_skip_protocols == {"http", "http2"}

    def policy(kind: str, name: str):
        return world([{"type": "MeshTCPRoute", "name": name, "mesh": "default", "spec": {"targetRef": {"kind": kind}}}]).policies[0]

    assert s.policy_sort_key(policy("Mesh", "b")) < s.policy_sort_key(policy("MeshSubset", "a"))
    assert s.policy_sort_key(policy("Unknown", "z")) < s.policy_sort_key(policy("Mesh", "a"))  # unknown kinds rank 0
    # 2.5: equal kinds in name order (the greatest merges last and wins); 2.6: the other way round.
    assert s.policy_sort_key(policy("Mesh", "a")) < s.policy_sort_key(policy("Mesh", "b"))
    assert semantics_for("2.6").policy_sort_key(policy("Mesh", "a")) > semantics_for("2.6").policy_sort_key(policy("Mesh", "b"))
