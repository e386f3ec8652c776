"""The control plane's own answers: worlds labelled by Kuma's real control-plane code, compared strictly.

Each world of ``tests/oracle/*.jsonl.gz`` (see its README) is written as one multi-document YAML file, loaded
with ``mra.load_repo`` and resolved with ``mra.resolve(kuma_version=V, default_policies=...)``, exactly as a
user's repository would be.  For every world:

- every labelled (proxy, destination) row and builtin-gateway listener row must exist with the same
  route type, forwarding and shares (1e-6), and any other pair the toolkit shows for a labelled proxy must
  route nothing (the control plane builds no such outbound);
- the proxies whose configuration the control plane fails to build (``errors``) are exactly those with a
  ``config_error`` in ``res.proxies``;
- the route-policy documents the control plane refused (``rejected``) are exactly those in ``res.violations``.

A version the toolkit does not model yet must be refused (a UsageError naming the known versions), never
answered with another version's semantics.  No row is skipped and nothing is expected to fail.

One correction, from Kuma's source: the control plane that labelled these worlds stored Universal Dataplanes
*without* their ``labels``.  In the modern worlds no ``kind: Dataplane`` ref by labels selects anything (with
the labels kept, 303 rows of modern-2.14 disagree; without them, none), while a real control plane keeps
them: ``kumactl apply`` goes through the API server, which creates the Dataplane with
``store.CreateWithLabels(labels)`` (``v2.14.3:pkg/api-server/resource_endpoints.go:550``), and the matcher
compares the ref's labels with the Dataplane's (``v2.14.3:pkg/plugins/policies/core/matchers/dataplane.go``
isSelectedByLabels).  So each world is loaded as that control plane stored it, Dataplanes without labels
(:func:`as_stored`); ``tests/resolve/test_modern_selection.py`` pins selection by labels where they are kept.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

import meshroute_analysis as mra
from meshroute_analysis.resolve import supported_versions

from .conftest import require_shared

HERE = Path(__file__).resolve().parent / "oracle"
FILES = sorted(HERE.glob("*.jsonl.gz"))
TOLERANCE = 1e-6
#: The kinds whose refusal the labels record.
REFUSABLE = {"TrafficRoute", "TrafficPermission", "MeshGateway", "MeshTCPRoute", "MeshHTTPRoute"}


def _version(path: Path) -> str:
    return path.name.removesuffix(".jsonl.gz").split("-", 1)[1]


def _worlds(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt") as fh:
        for line in fh:
            yield json.loads(line)


def _label(name: str, tags: dict) -> str:
    """How the labels name a backend: ``service{k=v,...}``."""
    return name + ("{" + ",".join(f"{k}={v}" for k, v in sorted(tags.items())) + "}" if tags else "")


def _shares(res: mra.Resolution) -> dict[tuple[str, str, str], dict[str, float]]:
    """Per (mesh, source, destination): the share of each backend of the TCP split or of the HTTP catch-all
    route, summed over backends the labels cannot tell apart."""
    out: dict[tuple[str, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    b = res.backends
    used = b[b["in_split"] & b["route"].isin(["", "/"])]
    for mesh, source, dest, name, tags, share in zip(
        used["mesh"], used["source"], used["destination"], used["backend_name"], used["backend_tags"], used["share"]
    ):
        out[(mesh, source, dest)][_label(name, tags)] += share
    return out


def _same_shares(got: dict[str, float], want: dict[str, float]) -> bool:
    got = {k: v for k, v in got.items() if v > 0}
    want = {k: v for k, v in want.items() if v > 0}
    return got.keys() == want.keys() and all(abs(got[k] - want[k]) <= TOLERANCE for k in got)


def as_stored(resources: list[dict]) -> list[dict]:
    """The documents as the labelling control plane stored them: Universal Dataplanes lose their ``labels``
    (see the module docstring)."""
    return [
        {k: v for k, v in doc.items() if k != "labels"} if doc.get("type") == "Dataplane" else doc
        for doc in resources
    ]


def check_world(world: dict, version: str, folder: Path) -> list[str]:
    """Every disagreement between the toolkit and the control plane's labels for one world."""
    (folder / "world.yaml").write_text("\n---\n".join(json.dumps(doc) for doc in as_stored(world["resources"])))
    repo = mra.load_repo(folder)
    res = mra.resolve(repo, kuma_version=version, default_policies=world["opts"]["default_policies"])
    proxies = res.proxies
    where = {proxy: (mesh, source) for mesh, proxy, source in zip(proxies["mesh"], proxies["proxy"], proxies["source"])}
    routes = {(r.mesh, r.source, r.destination): r for r in res.routes.itertuples()}
    shares = _shares(res)
    problems: list[str] = []

    labelled: dict[str, set[str]] = defaultdict(set)
    for key, want in {**world["rows"], **world["gateway_rows"]}.items():
        proxy, destination = key.split("|", 1)
        labelled[proxy].add(destination)
        if proxy not in where:
            problems.append(f"{key}: proxy {proxy} is not in res.proxies")
            continue
        mesh, source = where[proxy]
        row = routes.get((mesh, source, destination))
        if row is None:
            problems.append(f"{key}: no row in res.routes (control plane: {want['route_type']})")
            continue
        got_shares = shares.get((mesh, source, destination), {})
        if (row.route_type, bool(row.forwards)) != (want["route_type"], want["forwards"]) or not _same_shares(got_shares, want["shares"]):
            problems.append(
                f"{key}: toolkit {row.route_type} forwards={row.forwards} {dict(got_shares)}; "
                f"control plane {want['route_type']} forwards={want['forwards']} {want['shares']}"
            )
    for proxy, (mesh, source) in where.items():
        for (m, s, destination), row in routes.items():
            if (m, s) == (mesh, source) and destination not in labelled[proxy] and row.forwards:
                problems.append(f"{proxy}|{destination}: the control plane builds no such outbound, the toolkit forwards it ({row.route_type})")

    failed = {proxy for proxy, error in zip(proxies["proxy"], proxies["config_error"]) if error}
    for proxy in sorted(set(world["errors"]) - failed):
        problems.append(f"{proxy}: the control plane fails to build it ({world['errors'][proxy]}); no config_error")
    for proxy in sorted(failed - set(world["errors"])):
        problems.append(f"{proxy}: config_error but the control plane builds it")

    refused = {tuple(key.split("/", 1)) for key in res.violations["policy"]}
    refused = {(kind, name) for kind, name in refused if kind in REFUSABLE}
    wanted = {(r["type"], r["name"]) for r in world["rejected"]}
    problems.extend(f"{k}/{n}: refused by the control plane, accepted by the toolkit" for k, n in sorted(wanted - refused))
    problems.extend(f"{k}/{n}: refused by the toolkit, accepted by the control plane" for k, n in sorted(refused - wanted))
    return [f"seed {world['seed']}: {p}" for p in problems]


