from __future__ import annotations

import pytest

from meshroute_analysis.errors import UsageError
from meshroute_analysis.resolve import SEMANTICS, Semantics, resolve, semantics_for, supported_versions
from meshroute_analysis.resolve.semantics import KUMA_2_5

from .builders import world


def test_2_5_is_the_modelled_version():
    assert supported_versions() == ("2.5",)
    assert semantics_for("2.5") is KUMA_2_5 is SEMANTICS["2.5"]
    assert semantics_for("2.5.11") is KUMA_2_5
    assert semantics_for(KUMA_2_5) is KUMA_2_5


@pytest.mark.parametrize("version", ["2.6", "3", "", "latest"])
def test_unknown_version_is_a_value_error_naming_the_supported_ones(version):
    with pytest.raises(ValueError, match="supported versions: 2.5"):
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
    assert s.policy_sort_key("Mesh", "b") < s.policy_sort_key("MeshSubset", "a")
    assert s.policy_sort_key("Unknown", "z") < s.policy_sort_key("Mesh", "a")  # unknown kinds rank 0
