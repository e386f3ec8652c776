"""The shared conformance corpus (Kuma 2.5 semantics), run through the public API.

Each case's ``resources`` are written as one multi-document Universal YAML file, loaded with
``mra.load_repo`` and resolved with ``default_policies=False`` (the cases describe complete worlds).  For
the case's proxy, every expected destination is compared with the rows of ``res.routes`` / ``res.backends``
of that proxy's source group: protocol, route_type, policies (names, merge order) and, when given,
backends (kind, name, tags, weight).

The corpus lives outside the repository (``../shared/conformance`` next to the repo root); when it is
missing the suite fails loudly instead of passing with nothing checked.  The project's own cases, in the
same format, live in ``tests/cases/`` and run through the same test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import meshroute_analysis as mra

CONFORMANCE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
CASES_DIR = CONFORMANCE_DIR / "cases"
CASES = sorted(CASES_DIR.glob("*.yaml")) if CASES_DIR.is_dir() else []
EXPECTED_CASE_COUNT = 26
#: The project's own cases, in the same format (a new case is a new file here).
OWN_CASES = sorted((Path(__file__).resolve().parent / "cases").glob("*.yaml"))


def test_conformance_corpus_is_present() -> None:
    assert CASES_DIR.is_dir(), (
        f"conformance corpus not found at {CASES_DIR}: the resolver cannot be checked against Kuma's "
        "behaviour without it (it is expected next to the repository, in ../shared/conformance)"
    )
    assert len(CASES) >= EXPECTED_CASE_COUNT, f"only {len(CASES)} conformance cases under {CASES_DIR}"


def _backend_view(record: dict) -> dict:
    tags = record["backend_tags"] or None
    return {"kind": record["backend_kind"], "name": record["backend_name"], "tags": tags, "weight": int(record["weight"])}


def _expected_backend(entry: dict) -> dict:
    return {"kind": entry["kind"], "name": entry["name"], "tags": entry.get("tags") or None, "weight": entry["weight"]}


@pytest.mark.parametrize("path", CASES + OWN_CASES, ids=[p.stem for p in CASES + OWN_CASES])
def test_conformance_case(path: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(path.read_text())
    assert case["kuma_version"] == "2.5"
    world = tmp_path / "world.yaml"
    world.write_text(yaml.safe_dump_all(case["resources"], sort_keys=False))

    repo = mra.load_repo(tmp_path)
    res = mra.resolve(repo, kuma_version=case["kuma_version"], default_policies=False)

    proxies = res.proxies
    sources = proxies.loc[proxies["proxy"] == case["proxy"], "source"]
    assert len(sources) == 1, f"proxy {case['proxy']} appears {len(sources)} times in res.proxies"
    source = sources.iloc[0]
    routes = res.routes[res.routes["source"] == source]
    backends = res.backends[res.backends["source"] == source]

    problems = []
    for expected in case["expected"]:
        dest = expected["destination"]
        hit = routes[routes["destination"] == dest]
        if len(hit) != 1:
            problems.append(f"{dest}: {len(hit)} rows in res.routes (expected 1)")
            continue
        row = hit.iloc[0]
        for key in ("protocol", "route_type"):
            if row[key] != expected[key]:
                problems.append(f"{dest}: {key} is {row[key]!r}, expected {expected[key]!r}")
        if list(row["policies"]) != list(expected["policies"]):
            problems.append(f"{dest}: policies {list(row['policies'])}, expected {expected['policies']}")
        if "backends" in expected:
            got = [_backend_view(r) for r in backends[backends["destination"] == dest].to_dict("records")]
            want = [_expected_backend(e) for e in expected["backends"]]
            if got != want:
                problems.append(f"{dest}: backends {got}, expected {want}")
    assert not problems, f"{case['case']} ({case['source']}):\n  " + "\n  ".join(problems)