def test_oracle_files_are_here() -> None:
    assert len(FILES) == 9, f"expected the 9 labelled files in {HERE}, found {[f.name for f in FILES]}"


def test_copies_match_the_shared_labels() -> None:
    shared = require_shared("conformance/oracle")
    for path in FILES:
        assert path.read_bytes() == (shared / path.name).read_bytes(), f"{path.name} differs from the shared copy"


@pytest.mark.parametrize("path", FILES, ids=[f.name.removesuffix(".jsonl.gz") for f in FILES])
def test_labelled_worlds(path: Path, tmp_path: Path) -> None:
    version = _version(path)
    worlds = list(_worlds(path))
    assert worlds, f"{path.name} holds no world"
    if version not in supported_versions():
        # Not modelled yet: the toolkit must say so rather than answer with another version's semantics.
        with pytest.raises(mra.UsageError, match="supported versions"):
            mra.resolve(mra.load_repo(tmp_path), kuma_version=version)
        return
    problems: list[str] = []
    rows = 0
    for i, world in enumerate(worlds):
        folder = tmp_path / str(i)
        folder.mkdir()
        problems.extend(check_world(world, version, folder))
        rows += len(world["rows"]) + len(world["gateway_rows"])
    assert rows > 0
    shown = "\n  ".join(problems[:25])
    assert not problems, f"{path.name}: {len(problems)} disagreements over {len(worlds)} worlds, {rows} rows:\n  {shown}"
