"""``Resolution.group_selections()``: the route policies resolution found selecting each source group,
read by the audit instead of the engine's internals."""

from __future__ import annotations

from pathlib import Path

import meshroute_analysis as mra
from meshroute_analysis.resolve import GroupSelection, resolve

SAMPLE = Path(__file__).resolve().parents[2] / "sample_policies" / "kuma-demo"


def test_every_group_once_with_the_policies_that_select_its_representative():
    repo = mra.load_repo(SAMPLE)
    res = resolve(repo)
    selections = res.group_selections()
    assert all(isinstance(s, GroupSelection) for s in selections)
    assert sorted((s.mesh, s.source) for s in selections) == sorted((m, s) for m, s, _ in res.sources)
    for sel in selections:
        assert sel.tcp_policies is not None and sel.http_policies is not None  # no builtin gateway here
        for policy in (*sel.tcp_policies, *sel.http_policies):
            assert res.selects(policy, sel.representative)[0], (sel.source, policy.key)
        # ... and no valid route policy of the mesh that selects the representative is missing.
        chosen = {id(p) for p in (*sel.tcp_policies, *sel.http_policies)}
        for policy in res.content.policies:
            if (policy.mesh == sel.mesh and policy.type in ("MeshTCPRoute", "MeshHTTPRoute")
                    and not res.refuses(policy) and res.selects(policy, sel.representative)[0]):
                assert id(policy) in chosen, (sel.source, policy.key)
    frontend = next(s for s in selections if s.mesh == "default" and s.source == "frontend.kuma-demo")
    assert [p.name for p in frontend.tcp_policies] == ["tcp-route-1"]
