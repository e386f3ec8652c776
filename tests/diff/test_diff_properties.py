"""A change that is only formatting, file moves, document order or comments is an empty diff (hypothesis)."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import meshroute_analysis as mra

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SERVICES = ["a", "b", "c"]
svc = st.sampled_from(SERVICES)
version = st.sampled_from(["v1", "v2"])


@st.composite
def dataplane(draw, index: int, mesh: str) -> dict:
    service = draw(svc)
    inbound = {"port": 8000 + index, "tags": {"kuma.io/service": service, "version": draw(version)}}
    protocol = draw(st.sampled_from(["tcp", "http", "grpc", None]))
    if protocol:
        inbound["tags"]["kuma.io/protocol"] = protocol
    networking: dict[str, Any] = {"address": f"10.0.0.{index + 1}", "inbound": [inbound]}
    if draw(st.booleans()):
        networking["outbound"] = [{"port": 10000 + i, "tags": {"kuma.io/service": s}}
                                  for i, s in enumerate(draw(st.lists(svc, min_size=1, max_size=3, unique=True)))]
    else:
        networking["transparentProxying"] = {"redirectPortInbound": 15006, "redirectPortOutbound": 15001}
    return {"type": "Dataplane", "name": f"{service}-{index}", "mesh": mesh, "networking": networking}


@st.composite
def backend_ref(draw) -> dict:
    ref: dict[str, Any] = {"kind": "MeshServiceSubset", "name": draw(svc), "tags": {"version": draw(version)}}
    weight = draw(st.one_of(st.none(), st.integers(0, 3)))
    if weight is not None:
        ref["weight"] = weight
    return ref


@st.composite
def route(draw, index: int, mesh: str) -> dict:
    kind = draw(st.sampled_from(["MeshTCPRoute", "MeshHTTPRoute"]))
    to = []
    for _ in range(draw(st.integers(1, 2))):
        refs = draw(st.lists(backend_ref(), min_size=1, max_size=2))
        if kind == "MeshTCPRoute":
            rules = [{"default": {"backendRefs": refs}}]
        else:
            rules = [{"matches": [{"path": {"type": "PathPrefix", "value": draw(st.sampled_from(["/", "/v2"]))}}],
                      "default": {"backendRefs": refs}}]
        to.append({"targetRef": {"kind": "MeshService", "name": draw(svc)}, "rules": rules})
    top = draw(st.sampled_from([{"kind": "Mesh"}, {"kind": "MeshSubset", "tags": {"version": "v2"}},
                                {"kind": "MeshService", "name": draw(svc)}]))
    return {"type": kind, "name": f"route-{index}", "mesh": mesh, "spec": {"targetRef": top, "to": to}}


@st.composite
def world(draw) -> list[dict]:
    docs: list[dict] = [{"type": "Mesh", "name": "m"}]
    docs += [draw(dataplane(i, "m")) for i in range(draw(st.integers(1, 5)))]
    docs += [draw(route(i, "m")) for i in range(draw(st.integers(0, 4)))]
    if draw(st.booleans()):  # a mesh of policies only: its proxies and services are inferred
        docs += [draw(route(10 + i, "orphan")) for i in range(draw(st.integers(1, 2)))]
    return docs


def _shuffled_keys(value: Any, rng: random.Random) -> Any:
    """The same data with every mapping's keys in another order (lists keep theirs: order is meaning)."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _shuffled_keys(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [_shuffled_keys(v, rng) for v in value]
    return value


def _dump(doc: dict, rng: random.Random) -> str:
    text = yaml.safe_dump(_shuffled_keys(doc, rng), sort_keys=False, default_flow_style=rng.choice([False, None, True]),
                          indent=rng.choice([2, 4]), width=rng.choice([60, 1000]))
    if rng.random() < 0.5:
        text = f"# {doc['type']} {doc['name']}, as {rng.choice(['we', 'they'])} wrote it\n" + text
    return text


def write(docs: list[dict], root: Path, seed: int) -> Path:
    """The documents in files and folders chosen by ``seed``: another seed moves, reorders, reformats."""
    rng = random.Random(seed)
    order = docs[:]
    rng.shuffle(order)
    files: dict[str, list[str]] = {}
    for doc in order:
        name = rng.choice(["all.yaml", "a/one.yml", "b/c/two.yaml", f"{doc['type'].lower()}s.yaml"])
        files.setdefault(name, []).append(_dump(doc, rng))
    for name, texts in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        head = "# generated\n" if rng.random() < 0.5 else ""
        path.write_text(head + "".join(f"---\n{t}" if i or rng.random() < 0.5 else t for i, t in enumerate(texts)))
    return root


