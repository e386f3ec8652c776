from __future__ import annotations

from meshroute_analysis.resolve import resolve
from meshroute_analysis.resolve.defaults import route_all as implicit_route_all
from meshroute_analysis.resolve.split import resolve_wildcards
from meshroute_analysis.resolve.trafficroute import TrafficRouteIndex

from .builders import backends, dataplane, policy, route_all, row, world


def _tr(name, sources, destinations, split=None, destination=None):
    conf = {"destination": destination} if destination else {"split": split}
    return {"type": "TrafficRoute", "name": name, "mesh": "default", "sources": [{"match": s} for s in sources],
            "destinations": [{"match": d} for d in destinations], "conf": conf}


WEB = [{"kuma.io/service": "web", "version": "v1"}]
ANY = {"kuma.io/service": "*"}


def _choose(docs, service="backend", tag_sets=WEB):
    index = TrafficRouteIndex([policy(d) for d in docs])
    return index.choose(index.source_candidates(tag_sets), service)


def test_specific_beats_wildcard():
    c = _choose([route_all(), _tr("specific", [{"kuma.io/service": "web"}], [{"kuma.io/service": "backend"}], destination={"kuma.io/service": "x"})])
    assert c.policy.name == "specific" and c.rank == (2, 0)


def test_more_tags_beat_exact_wildcards():
    a = _tr("a", [{"kuma.io/service": "web", "version": "*"}], [ANY], destination=ANY)  # 3 tags, 1 exact
    b = _tr("b", [{"kuma.io/service": "web"}], [{"kuma.io/service": "backend"}], destination=ANY)  # 2 tags, 2 exact
    assert _choose([a, b]).policy.name == "a"


def test_destination_selector_with_other_keys_never_matches():
    tr = _tr("v", [ANY], [{"kuma.io/service": "backend", "version": "v1"}], destination=ANY)
    assert _choose([tr]).policy is None


def test_source_matches_any_inbound_including_ignored():
    tr = _tr("t", [{"kuma.io/service": "hidden"}], [ANY], destination=ANY)
    res = resolve(world([
        {"type": "Dataplane", "name": "p", "mesh": "default", "networking": {"address": "1.1.1.1", "inbound": [
            {"port": 1, "tags": {"kuma.io/service": "web"}},
            {"port": 2, "tags": {"kuma.io/service": "hidden"}, "state": "Ignored"}],
            "outbound": [{"port": 10001, "tags": {"kuma.io/service": "db"}}]}},
        dataplane("db-1", "db"), tr]), default_policies=False)
    assert row(res, "p", "db")["route_type"] == "TrafficRoute"


def test_tie_first_name_wins_and_implicit_default_loses():
    a = _tr("aaa", [ANY], [ANY], destination=ANY)
    b = _tr("bbb", [ANY], [ANY], destination=ANY)
    c = _choose([b, a])
    assert c.policy.name == "aaa" and [p.name for p in c.tied_with] == ["bbb"]
    index = TrafficRouteIndex([implicit_route_all("default"), policy(_tr("zzz", [ANY], [ANY], destination=ANY))])
    assert index.choose(index.source_candidates(WEB), "backend").policy.name == "zzz"


def test_wildcards_dropped_and_outbound_tags_fill_missing_keys():
    tags = (("kuma.io/service", "*"), ("version", "v2"))
    assert resolve_wildcards(tags, {"kuma.io/service": "db", "version": "v1", "region": "eu"}) == {
        "kuma.io/service": "db", "version": "v2", "region": "eu"}


def test_route_all_sends_each_outbound_to_itself_and_split_shares():
    split = [{"weight": 30, "destination": {"kuma.io/service": "db", "version": "v1"}},
             {"weight": 10, "destination": {"kuma.io/service": "db", "version": "v2"}}]
    res = resolve(world([
        dataplane("web-1", "web", outbounds=["db", "cache"]), dataplane("db-1", "db", extra={"version": "v1"}),
        dataplane("cache-1", "cache"),
        _tr("canary", [{"kuma.io/service": "web"}], [{"kuma.io/service": "db"}], split=split)]))
    assert row(res, "web-1", "cache")["trafficroute"] == "route-all-default"
    assert [(b["backend_name"], b["weight"]) for b in backends(res, "web-1", "cache")] == [("cache", 1)]
    got = [(b["backend_tags"], b["share"], b["endpoints"]) for b in backends(res, "web-1", "db")]
    assert got == [({"version": "v1"}, 0.75, 1), ({"version": "v2"}, 0.25, 0)]
    assert row(res, "web-1", "db")["status"] == "partial-endpoints"


def test_no_trafficroute_is_none():
    res = resolve(world([dataplane("web-1", "web", outbounds=["db"]), dataplane("db-1", "db")]), default_policies=False)
    r = row(res, "web-1", "db")
    assert (r["route_type"], r["forwards"], r["status"], r["trafficroute"]) == ("none", False, "no-route", None)


def test_choice_among_many_source_candidates_is_the_full_walk():
    """A group that is a source candidate of many TrafficRoutes, few of which name the service: choose() walks
    only those that can match, and gives what walking every candidate gives (ties and candidates included)."""
    import random

    rng = random.Random(3)
    docs = [route_all()]
    for k in range(120):
        source = rng.choice([ANY, {"kuma.io/service": "web"}, {"kuma.io/service": "web", "version": "*"}])
        dest = rng.choice([{"kuma.io/service": f"s{k % 7}"}, {"kuma.io/service": f"s{k % 7}"}, {"kuma.io/service": "s9"}])
        docs.append(_tr(f"tr-{k:03}", [source], [dest], destination=ANY))
    index = TrafficRouteIndex([policy(d) for d in docs])
    sources = index.source_candidates(WEB)
    assert len(sources) > 100
    assert len(index._destination_candidates(sources, index.dst_by_service.get("s0"))) < len(sources) / 4
    for service in [f"s{k}" for k in range(10)] + ["nobody-names-this"]:
        short = index.choose(sources, service)
        index._destination_candidates = lambda s, _by: s  # the full walk
        full = index.choose(sources, service)
        del index._destination_candidates
        assert short == full, service
        assert short.policy is not None
