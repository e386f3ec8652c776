"""The conformance cases run through the test builders instead of the loader.

tests/test_conformance.py is the acceptance test (through ``mra.load_repo``); this one pins the resolver's
own behaviour on the same worlds independently of the loader, so a failure says which side broke.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from meshroute_analysis.resolve import resolve

from ..conftest import CONFORMANCE_COPIES, shared_files
from .builders import world

#: The project's copies always (a fresh clone has no ../shared), and the shared originals when present.
CASES = sorted(CONFORMANCE_COPIES.glob("*.yaml")) + shared_files("conformance/cases", "*.yaml")
IDS = [f"{'copy' if p.is_relative_to(CONFORMANCE_COPIES) else 'shared'}:{p.stem}" for p in CASES]


def compare(case: dict, res) -> list[str]:
    problems = []
    routes, backends = res.routes, res.backends
    proxy = case["proxy"]
    src = res.proxies.loc[res.proxies["proxy"] == proxy, "source"]
    if len(src) != 1:
        return [f"proxy {proxy} not found once in res.proxies"]
    source = src.iloc[0]
    mine = routes[routes["source"] == source]
    for exp in case["expected"]:
        hit = mine[mine["destination"] == exp["destination"]]
        if len(hit) != 1:
            problems.append(f"{exp['destination']}: {len(hit)} route rows")
            continue
        r = hit.iloc[0]
        for key in ("protocol", "route_type"):
            if r[key] != exp[key]:
                problems.append(f"{exp['destination']}: {key} {r[key]!r} != {exp[key]!r}")
        if list(r["policies"]) != list(exp["policies"]):
            problems.append(f"{exp['destination']}: policies {list(r['policies'])} != {exp['policies']}")
        if "backends" in exp:
            b = backends[(backends["source"] == source) & (backends["destination"] == exp["destination"])]
            got = [
                {"kind": x["backend_kind"], "name": x["backend_name"], "tags": x["backend_tags"] or None, "weight": x["weight"]}
                for x in b.to_dict("records")
            ]
            want = [{"kind": e["kind"], "name": e["name"], "tags": e.get("tags"), "weight": e["weight"]} for e in exp["backends"]]
            if got != want:
                problems.append(f"{exp['destination']}: backends {got} != {want}")
    return problems


@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_case_through_builders(path: Path) -> None:
    case = yaml.safe_load(path.read_text())
    res = resolve(world(case["resources"]), default_policies=False)
    assert compare(case, res) == []


def test_cases_present() -> None:
    assert len(CASES) >= 26, f"only {len(CASES)} conformance cases (copies in {CONFORMANCE_COPIES}, and ../shared when present)"