@FAST
@given(world(), st.integers(0, 10_000), st.integers(0, 10_000))
def test_formatting_moves_reordering_and_comments_give_an_empty_diff(docs: list[dict], seed_a: int, seed_b: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        a = mra.load_repo(write(docs, Path(tmp) / "a", seed_a))
        b = mra.load_repo(write(docs, Path(tmp) / "b", seed_b))
        assert a.documents["status"].eq("loaded").all(), a.documents
        d = mra.diff(a, b)
        assert d.pairs.empty, d.pairs[["mesh", "source", "destination", "what"]].to_string()
        assert d.backends.empty and d.policies.empty
        changed = d.findings[d.findings["state"] != "unchanged"]
        assert changed.empty, changed[["state", "code", "policy", "file", "pair"]].to_string()
        assert len(d.findings) == len(mra.audit(b))  # every finding of the after side, each unchanged


@FAST
@given(world(), st.integers(0, 10_000))
def test_a_real_change_is_never_an_empty_diff(docs: list[dict], seed: int) -> None:
    # The other half of the property: the diff is not empty because it looks at nothing.
    routes = [d for d in docs if d["type"] in ("MeshTCPRoute", "MeshHTTPRoute")]
    changed = [dict(d) for d in docs]
    if routes:
        i = changed.index(routes[0])
        changed[i] = {**routes[0], "name": routes[0]["name"] + "-renamed"}
    else:
        changed.append({"type": "MeshTCPRoute", "name": "new", "mesh": "m", "spec": {"targetRef": {"kind": "Mesh"}, "to": []}})
    with tempfile.TemporaryDirectory() as tmp:
        d = mra.diff(mra.load_repo(write(docs, Path(tmp) / "a", seed)), mra.load_repo(write(changed, Path(tmp) / "b", seed)))
        assert not d.policies.empty
        assert set(d.policies["change"]) <= {"added", "removed"}


def _mutated(docs: list[dict], choice: int, rng: random.Random) -> list[dict]:
    """One change a pull request could make: a weight, a removed policy, a new replica, a retagged proxy."""
    import copy

    out = copy.deepcopy(docs)
    routes = [d for d in out if d["type"] in ("MeshTCPRoute", "MeshHTTPRoute")]
    proxies = [d for d in out if d["type"] == "Dataplane"]
    if choice == 0 and routes:
        ref = routes[0]["spec"]["to"][0]["rules"][0]["default"]["backendRefs"][0]
        ref["weight"] = ref.get("weight", 1) + rng.randint(1, 5)
    elif choice == 1 and routes:
        out.remove(routes[-1])
    elif choice == 2:
        twin = copy.deepcopy(proxies[0])
        twin["name"] += "-twin"
        out.append(twin)
    else:
        proxies[-1]["networking"]["inbound"][0]["tags"]["version"] = "v3"
    return out


@FAST
@given(world(), st.integers(0, 3), st.integers(0, 10_000))
def test_narrowing_the_rows_never_changes_the_answer(docs: list[dict], choice: int, seed: int) -> None:
    import numpy as np

    from meshroute_analysis.diff import pairs as pairs_module
    from meshroute_analysis.diff.align import Narrowed

    after = _mutated(docs, choice, random.Random(seed))
    with tempfile.TemporaryDirectory() as tmp:
        a = mra.load_repo(write(docs, Path(tmp) / "a", seed))
        b = mra.load_repo(write(after, Path(tmp) / "b", seed))
        narrowed = mra.diff(a, b)
        fast = (narrowed.pairs.copy(), narrowed.backends.copy())
        real = pairs_module.narrow

        def keep_all(rb, ra, bb, ba, *args):
            return Narrowed(*(np.ones(len(f), dtype=bool) for f in (rb, ra, bb, ba)))

        pairs_module.narrow = keep_all
        try:
            full = mra.diff(a, b)
            slow = (full.pairs.copy(), full.backends.copy())
        finally:
            pairs_module.narrow = real
    for got, expected in zip(fast, slow, strict=True):
        assert got.astype(str).equals(expected.astype(str)), (got.to_string(), expected.to_string())
