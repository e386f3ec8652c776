from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from meshroute_analysis.model import Inbound, Origin, Proxy, make_tags
from meshroute_analysis.resolve.selection import (
    TargetRefIndex,
    explain_selection,
    order_policies,
    required_tags,
    selecting_inbounds,
)
from meshroute_analysis.resolve.semantics import KUMA_2_5

from .builders import policy, tcp_route


def _proxy(*inbounds, mesh="default"):
    return Proxy("p", mesh, Origin.DATAPLANE,
                 tuple(Inbound(80 + i, make_tags(tags), state) for i, (tags, state) in enumerate(inbounds)), None)


def _policy(name, top, **kw):
    return policy(tcp_route(name, "backend", None, top=top, **kw))


def _selects(pol, proxy):
    index = TargetRefIndex([pol], KUMA_2_5)
    return bool(index.select(proxy, selecting_inbounds(proxy, KUMA_2_5)))


WEB_V1 = {"kuma.io/service": "web", "version": "v1"}


def test_required_tags_per_kind():
    assert required_tags(_policy("a", {"kind": "Mesh"}), KUMA_2_5) == {}
    assert required_tags(_policy("a", {"kind": "MeshSubset", "tags": {"a": "b"}}), KUMA_2_5) == {"a": "b"}
    assert required_tags(_policy("a", {"kind": "MeshService", "name": "web"}), KUMA_2_5) == {"kuma.io/service": "web"}
    assert required_tags(_policy("a", {"kind": "MeshServiceSubset", "name": "web", "tags": {"version": "v1"}}), KUMA_2_5) == WEB_V1
    assert required_tags(_policy("a", {"kind": "MeshGateway", "name": "gw"}), KUMA_2_5) is None
    assert required_tags(_policy("a", {"kind": "MeshHTTPRoute", "name": "r"}), KUMA_2_5) is None


def test_all_tags_on_one_inbound():
    mss = _policy("a", {"kind": "MeshServiceSubset", "name": "web", "tags": {"version": "v1", "env": "dev"}})
    spread = _proxy(({"kuma.io/service": "web", "version": "v1"}, "Ready"), ({"kuma.io/service": "web", "env": "dev"}, "Ready"))
    together = _proxy(({"kuma.io/service": "web", "version": "v1", "env": "dev"}, "Ready"))
    assert not _selects(mss, spread)
    assert _selects(mss, together)
    ok, why = explain_selection(mss, spread, KUMA_2_5)
    assert not ok and "spread over several inbounds" in why


def test_ignored_inbound_never_selects_but_not_ready_does():
    mesh = _policy("a", {"kind": "Mesh"})
    assert not _selects(mesh, _proxy((WEB_V1, "Ignored")))
    assert _selects(mesh, _proxy((WEB_V1, "NotReady")))
    assert _selects(mesh, _proxy((WEB_V1, "Ignored"), ({"kuma.io/service": "x"}, "Ready")))
    ok, why = explain_selection(_policy("b", {"kind": "MeshService", "name": "web"}), _proxy((WEB_V1, "Ignored")), KUMA_2_5)
    assert not ok and "Ignored" in why


def test_no_inbound_no_selection_even_for_mesh():
    assert not _selects(_policy("a", {"kind": "Mesh"}), _proxy())


def test_other_mesh_and_invalid_explained():
    pol = _policy("a", {"kind": "Mesh"}, mesh="other")
    assert explain_selection(pol, _proxy((WEB_V1, "Ready")), KUMA_2_5)[0] is False
    bad = _policy("b", {"kind": "Mesh"}, _valid=False)
    ok, why = explain_selection(bad, _proxy((WEB_V1, "Ready")), KUMA_2_5)
    assert not ok and "invalid" in why


def test_order_by_kind_then_name():
    pols = [
        _policy("mtp-1", {"kind": "MeshServiceSubset", "name": "web", "tags": {"version": "v1"}}),
        _policy("mtp-2", {"kind": "Mesh"}),
        _policy("mtp-3", {"kind": "MeshService", "name": "web"}),
        _policy("mtp-4", {"kind": "MeshSubset", "tags": {"version": "v1"}}),
        _policy("aaa", {"kind": "Mesh"}),
    ]
    assert [p.name for p in order_policies(pols, KUMA_2_5)] == ["aaa", "mtp-2", "mtp-4", "mtp-3", "mtp-1"]
    # 2.5 golden of matchedpolicies/dataplanepolicies/02: plain byte order inside one kind
    names = ["bbb", "my-policy-2", "2-my-policy", "aaa", "111", "1-my-policy", "my-policy-1", "222"]
    ordered = order_policies([_policy(n, {"kind": "Mesh"}) for n in names], KUMA_2_5)
    assert [p.name for p in ordered] == ["1-my-policy", "111", "2-my-policy", "222", "aaa", "bbb", "my-policy-1", "my-policy-2"]


def test_kubernetes_core_name_orders_route_after_route_2():
    k8s = [_policy(n, {"kind": "Mesh"}, _namespace="kuma-system") for n in ("route", "route-2")]
    uni = [_policy(n, {"kind": "Mesh"}) for n in ("route", "route-2")]
    assert [p.core_name for p in order_policies(k8s, KUMA_2_5)] == ["route-2.kuma-system", "route.kuma-system"]
    assert [p.name for p in order_policies(uni, KUMA_2_5)] == ["route", "route-2"]


TAG_KEYS = st.sampled_from(["kuma.io/service", "version", "env", "team"])
TAG_VALUES = st.sampled_from(["web", "api", "v1", "v2", "dev"])
TAGS = st.dictionaries(TAG_KEYS, TAG_VALUES, max_size=3)
TOPS = st.one_of(
    st.just({"kind": "Mesh"}),
    st.builds(lambda t: {"kind": "MeshSubset", "tags": t}, TAGS),
    st.builds(lambda n: {"kind": "MeshService", "name": n}, st.sampled_from(["web", "api"])),
    st.builds(lambda n, t: {"kind": "MeshServiceSubset", "name": n, "tags": t}, st.sampled_from(["web", "api"]), TAGS),
)


@settings(max_examples=50, deadline=None)
@given(tops=st.lists(TOPS, max_size=6), inbounds=st.lists(st.tuples(TAGS, st.sampled_from(["Ready", "Ignored", "NotReady"])), max_size=3))
def test_index_agrees_with_explanation(tops, inbounds):
    pols = [_policy(f"p{i}", top) for i, top in enumerate(tops)]
    proxy = _proxy(*inbounds)
    selected = {id(p) for p in TargetRefIndex(pols, KUMA_2_5).select(proxy, selecting_inbounds(proxy, KUMA_2_5))}
    for pol in pols:
        assert explain_selection(pol, proxy, KUMA_2_5)[0] == (id(pol) in selected)
