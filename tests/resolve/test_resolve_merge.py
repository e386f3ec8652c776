from __future__ import annotations

from meshroute_analysis.model import BackendRef, HTTPRule, ToEntry
from meshroute_analysis.resolve.merge import merge_http, merge_tcp, tcp_entry_conf

from .builders import policy, tcp_route


def _br(name, w=None, **tags):
    return BackendRef("MeshServiceSubset" if tags else "MeshService", name, tuple(sorted(tags.items())), w)


def _entry(i, refs=None, has_rules=True, rule_count=1, http_rules=()):
    return ToEntry(i, None, has_rules=has_rules, backend_refs=refs, http_rules=http_rules, rule_count=rule_count)


P1 = policy(tcp_route("p1", "db", None))
P2 = policy(tcp_route("p2", "db", None))


def test_entry_without_rules_is_the_destination_weight_1():
    assert tcp_entry_conf(_entry(0, has_rules=False, rule_count=0), "db") == (BackendRef("MeshService", "db", (), 1),)
    assert tcp_entry_conf(_entry(0, has_rules=True, rule_count=0), "db") == (BackendRef("MeshService", "db", (), 1),)


def test_last_list_replaces_whole():
    merged = merge_tcp([(P1, _entry(0, (_br("a", 90), _br("b", 10)))), (P2, _entry(0, (_br("c", 5),)))], "db")
    assert merged.backend_refs == (_br("c", 5),)
    assert [p.name for p in merged.contributors] == ["p1", "p2"]
    assert "replaces" in merged.steps[1].description


def test_entry_setting_no_backend_refs_changes_nothing():
    merged = merge_tcp([(P1, _entry(0, (_br("a"),))), (P2, _entry(0, None))], "db")
    assert merged.backend_refs == (_br("a"),)


def test_same_policy_two_entries_listed_once():
    merged = merge_tcp([(P1, _entry(0, (_br("a"),))), (P1, _entry(1, (_br("b"),)))], "db")
    assert merged.backend_refs == (_br("b"),)
    assert [p.name for p in merged.contributors] == ["p1"]


def test_http_rules_merge_by_matches_key_in_first_seen_order():
    root, v1 = '[{"path":{"type":"PathPrefix","value":"/"}}]', '[{"path":{"type":"PathPrefix","value":"/v1"}}]'
    e1 = _entry(0, http_rules=(HTTPRule(v1, (_br("a"),)), HTTPRule(root, (_br("b"),))))
    e2 = _entry(0, http_rules=(HTTPRule(root, (_br("c"),)), HTTPRule(v1, None)))
    merged = merge_http([(P1, e1), (P2, e2)])
    assert [(r.matches, r.backend_refs) for r in merged.rules] == [(v1, (_br("a"),)), (root, (_br("c"),))]
    assert [p.name for p in merged.rules[0].contributors] == ["p1", "p2"]


def test_http_entry_without_rules_contributes_no_rule():
    merged = merge_http([(P1, _entry(0, has_rules=False, rule_count=0))])
    assert merged.rules == () and [p.name for p in merged.contributors] == ["p1"]
