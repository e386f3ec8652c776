"""The shared conformance corpus (Kuma 2.5 semantics), run through the public API.

Each case's ``resources`` are written as one multi-document Universal YAML file, loaded with
``mra.load_repo`` and resolved with ``default_policies=False`` (the cases describe complete worlds).  For
the case's proxy, every expected destination is compared with the rows of ``res.routes`` / ``res.backends``
of that proxy's source group: protocol, route_type, policies (names, merge order) and, when given,
backends (kind, name, tags, weight).

The corpus lives outside the repository (``../shared/conformance`` next to the repo root); the project
keeps verbatim copies of its cases in ``tests/conformance_cases/`` so that a fresh clone checks them too.
When ``../shared`` is there its cases run as well and the copies must equal them; when it is missing the
tests that need it skip, or fail under CI's ``MESHROUTE_REQUIRE_SHARED=1``.  The project's own cases, in
the same format, live in ``tests/cases/`` and run through the same test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import meshroute_analysis as mra

from .conftest import CONFORMANCE_COPIES, require_shared, shared_files

SHARED_CASES = shared_files("conformance/cases", "*.yaml")
COPIES = sorted(CONFORMANCE_COPIES.glob("*.yaml"))
EXPECTED_CASE_COUNT = 26
#: The project's own cases, in the same format (a new case is a new file here).
OWN_CASES = sorted((Path(__file__).resolve().parent / "cases").glob("*.yaml"))
ALL_CASES = [("copy", p) for p in COPIES] + [("shared", p) for p in SHARED_CASES] + [("own", p) for p in OWN_CASES]


def test_conformance_corpus_is_present() -> None:
    cases = require_shared("conformance/cases")
    assert len(SHARED_CASES) >= EXPECTED_CASE_COUNT, f"only {len(SHARED_CASES)} conformance cases under {cases}"


def test_the_project_keeps_copies_of_the_cases() -> None:
    """A fresh clone has no ../shared: the copies are what it checks the resolver against."""
    assert len(COPIES) >= EXPECTED_CASE_COUNT, f"only {len(COPIES)} cases in {CONFORMANCE_COPIES}"
    for path in COPIES:
        case = yaml.safe_load(path.read_text())
        assert str(case["source"]).startswith("kuma "), f"{path.name}: its source line names no Kuma test"
        assert path.name.endswith(f"-{case['case']}.yaml"), path.name


def test_copies_match_the_shared_cases() -> None:
    shared = require_shared("conformance/cases")
    stale = [p.name for p in COPIES if not (shared / p.name).is_file() or (shared / p.name).read_bytes() != p.read_bytes()]
    missing = sorted({p.name for p in SHARED_CASES} - {p.name for p in COPIES})
    assert not stale and not missing, (
        f"tests/conformance_cases is out of step with {shared}: differs {stale}, missing {missing}; "
        f"refresh with cp {shared}/*.yaml {CONFORMANCE_COPIES}/"
    )


def _backend_view(record: dict, with_share: bool) -> dict:
    tags = record["backend_tags"] or None
    view = {"kind": record["backend_kind"], "name": record["backend_name"], "tags": tags, "weight": int(record["weight"])}
    if with_share:
        view["share"] = round(float(record["share"]), 6)
    return view


def _expected_backend(entry: dict) -> dict:
    view = {"kind": entry["kind"], "name": entry["name"], "tags": entry.get("tags") or None, "weight": entry["weight"]}
    if "share" in entry:
        view["share"] = round(float(entry["share"]), 6)
    return view


@pytest.mark.parametrize("path", [p for _, p in ALL_CASES], ids=[f"{origin}:{p.stem}" for origin, p in ALL_CASES])
def test_conformance_case(path: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(path.read_text())
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
        for key in ("protocol", "route_type", "forwards"):
            if key in expected and row[key] != expected[key]:
                problems.append(f"{dest}: {key} is {row[key]!r}, expected {expected[key]!r}")
        if list(row["policies"]) != list(expected["policies"]):
            problems.append(f"{dest}: policies {list(row['policies'])}, expected {expected['policies']}")
        if "backends" in expected:
            want = [_expected_backend(e) for e in expected["backends"]]
            with_share = any("share" in e for e in expected["backends"])
            got = [_backend_view(r, with_share) for r in backends[backends["destination"] == dest].to_dict("records")]
            if got != want:
                problems.append(f"{dest}: backends {got}, expected {want}")
    assert not problems, f"{case['case']} ({case['source']}):\n  " + "\n  ".join(problems)
